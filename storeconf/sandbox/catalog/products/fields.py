"""Product fields: what a product body may carry, its defaults, validation and the
API shape of a stored product (field order as in the spec's GET example).

Storage, uniqueness and references are in `product_rules.py`; variants reuse the
number checks here.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storeconf.money import store_money
from storeconf.sandbox.core.db import load_doc
from storeconf.sandbox.core.http import invalid
from storeconf.sandbox.core.validate import MISSING, Field, check

INT32_MIN, INT32_MAX = -2147483648, 2147483647
MAX_DIMENSION = 9999999999
MAX_CATEGORIES = 1000

TYPES = ("physical", "digital")
INVENTORY_TRACKING = ("none", "product", "variant")
AVAILABILITY = ("available", "disabled", "preorder")
GIFT_WRAPPING = ("any", "none", "list")
CONDITIONS = ("New", "Used", "Refurbished")
OPEN_GRAPH_TYPES = ("product", "album", "book", "drink", "food", "game", "movie", "song", "tv_show")


@dataclass(frozen=True)
class Num:
    """A JSON number field (validate.py has no float type): range and nullability."""

    name: str
    minimum: float | None = 0
    maximum: float | None = None
    nullable: bool = False
    # Stored like the store stores money: 4 decimal places (storeconf.money).
    money: bool = False


def round_money(doc: dict[str, Any], specs: Iterable[Num]) -> dict[str, Any]:
    """`doc` with its money fields rounded as the store rounds them on write."""
    for spec in specs:
        if spec.money and doc.get(spec.name) is not None:
            doc[spec.name] = store_money(doc[spec.name])
    return doc


def check_numbers(body: Mapping[str, Any], specs: Iterable[Num]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for spec in specs:
        if spec.name not in body:
            continue
        value = body[spec.name]
        if value is None:
            if not spec.nullable:
                errors[spec.name] = "error.expected.jsnumber"
        elif isinstance(value, bool) or not isinstance(value, int | float):
            errors[spec.name] = "error.expected.jsnumber"
        elif spec.minimum is not None and value < spec.minimum:
            errors[spec.name] = f"must be at least {spec.minimum:g}"
        elif spec.maximum is not None and value > spec.maximum:
            errors[spec.name] = f"must be at most {spec.maximum:g}"
    return errors


def check_date_time(body: Mapping[str, Any], name: str) -> dict[str, str]:
    value = body.get(name)
    if isinstance(value, str) and parse_date_time(value) is None:
        return {name: "must be an ISO-8601 date-time, e.g. 2018-08-15T14:48:46+00:00"}
    return {}


def parse_date_time(value: str) -> str | None:
    """The catalog format (`2018-08-15T14:48:46+00:00`, UTC) of an ISO-8601 date-time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


