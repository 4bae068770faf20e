"""Metafields, as every resource that has them serves them (brands, categories, products, channels).

Per the specs: `…/{id}/metafields[/{metafield_id}]` for one resource and
`…/metafields` in batch (GET, POST, PUT, DELETE). A metafield is unique per
(client id, namespace, key, resource) → 409; `app_only` ones exist only for the
API account that created them; other accounts may read the rest and write
`write*` ones, but never change namespace, key or permission set (403); at
most 250 per resource and client. Deleting a resource deletes its metafields.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.http import (
    ApiError,
    batch_meta,
    client_id_of,
    collection,
    comma_list,
    error_body,
    invalid,
    no_content,
    not_found,
    ok,
    page_of,
    read_json,
    read_object,
    route,
    sandbox_of,
    single,
)
from storeconf.sandbox.core.query import ID_OPS, Filter, Where, fetch_page, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS metafields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_type TEXT NOT NULL,
    resource_id INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    permission_set TEXT NOT NULL,
    value TEXT NOT NULL,
    description TEXT NOT NULL,
    date_created TEXT NOT NULL,
    date_modified TEXT NOT NULL,
    UNIQUE (client_id, namespace, key, resource_type, resource_id)
);
CREATE INDEX IF NOT EXISTS metafields_resource ON metafields (resource_type, resource_id);
"""

PERMISSIONS = ("app_only", "read", "write", "read_and_sf_access", "write_and_sf_access")
MAX_PER_RESOURCE = 250
_FIELDS = (
    Field("permission_set", "string", enum=PERMISSIONS),
    Field("namespace", "string", min_length=1, max_length=64),
    Field("key", "string", min_length=1, max_length=64),
    Field("value", "string", min_length=1, max_length=65535),
    Field("description", "string", max_length=255),
)
_REQUIRED = ("permission_set", "namespace", "key", "value")
_OWNER_ONLY = ("namespace", "key", "permission_set")
_FILTERS = (
    Filter("id", "id", "int", ID_OPS),
    Filter("key", "key", "str", ("eq", "in")),
    Filter("namespace", "namespace", "str", ("eq", "in")),
)
_CONFLICT = (
    "The metafield was in conflict with another metafield. This is the result of a duplicate unique key "
    "combination of the app's client id, namespace, key, resource_type, and resource_id."
)


@dataclass(frozen=True)
class Owner:
    """A resource type that has metafields: where it is served and which table holds it."""

    resource_type: str
    path: str  # e.g. /v3/catalog/brands
    param: str  # e.g. brand_id
    table: str


def resource(name: str, owners: Sequence[Owner], *, schema: str = "") -> Resource:
    """The routes for `owners`' metafields; the table is created by whichever resource passes SCHEMA."""
    routes = []
    for owner in owners:
        one = f"{owner.path}/{{{owner.param}:id64}}/metafields"
        routes += [
            route(f"{owner.path}/metafields", **_batch_handlers(owner)),
            route(one, get=_handler(_list, owner), post=_handler(_create, owner)),
            route(
                f"{one}/{{metafield_id:id64}}",
                get=_handler(_get_one, owner),
                put=_handler(_update, owner),
                delete=_handler(_delete, owner),
            ),
        ]
    return Resource(name=name, schema=schema, routes=routes)


def _handler(fn: Any, owner: Owner) -> Any:
    async def run(request: Request) -> Response:
        _purge_orphans(request, owner)
        result: Response = await fn(request, owner)
        return result

    return run


def _batch_handlers(owner: Owner) -> dict[str, Any]:
    return {
        "get": _handler(_batch_list, owner),
        "post": _handler(_batch_create, owner),
        "put": _handler(_batch_update, owner),
        "delete": _handler(_batch_delete, owner),
    }


# ---- one resource ------------------------------------------------------------------------


async def _list(request: Request, owner: Owner) -> Response:
    resource_id = _existing(request, owner)
    where = _visible(request, owner).extend("resource_id = ?", resource_id)
    return _page(request, where)


async def _create(request: Request, owner: Owner) -> Response:
    resource_id = _existing(request, owner)
    body = await read_object(request)
    return single(_insert(request, owner, resource_id, body))


async def _get_one(request: Request, owner: Owner) -> Response:
    resource_id = _existing(request, owner)
    return single(_to_api(_row(request, owner, resource_id, request.path_params["metafield_id"])))


