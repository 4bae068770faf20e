"""Tree categories: `/v3/catalog/trees/categories` (batch create/update/delete, list)
and `/v3/catalog/trees/{tree_id}/categories` (the nested tree).

Batches save item by item: good items are kept, bad ones are reported per request
index (`"1.name": "..."`) in the spec's 207 `errors` object; when every item fails
the answer is 422 with the same `errors` object.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.catalog import category_store as store
from storeconf.sandbox.catalog.category_store import MAX_DEPTH, CategoryError, fail
from storeconf.sandbox.catalog.trees import tree_exists
from storeconf.sandbox.core.db import StoreDb, load_doc
from storeconf.sandbox.core.http import (
    STATUS_CODES_URL,
    ApiError,
    batch_meta,
    collection,
    error_body,
    invalid,
    nested_422,
    ok,
    page_of,
    query_int,
    read_json,
    route,
    sandbox_of,
    select_fields,
    wrapped,
)
from storeconf.sandbox.core.query import Filter, Where, fetch_page, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, Field, check

SORTS = (
    "use_store_settings",
    "featured",
    "newest",
    "best_selling",
    "alpha_asc",
    "alpha_desc",
    "avg_customer_review",
    "price_asc",
    "price_desc",
)
_CONTENT = (
    Field("description", "string", max_length=65535),
    Field("views", "integer", minimum=0),
    Field("sort_order", "integer", minimum=-2147483648, maximum=2147483647),
    Field("page_title", "string"),
    Field("meta_keywords", "strings"),
    Field("meta_description", "string", max_length=65535),
    Field("layout_file", "string", max_length=50),
    Field("image_url", "string"),
    Field("is_visible", "boolean"),
    Field("search_keywords", "string", max_length=255),
    Field("default_product_sort", "string", enum=SORTS),
)
_PLACEMENT = (
    Field("name", "string", min_length=1, max_length=50),
    Field("tree_id", "integer", minimum=1),
    Field("parent_id", "integer", minimum=0),
    Field("url", "object"),
)
_CREATE_FIELDS = (*_PLACEMENT, *_CONTENT)
_UPDATE_FIELDS = (Field("category_id", "integer", minimum=1), *_CREATE_FIELDS)
_CONTENT_NAMES = tuple(field.name for field in _CONTENT)
_NAME = "json_extract(doc, '$.name')"
_PAGE_TITLE = "json_extract(doc, '$.page_title')"
_SELECTORS = (
    Filter("category_id", "id", "int", ("in", "not_in")),
    Filter("category_uuid", "uuid", "str", ("in", "not_in")),
    Filter("tree_id", "tree_id", "int", ("in", "not_in")),
    Filter("parent_id", "parent_id", "int", ("in", "not_in")),
)
_FILTERS = (
    *_SELECTORS,
    Filter("name", _NAME, "str", ("eq", "like")),
    Filter("page_title", _PAGE_TITLE, "str", ("eq", "like")),
    Filter("is_visible", "json_extract(doc, '$.is_visible')", "bool"),
)
_DELETE_FILTERS = tuple(Filter(f.name, f.column, f.kind, ("in",)) for f in _SELECTORS)


@nested_422
async def list_categories(request: Request) -> Response:
    page = page_of(request)
    where = _keyword(request, where_from(request, _FILTERS))
    rows, total = fetch_page(sandbox_of(request).db, "categories", where, "id ASC", page)
    items = [select_fields(request, store.to_api(row), "category_id") for row in rows]
    return collection(request, items, total, page)


def _keyword(request: Request, where: Where) -> Where:
    keyword = request.query_params.get("keyword")
    if not keyword:
        return where
    fields = ("name", "description", "page_title", "search_keywords")
    clause = " OR ".join(f"json_extract(doc, '$.{name}') LIKE ?" for name in fields)
    return where.extend(f"({clause})", *[f"%{keyword}%"] * len(fields))


async def get_tree(request: Request) -> Response:
    db = sandbox_of(request).db
    tree_id: int = request.path_params["tree_id"]
    if not tree_exists(db, tree_id):
        raise ApiError(404, error_body(404, f"Category tree {tree_id} not found.", errors={}))
    # `depth=N` returns N levels: 1 is the top level only.
    levels = query_int(request, "depth")
    return ok({"data": store.node_tree(db, tree_id, levels), "meta": {}})


@nested_422
async def create_categories(request: Request) -> Response:
    items = await _read_items(request)
    db = sandbox_of(request).db
    created: list[int] = []
    errors: dict[str, str] = {}
    with db.tx():
        for index, item in enumerate(items):
            try:
                with db.tx():
                    created.append(_create_one(db, item))
            except CategoryError as error:
                errors |= {f"{index}.{field}": message for field, message in error.errors.items()}
    rows = [store.get_row(db, category_id) for category_id in created]
    data = [store.to_api(row) for row in rows if row is not None]
    return _batch_answer(len(items), errors, {"data": data}, 201, "created")


@nested_422
async def update_categories(request: Request) -> Response:
    items = await _read_items(request)
    db = sandbox_of(request).db
    errors: dict[str, str] = {}
    with db.tx():
        for index, item in enumerate(items):
            try:
                with db.tx():
                    _update_one(db, item)
            except CategoryError as error:
                errors |= {f"{index}.{field}": message for field, message in error.errors.items()}
    return _batch_answer(len(items), errors, {}, 200, "updated")


@nested_422
async def delete_categories(request: Request) -> Response:
    where = where_from(request, _DELETE_FILTERS)
    if not where.clauses:
        names = ", ".join(f"{f.name}:in" for f in _DELETE_FILTERS)
        raise invalid({"filter": MISSING}, title=f"One of the filters {names} is required.")
    db = sandbox_of(request).db
    with db.tx():
        deleted = store.delete_subtrees(db, where.sql(), where.params)
    return ok({"meta": batch_meta(deleted, deleted)}, status=202)


async def _read_items(request: Request) -> list[Any]:
    def malformed() -> ApiError:
        return ApiError(400, {"errors": [error_body(400, "Input is invalid", type_=STATUS_CODES_URL)]})

    items = await read_json(request, malformed)
    if not isinstance(items, list) or not items:
        raise invalid({"body": "error.expected.jsarray"})
    return items


def _batch_answer(
    total: int, errors: dict[str, str], body: dict[str, Any], status: int, verb: str
) -> Response:
    failed = len({key.split(".", 1)[0] for key in errors})
    meta = batch_meta(total, total - failed)
    if not errors:
        return ok({**body, "meta": meta}, status=status)
    if failed == total:
        raise wrapped(invalid(errors, title=f"No category was {verb}."), total, 0)
    title = f"{failed} of {total} categories could not be {verb}."
    return ok({**body, "errors": error_body(207, title, errors=errors), "meta": meta}, status=207)


def _create_one(db: StoreDb, item: Any) -> int:
    errors = _item_errors(item, _CREATE_FIELDS, ("name",))
    if isinstance(item, dict) and "tree_id" not in item and "parent_id" not in item:
        errors["tree_id"] = "tree_id (top level) or parent_id (child) is required"
    if errors:
        raise CategoryError(errors)
    parent_id, tree_id = item.get("parent_id", 0), item.get("tree_id")
    if parent_id == 0 and tree_id is not None and not tree_exists(db, tree_id):
        raise fail("tree_id", f"Category tree {tree_id} does not exist.")
    tree_id, depth, parent_path = store.placement(db, tree_id, parent_id)
    if depth > MAX_DEPTH:
        raise fail("parent_id", f"Categories can be at most {MAX_DEPTH + 1} levels deep.")
    doc = {**store.DEFAULTS, **{k: item[k] for k in _CONTENT_NAMES if k in item}, "name": item["name"]}
    doc["url"] = _url(db, item, tree_id, parent_path, None)
    return store.insert(db, tree_id, parent_id, doc)


def _update_one(db: StoreDb, item: Any) -> None:
    errors = _item_errors(item, _UPDATE_FIELDS, ("category_id",))
    if errors:
        raise CategoryError(errors)
    row = store.get_row(db, item["category_id"])
    if row is None:
        raise fail("category_id", f"Category {item['category_id']} does not exist.")
    if item.get("tree_id", row["tree_id"]) != row["tree_id"]:
        raise fail("tree_id", "A category cannot be moved to another tree.")
    parent_id = item.get("parent_id", row["parent_id"])
    _, depth, parent_path = store.placement(db, row["tree_id"], parent_id)
    if parent_id != row["parent_id"]:
        _check_move(db, row["id"], parent_id, depth)
    doc = load_doc(row["doc"])
    doc.update({k: item[k] for k in (*_CONTENT_NAMES, "name") if k in item})
    if "url" in item:
        doc["url"] = _url(db, item, row["tree_id"], parent_path, row["id"])
    store.update(db, row["id"], parent_id, doc)


def _check_move(db: StoreDb, category_id: int, parent_id: int, depth: int) -> None:
    if parent_id and store.in_subtree(db, category_id, parent_id):
        raise fail("parent_id", "A category cannot be moved under itself or its descendants.")
    if depth + store.subtree_height(db, category_id) > MAX_DEPTH:
        raise fail("parent_id", f"Categories can be at most {MAX_DEPTH + 1} levels deep.")


def _item_errors(item: Any, fields: tuple[Field, ...], required: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(item, dict):
        return {"item": "error.expected.jsobject"}
    errors = check(item, fields, required=required)
    url = item.get("url")
    if isinstance(url, dict) and "url" not in errors:
        path = url.get("path")
        if not isinstance(path, str) or not 1 <= len(path) <= 255 or not path.startswith("/"):
            errors["url.path"] = MISSING if path is None else "must be 1 to 255 characters starting with '/'"
        if not isinstance(url.get("is_customized", True), bool):
            errors["url.is_customized"] = "error.expected.jsboolean"
    return errors


def _url(
    db: StoreDb, item: dict[str, Any], tree_id: int, parent_path: str, own_id: int | None
) -> dict[str, Any]:
    given = item.get("url")
    if given is None:
        return {
            "path": store.free_url(db, tree_id, parent_path, item["name"], own_id),
            "is_customized": False,
        }
    if store.url_owner(db, tree_id, given["path"]) not in (None, own_id):
        raise fail("url", f"The URL '{given['path']}' is used by another category.")
    return {"path": given["path"], "is_customized": given.get("is_customized", True)}


RESOURCE = Resource(
    name="categories",
    schema=store.SCHEMA,
    routes=[
        route(
            "/v3/catalog/trees/categories",
            get=list_categories,
            post=create_categories,
            put=update_categories,
            delete=delete_categories,
        ),
        route("/v3/catalog/trees/{tree_id:id64}/categories", get=get_tree),
    ],
)
