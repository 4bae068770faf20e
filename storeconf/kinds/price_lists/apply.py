"""Writing price lists: the list, then its records, then its assignments.

Records are written with the per-list upsert, UPSERT_BATCH (1,000, the API's maximum)
a request, one request at a time (the docs allow one bulk upsert per store; parallel
ones are refused with 429). Deleted records are removed with `variant_id:in` filters
per currency; a records DELETE is never sent without a filter (without one the API
empties the list).

Records and assignments the store refuses fail alone (`storeconf.batch`): the others are
written, the list's change fails with `ItemsFailed` naming each refused item and its line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from storeconf.batch import ItemsFailed, send_labelled
from storeconf.client import StoreClient
from storeconf.errors import ApplyError
from storeconf.kinds.base import Context, Outcome, changed_fields, item_label
from storeconf.kinds.price_lists.spec import PRICES
from storeconf.plan import Action, Change

LISTS = "/v3/pricelists"
ASSIGNMENTS = "/v3/pricelists/assignments"
UPSERT_BATCH = 1000
DELETE_BATCH = 200  # variant ids per DELETE: keeps the URL short
ASSIGN_BATCH = 25


class Writer:
    def __init__(self, client: StoreClient, ctx: Context) -> None:
        self.client = client
        self.ctx = ctx

    async def apply(self, changes: Sequence[Change]) -> list[Outcome]:
        # One list after another: the record upserts of two lists must not overlap.
        out = []
        for change in changes:
            if self.ctx.halt.tripped:
                out.append(Outcome(change, self.ctx.halt.not_started()))
                continue
            try:
                out.append(Outcome(change, None, await self._one(change)))
            except Exception as exc:  # reported per change; the applier decides what to stop
                self.ctx.halt.failed(exc)
                out.append(Outcome(change, exc))
        return out

    async def _one(self, change: Change) -> Any:
        if change.action is Action.DELETE:
            await self.client.request("DELETE", f"{LISTS}/{change.live_id}")
            return change.live_id
        if change.action is Action.CREATE:
            body = {k: change.fields[k] for k in ("name", "active") if k in change.fields}
            list_id = (await self.client.request("POST", LISTS, json=body)).data["id"]
            # The id is known now: a failure below leaves a list that the next plan updates.
            self.ctx.ids[("price_lists", change.key.casefold())] = list_id
        else:
            list_id = change.live_id
            top = {k: v for k, v in changed_fields(change).items() if k in ("name", "active")}
            if top:  # the API requires `name` on every PUT
                await self.client.request("PUT", f"{LISTS}/{list_id}", json={"name": change.key, **top})
        # The assignments are written even when records fail: they do not depend on them.
        refused = await self._records(list_id, change)
        refused += await self._assignments(list_id, change)
        if refused:
            raise ItemsFailed(refused)
        return list_id

    async def _records(self, list_id: int, change: Change) -> list[tuple[str, BaseException]]:
        changes = [c for c in change.children if c.kind == "record"]
        gone: dict[str, list[Any]] = {}
        for c in changes:
            if c.action is Action.DELETE:
                gone.setdefault(str(c.fields.get("currency") or c.key.rsplit(" ", 1)[-1]), []).append(
                    c.live_id
                )
        for currency, variant_ids in sorted(gone.items()):
            for start in range(0, len(variant_ids), DELETE_BATCH):
                chunk = [str(i) for i in variant_ids[start : start + DELETE_BATCH] if i is not None]
                if not chunk:  # never a filterless DELETE: it would empty the whole list
                    continue
                params = {"currency": currency.lower(), "variant_id:in": ",".join(chunk)}
                await self.client.request("DELETE", f"{LISTS}/{list_id}/records", params=params)
        upserts = [
            (self._label(change, c, "records", c.fields["sku"], c.fields["currency"]), _record_body(c.fields))
            for c in changes
            if c.action is not Action.DELETE
        ]

        async def put(batch: list[dict[str, Any]]) -> None:
            await self.client.request("PUT", f"{LISTS}/{list_id}/records", json=batch)

        return await send_labelled(upserts, UPSERT_BATCH, put)

    async def _assignments(self, list_id: int, change: Change) -> list[tuple[str, BaseException]]:
        changes = [c for c in change.children if c.kind == "assignment"]
        for c in changes:
            if c.action is Action.DELETE and c.live_id is not None:
                await self.client.request("DELETE", ASSIGNMENTS, params={"id": c.live_id})
        # The list's place, not the item's: the items are kept sorted, so an index is not the file's.
        new = [
            (self._label(change, c, "assignments"), self._assignment_body(list_id, c.fields))
            for c in changes
            if c.action is Action.CREATE
        ]

        async def post(batch: list[dict[str, Any]]) -> None:
            await self.client.request("POST", ASSIGNMENTS, json=batch)

        return await send_labelled(new, ASSIGN_BATCH, post)

    def _label(self, change: Change, item: Change, *path: str | int) -> Callable[[], str]:
        return lambda: item_label(self.ctx, change, change.key.casefold(), item, *path)

    def _assignment_body(self, list_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"price_list_id": list_id}
        if fields.get("customer_group") is not None:
            group = self.ctx.ids.get(("customer_groups", str(fields["customer_group"]).casefold()))
            if group is None:
                raise ApplyError(f"customer group {fields['customer_group']!r} not found in the store")
            body["customer_group_id"] = group
        if fields.get("channel") is not None:
            body["channel_id"] = fields["channel"]
        return body


def _record_body(fields: dict[str, Any]) -> dict[str, Any]:
    # Every field the record has: an upsert replaces the record's prices as a whole.
    body: dict[str, Any] = {"sku": fields["sku"], "currency": str(fields["currency"]).lower()}
    body.update({k: fields[k] for k in PRICES if fields.get(k) is not None})
    body["bulk_pricing_tiers"] = fields.get("bulk_pricing_tiers") or []
    return body
