"""Storage and rules for products: the `products` table and its category/channel
relations, uniqueness (name, SKU, custom URL) and references (brand, categories).

`products.py` speaks HTTP; this module speaks rows. Field specs, defaults and the API
shape are in `product_fields.py`. Variants and options import these two modules (not
`products.py`), so the product routes can import them without a cycle.

Rows keep the columns the sandbox constrains or joins on (`name_key`, `url_key`,
`sku_key`, `brand_id`, `base_variant_id`) and the rest of the product as a JSON
document. Categories and channels are relation tables, so deleting a category, a
tree or a channel drops the assignments with it (foreign keys, ON DELETE CASCADE),
and deleting a brand leaves its products with `brand_id: 0`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from storeconf.sandbox.catalog.products.fields import to_api
from storeconf.sandbox.core.db import StoreDb, dump_doc
from storeconf.sandbox.core.http import ApiError, not_found

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_key TEXT NOT NULL UNIQUE,
    url_key TEXT NOT NULL UNIQUE,
    sku_key TEXT NOT NULL,
    brand_id INTEGER REFERENCES brands (id) ON DELETE SET NULL,
    base_variant_id INTEGER,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS products_sku ON products (sku_key);
CREATE INDEX IF NOT EXISTS products_brand ON products (brand_id);
CREATE TABLE IF NOT EXISTS product_categories (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, category_id)
);
CREATE INDEX IF NOT EXISTS product_categories_category ON product_categories (category_id);
CREATE TABLE IF NOT EXISTS product_channels (
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, channel_id)
);
CREATE INDEX IF NOT EXISTS product_channels_channel ON product_channels (channel_id);
"""

DEFAULT_CHANNEL_ID = 1
_NAME_TITLE = "The product name is a duplicate"
_SKU_TITLE = "The product sku is a duplicate"
_URL_TITLE = "The product custom_url is a duplicate"


def free_url(db: StoreDb, name: str) -> str:
    """`/classic-tee/` from the name; numbered when another product holds it already."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "product"
    candidate, n = f"/{slug}/", 1
    while db.query_one("SELECT id FROM products WHERE url_key = ?", [candidate]) is not None:
        n += 1
        candidate = f"/{slug}-{n}/"
    return candidate


# ----------------------------------------------------------------------------------------
# References and uniqueness (409)
# ----------------------------------------------------------------------------------------


def conflict(title: str, errors: Mapping[str, str]) -> ApiError:
    return ApiError.of(409, title, errors=errors)


def sku_taken(
    db: StoreDb, sku: str, exclude_variant_id: int | None = None, exclude_product_id: int | None = None
) -> bool:
    """Whether a product or a variant other than the excluded ones holds `sku` (any case).

    A product's base variant carries the product's own SKU, so excluding a product also
    excludes its base variant."""
    if sku == "":
        return False
    key = sku.lower()
    product = db.query_one(
        "SELECT id FROM products WHERE sku_key = ? AND id IS NOT ? LIMIT 1", [key, exclude_product_id]
    )
    if product is not None:
        return True
    variant = db.query_one(
        "SELECT id FROM variants WHERE sku_key = ? AND id IS NOT ? "
        "AND NOT (is_base = 1 AND product_id IS ?) LIMIT 1",
        [key, exclude_variant_id, exclude_product_id],
    )
    return variant is not None


def check_unique(db: StoreDb, doc: Mapping[str, Any], product_id: int | None) -> None:
    """409 when the name, SKU or custom URL belongs to another product (or the SKU to a variant)."""
    name = doc["name"]
    if db.query_one("SELECT id FROM products WHERE name_key = ? AND id IS NOT ?", [name.lower(), product_id]):
        raise conflict(_NAME_TITLE, {"name": f"A product named '{name}' already exists."})
    if sku_taken(db, doc["sku"], exclude_product_id=product_id):
        raise conflict(_SKU_TITLE, {"sku": f"The SKU '{doc['sku']}' is used by another product or variant."})
    url = doc["custom_url"]["url"]
    if db.query_one("SELECT id FROM products WHERE url_key = ? AND id IS NOT ?", [url.lower(), product_id]):
        raise conflict(_URL_TITLE, {"custom_url": f"The URL '{url}' is used by another product."})


def check_brand(db: StoreDb, brand_id: int) -> None:
    if brand_id and db.query_one("SELECT id FROM brands WHERE id = ?", [brand_id]) is None:
        raise conflict(f"Brand {brand_id} does not exist.", {"brand_id": f"Brand {brand_id} does not exist."})


def check_categories(db: StoreDb, category_ids: Sequence[int]) -> None:
    wanted = sorted(set(category_ids))
    if not wanted:
        return
    marks = ",".join("?" * len(wanted))
    found = {row[0] for row in db.query(f"SELECT id FROM categories WHERE id IN ({marks})", wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        listed = ", ".join(str(c) for c in missing)
        message = (
            f"Category {listed} does not exist."
            if len(missing) == 1
            else f"Categories {listed} do not exist."
        )
        raise conflict(message, {"categories": message})


# ----------------------------------------------------------------------------------------
# Rows
# ----------------------------------------------------------------------------------------


def insert(db: StoreDb, doc: dict[str, Any], brand_id: int) -> int:
    cursor = _write(
        db,
        "INSERT INTO products (name_key, url_key, sku_key, brand_id, doc) VALUES (?, ?, ?, ?, ?)",
        [*_keys(doc), brand_id or None, dump_doc(doc)],
        doc,
    )
    return int(cursor.lastrowid or 0)


def update(db: StoreDb, product_id: int, doc: dict[str, Any], brand_id: int) -> None:
    _write(
        db,
        "UPDATE products SET name_key = ?, url_key = ?, sku_key = ?, brand_id = ?, doc = ? WHERE id = ?",
        [*_keys(doc), brand_id or None, dump_doc(doc), product_id],
        doc,
    )


def _keys(doc: Mapping[str, Any]) -> list[str]:
    return [doc["name"].lower(), doc["custom_url"]["url"].lower(), doc["sku"].lower()]


def _write(db: StoreDb, sql: str, params: list[Any], doc: Mapping[str, Any]) -> sqlite3.Cursor:
    # `check_unique` runs first; this catches two items of one batch claiming the same value.
    try:
        return db.execute(sql, params)
    except sqlite3.IntegrityError as exc:
        if "name_key" in str(exc):
            raise conflict(
                _NAME_TITLE, {"name": f"A product named '{doc['name']}' already exists."}
            ) from None
        url = doc["custom_url"]["url"]
        raise conflict(_URL_TITLE, {"custom_url": f"The URL '{url}' is used by another product."}) from None


def set_categories(db: StoreDb, product_id: int, category_ids: Sequence[int]) -> None:
    """Replace the product's category set (the PUT semantics of `categories`)."""
    db.execute("DELETE FROM product_categories WHERE product_id = ?", [product_id])
    add_categories(db, [(product_id, c) for c in category_ids])


