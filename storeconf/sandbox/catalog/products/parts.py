"""Product sub-resources: custom fields and bulk pricing rules (here), images
(`product_images.py`) and videos (`product_videos.py`), all under
`/v3/catalog/products/{product_id}/…`.

`CUSTOM_FIELDS`, `BULK_PRICING_RULES`, `IMAGES` and `VIDEOS` are what `products.py` uses
for `include=`, for the arrays of a product POST and for the cascade on product delete
(see `product_part_kit.PartStore`).
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from storeconf.money import store_money
from storeconf.sandbox.catalog.products import images as product_images
from storeconf.sandbox.catalog.products import videos as product_videos
from storeconf.sandbox.catalog.products.part_kit import (
    Ctx,
    PartStore,
    get_row,
    part_routes,
)
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import ApiError, invalid
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS product_custom_fields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    value TEXT NOT NULL COLLATE NOCASE,
    UNIQUE (product_id, name, value)
);
CREATE TABLE IF NOT EXISTS product_bulk_pricing_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL,
    quantity_min INTEGER NOT NULL,
    quantity_max INTEGER NOT NULL,
    type TEXT NOT NULL,
    amount REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS product_bulk_pricing_rules_product ON product_bulk_pricing_rules (product_id);
"""

_PRODUCT = "/v3/catalog/products/{product_id:id64}"

# --- custom fields --------------------------------------------------------------------

MAX_CUSTOM_FIELDS = 200
_CF_TABLE = "product_custom_fields"
_CF_FIELDS = (
    Field("name", "string", min_length=1, max_length=250),
    Field("value", "string", min_length=1, max_length=250),
)
_CF_INVALID = (
    "The custom field was not valid. This is the result of missing required fields, or of invalid data."
)
_CF_CONFLICT = "The custom field was in conflict with another custom field of the product."
_CF_TOO_MANY = f"A product can have at most {MAX_CUSTOM_FIELDS} custom fields."


def _custom_field_to_api(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "value": row["value"]}


