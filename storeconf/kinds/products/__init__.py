"""Products, keyed by SKU (case-insensitively, as the API compares SKUs).

```yaml
products:
  - sku: TEE
    name: Classic Tee
    type: physical
    price: 25.00
    weight: 0.3
    brand: Acme                       # by name
    categories: [Apparel/Shirts]      # by path in the managed category tree
    channels: [1]                     # channel assignments
    custom_fields: {material: cotton}
    images: [{url: https://cdn.example.com/tee-front.jpg, thumbnail: true}]
    videos: [{video_id: dQw4w9WgXcQ}]
    options: [{name: Size, type: rectangles, values: [S, M]}]
    variants: [{sku: TEE-S, options: {Size: S}}, {sku: TEE-M, options: {Size: M}, price: 26}]
    modifiers: [{name: Gift message, type: text, config: {text_max_length: 100}}]
    bulk_pricing_rules: [{quantity_min: 10, quantity_max: 49, type: percent, amount: 5}]
```

Each nested list is diffed item by item by its own key (`parts`): variants by SKU,
options, modifiers and custom fields by name, bulk pricing rules by
`quantity_min-quantity_max`, videos by `video_id`, images by file name.

Image identity: the API never echoes an image's source URL. It re-hosts the file as
`image_file` (`t/123/tee-front__12345__67890.jpg`), so a live image is known by the part
of that base name before the first `__`, and a configured one by its URL's file name
without extension, both lowercased with characters outside `[a-z0-9_-]` turned into `-`
(`keys.image_identity`). Consequences: replacing an image's content under the same file
name is not detected (rename the file to replace it), and two images of one product with
the same file name are a config error. Export writes the CDN URL, whose name has the
same stem, so export -> plan stays empty. A store may still hold two (added by another
tool): the first by sort_order is the one matched and exported; when the config manages
images, the planner deletes the others.

Modules: `spec` (config models), `shape` (the comparable shape shared by config and live),
`read` (API -> config shape), `payloads` (config shape -> request bodies), `nested` and
`apply` (writes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from storeconf.client import StoreClient
from storeconf.errors import Location, Problem
from storeconf.kinds.base import Context, Kind, Outcome, Part
from storeconf.kinds.categories import split_path
from storeconf.kinds.products.apply import Writer
from storeconf.kinds.products.export import export_fields
from storeconf.kinds.products.keys import bulk_key, image_key, name_key, variant_key, video_key
from storeconf.kinds.products.read import (
    LIVE,
    PRODUCTS,
    VARIANT_SKUS,
    Resolver,
    Wanted,
    fetch_each,
    fetch_some,
    normalise,
    wanted,
)
from storeconf.kinds.products.shape import config_fields, value_label
from storeconf.kinds.products.spec import (
    BulkPricingRule,
    CustomField,
    Image,
    Modifier,
    Option,
    Product,
    Variant,
    Video,
)
from storeconf.model import DesiredState, Live, LiveState
from storeconf.plan import Action, Change, FieldChange

_NAME = frozenset({"name"})


class Products(Kind[Product]):
    name = "products"
    spec = Product
    file = "catalog/products.yaml"
    scopes = "store_v2_products"
    metafields = "/v3/catalog/products"
    depends_on = ("brands", "categories")
    references = ("brands", "categories")
    # Price lists, groups and promotions name products by SKU, which validation ties to the
    # config; a SKU moving from a deleted product to another product needs the delete first.
    delete_first = True
    # Product creates run this many at a time (each is one POST plus its follow-ups).
    concurrency = 16
    # A create is a POST and then follow-ups (options, modifiers, channels): one found by
    # re-reading after a lost answer may lack them, so it is not done until applied again.
    create_is_atomic: ClassVar[bool] = False
    # A plan targeting a few products reads only those (by `sku:in`), not the whole catalog.
    narrowable: ClassVar[bool] = True
    key_fields = frozenset({"sku"})
    # Product and variant prices, and bulk pricing rule amounts.
    money_fields = frozenset(
        {
            "price",
            "cost_price",
            "retail_price",
            "sale_price",
            "map_price",
            "fixed_cost_shipping_price",
            "amount",
        }
    )
    parts = (
        Part("options", "option", Option, name_key, key_fields=_NAME),
        # The API cannot change a variant's option values or a modifier's type in place.
        Part(
            "variants",
            "variant",
            Variant,
            variant_key,
            casefold=True,
            replace_on=frozenset({"options"}),
            key_fields=frozenset({"sku"}),
        ),
        Part("modifiers", "modifier", Modifier, name_key, replace_on=frozenset({"type"}), key_fields=_NAME),
        Part("custom_fields", "custom_field", CustomField, name_key, key_fields=_NAME),
        Part(
            "bulk_pricing_rules",
            "bulk_pricing_rule",
            BulkPricingRule,
            bulk_key,
            key_fields=frozenset({"quantity_min", "quantity_max"}),
        ),
        # A live image's key is its `_identity` (from the stored file), which no config item has.
        Part(
            "images",
            "image",
            Image,
            image_key,
            skip=frozenset({"url"}),
            key_fields=frozenset({"url", "_identity"}),
        ),
        Part("videos", "video", Video, video_key, key_fields=frozenset({"video_id"})),
    )

    def key(self, item: Product) -> str:
        return item.sku

    def identity(self, key: str) -> str:
        return key.casefold()

    def live_key(self, fields: dict[str, Any]) -> str:
        return str(fields.get("sku") or "")

    def rename_identity(self, fields: dict[str, Any]) -> str | None:
        # Product names are unique in a store too: a SKU change keeps the name, so the name
        # finds the live product to update (a create would clash with it: 409).
        return str(fields["name"]).casefold() if fields.get("name") else None

    def aliases(self, fields: dict[str, Any]) -> list[str]:
        return [str(v["sku"]) for v in fields.get("variants") or [] if isinstance(v, dict) and v.get("sku")]

    def refs(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        # --target products/X brings along the brand and categories X is written with.
        brand = [("brands", str(fields["brand"]))] if fields.get("brand") else []
        return brand + [("categories", str(path)) for path in fields.get("categories") or []]

    def to_fields(self, item: Product) -> dict[str, Any]:
        return config_fields(item)

    def adjust_children(
        self, fields: dict[str, Any], live: dict[str, Any] | None, children: tuple[Change, ...]
    ) -> tuple[Change, ...]:
        """Deleting an option or an option value deletes the variants that use it (the API does).
        When the config manages `variants`, the planner already deletes them (a variant can only
        name declared values); when it does not, they are added here, so the plan shows them."""
        if live is None or "variants" in fields or "options" not in fields:
            return children
        return children + tuple(orphaned_variants(fields["options"], live))

    def check(
        self, items: Sequence[tuple[Product, Location | None]], invalid: frozenset[str] = frozenset()
    ) -> list[Problem]:
        """SKUs are unique across all products and variants of a store, and so are product names."""
        problems: list[Problem] = []
        # Casefolded SKU or name -> the product that declared it first. A product declared twice
        # is the loader's duplicate-key error, not reported again here.
        skus: dict[str, str] = {}
        names: dict[str, str] = {}
        for item, loc in items:
            mine = item.sku.casefold()
            for sku in [item.sku, *(v.sku for v in item.variants)]:
                owner = skus.setdefault(sku.casefold(), item.sku)
                # `owner is item.sku`: this product's own entry, just made (no casefold needed).
                if owner is not item.sku and owner.casefold() != mine:
                    message = f"products: {item.sku}: SKU {sku!r} is also used by product {owner!r}"
                    problems.append(Problem(loc, message))
            if (owner := names.setdefault(item.name.casefold(), item.sku)).casefold() != item.sku.casefold():
                problems.append(
                    Problem(loc, f"products: {item.sku}: name {item.name!r} is also used by {owner!r}")
                )
        return problems

    def references_in(self, desired: DesiredState | None) -> tuple[str, ...]:
        if desired is None:
            return self.references
        items = [obj.fields for obj in desired.objects.get(self.name, {}).values()]
        used = {
            "brands": any(f.get("brand") for f in items),
            "categories": any(f.get("categories") for f in items),
        }
        return tuple(kind for kind in self.references if used[kind] or kind in desired.manage)

    def check_references(self, desired: DesiredState, live: LiveState | None) -> list[Problem]:
        # Brand names and category paths are both compared case-insensitively by their kinds.
        # A pruned kind's live objects that the config omits are about to be deleted: they don't
        # count, so those references can be checked offline too (live is None in `validate`).
        problems = []
        for kind in ("brands", "categories"):
            pruned = _pruned(desired, kind)
            if live is None and not pruned:
                continue
            known = {
                *desired.declared(kind),
                *({} if pruned or live is None else _staying(desired, live, kind)),
            }
            problems += self._dangling(desired, kind, known, pruned)
        return problems

    def _dangling(self, desired: DesiredState, kind: str, known: set[str], pruned: bool) -> list[Problem]:
        what, field = ("brand", "brand") if kind == "brands" else ("category", "categories")
        where = (
            f"is not in the configuration ({kind} are pruned, so every {what} products use must be declared)"
            if pruned
            else "is neither in the configuration nor in the store"
        )
        problems = []
        for obj in desired.objects.get(self.name, {}).values():
            value = obj.fields.get(field)
            for ref in value if isinstance(value, list) else [value]:
                if isinstance(ref, str) and ref.casefold() not in known:
                    message = f"products: {obj.key} refers to {what} {ref!r}, which {where}"
                    problems.append(Problem(obj.field_locations.get(field, obj.location), message))
        return problems

    def export_files(self, items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """One file per top-level category (`products-camping.yaml`), at most EXPORT_CHUNK products each."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            categories = item.get("categories") or []
            top = split_path(str(categories[0]))[0] if categories else "uncategorized"
            groups.setdefault(_slug(top), []).append(item)
        files: dict[str, list[dict[str, Any]]] = {}
        for slug, group in sorted(groups.items()):
            for n, start in enumerate(range(0, len(group), EXPORT_CHUNK), start=1):
                suffix = "" if n == 1 else f"-{n}"
                files[f"catalog/products-{slug}{suffix}.yaml"] = group[start : start + EXPORT_CHUNK]
        return files

    # ---- live -------------------------------------------------------------------------------

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        desired: DesiredState | None = ctx.extra.get("desired")
        want = wanted(desired)
        resolver = Resolver(ctx, want.spellings, want.values, want.declared)

        def each(raws: list[dict[str, Any]]) -> list[Live]:
            return [self._live(raw, resolver) for raw in raws]

        only = ctx.narrow.get(self.name)
        if only is None:
            # Page by page: the API's full products go as soon as they are normalised (memory at 10k).
            found = await fetch_each(client, want, each)
        else:
            found = await self._read_some(client, ctx, desired, only, want, each)
        # Writes need what the plan was computed from (ids of option values, other trees' categories).
        ctx.extra[LIVE] = {obj.id: obj for obj in found}
        for raw in (obj.raw for obj in found):
            for variant_id, sku in raw[VARIANT_SKUS]:
                if sku:
                    ctx.ids[("variants", str(sku).casefold())] = variant_id
        return found

    async def _read_some(
        self,
        client: StoreClient,
        ctx: Context,
        desired: DesiredState | None,
        only: frozenset[str],
        want: Wanted,
        each: Callable[[list[dict[str, Any]]], list[Live]],
    ) -> list[Live]:
        """The targeted products only (a targeted plan), and the store's product count when the
        plan may delete some, for the share it deletes (unsafe_deletes). `only` holds the
        targets' keys: a product the config declares is asked for as the config spells its SKU,
        another as the target does (never by its casefolded identity, which the API may not
        match: "ß" folds to "ss"), and one without SKU by the id its key names."""
        declared = desired.objects.get(self.name, {}) if desired is not None else {}
        idents = {self.identity(key) for key in only}

        def names(found: set[str]) -> list[str]:
            return [
                str(obj.fields["name"])
                for ident, obj in declared.items()
                if ident in idents and ident not in found and obj.fields.get("name")
            ]

        skus: set[str] = set()
        ids: set[int] = set()
        for key in only:
            ident = self.identity(key)
            if ident in declared:
                skus.add(declared[ident].key)
            elif no_sku := _NO_SKU.fullmatch(key):
                ids.add(int(no_sku.group(1)))
            else:
                skus.add(key)
        found = await fetch_some(client, want, each, sorted(skus), names, sorted(ids))
        # A product read here that the config omits is taken for a declared product the store
        # lacks that has its name (rename_identity: a SKU change). A declared product that was
        # not read is not lacking: read the ones with such a name, or a delete would be planned
        # as an update into a SKU the store holds (409). (A targeted one was asked for already.)
        read = {self.identity(obj.key) for obj in found}
        orphans = {
            self.rename_identity(obj.fields) for obj in found if self.identity(obj.key) not in declared
        }
        namesakes = sorted(
            obj.key
            for ident, obj in declared.items()
            if ident not in read
            and ident not in idents
            and self.rename_identity(obj.fields) in orphans - {None}
        )
        if namesakes:
            found += await fetch_some(client, want, each, namesakes, lambda _: [])
        if not idents <= declared.keys():
            page = await client.request("GET", PRODUCTS, params={"include_fields": "sku", "limit": 1})
            ctx.totals[self.name] = _total(page.body, len(found))
        return found

    def _live(self, raw: dict[str, Any], resolver: Resolver) -> Live:
        fields = normalise(raw, resolver)
        # A product made outside storeconf may have no SKU: give it a key of its own, which no
        # config can name, so prune can delete it and two of them never collide.
        key = self.live_key(fields) or NO_SKU_KEY.format(raw["id"])
        return Live(self.name, key, raw["id"], fields, _kept(raw))

    def normalise(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Without a read's context: brand and category ids stay unresolved."""
        return normalise(raw, Resolver())

    def export_item(self, live: Live) -> dict[str, Any]:
        return export_fields(live.fields)

    # ---- writes -----------------------------------------------------------------------------

    async def apply_batch(
        self, client: StoreClient, changes: Sequence[Change], ctx: Context
    ) -> list[Outcome]:
        try:
            return await Writer(client, ctx, self.concurrency).apply(changes)
        except Exception as exc:  # a bug here must still fail only these changes, never the run
            return [Outcome(c, exc) for c in changes]


# The key of a live product without SKU, and how a target names one (read by its id).
NO_SKU_KEY = "(no sku, id {})"
_NO_SKU = re.compile(r"\(no sku, id (\d+)\)")


def _total(body: Any, fallback: int) -> int:
    meta = body.get("meta") if isinstance(body, dict) else None
    total = ((meta or {}).get("pagination") or {}).get("total")
    return total if isinstance(total, int) else fallback


def _kept(raw: dict[str, Any]) -> dict[str, Any]:
    """What writes and checks use of the API's product once it is normalised: its ids, its
    categories of other trees (kept on write) and its variants' (id, SKU). The rest (half of
    a 10k-product read's memory) is dropped."""
    kept: dict[str, Any] = {k: raw[k] for k in ("id", "sku", "name", "categories") if k in raw}
    # Pairs, not the API's objects: 50,000 variants' dicts cost ~6 MB more.
    kept[VARIANT_SKUS] = [(v.get("id"), v.get("sku")) for v in raw.get("variants") or []]
    return kept


def orphaned_variants(options: list[dict[str, Any]], live: dict[str, Any]) -> list[Change]:
    """Deletes of the live variants that use an option or option value `options` drops
    (labels compared ignoring case, as the API does: a case-only change is a rename)."""
    kept = {str(o.get("name")): {value_label(v).casefold() for v in o.get("values") or []} for o in options}
    out = []
    for variant in live.get("variants") or []:
        chosen = variant.get("options") or {}
        if any(name not in kept or str(label).casefold() not in kept[name] for name, label in chosen.items()):
            # As the planner shows a delete: without storeconf's own keys (`_id`) or empty values.
            shown = {
                k: v for k, v in variant.items() if not k.startswith("_") and v not in (None, "", [], {})
            }
            diff = tuple(FieldChange(k, v, None) for k, v in shown.items())
            out.append(Change("variant", variant_key(variant), Action.DELETE, {}, diff, variant.get("_id")))
    return out


def _staying(desired: DesiredState, live: LiveState, kind: str) -> set[str]:
    """Live objects a plan keeps: under `prune: owned`, the undeclared ones storeconf owns go."""
    manage = desired.manage.get(kind)
    objects = live.objects.get(kind, {})
    if manage is None or not manage.owned or not manage.prune:
        return set(objects)
    owned = live.owned.get(kind, frozenset())
    declared = desired.declared(kind)
    return {ident for ident, obj in objects.items() if ident in declared or obj.id not in owned}


def _pruned(desired: DesiredState, kind: str) -> bool:
    manage = desired.manage.get(kind)
    # `prune: owned` leaves objects storeconf does not own, so those may still be referred to.
    return manage is not None and manage.prune and not manage.owned


EXPORT_CHUNK = 200  # products per exported file: big enough to browse, small enough to review


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "products"
