"""Price records: storage, validation of one record, and writes.

A record is one variant's prices in one currency on one list. It names its variant
by `variant_id` or `sku` (a variant SKU, or the SKU of a product without variants,
whose base variant carries it); a record for the SKU of a product with variants
names no variant and is refused. Currency codes are kept lower case (the API's
examples answer `usd`) and matched case-insensitively.

An upsert replaces the record's price fields: a price field the item leaves out is
not set on the record afterwards ("If empty, ... treated as not being set").
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from typing import Any

from storeconf.money import store_money
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.validate import MISSING, int_range_error

SCHEMA = """
CREATE TABLE IF NOT EXISTS price_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id) ON DELETE CASCADE,
    variant_id INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL,
    currency TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (price_list_id, variant_id, currency)
);
CREATE INDEX IF NOT EXISTS price_records_variant ON price_records (variant_id);
CREATE INDEX IF NOT EXISTS price_records_list ON price_records (price_list_id, id);
"""

# Records with their variant's SKU: what every read filters and answers from. The SKU is a
# subquery, not a join: a count or a page that does not filter by SKU then never touches the
# variants, where a join looked up every record's variant, skipped ones included (a 50,000-record
# list: COUNT 23 -> 4.5 ms, the last page 39 -> 8 ms). Every record has its variant (the foreign
# key cascades), so the rows are the join's.
VIEW = (
    "(SELECT r.*, (SELECT v.sku_key FROM variants v WHERE v.id = r.variant_id) AS sku_key, "
    "(SELECT json_extract(v.doc, '$.sku') FROM variants v WHERE v.id = r.variant_id) AS sku "
    "FROM price_records r) AS rec"
)
PRICES = ("price", "sale_price", "retail_price", "map_price")
TIER_TYPES = ("fixed", "price", "percent")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


class RecordError(Exception):
    """One record refused: `fields` maps field names to messages (the batch `field_errors`)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(str(fields))
        self.fields = fields


def identifiers(list_id: int | None, item: Any) -> dict[str, Any]:
    """The `data` of a batch error: what the item said about which record it is."""
    out: dict[str, Any] = {} if list_id is None else {"price_list_id": list_id}
    if isinstance(item, dict):
        if list_id is None and isinstance(item.get("price_list_id"), int):
            out["price_list_id"] = item["price_list_id"]
        for key, kind in (("variant_id", int), ("sku", str), ("currency", str)):
            if isinstance(item.get(key), kind) and not isinstance(item.get(key), bool):
                out[key] = item[key]
    return out


def resolve_variant(db: StoreDb, item: dict[str, Any]) -> sqlite3.Row:
    """The variant an item names by `variant_id` or `sku` (both must agree when both are given)."""
    variant_id, sku = item.get("variant_id"), item.get("sku")
    if variant_id is None and sku is None:
        raise RecordError({"variant_id": MISSING, "sku": MISSING})
    row = None
    if variant_id is not None:
        if problem := int_range_error(variant_id, minimum=1):
            raise RecordError({"variant_id": problem})
        row = db.query_one("SELECT id, product_id, sku_key FROM variants WHERE id = ?", [variant_id])
        if row is None:
            raise RecordError({"variant_id": f"Variant {variant_id} does not exist."})
    if sku is not None:
        if not isinstance(sku, str):
            raise RecordError({"sku": "error.expected.jsstring"})
        by_sku = db.query_one("SELECT id, product_id, sku_key FROM variants WHERE sku_key = ?", [sku.lower()])
        if by_sku is None:
            raise RecordError({"sku": f"No variant or product without variants has the SKU '{sku}'."})
        if row is not None and row["id"] != by_sku["id"]:
            raise RecordError({"sku": "The sku and the variant_id name different variants."})
        row = by_sku
    assert row is not None
    return row


def currency_of(value: Any) -> str:
    if value is None:
        raise RecordError({"currency": MISSING})
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise RecordError({"currency": "must be a 3-letter ISO 4217 currency code"})
    return value.lower()


