"""Webhooks, keyed by scope + destination. Visible only to the API account that created them."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from storeconf.client import StoreClient
from storeconf.kinds.base import Context, Kind, Spec, changed_fields
from storeconf.model import Live
from storeconf.plan import Change

PATH = "/v3/hooks"


class Webhook(Spec):
    """A webhook. `headers` are sent with every callback and are treated as secrets."""

    scope: str = Field(min_length=1, pattern=r"^store/[A-Za-z0-9_/{}*.-]+$")
    destination: str = Field(min_length=1)
    is_active: bool | None = None
    headers: dict[str, str] | None = None

    @field_validator("destination")
    @classmethod
    def _https_443(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("destination must be an https:// URL (BigCommerce only calls port 443)")
        host = value[len("https://") :].split("/", 1)[0]
        if ":" in host and not host.endswith(":443"):
            raise ValueError("destination must use port 443")
        return value


class Webhooks(Kind[Webhook]):
    name = "webhooks"
    spec = Webhook
    file = "storefront/webhooks.yaml"
    sensitive_fields = frozenset({"headers"})
    scopes = "default (every API account can manage its own webhooks)"
    api_defaults = {"is_active": True}

    key_fields = frozenset({"scope", "destination"})

    def implied(self, fields: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
        # BigCommerce deactivates a hook whose destination keeps failing; a config that says
        # nothing about `is_active` still wants it delivering, so apply re-activates it.
        if "is_active" not in fields and live.get("is_active") is False:
            return {**fields, "is_active": True}
        return fields

    def note(self, fields: dict[str, Any], live: dict[str, Any]) -> str | None:
        if live.get("is_active") is False and fields.get("is_active") is True:
            return "deactivated by the store"
        return None

    def key(self, item: Webhook) -> str:
        return f"{item.scope} {item.destination}"

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        return [self.make_live(raw) for raw in await client.get_all(PATH)]

    async def create(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        body = {"is_active": True, **change.fields}
        resp = await client.request("POST", PATH, json=body)
        return resp.data["id"]

    async def update(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        await client.request("PUT", f"{PATH}/{change.live_id}", json=changed_fields(change))
        return change.live_id

    async def delete(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        await client.request("DELETE", f"{PATH}/{change.live_id}")
        return change.live_id
