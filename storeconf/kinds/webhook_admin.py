"""Webhook admin settings: the addresses BigCommerce mails when it denylists a destination or
deactivates a hook (`/v3/hooks/admin`).

One object per API account, written as a mapping rather than a list:
`webhook_admin: {emails: [ops@example.com]}`. The addresses are a set (order and
repeats mean nothing to the mailer), kept sorted so the plan and export are stable.

The store always has these settings; storeconf treats an account without addresses
as having none to manage. So the first addresses plan as a create, a changed list as
an update, and with `prune: true` a config without `webhook_admin` plans a delete,
which clears the list (`PUT emails: []`), like `terraform destroy` resets a
singleton. An empty `emails:` is refused, because it would plan a create on every run.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator

from storeconf.client import StoreClient
from storeconf.kinds.base import Context, Kind, Spec
from storeconf.model import Live
from storeconf.plan import Change

PATH = "/v3/hooks/admin"
KEY = "settings"

# The WHATWG (HTML5) address syntax, which the API's JSON reader checks: what fails here
# would be refused at apply time.
_EMAIL = re.compile(
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
)
_EMPTY = (
    "at least one address is needed; to remove them all, leave webhook_admin out of the config "
    "and set manage.webhook_admin.prune: true"
)


def _address(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


Email = Annotated[str, AfterValidator(_address)]


class WebhookAdminSettings(Spec):
    """Webhook admin settings: who is mailed when a webhook destination fails."""

    emails: list[Email] = Field(description="Notification addresses (a set: order does not matter).")

    @field_validator("emails")
    @classmethod
    def _a_set(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(_EMPTY)
        seen: set[str] = set()
        for email in value:
            if email.casefold() in seen:
                raise ValueError(f"{email!r} is listed twice")
            seen.add(email.casefold())
        return sorted(value, key=lambda e: (e.casefold(), e))


class WebhookAdmin(Kind[WebhookAdminSettings]):
    name = "webhook_admin"
    spec = WebhookAdminSettings
    file = "storefront/webhook_admin.yaml"
    scopes = "default (every API account can manage its own webhooks)"
    singleton = True

    def key(self, item: WebhookAdminSettings) -> str:
        return KEY

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        raw = (await client.request("GET", PATH)).data
        if not raw.get("emails"):
            return []
        return [Live(self.name, KEY, KEY, self.normalise(raw), raw)]

    def export_files(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        return {self.file: items[0]} if items else {}

    async def create(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        return await self._put(client, change.fields["emails"])

    async def update(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        return await self._put(client, change.fields["emails"])

    async def delete(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        return await self._put(client, [])

    async def _put(self, client: StoreClient, emails: list[str]) -> str:
        await client.request("PUT", PATH, json={"emails": emails})
        return KEY