async def _update(request: Request, owner: Owner) -> Response:
    resource_id = _existing(request, owner)
    row = _row(request, owner, resource_id, request.path_params["metafield_id"])
    body = await read_object(request)
    return single(_change(request, row, body))


async def _delete(request: Request, owner: Owner) -> Response:
    resource_id = _existing(request, owner)
    row = _row(request, owner, resource_id, request.path_params["metafield_id"])
    _check_writable(request, row)
    db = sandbox_of(request).db
    with db.tx():
        db.execute("DELETE FROM metafields WHERE id = ?", [row["id"]])
    return no_content()


# ---- batch ---------------------------------------------------------------------------------


async def _batch_list(request: Request, owner: Owner) -> Response:
    return _page(request, _visible(request, owner))


async def _batch_create(request: Request, owner: Owner) -> Response:
    items = await _items(request)
    db = sandbox_of(request).db
    done, errors = [], []
    with db.tx():
        for item in items:
            try:
                resource_id = item.get("resource_id") if isinstance(item, dict) else None
                if not isinstance(resource_id, int) or isinstance(resource_id, bool):
                    raise invalid({"resource_id": MISSING})
                if not _exists(request, owner, resource_id):
                    raise not_found()
                with db.tx():
                    done.append(_insert(request, owner, resource_id, item))
            except ApiError as exc:
                errors.append(exc.body)
    return _batch_answer(done, errors, len(items))


async def _batch_update(request: Request, owner: Owner) -> Response:
    items = await _items(request)
    db = sandbox_of(request).db
    done, errors = [], []
    with db.tx():
        for item in items:
            try:
                found = _visible_row(request, owner, item.get("id") if isinstance(item, dict) else None)
                with db.tx():
                    done.append(_change(request, found, item))
            except ApiError as exc:
                errors.append(exc.body)
    return _batch_answer(done, errors, len(items))


async def _batch_delete(request: Request, owner: Owner) -> Response:
    ids = await _items(request)
    db = sandbox_of(request).db
    done, errors = [], []
    with db.tx():
        for metafield_id in ids:
            try:
                row = _visible_row(request, owner, metafield_id)
                _check_writable(request, row)
                db.execute("DELETE FROM metafields WHERE id = ?", [row["id"]])
                done.append(row["id"])
            except ApiError as exc:
                errors.append(exc.body)
    return _batch_answer(done, errors, len(ids))


async def _items(request: Request) -> list[Any]:
    body = await read_json(request)
    if not isinstance(body, list):
        raise invalid({}, title="The request body must be an array.")
    return body


def _batch_answer(done: list[Any], errors: list[Any], total: int) -> Response:
    # Partial success is a 422 that still carries what was done (MetaFieldCollectionResponsePartialSuccess).
    body = {"data": done, "errors": errors, "meta": batch_meta(total, len(done))}
    return ok(body, 422 if errors else 200)


# ---- rules ---------------------------------------------------------------------------------


