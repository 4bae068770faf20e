"""The query of the product list and the filtered product delete: filters (the spec's
list, plus `price`, `weight`, `categories`, `keyword` and the list-only `categories:in`,
`channel_id:in` and `date_modified`) and the sortable fields, compiled to SQL."""

from __future__ import annotations

from starlette.requests import Request

from storeconf.sandbox import product_rules as rules
from storeconf.sandbox.http import comma_list, invalid_query, parse_int
from storeconf.sandbox.query import ID_OPS, Filter, Where, where_from


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
    return where


def _ids(request: Request, name: str) -> list[int]:
    return [parse_int(name, value) for value in comma_list(request, name) or []]


def _number(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise invalid_query(name, "a number", raw) from None
