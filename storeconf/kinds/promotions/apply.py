"""Writes: promotions and their codes, at the fewest requests the API allows.

A create is one POST and one POST per code (201s). An update is one PUT of the changed
fields (coupon promotions repeat their write-once `coupon_type`), then the code
changes: deletes in `id:in` batches of at most 250, then one POST per new code. A
delete removes the promotion's codes first (the bulk delete refuses promotions that
still have codes; the single one does not say).

Codes are the promotion's only batch: the bulk delete. Codes it refuses (a 422 naming their
index, `meta` counting the others as deleted; `storeconf.batch`) fail alone, as do refused
code creates: the promotion's change fails with `ItemsFailed` naming each one, its other
codes are written. A code whose delete failed is not re-created (it still exists), and a
promotion whose codes could not all be deleted is not deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storeconf.batch import ItemsFailed, about_items, send_labelled
from storeconf.client import StoreClient
from storeconf.errors import ApplyError
from storeconf.kinds.base import Context, changed_fields, item_label
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
        await self._codes(promotion_id, change)
        return promotion_id

    async def update(self, change: Change, live: dict[str, Any]) -> Any:
        fields = changed_fields(change)
        if fields:
            body = api_body(fields, self.id_of, live.get("customer"))
            if live.get("redemption_type") == "COUPON":
                # The update body must repeat the write-once coupon type (§16.2).
                body["coupon_type"] = live.get("coupon_type", "SINGLE")
            await self.client.request("PUT", f"{PATH}/{change.live_id}", json=body)
        await self._codes(change.live_id, change)
        return change.live_id

    async def delete(self, change: Change, has_codes: bool) -> Any:
        if has_codes:
            codes = await self.client.get_all(f"{PATH}/{change.live_id}/codes")
            refused = await self._delete_codes(
                change.live_id, [(f"code {c['code']}", c["id"]) for c in codes]
            )
            if refused:  # the store refuses to delete a promotion that still has codes
                raise ItemsFailed(refused)
        await self.client.request("DELETE", f"{PATH}/{change.live_id}")
        return change.live_id

    async def _codes(self, promotion_id: Any, change: Change) -> None:
        gone = {self._label(change, c): c for c in change.children if c.action is Action.DELETE}
        refused = await self._delete_codes(
            promotion_id, [(label, c.live_id) for label, c in gone.items() if c.live_id is not None]
        )
        # A code whose delete failed still exists: re-creating it would only clash with it.
        kept = {gone[label].key.casefold() for label, _ in refused}
        for child in change.children:
            if child.action is Action.CREATE and child.key.casefold() not in kept:
                try:
                    await self.client.request("POST", f"{PATH}/{promotion_id}/codes", json=child.fields)
                except Exception as exc:
                    if not about_items(exc):
                        raise
                    refused.append((self._label(change, child), exc))
        if refused:
            raise ItemsFailed(refused)

    def _label(self, change: Change, code: Change) -> str:
        """The code, and its line when the config declares it (a deleted code may be a replaced one)."""
        declared = [str(c.get("code", "")).casefold() for c in change.fields.get("codes") or []]
        index = declared.index(code.key.casefold()) if code.key.casefold() in declared else None
        path = ("codes", index) if index is not None else ()
        return item_label(self.ctx, change, change.key, code, *path)

    async def _delete_codes(
        self, promotion_id: Any, codes: Sequence[tuple[str, Any]]
    ) -> list[tuple[str, BaseException]]:
        async def send(ids: list[Any]) -> None:
            params = {"id:in": ",".join(str(i) for i in ids)}
            await self.client.request("DELETE", f"{PATH}/{promotion_id}/codes", params=params)

        return await send_labelled(codes, CODE_BATCH, send)
