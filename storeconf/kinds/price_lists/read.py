"""Reading price lists: the lists, their records (only where the config manages them)
and their assignments, in the config's shape.

Cost: one request for the lists, ceil(records / 250) per list whose records are
managed (pages fetched concurrently after the first), one for all assignments when
any list manages them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from storeconf.client import StoreClient
from storeconf.kinds.base import Context
from storeconf.kinds.price_lists.spec import flat_record
from storeconf.model import DesiredState

LISTS = "/v3/pricelists"
ASSIGNMENTS = "/v3/pricelists/assignments"
RECORD_INCLUDE = "bulk_pricing_tiers,sku"


def managed(desired: DesiredState | None, field: str) -> set[str] | None:
    """Identities of the lists whose `field` the config manages; None: all (an export)."""
    if desired is None:
        return None
    return {ident for ident, obj in desired.objects.get("price_lists", {}).items() if field in obj.fields}


async def read_lists(client: StoreClient, ctx: Context) -> list[dict[str, Any]]:
    """Raw lists with `_records` and `_assignments` (config-shaped) where those are managed."""
    desired: DesiredState | None = ctx.extra.get("desired")
    lists = await client.get_all(LISTS)
    with_records = managed(desired, "records")
    with_assignments = managed(desired, "assignments")
    wanted = [raw for raw in lists if with_records is None or raw["name"].casefold() in with_records]
    pages = await asyncio.gather(*(_records(client, raw["id"]) for raw in wanted))
    for raw, records in zip(wanted, pages, strict=True):
        raw["_records"] = records
    if with_assignments is None or any(raw["name"].casefold() in with_assignments for raw in lists):
        assignments = await client.get_all(ASSIGNMENTS)
        await ctx.read_finished("customer_groups")  # read beside this one: the groups' names
        by_list: dict[int, list[dict[str, Any]]] = {}
        spell = _group_spellings(desired)
        for assignment in assignments:
            by_list.setdefault(assignment["price_list_id"], []).append(_assignment(assignment, ctx, spell))
        for raw in lists:
            raw["_assignments"] = sorted(by_list.get(raw["id"], []), key=lambda a: str(a))
    return lists


async def _records(client: StoreClient, list_id: int) -> list[dict[str, Any]]:
    # Page by page: a 50,000-record list's raw pages are dropped as they are converted.
    out = await client.get_each(f"{LISTS}/{list_id}/records", _flat, {"include": RECORD_INCLUDE})
    return sorted(out, key=lambda r: (r["sku"].casefold(), r["currency"]))


async def _flat(raws: list[dict[str, Any]], pages: int) -> list[dict[str, Any]]:
    out = []
    for raw in raws:
        item = flat_record(str(raw.get("sku") or f"(variant id {raw['variant_id']})"), raw["currency"], raw)
        item["_id"] = raw["variant_id"]
        out.append(item)
    return out


def _group_spellings(desired: DesiredState | None) -> dict[str, str]:
    """Casefolded group name -> as the config's assignments spell it. Group names are matched
    ignoring case: `customer_group: wholesale` names the store's `Wholesale`, and is no change
    (before, it planned an update that never settled)."""
    objects = desired.objects.get("price_lists", {}).values() if desired is not None else ()
    return {
        str(a["customer_group"]).casefold(): str(a["customer_group"])
        for obj in objects
        for a in obj.fields.get("assignments") or []
        if a.get("customer_group") is not None
    }


def _assignment(raw: dict[str, Any], ctx: Context, spell: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"_id": raw["id"]}
    group = raw.get("customer_group_id")
    if group:
        name = ctx.keys.get(("customer_groups", group))
        if name is None:
            out["customer_group"] = f"(customer group id {group})"
        else:
            out["customer_group"] = (spell or {}).get(str(name).casefold(), str(name))
    if raw.get("channel_id"):
        out["channel"] = raw["channel_id"]
    return out
