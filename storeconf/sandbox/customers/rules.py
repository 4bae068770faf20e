"""Customer-group discount rules: what a request may set and how the store keeps them.

A `price_list` rule (the legacy way to give a group a price list) must be the only
rule; otherwise one sitewide `all` rule plus any number of `category` and `product`
rules, one per category or product. Amounts are kept as 4-decimal strings, as the
API returns them ("5.0000").
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from storeconf.sandbox.core.db import StoreDb

RULE_TYPES = ("price_list", "all", "category", "product")
METHODS = ("percent", "fixed", "price")


class RuleError(ValueError):
    """A rule the store refuses: nothing is saved."""


class SitewideFailed(Exception):
    """The sitewide rule could not be applied; the other rules (`kept`) are saved."""

    def __init__(self, kept: list[dict[str, Any]]) -> None:
        super().__init__("sitewide discount failed")
        self.kept = kept


def clean_rules(db: StoreDb, rules: list[Any]) -> list[dict[str, Any]]:
    cleaned = [_clean(db, i, rule) for i, rule in enumerate(rules)]
    types = [rule["type"] for rule in cleaned]
    if "price_list" in types and len(types) > 1:
        raise RuleError("discount_rules: a price_list rule must be the only rule.")
    if types.count("all") > 1:
        raise RuleError("discount_rules: only one sitewide (all) rule is allowed.")
    for kind, key in (("category", "category_id"), ("product", "product_id")):
        targets = [rule[key] for rule in cleaned if rule["type"] == kind]
        if len(targets) != len(set(targets)):
            raise RuleError(f"discount_rules: more than one {kind} rule for the same {kind}.")
    sitewide = [rule for rule in cleaned if rule["type"] == "all"]
    if sitewide and sitewide[0]["method"] == "percent" and Decimal(sitewide[0]["amount"]) > 100:
        raise SitewideFailed([rule for rule in cleaned if rule["type"] != "all"])
    return cleaned


def _clean(db: StoreDb, index: int, rule: Any) -> dict[str, Any]:
    where = f"discount_rules[{index}]"
    if not isinstance(rule, dict):
        raise RuleError(f"{where} must be an object.")
    kind = rule.get("type")
    if kind not in RULE_TYPES:
        raise RuleError(f"{where}.type must be one of: {', '.join(RULE_TYPES)}.")
    if kind == "price_list":
        list_id = _id(rule, "price_list_id", where)
        _must_exist(db, "price_lists", list_id, f"{where}.price_list_id: price list")
        return {"type": kind, "price_list_id": list_id}
    method = rule.get("method")
    if method not in METHODS:
        raise RuleError(f"{where}.method must be one of: {', '.join(METHODS)}.")
    amount = _amount(rule.get("amount"), where)
    if kind != "all" and method == "percent" and amount > 100:
        raise RuleError(f"{where}.amount: a percentage discount cannot exceed 100.")
    out: dict[str, Any] = {"type": kind, "method": method, "amount": f"{amount:.4f}"}
    if kind in ("category", "product"):
        key = f"{kind}_id"
        target = _id(rule, key, where)
        table = "categories" if kind == "category" else "products"
        _must_exist(db, table, target, f"{where}.{key}: {kind}")
        out[key] = target
    return out


def _id(rule: dict[str, Any], key: str, where: str) -> int:
    value = rule.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RuleError(f"{where}.{key} must be a positive integer.")
    return value


def _amount(value: Any, where: str) -> Decimal:
    # "Float, Float as String, Integer", says the spec.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleError(f"{where}.amount must be a number.")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise RuleError(f"{where}.amount must be a number.") from None
    if not amount.is_finite() or amount < 0:
        raise RuleError(f"{where}.amount must be a number of at least 0.")
    try:
        return amount.quantize(Decimal("0.0001"))
    except InvalidOperation:  # more digits than Decimal's 28 once 4 decimal places are added
        raise RuleError(f"{where}.amount must be a number below 10^24.") from None


def _must_exist(db: StoreDb, table: str, row_id: int, what: str) -> None:
    known = db.query_one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
    if known is None or db.query_one(f"SELECT id FROM {table} WHERE id = ?", [row_id]) is None:
        raise RuleError(f"{what} {row_id} does not exist.")
