"""The query of the product list and the filtered product delete: filters (the spec's
list, plus `price`, `weight`, `categories`, `keyword` and the list-only `categories:in`,
`channel_id:in`, `date_modified`, `date_last_imported[:not]`, `out_of_stock` and
`inventory_low`) and the sortable fields, compiled to SQL."""

from __future__ import annotations

import math
import re

from starlette.requests import Request

from storeconf.sandbox.catalog.products import rules
from storeconf.sandbox.catalog.products.fields import parse_date_time
from storeconf.sandbox.core.http import comma_list, invalid_query, parse_int
from storeconf.sandbox.core.query import ID_OPS, Filter, Where, where_from

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _json(path: str) -> str:
    return f"json_extract(doc, '$.{path}')"


_NAME = _json("name")
FILTERS = (
    Filter("id", "id", "int", ID_OPS),
    Filter("name", _NAME, "str", ("eq", "like")),
    Filter("sku", "sku_key", "str", ("eq", "in")),
    Filter("mpn", _json("mpn")),
    Filter("upc", _json("upc")),
    Filter("condition", _json("condition")),
    Filter("brand_id", "COALESCE(brand_id, 0)", "int"),
    Filter("is_visible", _json("is_visible"), "bool"),
    Filter("is_featured", _json("is_featured"), "bool"),
    Filter("is_free_shipping", _json("is_free_shipping"), "bool"),
    Filter(
        "inventory_level",
        _json("inventory_level"),
        "int",
        ("eq", "in", "not_in", "min", "max", "greater", "less"),
    ),
    Filter("total_sold", _json("total_sold"), "int"),
    Filter("type", _json("type")),
    Filter("availability", _json("availability")),
    Filter("date_modified", _json("date_modified"), "str", ("min", "max")),
    Filter("date_last_imported", _json("date_last_imported"), "str", ("min", "max")),
)
# The filters the spec lists for `DELETE /catalog/products`.
DELETE_FILTERS = (
    Filter("id", "id", "int", ("in",)),
    Filter("name", _NAME),
    Filter("sku", "sku_key"),
    Filter("condition", _json("condition")),
    Filter("brand_id", "COALESCE(brand_id, 0)", "int"),
    Filter("is_visible", _json("is_visible"), "bool"),
    Filter("is_featured", _json("is_featured"), "bool"),
    Filter("inventory_level", _json("inventory_level"), "int"),
    Filter("total_sold", _json("total_sold"), "int"),
    Filter("type", _json("type")),
)
SORTABLE = {
    "id": "id",
    "name": f"{_NAME} COLLATE NOCASE",
    "sku": "sku_key",
    "price": _json("price"),
    "date_modified": _json("date_modified"),
    "date_last_imported": _json("date_last_imported"),
    "inventory_level": _json("inventory_level"),
    "is_visible": _json("is_visible"),
    "total_sold": _json("total_sold"),
    "calculated_price": (
        f"CASE WHEN {_json('sale_price')} > 0 THEN {_json('sale_price')} ELSE {_json('price')} END"
    ),
}


def list_where(request: Request) -> Where:
    """The WHERE of `GET /catalog/products` from its query."""
    return _list_only(request, _where(request, FILTERS))


def delete_where(request: Request) -> Where:
    """The WHERE of `DELETE /catalog/products`: only the filters the spec lists for it."""
    return _where(request, DELETE_FILTERS)


def _where(request: Request, filters: tuple[Filter, ...]) -> Where:
    where = where_from(request, filters)
    for name in ("price", "weight"):
        raw = request.query_params.get(name)
        if raw:
            where = where.extend(f"{_json(name)} = ?", _number(name, raw))
    category = request.query_params.get("categories")
    if category:
        # The spec: a product in more than one category is not matched; use categories:in.
        where = where.extend(
            "id IN (SELECT product_id FROM product_categories GROUP BY product_id "
            "HAVING COUNT(*) = 1 AND MAX(category_id) = ?)",
            parse_int("categories", category),
        )
    keyword = request.query_params.get("keyword")
    if keyword:
        like = f"%{keyword}%"
        where = where.extend(
            f"({_NAME} LIKE ? OR {_json('description')} LIKE ? OR {_json('sku')} LIKE ? OR brand_id IN "
            "(SELECT id FROM brands WHERE json_extract(doc, '$.name') LIKE ?))",
            like,
            like,
            like,
            like,
        )
    return where


