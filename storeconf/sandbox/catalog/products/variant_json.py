"""`include=variants` for a page of products, written as JSON by SQLite.

`variant_rules.to_api` loads every variant's document and builds a dict that orjson then
writes out again: ~12 us a variant, and a 250-product page carries ~1,400 variants. Here
one query writes each product's variants array as text, which goes into the response
as it is (`RawJson`). It copies the stored document verbatim (it holds exactly the
variant's API fields: `variant_rules.DEFAULTS` plus `sku`), puts the column-kept keys
in front, and copies the inherited and derived numbers as their JSON text (`->`), so no
number is rendered twice. The JSON values are those `to_api` gives; only the key order
differs.

The concatenation relies on the document being compact JSON (`dump_doc`), and on
group_concat taking rows in the order its input produces them: the variants by index
order of (product_id, id), the option values by the ordered subquery.
"""

from __future__ import annotations

from collections.abc import Sequence

from storeconf.sandbox.catalog.products.rules import id_marks
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import RawJson


def _own_or_product(name: str) -> str:
    """The variant's override as JSON text, else (null: inherited) the product's value."""
    return f"coalesce(nullif(v.doc -> '$.{name}', 'null'), p.doc -> '$.{name}')"


_SALE_NUMBER = "coalesce(v.doc ->> '$.sale_price', p.doc ->> '$.sale_price')"
# `fields.calculated_price`: the sale price when above zero, else the price.
_CALCULATED_PRICE = (
    f"CASE WHEN {_SALE_NUMBER} > 0 THEN {_own_or_product('sale_price')} ELSE {_own_or_product('price')} END"
)
_OPTION_VALUE = (
    """'{"id":' || ov.id || ',"label":' || json_quote(ov.label) || ',"option_id":' || o.id"""
    """ || ',"option_display_name":' || json_quote(o.display_name) || '}'"""
)
_OPTION_VALUES = (
    f"(SELECT '[' || coalesce(group_concat(x, ','), '') || ']' FROM (SELECT {_OPTION_VALUE} AS x"
    " FROM variant_values vv JOIN variant_option_values ov ON ov.id = vv.value_id"
    " JOIN variant_options o ON o.id = ov.option_id WHERE vv.variant_id = v.id ORDER BY o.sort_order, o.id))"
)
# Every piece is non-null (a NULL would blank the whole variant): ids are NOT NULL columns,
# products always store price, sale_price and weight.
_VARIANT = (
    """'{"id":' || v.id || ',"product_id":' || v.product_id"""
    """ || ',"sku_id":' || coalesce(v.sku_id, 'null')"""
    f""" || ',"calculated_price":' || coalesce({_CALCULATED_PRICE}, 'null')"""
    f""" || ',"calculated_weight":' || coalesce({_own_or_product("weight")}, 'null')"""
    f""" || ',"option_values":' || {_OPTION_VALUES} || ',' || substr(v.doc, 2)"""
)


def embed(db: StoreDb, product_ids: Sequence[int]) -> dict[int, RawJson]:
    """Each listed product's variants array (ordered by id); products without rows are absent."""
    ids = list(dict.fromkeys(int(pid) for pid in product_ids))
    if not ids:
        return {}
    rows = db.query(
        f"SELECT v.product_id, '[' || group_concat({_VARIANT}, ',') || ']' FROM variants v"
        f" JOIN products p ON p.id = v.product_id WHERE v.product_id IN ({id_marks(ids)})"
        " GROUP BY v.product_id",
        ids,
    )
    return {int(row[0]): RawJson(row[1]) for row in rows}
