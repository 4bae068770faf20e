"""Customer groups (v2 API), keyed by name (case-insensitively, as the store compares names).

```yaml
customer_groups:
  - name: Wholesale
    is_default: false
    is_group_for_guests: false
    category_access: {type: specific, categories: [Camping, Camping/Tents]}   # by path
    discount_rules:                      # replaced as a whole by the API: planned as one field
      - {type: all, method: percent, amount: 5}
      - {type: category, category: Camping/Tents, method: percent, amount: 10}
      - {type: product, product: TENT-2P, method: fixed, amount: 20}            # by SKU
```

Categories are named by their path in the managed category tree, products by SKU. A
group's discount rules and a price-list assignment to the group exclude each other
(the API's rule); the price-list kind checks that before any write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, model_validator

from storeconf.client import StoreClient
from storeconf.errors import ApplyError, ConfigError, Location, Problem
from storeconf.kinds.base import Context, Kind, Spec, changed_fields
from storeconf.model import Desired, DesiredState, Live, LiveState
from storeconf.plan import Change

PATH = "/v2/customer_groups"
PRODUCTS = "/v3/catalog/products"
SKU_BATCH = 50  # SKUs per `sku:in` lookup: keeps the URL short


class CategoryAccess(Spec):
    type: Literal["all", "specific", "none"]
    categories: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _categories_only_when_specific(self) -> CategoryAccess:
        if self.categories and self.type != "specific":
            raise ValueError("categories may be listed only with type 'specific'")
        return self


class DiscountRule(Spec):
    """`all` (sitewide), `category` (by path) or `product` (by SKU)."""

    type: Literal["all", "category", "product"]
    method: Literal["percent", "fixed", "price"]
    amount: float = Field(ge=0)
    category: str | None = None
    product: str | None = None

    @model_validator(mode="after")
    def _target_matches_type(self) -> DiscountRule:
        if (self.type == "category") != (self.category is not None):
            raise ValueError("a rule names a 'category' exactly when its type is 'category'")
        if (self.type == "product") != (self.product is not None):
            raise ValueError("a rule names a 'product' (SKU) exactly when its type is 'product'")
        if self.method == "percent" and self.amount > 100:
            raise ValueError("a percent discount cannot exceed 100")
        return self


class CustomerGroup(Spec):
    name: str = Field(min_length=1, max_length=255)
    is_default: bool = False
    is_group_for_guests: bool = False
    category_access: CategoryAccess | None = None
    discount_rules: list[DiscountRule] | None = None

    @model_validator(mode="after")
    def _one_rule_per_target(self) -> CustomerGroup:
        rules = self.discount_rules or []
        if sum(r.type == "all" for r in rules) > 1:
            raise ValueError("discount_rules: only one sitewide (type 'all') rule is allowed")
        targets = [(r.type, (r.category or r.product or "").casefold()) for r in rules if r.type != "all"]
        if len(targets) != len(set(targets)):
            raise ValueError("discount_rules: one rule per category or product")
        return self


class CustomerGroups(Kind[CustomerGroup]):
    name = "customer_groups"
    spec = CustomerGroup
    file = "customers/groups.yaml"
    scopes = "store_v2_customers"
    key_fields = frozenset({"name"})
    # Written after the categories and products their rules name.
    depends_on = ("categories", "products")
    references = ("categories",)
    api_defaults = {
        "is_default": False,
        "is_group_for_guests": False,
        "discount_rules": [],
        "category_access": {"type": "all"},
    }

    key_fields = frozenset({"name"})

    def key(self, item: CustomerGroup) -> str:
        return item.name

    def identity(self, key: str) -> str:
        return key.casefold()

    def to_fields(self, item: CustomerGroup) -> dict[str, Any]:
        fields = super().to_fields(item)
        if item.category_access is not None:
            fields["category_access"] = _access(item.category_access.model_dump(mode="json"))
        if item.discount_rules is not None:
            fields["discount_rules"] = _sorted_rules([r.model_dump(mode="json") for r in item.discount_rules])
        return fields

    def refs(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        access = fields.get("category_access") or {}
        paths = [*access.get("categories", []), *(r["category"] for r in _rules(fields, "category"))]
        skus = [str(r["product"]) for r in _rules(fields, "product") if r.get("product")]
        return [("categories", str(p)) for p in paths] + [("products", sku) for sku in skus]

    def check(
        self, items: Sequence[tuple[CustomerGroup, Location | None]], invalid: frozenset[str] = frozenset()
    ) -> list[Problem]:
        problems = []
        for flag in ("is_default", "is_group_for_guests"):
            flagged = [(item, loc) for item, loc in items if getattr(item, flag)]
            for item, loc in flagged[1:]:
                first = flagged[0][0].name
                message = f"customer_groups: {item.name}: only one group can set {flag} (also {first!r})"
                problems.append(Problem(loc, message))
        return problems

    def references_in(self, desired: DesiredState | None) -> tuple[str, ...]:
        if desired is None or "categories" in desired.manage:
            return self.references
        objects = desired.objects.get(self.name, {}).values()
        uses = any(kind == "categories" for obj in objects for kind, _ in self.refs(obj.fields))
        return self.references if uses else ()

    def check_references(self, desired: DesiredState, live: LiveState | None) -> list[Problem]:
        manage = desired.manage.get("categories")
        pruned = manage is not None and manage.prune
        if live is None and not pruned:
            return []
        known = desired.declared("categories")
        if not pruned and live is not None:
            known |= set(live.objects.get("categories", {}))
        problems = []
        for obj in desired.objects.get(self.name, {}).values():
            for kind, path in self.refs(obj.fields):
                if kind == "categories" and path.casefold() not in known:
                    where = "in the configuration" if pruned else "in the configuration or the store"
                    message = f"customer_groups: {obj.key} refers to category {path!r}, which is not {where}"
                    problems.append(Problem(obj.location_of("category_access") or obj.location, message))
        return problems

    # ---- live -------------------------------------------------------------------------------

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        raws = await client.get_all(PATH)
        skus = await _product_skus(client, [r["product_id"] for raw in raws for r in _rules(raw, "product")])
        await _resolve_config_skus(client, ctx)
        return [self._live(raw, ctx, skus) for raw in raws]

    def _live(self, raw: dict[str, Any], ctx: Context, skus: dict[int, str]) -> Live:
        fields: dict[str, Any] = {
            "name": raw["name"],
            "is_default": bool(raw.get("is_default")),
            "is_group_for_guests": bool(raw.get("is_group_for_guests")),
        }
        access = raw.get("category_access") or {"type": "all"}
        categories = [_category_path(ctx, c) for c in access.get("categories") or []]
        fields["category_access"] = _access({"type": access.get("type", "all"), "categories": categories})
        fields["discount_rules"] = _sorted_rules(
            [_live_rule(r, ctx, skus) for r in raw.get("discount_rules") or []]
        )
        return Live(self.name, raw["name"], raw["id"], fields, raw)

    def export_item(self, live: Live) -> dict[str, Any]:
        item = super().export_item(live)
        if any(r.get("type") == "price_list" for r in item.get("discount_rules", [])):
            # The legacy price-list rule: storeconf manages that as a price-list assignment.
            item.pop("discount_rules")
        return item

    # ---- writes -----------------------------------------------------------------------------

    async def create(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        body = await _payload(client, change.fields, ctx)
        resp = await client.request("POST", PATH, json=body)
        if resp.status == 207:
            return await self._partly_saved(client, change, resp.body)
        return resp.body["id"]

    async def update(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        body = await _payload(client, changed_fields(change), ctx)
        resp = await client.request("PUT", f"{PATH}/{change.live_id}", json=body)
        if resp.status == 207:
            await self._partly_saved(client, change, resp.body)
        return change.live_id

    async def delete(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        await client.request("DELETE", f"{PATH}/{change.live_id}")
        return change.live_id

    async def _partly_saved(self, client: StoreClient, change: Change, body: Any) -> Any:
        # The group was saved without its sitewide discount: never re-POST it (409), say so;
        # the next plan shows the discount still to apply.
        message = body.get("message") if isinstance(body, dict) else None
        raise ApplyError(f"customer_groups {change.key}: saved, but the store answered 207: {message}")


def _rules(fields: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in fields.get("discount_rules") or [] if isinstance(r, dict) and r.get("type") == kind]


def _access(access: dict[str, Any]) -> dict[str, Any]:
    categories = sorted(access.get("categories") or [], key=str.casefold)
    return {"type": access["type"], **({"categories": categories} if categories else {})}


def _sorted_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API keeps no meaningful order: compare rules as a set, sorted by type and target."""
    order = {"all": 0, "category": 1, "product": 2, "price_list": 3}
    cleaned = [{k: v for k, v in r.items() if v is not None} for r in rules]
    return sorted(
        cleaned,
        key=lambda r: (order.get(r["type"], 9), str(r.get("category") or r.get("product") or "").casefold()),
    )


