"""The promotion rule grammar (BIGCOMMERCE_API.md §16.3, §16.6): what the store refuses with a 422.

Each check returns problems as `path: message` strings (`rules.0.action.cart_items.quantity:
must be at least 1`), which the handlers turn into one error item each. The spec's
`oneOf`s overlap (§16.7 #2), so every either-or object is checked as "exactly one key".
Responses echo numbers as strings; requests must send money as decimal strings.
"""

from __future__ import annotations

import re
from typing import Any

MAX_RULES = 10
MAX_MATCHER_DEPTH = 3
MAX_CUSTOM_FIELD_MATCHERS = 10
STRATEGIES = ("LEAST_EXPENSIVE", "LEAST_EXPENSIVE_ONLY", "MOST_EXPENSIVE", "MOST_EXPENSIVE_ONLY")
ACTIONS = ("cart_value", "cart_items", "gift_item", "fixed_price_set", "shipping")
ID_MATCHERS = ("brands", "categories", "products", "variants")
SIMPLE_MATCHERS = (*ID_MATCHERS, "product_option", "product_custom_field")
COMPOUND_MATCHERS = ("and", "or", "not")
MONEY = re.compile(r"^[0-9]+(\.[0-9]+)?$")
MAX_DISCOUNT_CAP = 10_000_000

# Defaults the store fills in responses (docs' response examples).
RULE_DEFAULTS: dict[str, Any] = {"apply_once": True, "stop": False}
ACTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "cart_items": {
        "strategy": "LEAST_EXPENSIVE",
        "as_total": False,
        "include_items_considered_by_condition": False,
        "exclude_items_on_sale": False,
        "add_free_item": True,
    },
    "fixed_price_set": {
        "strategy": "LEAST_EXPENSIVE",
        "exclude_items_on_sale": False,
        "include_items_considered_by_condition": True,
    },
    "shipping": {"free_shipping": False},
}

Problems = list[str]


def check_rules(rules: Any, wildcard_currency: bool) -> Problems:
    if not isinstance(rules, list):
        return ["rules: must be an array"]
    if not rules:
        return ["rules: at least one rule is required"]
    if len(rules) > MAX_RULES:
        return [f"rules: at most {MAX_RULES} rules are allowed"]
    out: Problems = []
    for i, rule in enumerate(rules):
        out += _rule(rule, f"rules.{i}", wildcard_currency)
    return out


def _rule(rule: Any, at: str, wildcard: bool) -> Problems:
    if not isinstance(rule, dict):
        return [f"{at}: must be an object"]
    out = _unknown(rule, ("action", "condition", "apply_once", "stop"), at)
    out += _booleans(rule, ("apply_once", "stop"), at)
    if "action" not in rule:
        out.append(f"{at}.action: is required")
    else:
        out += _action(rule["action"], f"{at}.action", wildcard)
    if rule.get("condition") is not None:
        out += _condition(rule["condition"], f"{at}.condition")
    return out


def _condition(cond: Any, at: str) -> Problems:
    key, out = _one_key(cond, ("cart", "and"), at)
    if key == "cart":
        return _cart(cond["cart"], f"{at}.cart")
    if key == "and":
        items = cond["and"]
        if not isinstance(items, list) or not items:
            return [f"{at}.and: must be a non-empty array of cart conditions"]
        for i, item in enumerate(items):
            inner, found = _one_key(item, ("cart",), f"{at}.and.{i}")
            out += found + (_cart(item["cart"], f"{at}.and.{i}.cart") if inner else [])
    return out


def _cart(cart: Any, at: str) -> Problems:
    if not isinstance(cart, dict):
        return [f"{at}: must be an object"]
    out = _unknown(cart, ("items", "minimum_spend", "minimum_quantity"), at)
    if "minimum_quantity" in cart:
        out += _integer(cart["minimum_quantity"], f"{at}.minimum_quantity", 1)
    if "minimum_spend" in cart:
        out += _money(cart["minimum_spend"], f"{at}.minimum_spend")
    if "items" in cart:
        out += check_matcher(cart["items"], f"{at}.items")
        if "minimum_quantity" not in cart and "minimum_spend" not in cart:
            out.append(f"{at}: items needs minimum_quantity or minimum_spend")
    return out