def add_categories(db: StoreDb, pairs: Iterable[tuple[int, int]]) -> None:
    for product_id, category_id in pairs:
        db.execute(
            "INSERT OR IGNORE INTO product_categories (product_id, category_id) VALUES (?, ?)",
            [product_id, category_id],
        )


def add_channels(db: StoreDb, pairs: Iterable[tuple[int, int]]) -> None:
    for product_id, channel_id in pairs:
        db.execute(
            "INSERT OR IGNORE INTO product_channels (product_id, channel_id) VALUES (?, ?)",
            [product_id, channel_id],
        )


def id_marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def categories_of(db: StoreDb, product_ids: Sequence[int]) -> dict[int, list[int]]:
    """Category ids per product, in assignment order; one query for the whole page."""
    found: dict[int, list[int]] = {pid: [] for pid in product_ids}
    if not product_ids:
        return found
    rows = db.query(
        "SELECT product_id, category_id FROM product_categories "
        f"WHERE product_id IN ({id_marks(product_ids)}) ORDER BY rowid",
        list(product_ids),
    )
    for row in rows:
        found[row["product_id"]].append(row["category_id"])
    return found


def channels_of(db: StoreDb, product_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {pid: [] for pid in product_ids}
    if not product_ids:
        return found
    rows = db.query(
        f"SELECT product_id, channel_id FROM product_channels WHERE product_id IN ({id_marks(product_ids)}) "
        "ORDER BY channel_id",
        list(product_ids),
    )
    for row in rows:
        found[row["product_id"]].append(row["channel_id"])
    return found


def get_row(db: StoreDb, product_id: int) -> sqlite3.Row | None:
    return db.query_one("SELECT * FROM products WHERE id = ?", [product_id])


def require_row(db: StoreDb, product_id: int) -> sqlite3.Row:
    row = get_row(db, product_id)
    if row is None:
        raise not_found()
    return row


def require_product(db: StoreDb, product_id: int) -> dict[str, Any]:
    """The product as the API shows it (no `include`); the catalog 404 when it does not exist."""
    row = require_row(db, product_id)
    return to_api(row, categories_of(db, [product_id])[product_id])
