"""Variant storage and rules: the `variants` table, the base variant, inherited values,
option-value combinations and SKU uniqueness. The HTTP side is `variants.py`.

A variant is one combination of option values (one value of every variant option of
its product). Every product also has a *base variant* (`option_values: []`,
`sku_id: null`, the product's own SKU) for as long as it has no option variants:
`sync_base` removes it when the first option variant appears and brings a new one
back when the last goes. Price, weight and dimension overrides are nullable: `null`
inherits the product's value, and `calculated_price`/`calculated_weight` are derived
at read time, so a product price change shows in its variants at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from storeconf.sandbox.catalog.products import rules
from storeconf.sandbox.catalog.products.fields import (
    INT32_MAX,
    MAX_DIMENSION,
    Num,
    calculated_price,
    check_numbers,
    round_money,
)
from storeconf.sandbox.catalog.products.part_kit import get_row
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import ApiError, not_found
from storeconf.sandbox.core.validate import Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS variants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    is_base INTEGER NOT NULL DEFAULT 0,
    sku_id INTEGER,
    sku_key TEXT NOT NULL,
    combo TEXT,
    doc TEXT NOT NULL,
    UNIQUE (product_id, combo)
);
CREATE INDEX IF NOT EXISTS variants_product ON variants (product_id);
CREATE INDEX IF NOT EXISTS variants_sku ON variants (sku_key);
CREATE TABLE IF NOT EXISTS variant_values (
    variant_id INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    value_id INTEGER NOT NULL REFERENCES variant_option_values (id) ON DELETE CASCADE,
    PRIMARY KEY (variant_id, value_id)
);
CREATE INDEX IF NOT EXISTS variant_values_value ON variant_values (value_id);
CREATE TABLE IF NOT EXISTS variant_sku_ids (id INTEGER PRIMARY KEY AUTOINCREMENT);
"""

MAX_VARIANTS_PER_PRODUCT = 600

FIELDS = (
    Field("sku", "string", min_length=1, max_length=255),
    Field("is_free_shipping", "boolean"),
    Field("purchasing_disabled", "boolean"),
    Field("purchasing_disabled_message", "string", max_length=255),
    Field("image_url", "string"),
    Field("upc", "string", max_length=14),
    Field("gtin", "string", max_length=14),
    Field("mpn", "string", nullable=True),
    Field("inventory_level", "integer", minimum=0, nullable=True),
    Field("inventory_warning_level", "integer", minimum=0, nullable=True),
    Field("bin_picking_number", "string", max_length=255, nullable=True),
)
NUMBERS = (
    Num("cost_price", nullable=True, money=True),
    Num("price", nullable=True, money=True),
    Num("sale_price", nullable=True, money=True),
    Num("retail_price", nullable=True, money=True),
    Num("map_price", minimum=None, nullable=True, money=True),
    Num("weight", maximum=MAX_DIMENSION, nullable=True),
    Num("width", maximum=MAX_DIMENSION, nullable=True),
    Num("height", maximum=MAX_DIMENSION, nullable=True),
    Num("depth", maximum=MAX_DIMENSION, nullable=True),
    Num("fixed_cost_shipping_price", nullable=True, money=True),
)
_WRITABLE = tuple(f.name for f in FIELDS) + tuple(n.name for n in NUMBERS)
# Overrides default to null (inherit from the product); the rest to the spec examples' values.
DEFAULTS: dict[str, Any] = {
    "cost_price": None,
    "price": None,
    "sale_price": None,
    "retail_price": None,
    "map_price": 0,
    "weight": None,
    "width": None,
    "height": None,
    "depth": None,
    "is_free_shipping": False,
    "fixed_cost_shipping_price": None,
    "purchasing_disabled": False,
    "purchasing_disabled_message": "",
    "image_url": "",
    "upc": "",
    "mpn": "",
    "gtin": "",
    "inventory_level": 0,
    "inventory_warning_level": 0,
    "bin_picking_number": "",
}
# Not-null fields sent as null fall back to these (the specs do not allow null in responses).
_NULL_AS = {
    "map_price": 0,
    "mpn": "",
    "bin_picking_number": "",
    "inventory_level": 0,
    "inventory_warning_level": 0,
}
_ORDER = (
    "price",
    "calculated_price",
    "sale_price",
    "retail_price",
    "map_price",
    "weight",
    "calculated_weight",
    "width",
    "height",
    "depth",
    "is_free_shipping",
    "fixed_cost_shipping_price",
    "purchasing_disabled",
    "purchasing_disabled_message",
    "image_url",
    "cost_price",
    "upc",
    "mpn",
    "gtin",
    "inventory_level",
    "inventory_warning_level",
    "bin_picking_number",
)
# Variant rows with the product values they inherit, for `fetch_page`.
ROWS = (
    "(SELECT v.*, json_extract(p.doc, '$.price') AS p_price, json_extract(p.doc, '$.sale_price') AS p_sale, "
    "json_extract(p.doc, '$.weight') AS p_weight FROM variants v JOIN products p ON p.id = v.product_id)"
)
_CONFLICT_TITLE = "The variant sku is a duplicate"
_INVALID_TITLE = "The variant was not valid."


