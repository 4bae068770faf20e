"""Writes: promotions and their codes, at the fewest requests the API allows.

A create is one POST and one POST per code (201s). An update is one PUT of the changed
fields (coupon promotions repeat their write-once `coupon_type`), then the code
changes: deletes in `id:in` batches of at most 250, then one POST per new code. A
delete removes the promotion's codes first (the bulk delete refuses promotions that
still have codes; the single one does not say).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storeconf.client import StoreClient
from storeconf.errors import ApplyError
from storeconf.kinds.base import Context, changed_fields
from storeconf.kinds.promotions.shape import api_body
from storeconf.plan import Action, Change

PATH = "/v3/promotions"
CODE_BATCH = 250


class Writer:
    def __init__(self, client: StoreClient, ctx: Context) -> None:
        self.client = client
        self.ctx = ctx

    def id_of(self, kind: str, key: Any, path: str) -> Any:
        # Every kind a rule names keys its objects case-insensitively, as the API compares them.
        found = self.ctx.ids.get((kind, str(key).casefold()))
        if found is None:
            raise ApplyError(
                f"{path}: {kind} {key!r} has no id in the store (was it deleted since the plan?)"
            )
        return found

    async def create(self, change: Change) -> Any:
        body = api_body(change.fields, self.id_of)
        resp = await self.client.request("POST", PATH, json=body)
        promotion_id = resp.data["id"]
        await self._codes(promotion_id, change.children)
        return promotion_id

    async def update(self, change: Change, live: dict[str, Any]) -> Any:
        fields = changed_fields(change)
        if fields:
            body = api_body(fields, self.id_of, live.get("customer"))
            if live.get("redemption_type") == "COUPON":
                # The update body must repeat the write-once coupon type (§16.2).
                body["coupon_type"] = live.get("coupon_type", "SINGLE")
            await self.client.request("PUT", f"{PATH}/{change.live_id}", json=body)
        await self._codes(change.live_id, change.children)
        return change.live_id

    async def delete(self, change: Change, has_codes: bool) -> Any:
        if has_codes:
            codes = await self.client.get_all(f"{PATH}/{change.live_id}/codes")
            await self.delete_codes(change.live_id, [c["id"] for c in codes])
        await self.client.request("DELETE", f"{PATH}/{change.live_id}")
        return change.live_id

    async def _codes(self, promotion_id: Any, children: Sequence[Change]) -> None:
        gone = [c.live_id for c in children if c.action is Action.DELETE and c.live_id is not None]
        await self.delete_codes(promotion_id, gone)
        for child in children:
            if child.action is Action.CREATE:
                await self.client.request("POST", f"{PATH}/{promotion_id}/codes", json=child.fields)

    async def delete_codes(self, promotion_id: Any, ids: Sequence[Any]) -> None:
        for start in range(0, len(ids), CODE_BATCH):
            batch = ",".join(str(i) for i in ids[start : start + CODE_BATCH])
            await self.client.request("DELETE", f"{PATH}/{promotion_id}/codes", params={"id:in": batch})
