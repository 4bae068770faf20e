"""Webhooks: `/v3/hooks` and `/v3/hooks/{webhook_id}`, scoped to the calling client id.

Errors use the webhooks spec's own shapes and titles (relative `type`, Play-JSON
`error.path.missing.` with its trailing dot). The spec documents no 409 for
webhooks, so the per-client limits (one hook per scope + destination, ten per
scope) answer 422 like any other invalid request.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import (
    INVALID_JSON_TITLE,
    STATUS_CODES_PATH,
    ApiError,
    client_id_of,
    collection,
    error_body,
    page_of,
    read_object,
    route,
    sandbox_of,
    single,
)
from storeconf.sandbox.core.query import Filter, fetch_page, owned_row, owned_where
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    destination TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (client_id, scope, destination)
);
"""

MAX_PER_SCOPE = 10
MISSING = "error.path.missing."
_FIELDS = (
    Field("scope", "string", min_length=1),
    Field("destination", "string", min_length=1),
    Field("is_active", "boolean"),
    Field("headers", "string_map", nullable=True),
)
_WRITABLE = tuple(field.name for field in _FIELDS)
_FILTERS = (
    Filter("is_active", "is_active", "bool"),
    Filter("scope", "scope"),
    Filter("destination", "destination"),
)


def unprocessable(errors: dict[str, str]) -> ApiError:
    return ApiError(422, error_body(422, INVALID_JSON_TITLE, errors=errors, type_=STATUS_CODES_PATH))


def malformed() -> ApiError:
    return ApiError(400, error_body(400, "Input is invalid.", type_=STATUS_CODES_PATH))


async def list_hooks(request: Request) -> Response:
    page = page_of(request)
    where = owned_where(request, _FILTERS)
    rows, total = fetch_page(sandbox_of(request).db, "webhooks", where, "id ASC", page)
    return collection(request, [to_api(row) for row in rows], total, page)


async def create_hook(request: Request) -> Response:
    body = await read_object(request, malformed)
    _validate(body, required=("scope", "destination"))
    sandbox, client_id = sandbox_of(request), client_id_of(request)
    now = sandbox.epoch_now()
    doc = {
        "store_hash": sandbox.config.store_hash,
        "headers": body.get("headers"),
        "is_active": body.get("is_active", True),
        "created_at": now,
        "updated_at": now,
    }
    with sandbox.db.tx():
        _check_scope_limit(sandbox.db, client_id, body["scope"], None)
        _check_unique(sandbox.db, client_id, body["scope"], body["destination"], None)
        cursor = _write(
            sandbox.db,
            "INSERT INTO webhooks (client_id, scope, destination, is_active, doc) VALUES (?, ?, ?, ?, ?)",
            [client_id, body["scope"], body["destination"], doc["is_active"], dump_doc(doc)],
        )
    return single(to_api(_row(sandbox.db, client_id, int(cursor.lastrowid or 0))))


async def get_hook(request: Request) -> Response:
    row = _row(sandbox_of(request).db, client_id_of(request), request.path_params["webhook_id"])
    return single(to_api(row))


async def update_hook(request: Request) -> Response:
    sandbox, client_id = sandbox_of(request), client_id_of(request)
    row = _row(sandbox.db, client_id, request.path_params["webhook_id"])
    body = await read_object(request, malformed)
    if not any(name in body for name in _WRITABLE):
        raise unprocessable({"body": "at least one of " + ", ".join(_WRITABLE) + " is required"})
    _validate(body, required=())
    hook = to_api(row) | {k: body[k] for k in _WRITABLE if k in body}
    doc = load_doc(row["doc"]) | {"headers": hook["headers"], "is_active": hook["is_active"]}
    doc["updated_at"] = sandbox.epoch_now()
    with sandbox.db.tx():
        if hook["scope"] != row["scope"]:
            _check_scope_limit(sandbox.db, client_id, hook["scope"], row["id"])
        _check_unique(sandbox.db, client_id, hook["scope"], hook["destination"], row["id"])
        _write(
            sandbox.db,
            "UPDATE webhooks SET scope = ?, destination = ?, is_active = ?, doc = ? WHERE id = ?",
            [hook["scope"], hook["destination"], hook["is_active"], dump_doc(doc), row["id"]],
        )
    return single(to_api(_row(sandbox.db, client_id, row["id"])))


