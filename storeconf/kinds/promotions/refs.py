"""References inside promotion rules: keys in config, ids in the API.

One walker visits every reference of a rule list (item matchers in conditions and
actions, a gift's product or variant) and maps it: keys to ids on write, ids to keys
on read, or just collects them (with their dotted path in the file) for checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Matcher key -> the kind whose keys it holds (variants are keyed by SKU through products).
MATCHER_KINDS = {
    "brands": "brands",
    "categories": "categories",
    "products": "products",
    "variants": "variants",
}
# A gift's key in config and in the API.
GIFT_FIELDS = {"product": "product_id", "variant": "variant_id"}
GIFT_KINDS = {"product": "products", "variant": "variants"}

# (kind, value, dotted path) -> mapped value
Mapper = Callable[[str, Any, str], Any]


def map_rules(rules: list[dict[str, Any]], fn: Mapper, *, to_api: bool) -> list[dict[str, Any]]:
    return [_rule(rule, fn, f"rules.{i}", to_api) for i, rule in enumerate(rules)]


def _rule(rule: dict[str, Any], fn: Mapper, at: str, to_api: bool) -> dict[str, Any]:
    out = dict(rule)
    condition = rule.get("condition")
    if isinstance(condition, dict):
        out["condition"] = _condition(condition, fn, f"{at}.condition")
    action = rule.get("action")
    if isinstance(action, dict):
        out["action"] = _action(action, fn, f"{at}.action", to_api)
    return out


def _condition(condition: dict[str, Any], fn: Mapper, at: str) -> dict[str, Any]:
    out = dict(condition)
    if isinstance(condition.get("cart"), dict):
        out["cart"] = _cart(condition["cart"], fn, f"{at}.cart")
    if isinstance(condition.get("and"), list):
        out["and"] = [
            {**c, "cart": _cart(c["cart"], fn, f"{at}.and.{i}.cart")}
            if isinstance(c.get("cart"), dict)
            else c
            for i, c in enumerate(condition["and"])
        ]
    return out


def _cart(cart: dict[str, Any], fn: Mapper, at: str) -> dict[str, Any]:
    if isinstance(cart.get("items"), dict):
        return {**cart, "items": _matcher(cart["items"], fn, f"{at}.items")}
    return cart


def _action(action: dict[str, Any], fn: Mapper, at: str, to_api: bool) -> dict[str, Any]:
    out = dict(action)
    for name in ("cart_items", "fixed_price_set"):
        body = action.get(name)
        if isinstance(body, dict) and isinstance(body.get("items"), dict):
            out[name] = {**body, "items": _matcher(body["items"], fn, f"{at}.{name}.items")}
    gift = action.get("gift_item")
    if isinstance(gift, dict):
        out["gift_item"] = _gift(gift, fn, f"{at}.gift_item", to_api)
    return out


def _gift(gift: dict[str, Any], fn: Mapper, at: str, to_api: bool) -> dict[str, Any]:
    out = dict(gift)
    for key, api in GIFT_FIELDS.items():
        source, target = (key, api) if to_api else (api, key)
        if source in gift:
            out[target] = fn(GIFT_KINDS[key], out.pop(source), f"{at}.{source}")
    return out


def _matcher(matcher: dict[str, Any], fn: Mapper, at: str) -> dict[str, Any]:
    out = dict(matcher)
    for key, kind in MATCHER_KINDS.items():
        if isinstance(matcher.get(key), list):
            out[key] = [fn(kind, v, f"{at}.{key}.{i}") for i, v in enumerate(matcher[key])]
    for key in ("and", "or"):
        if isinstance(matcher.get(key), list):
            out[key] = [
                _matcher(m, fn, f"{at}.{key}.{i}") if isinstance(m, dict) else m
                for i, m in enumerate(matcher[key])
            ]
    if isinstance(matcher.get("not"), dict):
        out["not"] = _matcher(matcher["not"], fn, f"{at}.not")
    return out


def references(rules: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(kind, key, dotted path) of every reference in config-shaped rules."""
    found: list[tuple[str, str, str]] = []

    def collect(kind: str, value: Any, path: str) -> Any:
        found.append((kind, str(value), path))
        return value

    map_rules(rules, collect, to_api=True)
    return found
