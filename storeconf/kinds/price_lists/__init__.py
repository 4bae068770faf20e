"""Price lists, keyed by name: their records (per variant SKU and currency) and assignments.

```yaml
price_lists:
  - name: Wholesale
    active: true
    assignments:                                  # by customer group name and/or channel id
      - {customer_group: Wholesale, channel: 1}
    records:                                      # one row per SKU, a price per currency
      TENT-UL2-SAGE: {USD: 299, EUR: 279}
      BAG-20-RL:
        USD: {price: 120, sale_price: 110, bulk_pricing_tiers: [{quantity_min: 5, type: percent, amount: 5}]}
        EUR: 110
```

`records` and `assignments` are owned completely when present (missing ones are
deleted, records subject to the delete threshold) and not managed when absent. A
list's records may be split over several files: each repeats `- name: Wholesale`
with a `records:` block, and only one of them sets the other fields.

Modules: `spec` (models, compact and flat records), `read`, `skus` (every record's SKU
must exist), `refs` (customer groups and the discount rule), `apply`, `export`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from storeconf.client import StoreClient
from storeconf.errors import Problem
from storeconf.kinds.base import Context, Kind, Outcome, Part
from storeconf.kinds.price_lists.apply import Writer
from storeconf.kinds.price_lists.export import export_files, export_item
from storeconf.kinds.price_lists.read import read_lists
from storeconf.kinds.price_lists.refs import check_groups, merge
from storeconf.kinds.price_lists.skus import check_skus
from storeconf.kinds.price_lists.spec import (
    Assignment,
    PriceList,
    RecordItem,
    assignment_key,
    flat_records,
    record_key,
)
from storeconf.model import Desired, DesiredState, Live, LiveState
from storeconf.plan import Change


class PriceLists(Kind[PriceList]):
    name = "price_lists"
    spec = PriceList
    file = "pricing/price-lists.yaml"
    scopes = "store_v2_products"
    depends_on = ("products", "customer_groups")
    references = ("customer_groups",)
    create_is_atomic: ClassVar[bool] = False
    separable_parts: ClassVar[bool] = True
    key_fields = frozenset({"name"})
    parts = (
        Part(
            "records",
            "record",
            RecordItem,
            record_key,
            skip=frozenset({"sku", "currency"}),
            casefold=True,
            group=lambda item: f"records {item['currency']}",
            guard_deletes=True,
            key_fields=frozenset({"sku", "currency"}),
        ),
        Part(
            "assignments",
            "assignment",
            Assignment,
            assignment_key,
            casefold=True,
            key_fields=frozenset({"customer_group", "channel"}),
        ),
    )
    api_defaults = {"active": True}

    def key(self, item: PriceList) -> str:
        return item.name

    def identity(self, key: str) -> str:
        return key.casefold()

    def to_fields(self, item: PriceList) -> dict[str, Any]:
        fields: dict[str, Any] = {"name": item.name}
        if "active" in item.model_fields_set:
            fields["active"] = item.active
        if item.assignments is not None:
            dumped = [a.model_dump(mode="json", exclude_none=True) for a in item.assignments]
            fields["assignments"] = sorted(dumped, key=assignment_key)
        if item.records is not None:
            fields["records"] = flat_records(item.records)
        return fields

    def merge(self, first: Desired, other: Desired) -> Desired | None:
        return merge(first, other)

    def refs(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        groups = {a["customer_group"] for a in fields.get("assignments") or [] if a.get("customer_group")}
        # Records name variant SKUs, which products answer to as aliases (Kind.aliases).
        skus = dict.fromkeys(str(r["sku"]) for r in fields.get("records") or [])
        return [("customer_groups", g) for g in sorted(groups)] + [("products", sku) for sku in skus]

    def read_after(self) -> tuple[str, ...]:
        # Read beside products and customer groups: records carry their SKU (include=sku), so
        # a 10k store's 200 record pages need no product read first. What needs the others
        # waits for them: assignments for the group names (read.read_lists), a record whose
        # SKU the config does not declare for the products' SKUs (skus.check_skus).
        return ()

    def references_in(self, desired: DesiredState | None) -> tuple[str, ...]:
        if desired is None or "customer_groups" in desired.manage:
            return self.references
        objects = desired.objects.get(self.name, {}).values()
        uses = any(a.get("customer_group") for obj in objects for a in obj.fields.get("assignments") or [])
        return self.references if uses else ()

    def check_references(self, desired: DesiredState, live: LiveState | None) -> list[Problem]:
        return check_groups(desired, live)

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        raws = await read_lists(client, ctx)
        await check_skus(client, ctx, raws)
        return [self._live(raw) for raw in raws]

    def _live(self, raw: dict[str, Any]) -> Live:
        fields: dict[str, Any] = {"name": raw["name"], "active": bool(raw.get("active", True))}
        if "_records" in raw:
            fields["records"] = raw["_records"]
        if "_assignments" in raw:
            fields["assignments"] = raw["_assignments"]
        public = {k: v for k, v in raw.items() if not k.startswith("_")}
        return Live(self.name, raw["name"], raw["id"], fields, public)

    def export_item(self, live: Live) -> dict[str, Any]:
        return export_item(live)

    def export_files(self, items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        return export_files(self.file, items)

    async def apply_batch(
        self, client: StoreClient, changes: Sequence[Change], ctx: Context
    ) -> list[Outcome]:
        return await Writer(client, ctx).apply(changes)