def _live_rule(rule: dict[str, Any], ctx: Context, skus: dict[int, str]) -> dict[str, Any]:
    if rule.get("type") == "price_list":
        return {"type": "price_list", "price_list_id": rule.get("price_list_id")}
    out: dict[str, Any] = {
        "type": rule["type"],
        "method": rule.get("method"),
        "amount": float(rule.get("amount") or 0),
    }
    if rule["type"] == "category":
        out["category"] = _category_path(ctx, rule.get("category_id"))
    elif rule["type"] == "product":
        out["product"] = skus.get(rule.get("product_id") or 0, f"(product id {rule.get('product_id')})")
    return out


def _category_path(ctx: Context, category_id: Any) -> str:
    path = ctx.keys.get(("categories", category_id))
    # A category outside the managed tree has no path storeconf can write: show its id.
    return str(path) if path is not None else f"(category id {category_id})"


async def _product_skus(client: StoreClient, ids: list[Any]) -> dict[int, str]:
    wanted = sorted({int(i) for i in ids if isinstance(i, int)})
    out: dict[int, str] = {}
    for start in range(0, len(wanted), SKU_BATCH):
        chunk = ",".join(str(i) for i in wanted[start : start + SKU_BATCH])
        params = {"id:in": chunk, "include_fields": "sku"}
        for product in await client.get_all(PRODUCTS, params):
            out[int(product["id"])] = str(product.get("sku") or "")
    return out