FIELDS = (
    Field("name", "string", min_length=1, max_length=250),
    Field("type", "string", enum=TYPES),
    Field("sku", "string", max_length=255),
    Field("description", "string"),
    Field("tax_class_id", "integer", minimum=0, maximum=255),
    Field("product_tax_code", "string", max_length=255),
    Field("categories", "integers", max_items=MAX_CATEGORIES),
    Field("brand_id", "integer", minimum=0, maximum=1000000000),
    Field("brand_name", "string", min_length=1, max_length=255),
    # Above 2147483647 the API clamps inventory to the maximum instead of rejecting it.
    Field("inventory_level", "integer", minimum=0),
    Field("inventory_warning_level", "integer", minimum=0),
    Field("inventory_tracking", "string", enum=INVENTORY_TRACKING),
    Field("is_free_shipping", "boolean"),
    Field("is_visible", "boolean"),
    Field("is_featured", "boolean"),
    Field("related_products", "integers"),
    Field("warranty", "string", max_length=65535),
    Field("bin_picking_number", "string", max_length=255),
    Field("layout_file", "string", max_length=500),
    Field("upc", "string", max_length=14),
    Field("mpn", "string"),
    Field("gtin", "string", max_length=14),
    Field("search_keywords", "string", max_length=65535),
    Field("availability", "string", enum=AVAILABILITY),
    Field("availability_description", "string", max_length=255),
    Field("gift_wrapping_options_type", "string", enum=GIFT_WRAPPING),
    Field("gift_wrapping_options_list", "integers"),
    Field("sort_order", "integer", minimum=INT32_MIN, maximum=INT32_MAX),
    Field("condition", "string", enum=CONDITIONS),
    Field("is_condition_shown", "boolean"),
    Field("order_quantity_minimum", "integer", minimum=0, maximum=1000000000),
    Field("order_quantity_maximum", "integer", minimum=0, maximum=1000000000),
    Field("page_title", "string", max_length=255),
    Field("meta_keywords", "strings"),
    Field("meta_description", "string", max_length=65535),
    Field("preorder_release_date", "string", nullable=True),
    Field("preorder_message", "string", max_length=255),
    Field("is_preorder_only", "boolean"),
    Field("is_price_hidden", "boolean"),
    Field("price_hidden_label", "string", max_length=200),
    Field("custom_url", "object"),
    Field("open_graph_type", "string", enum=OPEN_GRAPH_TYPES),
    Field("open_graph_title", "string"),
    Field("open_graph_description", "string"),
    Field("open_graph_use_meta_description", "boolean"),
    Field("open_graph_use_product_name", "boolean"),
    Field("open_graph_use_image", "boolean"),
    Field("date_last_imported", "string"),
)
NUMBERS = (
    Num("weight", maximum=MAX_DIMENSION),
    Num("width", maximum=MAX_DIMENSION),
    Num("depth", maximum=MAX_DIMENSION),
    Num("height", maximum=MAX_DIMENSION),
    Num("price", money=True),
    Num("cost_price", money=True),
    Num("retail_price", money=True),
    Num("sale_price", money=True),
    Num("map_price", minimum=None, money=True),
    Num("fixed_cost_shipping_price", money=True),
)
REQUIRED_ON_CREATE = ("name", "type", "weight", "price")
# Sub-resources a product body may carry; each goes to its module's `create_embedded`.
EMBEDDED = ("variants", "images", "videos", "custom_fields", "bulk_pricing_rules")

# Stored in the document; `categories` and `brand_id` live in their own columns/tables,
# `brand_name` is write-only and `custom_url` is handled on its own.
_DOC_FIELDS = tuple(
    f.name for f in FIELDS if f.name not in ("categories", "brand_id", "brand_name", "custom_url")
) + tuple(n.name for n in NUMBERS)

# Defaults from the spec's `GET /catalog/products/{id}` example.
DEFAULTS: dict[str, Any] = {
    "sku": "",
    "description": "",
    "width": 0,
    "depth": 0,
    "height": 0,
    "cost_price": 0,
    "retail_price": 0,
    "sale_price": 0,
    "map_price": 0,
    "tax_class_id": 0,
    "product_tax_code": "",
    "inventory_level": 0,
    "inventory_warning_level": 0,
    "inventory_tracking": "none",
    "reviews_rating_sum": 0,
    "reviews_count": 0,
    "total_sold": 0,
    "fixed_cost_shipping_price": 0,
    "is_free_shipping": False,
    "is_visible": True,
    "is_featured": False,
    "related_products": [-1],
    "warranty": "",
    "bin_picking_number": "",
    "layout_file": "product.html",
    "upc": "",
    "mpn": "",
    "gtin": "",
    "search_keywords": "",
    "availability": "available",
    "availability_description": "",
    "gift_wrapping_options_type": "any",
    "gift_wrapping_options_list": [],
    "sort_order": 0,
    "condition": "New",
    "is_condition_shown": False,
    "order_quantity_minimum": 0,
    "order_quantity_maximum": 0,
    "page_title": "",
    "meta_keywords": [],
    "meta_description": "",
    "view_count": 0,
    "preorder_release_date": None,
    "preorder_message": "",
    "is_preorder_only": False,
    "is_price_hidden": False,
    "price_hidden_label": "",
    "open_graph_type": "product",
    "open_graph_title": "",
    "open_graph_description": "",
    "open_graph_use_meta_description": True,
    "open_graph_use_product_name": True,
    "open_graph_use_image": True,
}