def price_fields(item: dict[str, Any], *, price_required: bool) -> dict[str, Any]:
    """The record's price fields from an item; unset ones are absent."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in PRICES:
        value = item.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[name] = "error.expected.jsnumber"
        elif value < 0:
            errors[name] = "must be at least 0"
        else:
            out[name] = store_money(float(value))
    if price_required and "price" not in out and "price" not in errors:
        errors["price"] = MISSING
    tiers = item.get("bulk_pricing_tiers")
    if tiers is not None:
        try:
            out["bulk_pricing_tiers"] = _tiers(tiers)
        except RecordError as error:
            errors.update(error.fields)
    if errors:
        raise RecordError(errors)
    return out


def _tiers(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise RecordError({"bulk_pricing_tiers": "error.expected.jsarray"})
    tiers = []
    for i, tier in enumerate(value):
        low, high = tier.get("quantity_min"), tier.get("quantity_max")
        where = f"bulk_pricing_tiers[{i}]"
        if int_range_error(low, minimum=1) or (high is not None and int_range_error(high, minimum=0)):
            raise RecordError({where: "quantity_min must be an integer >= 1, quantity_max an integer >= 0"})
        if high not in (None, 0) and high < low:
            raise RecordError({where: "quantity_max must be 0 (no maximum) or at least quantity_min"})
        amount = tier.get("amount")
        if tier.get("type") not in TIER_TYPES:
            raise RecordError({where: "type must be one of: fixed, price, percent"})
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            raise RecordError({where: "amount must be a number >= 0"})
        tiers.append(
            {"quantity_min": low, "quantity_max": high or 0, "type": tier["type"], "amount": float(amount)}
        )
    tiers.sort(key=lambda t: t["quantity_min"])
    for before, after in itertools.pairwise(tiers):
        if before["quantity_max"] in (0, None) or before["quantity_max"] >= after["quantity_min"]:
            raise RecordError({"bulk_pricing_tiers": "the quantity ranges of the tiers overlap"})
    return tiers


def save(db: StoreDb, list_id: int, item: dict[str, Any], now: str, *, create_only: bool) -> None:
    """Validate one item and write it (insert, or replace the prices of an existing record)."""
    errors: dict[str, str] = {}
    variant = currency = None
    try:
        variant = resolve_variant(db, item)
    except RecordError as error:
        errors.update(error.fields)
    try:
        currency = currency_of(item.get("currency"))
    except RecordError as error:
        errors.update(error.fields)
    try:
        prices = price_fields(item, price_required=not create_only)
    except RecordError as error:
        errors.update(error.fields)
    if errors:
        raise RecordError(errors)
    assert variant is not None and currency is not None
    write(db, list_id, variant, currency, prices, now, create_only=create_only)


def write(
    db: StoreDb,
    list_id: int,
    variant: sqlite3.Row,
    currency: str,
    prices: dict[str, Any],
    now: str,
    *,
    create_only: bool,
) -> None:
    existing = db.query_one(
        "SELECT id, doc FROM price_records WHERE price_list_id = ? AND variant_id = ? AND currency = ?",
        [list_id, variant["id"], currency],
    )
    if existing is not None and create_only:
        raise RecordError({"variant_id": "A price record for this variant and currency already exists."})
    if existing is None:
        doc = {**prices, "date_created": now, "date_modified": now}
        db.execute(
            "INSERT INTO price_records (price_list_id, variant_id, product_id, currency, doc) "
            "VALUES (?, ?, ?, ?, ?)",
            [list_id, variant["id"], variant["product_id"], currency, dump_doc(doc)],
        )
        return
    old = load_doc(existing["doc"])
    doc = {**prices, "date_created": old["date_created"], "date_modified": now}
    db.execute("UPDATE price_records SET doc = ? WHERE id = ?", [dump_doc(doc), existing["id"]])


def to_api(row: sqlite3.Row, includes: set[str]) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    out: dict[str, Any] = {
        "price_list_id": row["price_list_id"],
        "variant_id": row["variant_id"],
        "product_id": row["product_id"],
        "currency": row["currency"],
    }
    out.update({name: doc[name] for name in PRICES if name in doc})
    if "sale_price" in doc or "price" in doc:
        out["calculated_price"] = doc.get("sale_price", doc.get("price"))
    out["date_created"] = doc["date_created"]
    out["date_modified"] = doc["date_modified"]
    if "bulk_pricing_tiers" in includes:
        out["bulk_pricing_tiers"] = doc.get("bulk_pricing_tiers", [])
    if "sku" in includes:
        out["sku"] = row["sku"]
    return out