def _check_custom_field(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid({"body": "error.expected.jsobject"}, _CF_INVALID)
    errors = check(body, _CF_FIELDS, required=("name", "value") if creating else ())
    if errors:
        raise invalid(errors, _CF_INVALID)
    return {k: body[k] for k in ("name", "value") if k in body}


def _unique_pair(db: StoreDb, product_id: int, name: str, value: str, own_id: int | None) -> None:
    # The name+value pair is unique per product, compared case-insensitively like the
    # store's MySQL collation; the same name with another value is fine.
    row = db.query_one(
        f"SELECT id FROM {_CF_TABLE} WHERE product_id = ? AND name = ? AND value = ? AND id IS NOT ?",
        [product_id, name, value, own_id],
    )
    if row is not None:
        message = (
            f"The product already has the custom field '{name}' with the value '{value}' (id {row['id']})."
        )
        raise ApiError.of(409, _CF_CONFLICT, errors={"name": message, "value": message})


def _create_custom_field(db: StoreDb, product_id: int, body: Any, ctx: Ctx) -> dict[str, Any]:
    fields = _check_custom_field(body, creating=True)
    count = int(db.scalar(f"SELECT COUNT(*) FROM {_CF_TABLE} WHERE product_id = ?", [product_id]))
    if count >= MAX_CUSTOM_FIELDS:
        raise invalid({"custom_fields": _CF_TOO_MANY}, _CF_TOO_MANY)
    _unique_pair(db, product_id, fields["name"], fields["value"], None)
    cursor = db.execute(
        f"INSERT INTO {_CF_TABLE} (product_id, name, value) VALUES (?, ?, ?)",
        [product_id, fields["name"], fields["value"]],
    )
    return _custom_field_to_api(get_row(db, _CF_TABLE, product_id, int(cursor.lastrowid or 0)))


def _update_custom_field(db: StoreDb, product_id: int, field_id: int, body: Any, ctx: Ctx) -> dict[str, Any]:
    current = _custom_field_to_api(get_row(db, _CF_TABLE, product_id, field_id))
    merged = {**current, **_check_custom_field(body, creating=False)}
    _unique_pair(db, product_id, merged["name"], merged["value"], field_id)
    db.execute(
        f"UPDATE {_CF_TABLE} SET name = ?, value = ? WHERE id = ?",
        [merged["name"], merged["value"], field_id],
    )
    return _custom_field_to_api(get_row(db, _CF_TABLE, product_id, field_id))


# --- bulk pricing rules -----------------------------------------------------------------

_BPR_TABLE = "product_bulk_pricing_rules"
_BPR_TYPES = ("price", "percent", "fixed")
_BPR_FIELDS = (
    Field("quantity_min", "integer", minimum=0, maximum=2**31 - 1),
    Field("quantity_max", "integer", minimum=0, maximum=2**31 - 1),
    Field("type", "string", enum=_BPR_TYPES),
)
_BPR_REQUIRED = ("quantity_min", "quantity_max", "type", "amount")
_BPR_INVALID = (
    "The bulk pricing rule was not valid. This is the result of missing required fields, or of invalid data."
)
_BPR_CONFLICT = (
    "The bulk pricing rule was in conflict with another bulk pricing rule. "
    "This is the result of quantity range overlapping with existing bulk pricing rules."
)


def _rule_to_api(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "quantity_min": row["quantity_min"],
        "quantity_max": row["quantity_max"],
        "type": row["type"],
        "amount": float(row["amount"]),
    }


def _amount(value: Any) -> float | None:
    """A number, or a string holding one (`"10"`, `".10"`); None when it is neither."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _check_rule(body: Any, current: dict[str, Any] | None) -> dict[str, Any]:
    """The rule after applying `body` to `current` (None on create), or the 422."""
    if not isinstance(body, dict):
        raise invalid({"body": "error.expected.jsobject"}, _BPR_INVALID)
    errors = check(body, _BPR_FIELDS, required=_BPR_REQUIRED if current is None else ())
    rule = {k: v for k, v in (current or {}).items() if k != "id"}
    rule.update({k: body[k] for k in ("quantity_min", "quantity_max", "type") if k in body})
    if "amount" in body and "amount" not in errors:
        amount = _amount(body["amount"])
        if amount is None:
            errors["amount"] = "must be a number, or a string holding a number"
        elif amount < 0:
            errors["amount"] = "must be at least 0"
        else:
            rule["amount"] = store_money(amount)
    if not errors:
        low, high = rule["quantity_min"], rule["quantity_max"]
        if high != 0 and high <= low:
            errors["quantity_max"] = "must be greater than quantity_min, or 0 for no upper bound"
        if rule["type"] == "fixed" and low < 2:
            errors["quantity_min"] = "must be at least 2 for a fixed rule"
        if rule["type"] == "percent" and rule["amount"] > 100:
            # A discount of more than 100% would make the price negative.
            errors["amount"] = "must be at most 100 for a percent rule"
    if errors:
        raise invalid(errors, _BPR_INVALID)
    return rule


def _no_overlap(db: StoreDb, product_id: int, rule: dict[str, Any], own_id: int | None) -> None:
    # Inclusive ranges; a quantity_max of 0 is unbounded.
    low, high = rule["quantity_min"], rule["quantity_max"] or math.inf
    rows = db.query(
        f"SELECT id, quantity_min, quantity_max FROM {_BPR_TABLE} WHERE product_id = ? AND id IS NOT ?",
        [product_id, own_id],
    )
    for row in rows:
        other_high = row["quantity_max"] or math.inf
        if low <= other_high and row["quantity_min"] <= high:
            span = (
                f"{row['quantity_min']}-{row['quantity_max']}"
                if row["quantity_max"]
                else f"{row['quantity_min']} and up"
            )
            message = f"The quantity range overlaps bulk pricing rule {row['id']} ({span})."
            raise ApiError.of(409, _BPR_CONFLICT, errors={"quantity_min": message, "quantity_max": message})


def _create_rule(db: StoreDb, product_id: int, body: Any, ctx: Ctx) -> dict[str, Any]:
    rule = _check_rule(body, None)
    _no_overlap(db, product_id, rule, None)
    cursor = db.execute(
        f"INSERT INTO {_BPR_TABLE} (product_id, quantity_min, quantity_max, type, amount) "
        "VALUES (?, ?, ?, ?, ?)",
        [product_id, rule["quantity_min"], rule["quantity_max"], rule["type"], rule["amount"]],
    )
    return _rule_to_api(get_row(db, _BPR_TABLE, product_id, int(cursor.lastrowid or 0)))


def _update_rule(db: StoreDb, product_id: int, rule_id: int, body: Any, ctx: Ctx) -> dict[str, Any]:
    rule = _check_rule(body, _rule_to_api(get_row(db, _BPR_TABLE, product_id, rule_id)))
    _no_overlap(db, product_id, rule, rule_id)
    db.execute(
        f"UPDATE {_BPR_TABLE} SET quantity_min = ?, quantity_max = ?, type = ?, amount = ? WHERE id = ?",
        [rule["quantity_min"], rule["quantity_max"], rule["type"], rule["amount"], rule_id],
    )
    return _rule_to_api(get_row(db, _BPR_TABLE, product_id, rule_id))


# --- the contract with products.py and the resource --------------------------------------

CUSTOM_FIELDS = PartStore(
    "custom_fields", _CF_TABLE, "id", _custom_field_to_api, _create_custom_field, _update_custom_field
)
BULK_PRICING_RULES = PartStore(
    "bulk_pricing_rules", _BPR_TABLE, "id", _rule_to_api, _create_rule, _update_rule
)
IMAGES = product_images.IMAGES
VIDEOS = product_videos.VIDEOS

RESOURCE = Resource(
    name="product_parts",
    schema=SCHEMA + product_images.SCHEMA + product_videos.SCHEMA,
    routes=[
        *part_routes(CUSTOM_FIELDS, f"{_PRODUCT}/custom-fields", "custom_field_id"),
        *part_routes(BULK_PRICING_RULES, f"{_PRODUCT}/bulk-pricing-rules", "bulk_pricing_rule_id"),
        *product_images.ROUTES,
        *product_videos.ROUTES,
    ],
)
