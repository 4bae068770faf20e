"""Products: `/v3/catalog/products` (list, create one, batch update, filtered delete) and
`/v3/catalog/products/{product_id}`.

Storage and field rules are in `product_rules.py`, list filters and sorting in
`product_query.py`, `include=` and embedded sub-resources in `product_include.py`.
Other modules use `require_product` (the 404) and `sku_taken` (SKUs are unique across
products and variants, any case) from here.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.catalog import brands
from storeconf.sandbox.catalog.products import fields, rules, variant_rules
from storeconf.sandbox.catalog.products import include as product_include
from storeconf.sandbox.catalog.products import query as product_query
from storeconf.sandbox.catalog.products.rules import require_product as require_product
from storeconf.sandbox.catalog.products.rules import sku_taken as sku_taken
from storeconf.sandbox.core.control import Sandbox
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import (
    STATUS_CODES_PATH,
    ApiError,
    collection,
    comma_list,
    invalid,
    no_content,
    not_found,
    ok,
    page_of,
    read_json,
    read_object,
    route,
    sandbox_of,
    select_fields,
    single,
    unreadable_json,
)
from storeconf.sandbox.core.query import fetch_page, order_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, int_range_error

MAX_BATCH = 10
MAX_DELETE = 250
TOO_LARGE = "The request payload is too large. The maximum items allowed in the array is 10."
DELETE_FILTER_TITLE = "At least one filter must be provided in order to delete products"

# Always returned, whatever include_fields/exclude_fields say.
_ALWAYS = ("gift_wrapping_options_type", "gift_wrapping_options_list")


# ----------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------


def _render(
    request: Request, db: StoreDb, rows: list[sqlite3.Row], includes: list[str]
) -> list[dict[str, Any]]:
    ids = [int(row["id"]) for row in rows]
    categories = rules.categories_of(db, ids)
    items = []
    for row in rows:
        product = fields.to_api(row, categories[row["id"]])
        selected = select_fields(request, product, "id")
        items.append({**selected, **{k: product[k] for k in _ALWAYS}})
    product_include.attach(db, items, includes)
    return items


def _render_ids(request: Request, db: StoreDb, ids: list[int], includes: list[str]) -> list[dict[str, Any]]:
    rows = db.query(f"SELECT * FROM products WHERE id IN ({rules.id_marks(ids)})", ids)
    by_id = {int(row["id"]): row for row in rows}
    return _render(request, db, [by_id[pid] for pid in ids], includes)


# ----------------------------------------------------------------------------------------
# Writes
# ----------------------------------------------------------------------------------------


def _brand_id(db: StoreDb, body: dict[str, Any], current: int) -> int:
    if "brand_id" in body:
        brand_id = int(body["brand_id"])
    elif "brand_name" in body:
        return brands.find_or_create(db, body["brand_name"])
    else:
        return current
    if brand_id != current:
        rules.check_brand(db, brand_id)
    return brand_id


def create(sandbox: Sandbox, body: dict[str, Any]) -> tuple[int, list[str]]:
    """Insert a validated product body with its embedded sub-resources; returns the id and
    the sub-resource names the body carried."""
    db = sandbox.db
    doc = fields.apply_fields(dict(fields.DEFAULTS), body)
    doc["date_created"] = doc["date_modified"] = sandbox.iso_now()
    if "custom_url" in body:
        doc["custom_url"] = fields.explicit_url(body["custom_url"])
    else:
        doc["custom_url"] = {"url": rules.free_url(db, doc["name"]), "is_customized": False}
    rules.check_unique(db, doc, None)
    brand_id = _brand_id(db, body, 0)
    categories = list(dict.fromkeys(body.get("categories", [])))
    rules.check_categories(db, categories)
    product_id = rules.insert(db, doc, brand_id)
    rules.set_categories(db, product_id, categories)
    rules.add_channels(db, [(product_id, rules.DEFAULT_CHANNEL_ID)])
    variant_rules.sync_base(db, product_id)
    embedded = product_include.create_embedded(db, product_id, body, product_include.WRITE_ORDER, sandbox)
    return product_id, embedded


def update(sandbox: Sandbox, row: sqlite3.Row, body: dict[str, Any]) -> list[str]:
    """Partial update of one product; `categories` replaces the set. Returns the embedded
    sub-resource names the body carried (variants are not part of a product PUT)."""
    db, product_id = sandbox.db, int(row["id"])
    old = fields.stored_doc(row)
    doc = fields.apply_fields(old, body)
    doc["date_modified"] = sandbox.iso_now()
    if "custom_url" in body:
        doc["custom_url"] = fields.explicit_url(body["custom_url"])
    rules.check_unique(db, doc, product_id)
    brand_id = _brand_id(db, body, row["brand_id"] or 0)
    if "categories" in body:
        categories = list(dict.fromkeys(body["categories"]))
        rules.check_categories(db, categories)
        rules.set_categories(db, product_id, categories)
    rules.update(db, product_id, doc, brand_id)
    if doc["sku"] != old["sku"]:
        variant_rules.set_base_sku(db, product_id, doc["sku"])
    return product_include.upsert_embedded(db, product_id, body, sandbox)


def delete(db: StoreDb, product_id: int) -> None:
    product_include.delete_for_product(db, product_id)
    db.execute("DELETE FROM products WHERE id = ?", [product_id])


# ----------------------------------------------------------------------------------------
# Routes
# ----------------------------------------------------------------------------------------


async def list_products(request: Request) -> Response:
    db = sandbox_of(request).db
    includes = product_include.requested(request)
    page = product_include.cap_page(page_of(request), includes)
    order = order_from(request, product_query.SORTABLE, "id")
    rows, total = fetch_page(db, "products", product_query.list_where(request), order, page, key="id")
    return collection(request, _render(request, db, rows, includes), total, page)


async def create_product(request: Request) -> Response:
    body = await read_object(request, unreadable_json)
    fields.validate(body, fields.REQUIRED_ON_CREATE)
    sandbox = sandbox_of(request)
    with sandbox.db.tx():
        product_id, embedded = create(sandbox, body)
    return single(_render_ids(request, sandbox.db, [product_id], embedded)[0])


async def get_product(request: Request) -> Response:
    db = sandbox_of(request).db
    row = rules.require_row(db, request.path_params["product_id"])
    return single(_render(request, db, [row], product_include.requested(request))[0])


async def update_product(request: Request) -> Response:
    sandbox = sandbox_of(request)
    row = rules.require_row(sandbox.db, request.path_params["product_id"])
    body = await read_object(request, unreadable_json)
    fields.validate(body)
    with sandbox.db.tx():
        embedded = update(sandbox, row, body)
    includes = list(dict.fromkeys([*product_include.requested(request), *embedded]))
    return single(_render_ids(request, sandbox.db, [int(row["id"])], includes)[0])


async def update_products(request: Request) -> Response:
    """Batch update of up to 10 products, all or nothing: every item needs an existing `id`."""
    items = await read_json(request, unreadable_json)
    if not isinstance(items, list) or not items:
        raise invalid({"body": "error.expected.jsarray"})
    if len(items) > MAX_BATCH:
        raise ApiError.of(413, TOO_LARGE, errors={}, type_=STATUS_CODES_PATH)
    _check_batch(items)
    sandbox = sandbox_of(request)
    db = sandbox.db
    _check_ids(db, [item["id"] for item in items])
    with db.tx():
        for index, item in enumerate(items):
            try:
                # Read each row afresh: one batch may name a product twice.
                update(sandbox, rules.require_row(db, item["id"]), item)
            except ApiError as error:
                raise _prefixed(error, index) from None
    ids = list(dict.fromkeys(int(item["id"]) for item in items))
    return ok({"data": _render_ids(request, db, ids, []), "meta": {}})


def _check_batch(items: list[Any]) -> None:
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"{index}"] = "error.expected.jsobject"
            continue
        if "id" not in item:
            errors[f"{index}.id"] = MISSING
        elif problem := int_range_error(item["id"]):
            errors[f"{index}.id"] = problem
        try:
            fields.validate(item)
        except ApiError as error:
            errors |= {f"{index}.{k}": v for k, v in error.body["errors"].items()}
    if errors:
        raise invalid(errors)


def _check_ids(db: StoreDb, ids: list[int]) -> None:
    found = {int(r[0]) for r in db.query(f"SELECT id FROM products WHERE id IN ({rules.id_marks(ids)})", ids)}
    missing = [str(product_id) for product_id in dict.fromkeys(ids) if product_id not in found]
    if missing:
        raise ApiError.of(404, f"The resource was not found. No product with id {', '.join(missing)}.")


def _prefixed(error: ApiError, index: int) -> ApiError:
    body = dict(error.body)
    if isinstance(body.get("errors"), dict):
        body["errors"] = {f"{index}.{k}": v for k, v in body["errors"].items()}
    return ApiError(error.status, body, error.headers)


async def delete_products(request: Request) -> Response:
    """Filtered delete, at most 250 products per request (the lowest ids first)."""
    where = product_query.delete_where(request)
    if not where.clauses:
        raise invalid({"filter": MISSING}, title=DELETE_FILTER_TITLE)
    if len(comma_list(request, "id:in") or []) > MAX_DELETE:
        raise invalid({"id:in": f"must list at most {MAX_DELETE} ids"})
    db = sandbox_of(request).db
    ids = [
        int(r[0])
        for r in db.query(
            f"SELECT id FROM products{where.sql()} ORDER BY id LIMIT ?", [*where.params, MAX_DELETE]
        )
    ]
    with db.tx():
        for product_id in ids:
            delete(db, product_id)
    return no_content()


async def delete_product(request: Request) -> Response:
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    if rules.get_row(db, product_id) is None:
        raise not_found()
    with db.tx():
        delete(db, product_id)
    return no_content()


_PRODUCT = "/v3/catalog/products/{product_id:id64}"

RESOURCE = Resource(
    name="products",
    schema=rules.SCHEMA,
    routes=[
        route(
            "/v3/catalog/products",
            get=list_products,
            post=create_product,
            put=update_products,
            delete=delete_products,
        ),
        route(_PRODUCT, get=get_product, put=update_product, delete=delete_product),
    ],
)
