"""Storefront scripts, keyed by name. The API shows each API account only the scripts it created."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, model_validator

from storeconf.client import StoreClient
from storeconf.errors import Location, Problem
from storeconf.kinds.base import Context, Kind, Spec, changed_fields
from storeconf.model import DesiredState, Live, LiveState
from storeconf.plan import Change

PATH = "/v3/content/scripts"
# BigCommerce lets one API account own at most this many scripts; the 11th create is a 422.
MAX_PER_ACCOUNT = 10


class Script(Spec):
    """A script. `kind: src` loads `src`; `kind: script_tag` inlines `html` (one <script> tag)."""

    name: str = Field(min_length=1, max_length=255)
    kind: Literal["src", "script_tag"]
    description: str | None = None
    src: str | None = None
    html: str | None = Field(default=None, max_length=65536)
    auto_uninstall: bool | None = None
    load_method: Literal["default", "async", "defer"] | None = None
    location: Literal["head", "footer"] | None = None
    visibility: Literal["storefront", "all_pages", "checkout", "order_confirmation"] | None = None
    # The API answers `unknown` when none was set, but refuses it in requests.
    consent_category: Literal["essential", "functional", "analytics", "targeting"] | None = None
    enabled: bool | None = None
    channel_id: int | None = Field(default=None, ge=1)
    integrity_hashes: list[str] | None = Field(default=None, max_length=5)

    @model_validator(mode="after")
    def _kind_matches_body(self) -> Script:
        if self.kind == "src":
            if not self.src:
                raise ValueError("a script of kind 'src' needs 'src' (the URL to load)")
            if self.html is not None:
                raise ValueError("a script of kind 'src' must not set 'html'")
        else:
            if not self.html:
                raise ValueError("a script of kind 'script_tag' needs 'html'")
            if self.src is not None:
                raise ValueError("a script of kind 'script_tag' must not set 'src'")
            if self.load_method not in (None, "default"):
                raise ValueError("a script of kind 'script_tag' must use load_method 'default'")
        return self


class Scripts(Kind[Script]):
    name = "scripts"
    spec = Script
    file = "storefront/scripts.yaml"
    scopes = "store_v2_content (+ store_content_checkout for visibility checkout/all_pages)"
    api_defaults = {
        "description": "",
        "integrity_hashes": [],
        "auto_uninstall": False,
        "channel_id": 1,
        "load_method": "default",
        "location": "head",
        "visibility": "storefront",
        "enabled": True,
        "consent_category": "unknown",
    }

    key_fields = frozenset({"name"})

    def key(self, item: Script) -> str:
        return item.name

    def check(
        self, items: Sequence[tuple[Script, Location | None]], invalid: frozenset[str] = frozenset()
    ) -> list[Problem]:
        """More scripts than one API account may own fail at the first one over the limit."""
        if len(items) <= MAX_PER_ACCOUNT:
            return []
        item, loc = items[MAX_PER_ACCOUNT]
        message = (
            f"scripts: {item.name!r} is script {MAX_PER_ACCOUNT + 1} of {len(items)}; an API account can "
            f"own at most {MAX_PER_ACCOUNT} scripts"
        )
        return [Problem(loc, message)]

    def check_references(self, desired: DesiredState, live: LiveState | None) -> list[Problem]:
        """With the store read: live scripts the config omits count too, unless scripts are pruned."""
        manage = desired.manage.get(self.name)
        declared = list(desired.objects.get(self.name, {}).values())
        if live is None or (manage is not None and manage.prune) or not declared:
            return []
        kept = [
            obj
            for ident, obj in live.objects.get(self.name, {}).items()
            if ident not in desired.objects.get(self.name, {})
        ]
        room = MAX_PER_ACCOUNT - len(kept)
        if len(declared) <= room:
            return []
        first = declared[max(room, 0)]
        message = (
            f"scripts: {first.key!r} would be script {len(kept) + max(room, 0) + 1} of this API account, "
            f"which can own at most {MAX_PER_ACCOUNT}: the store keeps {len(kept)} scripts the "
            "configuration does not declare (scripts are not pruned)"
        )
        return [Problem(first.location, message)]

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        raws = await client.get_all(PATH)
        for raw in raws:
            # Only the body that matches the kind exists; the API may echo the other as "".
            raw.pop("html" if raw.get("kind") == "src" else "src", None)
        return [self.make_live(raw, "uuid") for raw in raws]

    async def create(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        resp = await client.request("POST", PATH, json=change.fields)
        return resp.data["uuid"]

    async def update(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        body = changed_fields(change)
        if "kind" in body:  # switching kind needs the matching body in the same request
            body.update({k: change.fields[k] for k in ("src", "html", "load_method") if k in change.fields})
            if body["kind"] == "script_tag":
                body.setdefault("load_method", "default")  # the only one inline scripts accept
        await client.request("PUT", f"{PATH}/{change.live_id}", json=body)
        return change.live_id

    async def delete(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        await client.request("DELETE", f"{PATH}/{change.live_id}")
        return change.live_id