# Response order follows the spec's GET example.
_HEAD = ("name", "type", "sku", "description", "weight", "width", "depth", "height", "price")
_PRICES = ("cost_price", "retail_price", "sale_price", "map_price", "tax_class_id", "product_tax_code")
_STOCK = ("inventory_level", "inventory_warning_level", "inventory_tracking")
_MIDDLE = (
    "reviews_rating_sum",
    "reviews_count",
    "total_sold",
    "fixed_cost_shipping_price",
    "is_free_shipping",
    "is_visible",
    "is_featured",
    "related_products",
    "warranty",
    "bin_picking_number",
    "layout_file",
    "upc",
    "mpn",
    "gtin",
    "search_keywords",
    "availability",
    "availability_description",
    "gift_wrapping_options_type",
    "gift_wrapping_options_list",
    "sort_order",
    "condition",
    "is_condition_shown",
    "order_quantity_minimum",
    "order_quantity_maximum",
    "page_title",
    "meta_keywords",
    "meta_description",
    "date_created",
    "date_modified",
    "view_count",
    "preorder_release_date",
    "preorder_message",
    "is_preorder_only",
    "is_price_hidden",
    "price_hidden_label",
)
_OPEN_GRAPH = (
    "open_graph_type",
    "open_graph_title",
    "open_graph_description",
    "open_graph_use_meta_description",
    "open_graph_use_product_name",
    "open_graph_use_image",
)
_URL_PATTERN = re.compile(r"^/[A-Za-z0-9\-_./~%]*$")

# ----------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------


def validate(body: Mapping[str, Any], required: Collection[str] = ()) -> None:
    """422 with every field problem of a product body; unknown and read-only fields are ignored."""
    errors = check(body, FIELDS, required=required)
    errors |= check_numbers(body, NUMBERS)
    errors |= check_date_time(body, "preorder_release_date")
    # Stored in the catalog format like every date, so the list's date filters compare alike.
    errors |= check_date_time(body, "date_last_imported")
    if isinstance(body.get("custom_url"), dict) and "custom_url" not in errors:
        errors |= _custom_url_errors(body["custom_url"])
    for name in EMBEDDED:
        if name in body and not isinstance(body[name], list):
            errors[name] = "error.expected.jsarray"
    if errors:
        raise invalid(errors)


def _custom_url_errors(custom_url: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    url = custom_url.get("url")
    if url is None:
        errors["custom_url.url"] = MISSING
    elif not isinstance(url, str):
        errors["custom_url.url"] = "error.expected.jsstring"
    elif not 1 <= len(url) <= 255 or not _URL_PATTERN.match(url):
        errors["custom_url.url"] = "must be 1 to 255 characters of Latin letters, digits and '/-_.~%'"
    for flag in ("is_customized", "create_redirect"):
        if not isinstance(custom_url.get(flag, True), bool):
            errors[f"custom_url.{flag}"] = "error.expected.jsboolean"
    return errors


# ----------------------------------------------------------------------------------------
# Documents
# ----------------------------------------------------------------------------------------


def apply_fields(doc: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """`doc` with the writable fields of a validated `body` applied (normalised)."""
    updated = round_money({**doc, **{k: body[k] for k in _DOC_FIELDS if k in body}}, NUMBERS)
    for name in ("inventory_level", "inventory_warning_level"):
        updated[name] = min(int(updated.get(name, 0)), INT32_MAX)
    for name in ("preorder_release_date", "date_last_imported"):
        if isinstance(updated.get(name), str):
            updated[name] = parse_date_time(updated[name])
    return updated


def explicit_url(custom_url: Mapping[str, Any]) -> dict[str, Any]:
    # `create_redirect` asks for a 301 on change; the sandbox has no redirects to keep.
    return {"url": custom_url["url"], "is_customized": custom_url.get("is_customized", True)}


def calculated_price(price: float, sale_price: float) -> float:
    return sale_price if sale_price > 0 else price


def to_api(row: sqlite3.Row, categories: list[int]) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    item: dict[str, Any] = {"id": row["id"]}
    item |= {k: doc[k] for k in _HEAD}
    item |= {k: doc[k] for k in _PRICES}
    item["calculated_price"] = calculated_price(doc["price"], doc["sale_price"])
    item["categories"] = categories
    item["brand_id"] = row["brand_id"] or 0
    item |= {k: doc[k] for k in _STOCK}
    item |= {k: doc[k] for k in _MIDDLE}
    item["custom_url"] = doc["custom_url"]
    item["base_variant_id"] = row["base_variant_id"]
    item |= {k: doc[k] for k in _OPEN_GRAPH}
    if "date_last_imported" in doc:
        item["date_last_imported"] = doc["date_last_imported"]
    return item


def stored_doc(row: sqlite3.Row) -> dict[str, Any]:
    return load_doc(row["doc"])