def check_matcher(matcher: Any, at: str) -> Problems:
    out = _matcher(matcher, at, 1)
    if _count_custom_fields(matcher) > MAX_CUSTOM_FIELD_MATCHERS:
        out.append(f"{at}: at most {MAX_CUSTOM_FIELD_MATCHERS} product_custom_field matchers are allowed")
    return out


def _matcher(matcher: Any, at: str, depth: int) -> Problems:
    key, out = _one_key(matcher, (*SIMPLE_MATCHERS, *COMPOUND_MATCHERS), at)
    if key is None:
        return out
    value = matcher[key]
    if key in COMPOUND_MATCHERS:
        if depth > MAX_MATCHER_DEPTH:
            return [f"{at}: item matchers nest at most {MAX_MATCHER_DEPTH} levels of and/or/not"]
        if key == "not":
            return _matcher(value, f"{at}.not", depth + 1)
        if not isinstance(value, list) or not value:
            return [f"{at}.{key}: must be a non-empty array of item matchers"]
        return [p for i, m in enumerate(value) for p in _matcher(m, f"{at}.{key}.{i}", depth + 1)]
    if key in ID_MATCHERS:
        if not isinstance(value, list) or not value:
            return [f"{at}.{key}: must be a non-empty array of ids"]
        return [p for i, v in enumerate(value) for p in _integer(v, f"{at}.{key}.{i}", 1)]
    return _named_values(value, f"{at}.{key}", key == "product_option")


def _named_values(value: Any, at: str, is_option: bool) -> Problems:
    if not isinstance(value, dict):
        return [f"{at}: must be an object"]
    names = ("type", "name", "values") if is_option else ("name", "values")
    out = _unknown(value, names, at) + [f"{at}.{n}: is required" for n in names if n not in value]
    if is_option and "type" in value and value["type"] != "string_match":
        out.append(f"{at}.type: must be string_match")
    if "name" in value and (not isinstance(value["name"], str) or not value["name"]):
        out.append(f"{at}.name: must be a non-empty string")
    values = value.get("values")
    if "values" in value and (
        not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values)
    ):
        out.append(f"{at}.values: must be a non-empty array of non-empty strings")
    return out


def _count_custom_fields(matcher: Any) -> int:
    if isinstance(matcher, list):
        return sum(_count_custom_fields(m) for m in matcher)
    if not isinstance(matcher, dict):
        return 0
    own = 1 if "product_custom_field" in matcher else 0
    return own + sum(_count_custom_fields(matcher[k]) for k in COMPOUND_MATCHERS if k in matcher)


def _action(action: Any, at: str, wildcard: bool) -> Problems:
    key, out = _one_key(action, ACTIONS, at)
    if key is None:
        return out
    body, at = action[key], f"{at}.{key}"
    if not isinstance(body, dict):
        return [f"{at}: must be an object"]
    allowed = _ACTION_FIELDS[key]
    out = _unknown(body, allowed, at) + _booleans(body, [f for f in allowed if f in _BOOLEANS], at)
    out += [f"{at}.{f}: is required" for f in _REQUIRED[key] if f not in body]
    if "discount" in body:
        out += _discount(body["discount"], f"{at}.discount", wildcard)
    if body.get("maximum_allowed_discount_amount") is not None:
        out += _cap(body["maximum_allowed_discount_amount"], f"{at}.maximum_allowed_discount_amount")
    if "items" in body:
        out += check_matcher(body["items"], f"{at}.items")
    if "quantity" in body:
        out += _integer(body["quantity"], f"{at}.quantity", 1)
    if "strategy" in body and body["strategy"] not in STRATEGIES:
        out.append(f"{at}.strategy: must be one of " + ", ".join(STRATEGIES))
    if "fixed_price" in body:
        out += _money(body["fixed_price"], f"{at}.fixed_price")
        if wildcard:
            out.append(f'{at}.fixed_price: currency_code "*" allows percentage discounts only')
    if key == "gift_item":
        out += _gift(body, at)
    if key == "shipping" and "zone_ids" in body:
        out += _zones(body["zone_ids"], f"{at}.zone_ids")
    return out


_ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "cart_value": ("discount", "maximum_allowed_discount_amount"),
    "cart_items": (
        "discount",
        "maximum_allowed_discount_amount",
        "as_total",
        "items",
        "include_items_considered_by_condition",
        "exclude_items_on_sale",
        "strategy",
        "quantity",
        "add_free_item",
    ),
    "gift_item": ("quantity", "product_id", "variant_id"),
    "fixed_price_set": (
        "quantity",
        "fixed_price",
        "items",
        "strategy",
        "exclude_items_on_sale",
        "include_items_considered_by_condition",
    ),
    "shipping": ("free_shipping", "zone_ids"),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "cart_value": ("discount",),
    "cart_items": ("discount",),
    "gift_item": ("quantity",),
    "fixed_price_set": ("fixed_price", "quantity"),
    "shipping": ("zone_ids",),
}
_BOOLEANS = frozenset(
    {
        "as_total",
        "include_items_considered_by_condition",
        "exclude_items_on_sale",
        "add_free_item",
        "free_shipping",
    }
)


def _discount(discount: Any, at: str, wildcard: bool) -> Problems:
    key, out = _one_key(discount, ("percentage_amount", "fixed_amount"), at)
    if key is None:
        return out
    out = _money(discount[key], f"{at}.{key}")
    if key == "percentage_amount" and not out and not 0 < float(discount[key]) <= 100:
        out.append(f"{at}.percentage_amount: must be more than 0 and at most 100")
    if key == "fixed_amount" and wildcard:
        out.append(f'{at}.fixed_amount: currency_code "*" allows percentage discounts only')
    return out


def _gift(body: dict[str, Any], at: str) -> Problems:
    chosen = [k for k in ("product_id", "variant_id") if k in body]
    if len(chosen) != 1:
        return [f"{at}: exactly one of product_id, variant_id is required"]
    return _integer(body[chosen[0]], f"{at}.{chosen[0]}", 1)


def _zones(zones: Any, at: str) -> Problems:
    if zones == "*":
        return []
    if not isinstance(zones, list) or not zones:
        return [f'{at}: must be "*" or a non-empty array of zone ids']
    out = [p for i, z in enumerate(zones) for p in _integer(z, f"{at}.{i}", 1)]
    if not out and len(set(zones)) != len(zones):
        out.append(f"{at}: zone ids must be unique")
    return out


def _cap(value: Any, at: str) -> Problems:
    out = _money(value, at)
    if not out and not 1 <= float(value) <= MAX_DISCOUNT_CAP:
        out.append(f"{at}: must be from 1 to {MAX_DISCOUNT_CAP}")
    return out


def _money(value: Any, at: str) -> Problems:
    if not isinstance(value, str) or not MONEY.match(value):
        return [f'{at}: must be a decimal string such as "10.00"']
    return []


def _integer(value: Any, at: str, minimum: int) -> Problems:
    if not isinstance(value, int) or isinstance(value, bool):
        return [f"{at}: must be an integer"]
    return [f"{at}: must be at least {minimum}"] if value < minimum else []


def _booleans(body: dict[str, Any], names: Any, at: str) -> Problems:
    return [f"{at}.{n}: must be a boolean" for n in names if n in body and not isinstance(body[n], bool)]


def _unknown(body: dict[str, Any], allowed: tuple[str, ...], at: str) -> Problems:
    return [f"{at}.{k}: is not a known field" for k in body if k not in allowed]


def _one_key(value: Any, keys: tuple[str, ...], at: str) -> tuple[str | None, Problems]:
    """The one key of an either-or object, or the problem: none, several, or unknown ones."""
    if not isinstance(value, dict):
        return None, [f"{at}: must be an object"]
    present = [k for k in value if k in keys]
    if len(present) != 1 or len(value) != 1:
        return None, [f"{at}: must have exactly one of " + ", ".join(keys)]
    return present[0], []


def with_defaults(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules as the store echoes them: defaults filled."""
    out = []
    for rule in rules:
        action = dict(rule["action"])
        for key, defaults in ACTION_DEFAULTS.items():
            if key in action:
                action[key] = {**defaults, **action[key]}
        out.append({**RULE_DEFAULTS, **rule, "action": action})
    return out