async def _resolve_config_skus(client: StoreClient, ctx: Context) -> None:
    """Product SKUs the config's rules name, resolved to ids before any write. A SKU that is
    neither a configured product nor in the store is a config error at its rule."""
    desired: DesiredState | None = ctx.extra.get("desired")
    if desired is None:
        return
    configured = desired.declared("products")
    # Located only for a problem: a location may re-read the file (see price_lists.skus).
    wanted: dict[str, tuple[str, Desired, int]] = {}
    for obj in desired.objects.get("customer_groups", {}).values():
        for i, rule in enumerate(obj.fields.get("discount_rules") or []):
            sku = rule.get("product")
            if rule.get("type") == "product" and sku and sku.casefold() not in configured:
                wanted[sku.casefold()] = (sku, obj, i)
    found = await find_skus(client, list(wanted))
    for sku, product_id in found.items():
        ctx.ids[("products", sku)] = product_id
    problems = [
        Problem(
            obj.location_of("discount_rules", i) or obj.location,
            f"customer_groups: {obj.key} names product {sku!r}, which is neither in the configuration "
            "nor in the store",
        )
        for folded, (sku, obj, i) in wanted.items()
        if folded not in found
    ]
    if problems:
        raise ConfigError(problems)


async def find_skus(client: StoreClient, skus: list[str]) -> dict[str, int]:
    """Casefolded product SKU -> product id, for the SKUs that exist."""
    out: dict[str, int] = {}
    for start in range(0, len(skus), SKU_BATCH):
        params = {"sku:in": ",".join(skus[start : start + SKU_BATCH]), "include_fields": "sku"}
        for product in await client.get_all(PRODUCTS, params):
            out[str(product.get("sku") or "").casefold()] = int(product["id"])
    return out


async def _payload(client: StoreClient, fields: dict[str, Any], ctx: Context) -> dict[str, Any]:
    body = {k: v for k, v in fields.items() if k not in ("category_access", "discount_rules")}
    if "category_access" in fields:
        access = fields["category_access"]
        body["category_access"] = {"type": access["type"]}
        if access["type"] == "specific":
            body["category_access"]["categories"] = [_category_id(ctx, p) for p in access["categories"]]
    if "discount_rules" in fields:
        body["discount_rules"] = [await _api_rule(client, r, ctx) for r in fields["discount_rules"]]
    return body


async def _api_rule(client: StoreClient, rule: dict[str, Any], ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": rule["type"],
        "method": rule["method"],
        "amount": f"{float(rule['amount']):.4f}",
    }
    if rule["type"] == "category":
        out["category_id"] = _category_id(ctx, rule["category"])
    elif rule["type"] == "product":
        sku = str(rule["product"]).casefold()
        product_id = ctx.ids.get(("products", sku))
        if product_id is None:  # created earlier in this apply by another tool's config? look it up
            product_id = (await find_skus(client, [sku])).get(sku)
        if product_id is None:
            raise ApplyError(f"product {rule['product']!r} not found in the store")
        out["product_id"] = product_id
    return out


def _category_id(ctx: Context, path: str) -> Any:
    found = ctx.ids.get(("categories", path.casefold()))
    if found is None:
        raise ApplyError(f"category {path!r} not found in the store")
    return found