class VariantError(Exception):
    """One variant failed: `status` 409 or 422 and its field errors."""

    def __init__(self, status: int, title: str, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.status = status
        self.title = title
        self.errors = errors

    def api_error(self) -> ApiError:
        return ApiError.of(self.status, self.title, errors=self.errors)


def invalid_variant(errors: dict[str, str]) -> VariantError:
    return VariantError(422, _INVALID_TITLE, errors)


# ----------------------------------------------------------------------------------------
# Rows and the base variant
# ----------------------------------------------------------------------------------------


def new_doc(body: dict[str, Any]) -> dict[str, Any]:
    return apply_body({**DEFAULTS, "sku": body["sku"]}, body)


def apply_body(doc: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    updated = round_money({**doc, **{k: body[k] for k in _WRITABLE if k in body}}, NUMBERS)
    for name, fallback in _NULL_AS.items():
        if updated.get(name) is None:
            updated[name] = fallback
    for name in ("inventory_level", "inventory_warning_level"):
        updated[name] = min(int(updated[name]), INT32_MAX)
    return updated


def insert(db: StoreDb, product_id: int, doc: dict[str, Any], value_ids: Sequence[int]) -> int:
    is_base = not value_ids
    sku_id = None if is_base else int(db.execute("INSERT INTO variant_sku_ids DEFAULT VALUES").lastrowid or 0)
    combo = None if is_base else combo_of(value_ids)
    cursor = db.execute(
        "INSERT INTO variants (product_id, is_base, sku_id, sku_key, combo, doc) VALUES (?, ?, ?, ?, ?, ?)",
        [product_id, int(is_base), sku_id, doc["sku"].lower(), combo, dump_doc(doc)],
    )
    variant_id = int(cursor.lastrowid or 0)
    for value_id in value_ids:
        db.execute("INSERT INTO variant_values (variant_id, value_id) VALUES (?, ?)", [variant_id, value_id])
    return variant_id


def combo_of(value_ids: Sequence[int]) -> str:
    return ",".join(str(v) for v in sorted(value_ids))


def sync_base(db: StoreDb, product_id: int) -> None:
    """Keep the base variant iff the product has no option variants; mirror it on the product."""
    has_options = db.query_one(
        "SELECT id FROM variants WHERE product_id = ? AND is_base = 0 LIMIT 1", [product_id]
    )
    base = db.scalar("SELECT id FROM variants WHERE product_id = ? AND is_base = 1", [product_id])
    if has_options is not None and base is not None:
        db.execute("DELETE FROM variants WHERE id = ?", [base])
        base = None
    elif has_options is None and base is None:
        sku = load_doc(db.scalar("SELECT doc FROM products WHERE id = ?", [product_id]))["sku"]
        base = insert(db, product_id, {**DEFAULTS, "sku": sku}, [])
    db.execute("UPDATE products SET base_variant_id = ? WHERE id = ?", [base, product_id])


def set_base_sku(db: StoreDb, product_id: int, sku: str) -> None:
    """The base variant carries the product's SKU; called when the product SKU changes."""
    row = db.query_one("SELECT id, doc FROM variants WHERE product_id = ? AND is_base = 1", [product_id])
    if row is not None:
        doc = {**load_doc(row["doc"]), "sku": sku}
        db.execute(
            "UPDATE variants SET sku_key = ?, doc = ? WHERE id = ?", [sku.lower(), dump_doc(doc), row["id"]]
        )


def delete_using_values(db: StoreDb, value_ids: Sequence[int]) -> list[int]:
    """Delete the variants built from any of `value_ids`; returns the products they belonged to."""
    if not value_ids:
        return []
    inner = f"SELECT variant_id FROM variant_values WHERE value_id IN ({rules.id_marks(value_ids)})"
    products = [
        int(r[0])
        for r in db.query(f"SELECT DISTINCT product_id FROM variants WHERE id IN ({inner})", value_ids)
    ]
    db.execute(f"DELETE FROM variants WHERE id IN ({inner})", value_ids)
    return products


def to_api(row: sqlite3.Row, option_values: list[dict[str, Any]]) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    price = doc["price"] if doc["price"] is not None else row["p_price"]
    sale = doc["sale_price"] if doc["sale_price"] is not None else row["p_sale"]
    out = {"id": row["id"], "product_id": row["product_id"], "sku": doc["sku"], "sku_id": row["sku_id"]}
    # In _ORDER's order, filled in C; the derived two then replace their placeholders in place.
    # A page of 250 products renders ~1,400 variants: ~3.5 -> ~1 us each for this.
    out.update(zip(_ORDER, map(doc.get, _ORDER), strict=True))
    out["calculated_price"] = calculated_price(price, sale)
    out["calculated_weight"] = doc["weight"] if doc["weight"] is not None else row["p_weight"]
    out["option_values"] = option_values
    return out


def option_values_of(db: StoreDb, where: str, params: Sequence[Any]) -> dict[int, list[dict[str, Any]]]:
    rows = db.query(
        "SELECT vv.variant_id, ov.id, ov.label, o.id AS option_id, o.display_name FROM variant_values vv "
        "JOIN variant_option_values ov ON ov.id = vv.value_id JOIN variant_options o ON o.id = ov.option_id "
        f"WHERE {where} ORDER BY o.sort_order, o.id",
        params,
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["variant_id"], []).append(
            {
                "id": row["id"],
                "label": row["label"],
                "option_id": row["option_id"],
                "option_display_name": row["display_name"],
            }
        )
    return found


def rows_to_api(db: StoreDb, rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
    ids = [int(row["id"]) for row in rows]
    values = option_values_of(db, f"vv.variant_id IN ({rules.id_marks(ids)})", ids) if ids else {}
    return [to_api(row, values.get(row["id"], [])) for row in rows]


def get_variant(db: StoreDb, variant_id: int) -> dict[str, Any]:
    row = db.query_one(f"SELECT * FROM {ROWS} WHERE id = ?", [variant_id])
    if row is None:
        raise not_found()
    return rows_to_api(db, [row])[0]


def require(db: StoreDb, product_id: int, variant_id: int) -> sqlite3.Row:
    rules.require_row(db, product_id)
    return get_row(db, "variants", product_id, variant_id)


# ----------------------------------------------------------------------------------------
# Create and update (shared by the per-product and batch endpoints)
# ----------------------------------------------------------------------------------------


def sku_conflict(sku: str, field: str = "sku") -> VariantError:
    return VariantError(
        409, _CONFLICT_TITLE, {field: f"The SKU '{sku}' is used by another product or variant."}
    )


def field_errors(body: dict[str, Any], required: tuple[str, ...]) -> dict[str, str]:
    return check(body, FIELDS, required=required) | check_numbers(body, NUMBERS)


def create(db: StoreDb, product_id: int, body: dict[str, Any]) -> int:
    """Validate and insert one variant whose option values are given by id
    (`{id, option_id}`) or by name (`{option_display_name, label}`); raises `VariantError`."""
    errors = field_errors(body, ("sku", "option_values"))
    if "option_values" not in errors and not isinstance(body["option_values"], list):
        errors["option_values"] = "error.expected.jsarray"
    if errors:
        raise invalid_variant(errors)
    value_ids = _resolve(db, product_id, body["option_values"])
    if rules.sku_taken(db, body["sku"]):
        raise sku_conflict(body["sku"])
    if db.query_one(
        "SELECT id FROM variants WHERE product_id = ? AND combo = ?", [product_id, combo_of(value_ids)]
    ):
        raise invalid_variant({"option_values": "A variant with these option values already exists."})
    count = int(db.scalar("SELECT COUNT(*) FROM variants WHERE product_id = ? AND is_base = 0", [product_id]))
    if count >= MAX_VARIANTS_PER_PRODUCT:
        raise invalid_variant(
            {"product_id": f"A product can have at most {MAX_VARIANTS_PER_PRODUCT} variants."}
        )
    variant_id = insert(db, product_id, new_doc(body), value_ids)
    sync_base(db, product_id)
    return variant_id


def _resolve(db: StoreDb, product_id: int, refs: list[Any]) -> list[int]:
    """Value ids of the product's options named by `refs`, one for every option."""
    rows = db.query(
        "SELECT ov.id, ov.option_id, ov.label_key, o.display_key FROM variant_option_values ov "
        "JOIN variant_options o ON o.id = ov.option_id WHERE o.product_id = ?",
        [product_id],
    )
    by_id = {int(r["id"]): int(r["option_id"]) for r in rows}
    by_name = {(r["display_key"], r["label_key"]): (int(r["id"]), int(r["option_id"])) for r in rows}
    options = {int(r["option_id"]) for r in rows}
    chosen: dict[int, int] = {}
    for n, ref in enumerate(refs):
        value_id, option_id = _resolve_one(ref, by_id, by_name, n)
        if option_id in chosen:
            raise invalid_variant({f"option_values.{n}": f"Option {option_id} is given more than one value."})
        chosen[option_id] = value_id
    missing = sorted(options - chosen.keys())
    if missing:
        listed = ", ".join(str(o) for o in missing)
        raise invalid_variant(
            {"option_values": f"A variant needs one value of every option; missing option(s) {listed}."}
        )
    if not chosen:
        raise invalid_variant(
            {"option_values": "The product has no variant options; its base variant is its only variant."}
        )
    return list(chosen.values())


def _resolve_one(
    ref: Any, by_id: dict[int, int], by_name: dict[tuple[str, str], tuple[int, int]], n: int
) -> tuple[int, int]:
    key = f"option_values.{n}"
    if not isinstance(ref, dict):
        raise invalid_variant({key: "error.expected.jsobject"})
    value_id = ref.get("id")
    if isinstance(value_id, int) and not isinstance(value_id, bool):
        option_id = by_id.get(value_id)
        if option_id is None:
            raise invalid_variant(
                {key: f"Option value {value_id} does not belong to an option of this product."}
            )
        given = ref.get("option_id")
        if given is not None and given != option_id:
            raise invalid_variant({key: f"Option value {value_id} does not belong to option {given}."})
        return value_id, option_id
    option, label = ref.get("option_display_name"), ref.get("label")
    if isinstance(option, str) and isinstance(label, str):
        found = by_name.get((option.lower(), label.lower()))
        if found is None:
            raise invalid_variant({key: f"The product has no option '{option}' with a value '{label}'."})
        return found
    raise invalid_variant({key: "needs id and option_id (or option_display_name and label)"})


def update(db: StoreDb, row: sqlite3.Row, body: dict[str, Any]) -> None:
    """Partial update of one variant; option values cannot change (the specs' PUT has none)."""
    errors = field_errors(body, ())
    if errors:
        raise invalid_variant(errors)
    doc = apply_body(load_doc(row["doc"]), body)
    product_id, is_base = int(row["product_id"]), bool(row["is_base"])
    if "sku" in body and body["sku"].lower() != row["sku_key"]:
        exclude_product = product_id if is_base else None
        if rules.sku_taken(db, body["sku"], exclude_variant_id=row["id"], exclude_product_id=exclude_product):
            raise sku_conflict(body["sku"])
    db.execute(
        "UPDATE variants SET sku_key = ?, doc = ? WHERE id = ?",
        [doc["sku"].lower(), dump_doc(doc), row["id"]],
    )
    if is_base and "sku" in body:
        # The base variant's SKU is the product's SKU.
        db.execute(
            "UPDATE products SET sku_key = ?, doc = json_set(doc, '$.sku', ?) WHERE id = ?",
            [doc["sku"].lower(), doc["sku"], product_id],
        )