async def delete_hook(request: Request) -> Response:
    """Unlike most DELETEs this answers 200 with the webhook that was deleted."""
    db, client_id = sandbox_of(request).db, client_id_of(request)
    hook = to_api(_row(db, client_id, request.path_params["webhook_id"]))
    with db.tx():
        db.execute("DELETE FROM webhooks WHERE id = ?", [hook["id"]])
    return single(hook)


def _validate(body: dict[str, Any], required: tuple[str, ...]) -> None:
    errors = check(body, _FIELDS, required=required, missing=MISSING)
    if "scope" in body and "scope" not in errors and not body["scope"].startswith("store/"):
        errors["scope"] = "must be a webhook event scope such as store/order/created"
    if "destination" in body and "destination" not in errors and not _https_443(body["destination"]):
        errors["destination"] = "must be an https URL served on port 443"
    if errors:
        raise unprocessable(errors)


def _https_443(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme == "https" and bool(parts.hostname) and parts.port in (None, 443)
    except ValueError:
        return False


def _check_scope_limit(db: StoreDb, client_id: str, scope: str, own_id: int | None) -> None:
    count = db.scalar(
        "SELECT COUNT(*) FROM webhooks WHERE client_id = ? AND scope = ? AND id IS NOT ?",
        [client_id, scope, own_id],
    )
    if int(count) >= MAX_PER_SCOPE:
        raise unprocessable({"scope": f"at most {MAX_PER_SCOPE} webhooks per scope are allowed"})


def _check_unique(db: StoreDb, client_id: str, scope: str, destination: str, own_id: int | None) -> None:
    """One hook per scope and destination. URLs that differ only in the case of the scheme or
    host are the same destination (both are case-insensitive); the path is not."""
    wanted = _destination_key(destination)
    rows = db.query(
        "SELECT destination FROM webhooks WHERE client_id = ? AND scope = ? AND id IS NOT ?",
        [client_id, scope, own_id],
    )
    if any(_destination_key(row["destination"]) == wanted for row in rows):
        raise _duplicate()


def _destination_key(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def _duplicate() -> ApiError:
    return unprocessable({"destination": "a webhook for this scope and destination already exists"})


def _write(db: StoreDb, sql: str, params: list[Any]) -> sqlite3.Cursor:
    # `_check_unique` runs first; the UNIQUE constraint is the backstop for exact repeats.
    try:
        return db.execute(sql, params)
    except sqlite3.IntegrityError:
        raise _duplicate() from None


def _row(db: StoreDb, client_id: str, webhook_id: int) -> sqlite3.Row:
    row = owned_row(db, "webhooks", "id", webhook_id, client_id)
    if row is None:
        title = f"Webhook with id [{webhook_id}] not found"
        raise ApiError(404, error_body(404, title, type_=STATUS_CODES_PATH))
    return row


def to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "client_id": row["client_id"],
        "store_hash": doc["store_hash"],
        "scope": row["scope"],
        "destination": row["destination"],
        "headers": doc["headers"],
        "is_active": bool(row["is_active"]),
        "created_at": doc["created_at"],
        "updated_at": doc["updated_at"],
    }


RESOURCE = Resource(
    name="webhooks",
    schema=SCHEMA,
    routes=[
        route("/v3/hooks", get=list_hooks, post=create_hook),
        route("/v3/hooks/{webhook_id:id64}", get=get_hook, put=update_hook, delete=delete_hook),
    ],
)
