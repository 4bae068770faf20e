"""Brands: `/v3/catalog/brands` and `/v3/catalog/brands/{brand_id}`."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import (
    ApiError,
    collection,
    invalid,
    no_content,
    not_found,
    page_of,
    read_object,
    route,
    sandbox_of,
    select_fields,
    single,
)
from storeconf.sandbox.core.query import ID_OPS, Filter, fetch_page, order_from, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS brands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_key TEXT NOT NULL UNIQUE,
    url_key TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
"""

_NAME = "json_extract(doc, '$.name')"
_FILTERS = (
    Filter("id", "id", "int", ID_OPS),
    Filter("name", _NAME, "str", ("eq", "like")),
    Filter("page_title", "json_extract(doc, '$.page_title')"),
)
_DELETE_FILTERS = (Filter("name", _NAME), Filter("page_title", "json_extract(doc, '$.page_title')"))
_FIELDS = (
    Field("name", "string", min_length=1, max_length=255),
    Field("page_title", "string", max_length=255),
    Field("meta_keywords", "strings"),
    Field("meta_description", "string", max_length=65535),
    Field("search_keywords", "string", max_length=65535),
    Field("image_url", "string"),
    Field("custom_url", "object"),
)
_WRITABLE = tuple(field.name for field in _FIELDS)
_DEFAULTS: dict[str, Any] = {
    "page_title": "",
    "meta_keywords": [],
    "meta_description": "",
    "image_url": "",
    "search_keywords": "",
}
_URL_PATTERN = re.compile(r"^(/([A-Za-z0-9\-_.]{1,256}))*/?$")
_CONFLICT_TITLE = (
    "The brand was in conflict with another brand. This is the result of duplicate unique fields."
)


async def list_brands(request: Request) -> Response:
    db = sandbox_of(request).db
    page = page_of(request)
    order = order_from(request, {"name": _NAME}, "id")
    rows, total = fetch_page(db, "brands", where_from(request, _FILTERS), order, page)
    items = [select_fields(request, _to_api(row), "id") for row in rows]
    return collection(request, items, total, page)


async def create_brand(request: Request) -> Response:
    body = await read_object(request)
    _validate(body)
    doc = {**_DEFAULTS, **{k: body[k] for k in _WRITABLE if k in body}}
    if "custom_url" in body:
        doc["custom_url"] = _explicit_url(body["custom_url"])
    db = sandbox_of(request).db
    with db.tx():
        brand_id = _insert(db, doc)
    return single(_get(db, brand_id))


async def get_brand(request: Request) -> Response:
    brand = _get(sandbox_of(request).db, request.path_params["brand_id"])
    return single(select_fields(request, brand, "id"))


async def update_brand(request: Request) -> Response:
    db = sandbox_of(request).db
    brand_id: int = request.path_params["brand_id"]
    current = _get(db, brand_id)
    body = await read_object(request)
    _validate(body)
    doc = {k: v for k, v in current.items() if k != "id"}
    doc.update({k: body[k] for k in _WRITABLE if k in body})
    if "custom_url" in body:
        doc["custom_url"] = _explicit_url(body["custom_url"])
    with db.tx():
        _write(db, "UPDATE brands SET name_key = ?, url_key = ?, doc = ? WHERE id = ?", doc, brand_id)
    return single(_get(db, brand_id))


async def delete_brand(request: Request) -> Response:
    db = sandbox_of(request).db
    brand_id: int = request.path_params["brand_id"]
    _get(db, brand_id)
    with db.tx():
        db.execute("DELETE FROM brands WHERE id = ?", [brand_id])
    return no_content()


async def delete_brands(request: Request) -> Response:
    """Bulk delete; the spec makes `name` a required filter so a bare DELETE cannot wipe the catalog."""
    name = request.query_params.get("name")
    if not name:
        raise invalid({"name": MISSING}, title="The name filter is required to delete brands.")
    where = where_from(request, _DELETE_FILTERS)
    db = sandbox_of(request).db
    with db.tx():
        db.execute(f"DELETE FROM brands{where.sql()}", where.params)
    return no_content()