def _insert(request: Request, owner: Owner, resource_id: int, body: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid({}, title="Each metafield must be an object.")
    _validate(body, required=_REQUIRED)
    sandbox = sandbox_of(request)
    client = client_id_of(request)
    count = sandbox.db.scalar(
        "SELECT COUNT(*) FROM metafields WHERE resource_type = ? AND resource_id = ? AND client_id = ?",
        [owner.resource_type, resource_id, client],
    )
    if count >= MAX_PER_RESOURCE:
        title = f"The maximum number of metafields per {owner.resource_type} is {MAX_PER_RESOURCE}."
        raise invalid({"resource_id": title}, title=title)
    now = sandbox.iso_now()
    values = [
        owner.resource_type,
        resource_id,
        client,
        body["namespace"],
        body["key"],
        body["permission_set"],
    ]
    values += [body["value"], body.get("description", ""), now, now]
    try:
        with sandbox.db.tx():
            cursor = sandbox.db.execute(
                "INSERT INTO metafields (resource_type, resource_id, client_id, namespace, key,"
                " permission_set, value, description, date_created, date_modified)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
    except sqlite3.IntegrityError:
        raise ApiError.of(409, _CONFLICT, errors={"key": f"{body['namespace']}.{body['key']}"}) from None
    return _to_api(sandbox.db.query_one("SELECT * FROM metafields WHERE id = ?", [cursor.lastrowid]))


def _change(request: Request, row: sqlite3.Row, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid({}, title="Each metafield must be an object.")
    _validate(body, required=())
    _check_writable(request, row)
    if row["client_id"] != client_id_of(request) and any(
        k in body and body[k] != row[k] for k in _OWNER_ONLY
    ):
        raise ApiError(
            403,
            error_body(
                403, "Only the app that created a metafield can change its namespace, key or permission_set."
            ),
        )
    sandbox = sandbox_of(request)
    doc = {k: body.get(k, row[k]) for k in (*_OWNER_ONLY, "value", "description")}
    try:
        with sandbox.db.tx():
            sandbox.db.execute(
                "UPDATE metafields SET namespace = ?, key = ?, permission_set = ?, value = ?,"
                " description = ?, date_modified = ? WHERE id = ?",
                [*doc.values(), sandbox.iso_now(), row["id"]],
            )
    except sqlite3.IntegrityError:
        raise ApiError.of(409, _CONFLICT, errors={"key": f"{doc['namespace']}.{doc['key']}"}) from None
    return _to_api(sandbox.db.query_one("SELECT * FROM metafields WHERE id = ?", [row["id"]]))


def _validate(body: dict[str, Any], required: Sequence[str]) -> None:
    errors = check(body, _FIELDS, required=tuple(required))
    if errors:
        raise invalid(errors, title="The metafield is not valid.")


def _check_writable(request: Request, row: sqlite3.Row) -> None:
    if row["client_id"] != client_id_of(request) and not str(row["permission_set"]).startswith("write"):
        raise ApiError(403, error_body(403, "This metafield is read-only for other apps."))


def _visible(request: Request, owner: Owner) -> Where:
    """What the calling account can see: its own metafields, and the others' that are not app_only."""
    where = where_from(request, _FILTERS).extend("resource_type = ?", owner.resource_type)
    return where.extend("(client_id = ? OR permission_set != 'app_only')", client_id_of(request))


def _visible_row(request: Request, owner: Owner, metafield_id: Any) -> sqlite3.Row:
    if not isinstance(metafield_id, int) or isinstance(metafield_id, bool):
        raise invalid({"id": MISSING})
    row = sandbox_of(request).db.query_one(
        "SELECT * FROM metafields WHERE id = ? AND resource_type = ?"
        " AND (client_id = ? OR permission_set != 'app_only')",
        [metafield_id, owner.resource_type, client_id_of(request)],
    )
    if row is None:
        raise not_found()
    return row


def _row(request: Request, owner: Owner, resource_id: int, metafield_id: int) -> sqlite3.Row:
    row = _visible_row(request, owner, metafield_id)
    if row["resource_id"] != resource_id:
        raise not_found()
    return row


def _page(request: Request, where: Where) -> Response:
    db = sandbox_of(request).db
    page = page_of(request)
    _reject_cursor(request)
    direction = "DESC" if request.query_params.get("direction") == "desc" else "ASC"
    rows, total = fetch_page(db, "metafields", where, f"id {direction}", page)
    return collection(request, [_to_api(row) for row in rows], total, page)


def _reject_cursor(request: Request) -> None:
    cursor = comma_list(request, "before") or comma_list(request, "after")
    if cursor and "page" in request.query_params:
        raise invalid({}, title="Cursor and page pagination cannot be combined.")


def _existing(request: Request, owner: Owner) -> int:
    resource_id: int = request.path_params[owner.param]
    if not _exists(request, owner, resource_id):
        raise not_found()
    return resource_id


def _exists(request: Request, owner: Owner, resource_id: int) -> bool:
    db = sandbox_of(request).db
    return db.query_one(f"SELECT 1 FROM {owner.table} WHERE id = ?", [resource_id]) is not None


def _purge_orphans(request: Request, owner: Owner) -> None:
    """Metafields of deleted resources are gone with them (ids are never reused, so doing it
    lazily here is the same as a cascade on delete, seen from the API)."""
    db = sandbox_of(request).db
    with db.tx():
        gone = f"resource_id NOT IN (SELECT id FROM {owner.table})"
        db.execute(f"DELETE FROM metafields WHERE resource_type = ? AND {gone}", [owner.resource_type])


def _to_api(row: sqlite3.Row | None) -> dict[str, Any]:
    assert row is not None
    return {
        "id": row["id"],
        "key": row["key"],
        "value": row["value"],
        "namespace": row["namespace"],
        "permission_set": row["permission_set"],
        "resource_type": row["resource_type"],
        "resource_id": row["resource_id"],
        "description": row["description"],
        "date_created": row["date_created"],
        "date_modified": row["date_modified"],
        "owner_client_id": row["client_id"],
    }