def _list_only(request: Request, where: Where) -> Where:
    categories = _ids(request, "categories:in")
    if categories:
        # The spec: products in *all* the listed categories.
        where = where.extend(
            "id IN (SELECT product_id FROM product_categories "
            f"WHERE category_id IN ({rules.id_marks(categories)}) "
            "GROUP BY product_id HAVING COUNT(DISTINCT category_id) = ?)",
            *categories,
            len(set(categories)),
        )
    channels = _ids(request, "channel_id:in")
    if channels:
        where = where.extend(
            "id IN (SELECT product_id FROM product_channels "
            f"WHERE channel_id IN ({rules.id_marks(channels)}))",
            *channels,
        )
    day = request.query_params.get("date_modified")
    if day:
        where = where.extend(f"substr({_json('date_modified')}, 1, 10) = ?", day)
    return _stock(request, _imported(request, where))


def _imported(request: Request, where: Where) -> Where:
    """`date_last_imported` and `:not`: the spec types them as dates, but its `:not` example
    is a full date-time, so a date matches the day and a date-time the moment. A product
    never imported is not on any date, so `:not` keeps it."""
    for param, negate in (("date_last_imported", False), ("date_last_imported:not", True)):
        raw = request.query_params.get(param)
        if not raw:
            continue
        column = _json("date_last_imported")
        if _DAY.match(raw):
            column, value = f"substr({column}, 1, 10)", raw
        else:
            # An unencoded `+` of the offset arrives as a space (the spec's example encodes it).
            moment = parse_date_time(raw.replace(" ", "+"))
            if moment is None:
                raise invalid_query(param, "a date or an ISO-8601 date-time", raw)
            value = moment
        clause = f"({column} IS NULL OR {column} != ?)" if negate else f"{column} = ?"
        where = where.extend(clause, value)
    return where


# What a product has in stock: its own level, or its variants' total when it tracks them;
# NULL when it tracks no inventory (so neither stock filter matches it).
_TRACKING = _json("inventory_tracking")
_VARIANT_STOCK = (
    "(SELECT COALESCE(SUM(json_extract(v.doc, '$.inventory_level')), 0) FROM variants v "
    "WHERE v.product_id = products.id)"
)
_STOCK = (
    f"(CASE {_TRACKING} WHEN 'product' THEN {_json('inventory_level')} "
    f"WHEN 'variant' THEN {_VARIANT_STOCK} END)"
)
# Low: at or below the warning level, where one is set (0 means no warning), for the
# product itself or for any of its variants.
_LOW = (
    f"(({_TRACKING} = 'product' AND {_json('inventory_warning_level')} > 0 "
    f"AND {_json('inventory_level')} <= {_json('inventory_warning_level')}) OR "
    f"({_TRACKING} = 'variant' AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = products.id "
    "AND json_extract(v.doc, '$.inventory_warning_level') > 0 "
    "AND json_extract(v.doc, '$.inventory_level') <= json_extract(v.doc, '$.inventory_warning_level'))))"
)


def _stock(request: Request, where: Where) -> Where:
    # `out_of_stock=1` enables its filter (the spec: "pass 1"), 0 leaves it off;
    # `inventory_low` takes 1 (low) or 0 (not low), the two values the spec lists.
    if _flag(request, "out_of_stock") == 1:
        where = where.extend(f"{_STOCK} <= 0")
    low = _flag(request, "inventory_low")
    if low is not None:
        where = where.extend(_LOW if low else f"NOT {_LOW}")
    return where


def _flag(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    value = parse_int(name, raw)
    if value not in (0, 1):
        raise invalid_query(name, "1 or 0", raw)
    return value


def _ids(request: Request, name: str) -> list[int]:
    return [parse_int(name, value) for value in comma_list(request, name) or []]


def _number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise invalid_query(name, "a number", raw) from None
    if not math.isfinite(value):  # float() reads "nan" and "inf"; no price or weight is either
        raise invalid_query(name, "a number", raw)
    return value