def find_or_create(db: StoreDb, name: str) -> int:
    """The id of the brand named `name` (any case), created as a POST with only that name
    would create it when there is none: `brand_name` on a product write."""
    row = db.query_one("SELECT id FROM brands WHERE name_key = ?", [name.lower()])
    if row is not None:
        return int(row["id"])
    return _insert(db, {**_DEFAULTS, "name": name})


def _insert(db: StoreDb, doc: dict[str, Any]) -> int:
    if "custom_url" not in doc:
        doc["custom_url"] = {"url": _free_url(db, _slug(doc["name"]), None), "is_customized": False}
    cursor = _write(db, "INSERT INTO brands (name_key, url_key, doc) VALUES (?, ?, ?)", doc)
    return int(cursor.lastrowid or 0)


def _validate(body: dict[str, Any]) -> None:
    errors = check(body, _FIELDS, required=("name",))
    custom_url = body.get("custom_url")
    if isinstance(custom_url, dict) and "custom_url" not in errors:
        url = custom_url.get("url")
        if not isinstance(url, str):
            errors["custom_url.url"] = MISSING if url is None else "error.expected.jsstring"
        elif not 1 <= len(url) <= 1024 or not _URL_PATTERN.match(url):
            errors["custom_url.url"] = (
                "must be 1 to 1024 characters of letters, digits, '.', '-', '_' and '/' segments"
            )
        if not isinstance(custom_url.get("is_customized", True), bool):
            errors["custom_url.is_customized"] = "error.expected.jsboolean"
    if errors:
        raise invalid(errors)


def _explicit_url(custom_url: dict[str, Any]) -> dict[str, Any]:
    return {"url": custom_url["url"], "is_customized": custom_url.get("is_customized", True)}


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", name).strip("-")
    return f"/brands/{slug or 'brand'}.html"


def _free_url(db: StoreDb, url: str, brand_id: int | None) -> str:
    # Two names can share a slug ("Foo Bar", "Foo-Bar"); number the later ones.
    candidate, n = url, 1
    while _url_taken(db, candidate, brand_id):
        n += 1
        candidate = url.removesuffix(".html") + f"-{n}.html"
    return candidate


def _url_taken(db: StoreDb, url: str, brand_id: int | None) -> bool:
    row = db.query_one("SELECT id FROM brands WHERE url_key = ?", [url.lower()])
    return row is not None and row["id"] != brand_id


def _write(db: StoreDb, sql: str, doc: dict[str, Any], *extra: Any) -> sqlite3.Cursor:
    keys = [doc["name"].lower(), doc["custom_url"]["url"].lower(), dump_doc(doc)]
    try:
        return db.execute(sql, [*keys, *extra])
    except sqlite3.IntegrityError as exc:
        field = "name" if "name_key" in str(exc) else "custom_url"
        value = doc["name"] if field == "name" else doc["custom_url"]["url"]
        message = f"A brand with {field} '{value}' already exists."
        raise ApiError.of(409, _CONFLICT_TITLE, errors={field: message}) from None


def _get(db: StoreDb, brand_id: int) -> dict[str, Any]:
    row = db.query_one("SELECT * FROM brands WHERE id = ?", [brand_id])
    if row is None:
        raise not_found()
    return _to_api(row)


def _to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    keys = ("name", "page_title", "meta_keywords", "meta_description", "image_url", "search_keywords")
    return {"id": row["id"], **{k: doc[k] for k in keys}, "custom_url": doc["custom_url"]}


RESOURCE = Resource(
    name="brands",
    schema=SCHEMA,
    routes=[
        route("/v3/catalog/brands", get=list_brands, post=create_brand, delete=delete_brands),
        route("/v3/catalog/brands/{brand_id:id64}", get=get_brand, put=update_brand, delete=delete_brand),
    ],
)
