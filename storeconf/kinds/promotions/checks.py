"""Promotion rules beyond one field: cross-field API rules, unique codes, references that
resolve nowhere, and the refusal to guess between two live promotions of one name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from storeconf.errors import Location, PlanError, Problem
from storeconf.kinds.base import Context
from storeconf.kinds.promotions.refs import references
from storeconf.kinds.promotions.shape import GROUPS, GUESTS
from storeconf.kinds.promotions.spec import Promotion
from storeconf.model import Desired, DesiredState, LiveState

Locate = Callable[[tuple[str | int, ...]], Location]
WHAT = {
    "brands": "brand",
    "categories": "category",
    "products": "product",
    "variants": "variant",
    GROUPS: "customer group",
}
COUPON_ONLY = ("coupon_type", "coupon_overrides_other_promotions", "codes")


def item_problems(item: Promotion, locate: Locate) -> list[Problem]:
    """The API's rules across fields of one promotion, each at the value that breaks it."""
    out = []
    if item.currency_code == "*":
        for path in _fixed_amounts(item):
            out.append(Problem(locate(path), 'currency_code "*" allows percentage discounts only'))
    if item.coupon_overrides_other_promotions and item.can_be_used_with_other_promotions is not False:
        message = "coupon_overrides_other_promotions: true needs can_be_used_with_other_promotions: false"
        out.append(Problem(locate(("coupon_overrides_other_promotions",)), message))
    if item.start_date and item.end_date and item.end_date <= item.start_date:
        out.append(Problem(locate(("end_date",)), "end_date must be after start_date"))
    if item.redemption_type == "AUTOMATIC":
        for name in COUPON_ONLY:
            if getattr(item, name) is not None:
                out.append(Problem(locate((name,)), f"{name}: only COUPON promotions have it"))
    return out


def _fixed_amounts(item: Promotion) -> list[tuple[str | int, ...]]:
    paths: list[tuple[str | int, ...]] = []
    for i, rule in enumerate(item.rules):
        action = rule.action
        for name, body in (("cart_value", action.cart_value), ("cart_items", action.cart_items)):
            if body is not None and body.discount.fixed_amount is not None:
                paths.append(("rules", i, "action", name, "discount", "fixed_amount"))
        if action.fixed_price_set is not None:
            paths.append(("rules", i, "action", "fixed_price_set", "fixed_price"))
    return paths


def unique_codes(items: Sequence[tuple[Promotion, Location | None]]) -> list[Problem]:
    """Codes are unique in a store, compared ignoring case."""
    owners: dict[str, str] = {}
    out = []
    for item, loc in items:
        codes = item.codes if isinstance(item.codes, list) else []
        for code in codes:
            owner = owners.setdefault(code.code.casefold(), item.name)
            if owner != item.name or sum(c.code.casefold() == code.code.casefold() for c in codes) > 1:
                out.append(
                    Problem(loc, f"promotions: {item.name}: code {code.code!r} is also used by {owner!r}")
                )
    return out


def rule_refs(fields: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, key, dotted path) of everything a promotion's fields refer to."""
    found = references(fields.get("rules") or [])
    customer = fields.get("customer") or {}
    for name in ("groups", "excluded_groups"):
        found += [
            (GROUPS, g, f"customer.{name}.{i}") for i, g in enumerate(customer.get(name) or []) if g != GUESTS
        ]
    return found


def dangling(kind_name: str, desired: DesiredState, live: LiveState | None) -> list[Problem]:
    """References that resolve neither in the config nor in the store (offline: only to pruned
    kinds, whose undeclared objects are about to be deleted)."""
    known: dict[str, set[str] | None] = {}
    out = []
    for obj in desired.objects.get(kind_name, {}).values():
        for kind, key, path in rule_refs(obj.fields):
            if kind not in known:
                known[kind] = _known(kind, desired, live)
            keys = known[kind]
            if keys is not None and key.casefold() not in keys:
                out.append(Problem(_where(obj, path), _message(obj.key, kind, key, desired, live)))
    return out


def _known(kind: str, desired: DesiredState, live: LiveState | None) -> set[str] | None:
    """Identities (casefolded) a reference to `kind` may name; None when it cannot be told."""
    owner = "products" if kind == "variants" else kind
    pruned = _pruned(desired, owner)
    if live is None and not pruned:
        return None
    if live is not None and owner not in live.objects and not pruned:
        return None  # not read (a kind the registry does not have yet, or not targeted)
    if kind == "variants":
        declared = {
            str(v.get("sku")).casefold()
            for obj in desired.objects.get("products", {}).values()
            for v in obj.fields.get("variants") or []
        }
        declared |= set(desired.objects.get("products", {}))
        stored = {
            str(v.get("sku")).casefold()
            for ident, obj in (live.objects.get("products", {}) if live else {}).items()
            if not pruned or ident in desired.objects.get("products", {})
            for v in [*obj.fields.get("variants", []), {"sku": obj.key}]
        }
        return declared | stored
    stored_all = set(live.objects.get(kind, {})) if live is not None and not pruned else set()
    return {k.casefold() for k in desired.objects.get(kind, {})} | {k.casefold() for k in stored_all}


def _pruned(desired: DesiredState, kind: str) -> bool:
    manage = desired.manage.get(kind)
    return manage is not None and manage.prune


def _message(name: str, kind: str, key: str, desired: DesiredState, live: LiveState | None) -> str:
    owner = "products" if kind == "variants" else kind
    if _pruned(desired, owner):
        where = (
            f"is not in the configuration ({owner} are pruned, so every {WHAT[kind]} "
            "a promotion uses must be declared)"
        )
    else:
        where = "is neither in the configuration nor in the store"
    return f"promotions: {name} refers to {WHAT[kind]} {key!r}, which {where}"


def _where(obj: Desired, path: str) -> Location | None:
    return obj.location_of(*(int(p) if p.isdigit() else p for p in path.split(".")))


def refuse_duplicate_names(raws: list[dict[str, Any]], wanted: dict[str, Any] | None) -> None:
    """Two live promotions with a name the config manages: storeconf will not guess which is meant."""
    if wanted is None:
        return
    ids: dict[str, list[Any]] = {}
    for raw in raws:
        if str(raw.get("name")) in wanted:
            ids.setdefault(str(raw["name"]), []).append(raw["id"])
    clashes = [
        f"{name!r} (ids {', '.join(str(i) for i in found)})" for name, found in ids.items() if len(found) > 1
    ]
    if clashes:
        raise PlanError(
            "promotions: the store holds more than one promotion named "
            + "; ".join(clashes)
            + ". storeconf matches promotions by name and will not guess which one the config means: "
            "rename or delete the extra ones in the store"
        )


class KeyFinder:
    """Ids in an API promotion -> keys, from what the read of the referenced kinds recorded."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._variants: dict[Any, str] | None = None

    def __call__(self, kind: str, value: Any, path: str) -> Any:
        found = self.variants().get(value) if kind == "variants" else self.ctx.keys.get((kind, value))
        return found if found is not None else f"(unknown {WHAT.get(kind, kind)} id {value})"

    def variants(self) -> dict[Any, str]:
        if self._variants is None:
            from storeconf.kinds.products.read import LIVE, VARIANT_SKUS

            products = self.ctx.extra.get(LIVE) or {}
            self._variants = {
                variant_id: str(sku)
                for obj in products.values()
                for variant_id, sku in obj.raw.get(VARIANT_SKUS) or []
                if sku
            }
        return self._variants
