"""Price lists: `/v3/pricelists` and `/v3/pricelists/{price_list_id}`.

Names are unique (409). A PUT must carry `name` (the spec's schema), even to toggle
`active`. `DELETE /v3/pricelists` takes optional `id:in`/`name` filters: without one
it deletes every list, as the spec's title says ("Delete All Price Lists"). Deleting
a list deletes its records and assignments.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.concurrency import Cap
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import (
    ApiError,
    invalid,
    no_content,
    not_found,
    ok,
    read_object,
    route,
    sandbox_of,
    single,
)
from storeconf.sandbox.core.query import ID_OPS, Filter, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import Field, check
from storeconf.sandbox.pricing import paging

SCHEMA = """
CREATE TABLE IF NOT EXISTS price_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_key TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
"""

_NAME = "json_extract(doc, '$.name')"
_FILTERS = (
    Filter("id", "id", "int", ID_OPS),
    Filter("name", _NAME, "str", ("eq", "like")),
    Filter("date_created", "json_extract(doc, '$.date_created')", "str", ("eq", "min", "max")),
    Filter("date_modified", "json_extract(doc, '$.date_modified')", "str", ("eq", "min", "max")),
)
_DELETE_FILTERS = (Filter("id", "id", "int", ("in",)), Filter("name", _NAME))
_FIELDS = (Field("name", "string", min_length=1, max_length=255), Field("active", "boolean"))


def iso_z(seconds: float) -> str:
    """Price-list dates look like `2022-09-17T20:33:14Z`."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def list_lists(request: Request) -> Response:
    db = sandbox_of(request).db
    rows, meta = paging.fetch(request, db, "price_lists", where_from(request, _FILTERS))
    return ok({"data": [_to_api(row) for row in rows], "meta": meta})


async def create_list(request: Request) -> Response:
    sandbox = sandbox_of(request)
    body = await read_object(request)
    _validate(body, required=("name",))
    now = iso_z(sandbox.config.now())
    doc = {
        "name": body["name"],
        "active": body.get("active", True),
        "date_created": now,
        "date_modified": now,
    }
    with sandbox.db.tx():
        list_id = _write(sandbox.db, "INSERT INTO price_lists (name_key, doc) VALUES (?, ?)", doc)
    return single(_to_api(get_row(sandbox.db, list_id)))


async def get_list(request: Request) -> Response:
    return single(_to_api(get_row(sandbox_of(request).db, request.path_params["price_list_id"])))


async def update_list(request: Request) -> Response:
    sandbox = sandbox_of(request)
    list_id = request.path_params["price_list_id"]
    doc = load_doc(get_row(sandbox.db, list_id)["doc"])
    body = await read_object(request)
    _validate(body, required=("name",))
    doc |= {k: body[k] for k in ("name", "active") if k in body}
    doc["date_modified"] = iso_z(sandbox.config.now())
    with sandbox.db.tx():
        _write(sandbox.db, "UPDATE price_lists SET name_key = ?, doc = ? WHERE id = ?", doc, list_id)
    return single(_to_api(get_row(sandbox.db, list_id)))


async def delete_list(request: Request) -> Response:
    db = sandbox_of(request).db
    list_id = request.path_params["price_list_id"]
    get_row(db, list_id)
    with db.tx():
        db.execute("DELETE FROM price_lists WHERE id = ?", [list_id])
    return no_content()


async def delete_lists(request: Request) -> Response:
    where = where_from(request, _DELETE_FILTERS)
    db = sandbox_of(request).db
    with db.tx():
        db.execute(f"DELETE FROM price_lists{where.sql()}", where.params)
    return no_content()


def get_row(db: StoreDb, list_id: int) -> sqlite3.Row:
    row = db.query_one("SELECT * FROM price_lists WHERE id = ?", [list_id])
    if row is None:
        raise not_found()
    return row


def _validate(body: dict[str, Any], required: tuple[str, ...]) -> None:
    errors = check(body, _FIELDS, required=required)
    if errors:
        raise invalid(errors, title="The price list is not valid.")


def _write(db: StoreDb, sql: str, doc: dict[str, Any], *extra: Any) -> int:
    try:
        cursor = db.execute(sql, [str(doc["name"]).casefold(), dump_doc(doc), *extra])
    except sqlite3.IntegrityError:
        title = f"A price list named '{doc['name']}' already exists."
        raise ApiError.of(409, title, errors={"name": title}) from None
    return int(cursor.lastrowid or 0) if not extra else int(extra[0])


def _to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "name": doc["name"],
        "date_created": doc["date_created"],
        "date_modified": doc["date_modified"],
        "active": doc["active"],
    }


RESOURCE = Resource(
    name="price_lists",
    schema=SCHEMA,
    routes=[
        route("/v3/pricelists", get=list_lists, post=create_list, delete=delete_lists),
        route("/v3/pricelists/{price_list_id:id64}", get=get_list, put=update_list, delete=delete_list),
    ],
    caps=(Cap("DELETE", r"/v3/pricelists/\d+", 1),),
)
