"""Customer groups: `/v2/customer_groups`, `/v2/customer_groups/{id}`, `/v2/customer_groups/count`.

v2 conventions: bare JSON bodies (an array for lists, no `data`/`meta`), `page`/`limit`
paging without meta, and errors as a bare array of `{status, message}`. A PUT
replaces `discount_rules` as a whole. Only one group is the default and only one is
for guests: setting either flag moves it (the spec: "only one ... at a time").

When a sitewide (`all`) discount cannot be applied (a percentage above 100) the
group is saved without it and the answer is a 207 `{status, message}`, as the spec
documents for "the sitewide discount update failed".
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import ApiError, no_content, ok, page_of, read_json, route, sandbox_of
from storeconf.sandbox.core.query import Filter, fetch_page, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, Field, check
from storeconf.sandbox.customers.rules import RuleError, SitewideFailed, clean_rules

SCHEMA = """
CREATE TABLE IF NOT EXISTS customer_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name_key TEXT NOT NULL UNIQUE,
    is_default INTEGER NOT NULL DEFAULT 0,
    is_guest INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
"""

_FIELDS = (
    Field("name", "string", min_length=1, max_length=255),
    Field("is_default", "boolean"),
    Field("is_group_for_guests", "boolean"),
    Field("category_access", "object"),
)
_FILTERS = (
    Filter("name", "json_extract(doc, '$.name')", "str", ("eq", "like")),
    Filter("is_default", "is_default", "bool"),
    Filter("is_group_for_guests", "is_guest", "bool"),
    Filter("date_created", "json_extract(doc, '$.date_created')", "str", ("eq", "min", "max")),
    Filter("date_modified", "json_extract(doc, '$.date_modified')", "str", ("eq", "min", "max")),
)
_ACCESS_TYPES = ("all", "specific", "none")


class V2Error(ApiError):
    """The v2 error shape: a bare array of `{status, message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, [{"status": status, "message": message}])


async def list_groups(request: Request) -> Response:
    page = page_of(request)
    where = where_from(request, _FILTERS)
    rows, _total = fetch_page(sandbox_of(request).db, "customer_groups", where, "id ASC", page)
    return ok([_to_api(row) for row in rows])


async def count_groups(request: Request) -> Response:
    count = sandbox_of(request).db.scalar("SELECT COUNT(*) FROM customer_groups")
    return ok({"count": int(count)})


async def get_group(request: Request) -> Response:
    return ok(_to_api(_row(sandbox_of(request).db, request.path_params["group_id"])))


async def create_group(request: Request) -> Response:
    sandbox = sandbox_of(request)
    body = await _body(request)
    _check_fields(body, required=("name",))
    now = _now(sandbox.config.now())
    doc: dict[str, Any] = {
        "name": body["name"],
        "is_default": body.get("is_default", False),
        "is_group_for_guests": body.get("is_group_for_guests", False),
        "category_access": {"type": "all"},
        "discount_rules": [],
        "date_created": now,
        "date_modified": now,
    }
    with sandbox.db.tx():
        failed = _apply(sandbox.db, doc, body)
        cursor = _write(sandbox.db, "INSERT INTO customer_groups (name_key, is_default, is_guest, doc)", doc)
        _move_flags(sandbox.db, int(cursor.lastrowid or 0), doc)
    return _answer(sandbox.db, int(cursor.lastrowid or 0), failed)


async def update_group(request: Request) -> Response:
    sandbox = sandbox_of(request)
    group_id = request.path_params["group_id"]
    doc = load_doc(_row(sandbox.db, group_id)["doc"])
    body = await _body(request)
    _check_fields(body, required=())
    if "name" in body:
        doc["name"] = body["name"]
    for flag in ("is_default", "is_group_for_guests"):
        if flag in body:
            doc[flag] = body[flag]
    doc["date_modified"] = _now(sandbox.config.now())
    with sandbox.db.tx():
        failed = _apply(sandbox.db, doc, body)
        sandbox.db.execute(
            "UPDATE customer_groups SET name_key = ?, is_default = ?, is_guest = ?, doc = ? WHERE id = ?",
            [*_columns(doc), group_id],
        )
        _move_flags(sandbox.db, group_id, doc)
    return _answer(sandbox.db, group_id, failed)


async def delete_group(request: Request) -> Response:
    db = sandbox_of(request).db
    group_id = request.path_params["group_id"]
    _row(db, group_id)
    with db.tx():
        db.execute("DELETE FROM customer_groups WHERE id = ?", [group_id])
    return no_content()


def group_exists(db: StoreDb, group_id: int) -> bool:
    return db.query_one("SELECT id FROM customer_groups WHERE id = ?", [group_id]) is not None


def group_discounts(db: StoreDb, group_id: int) -> list[dict[str, Any]]:
    """The group's customer-group discounts (every rule except a legacy price-list rule)."""
    row = db.query_one("SELECT doc FROM customer_groups WHERE id = ?", [group_id])
    rules = load_doc(row["doc"])["discount_rules"] if row is not None else []
    return [rule for rule in rules if rule.get("type") != "price_list"]


async def _body(request: Request) -> dict[str, Any]:
    body = await read_json(request, lambda: V2Error(400, "The request body is not valid JSON."))
    if not isinstance(body, dict):
        raise V2Error(400, "The request body must be a JSON object.")
    return body


def _check_fields(body: dict[str, Any], required: tuple[str, ...]) -> None:
    errors = check(body, _FIELDS, required=required)
    if "discount_rules" in body and not isinstance(body["discount_rules"], list):
        errors["discount_rules"] = "error.expected.jsarray"
    if errors:
        field, problem = next(iter(errors.items()))
        what = "is required" if problem == MISSING else f"is invalid ({problem})"
        raise V2Error(400 if problem == MISSING else 422, f"The field '{field}' {what}.")


def _apply(db: StoreDb, doc: dict[str, Any], body: dict[str, Any]) -> bool:
    """Set category access and discount rules from `body`; True when the sitewide rule failed."""
    if "category_access" in body:
        doc["category_access"] = _access(db, body["category_access"])
    if "discount_rules" not in body:
        return False
    try:
        doc["discount_rules"] = clean_rules(db, body["discount_rules"])
    except RuleError as error:
        raise V2Error(422, str(error)) from None
    except SitewideFailed as partial:
        doc["discount_rules"] = partial.kept
        return True
    return False


def _access(db: StoreDb, value: dict[str, Any]) -> dict[str, Any]:
    kind = value.get("type")
    if kind not in _ACCESS_TYPES:
        raise V2Error(422, "category_access.type must be one of: all, specific, none.")
    if kind != "specific":
        if value.get("categories"):
            raise V2Error(422, "category_access.categories may be given only when type is specific.")
        return {"type": kind}
    categories = value.get("categories")
    if not isinstance(categories, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in categories
    ):
        raise V2Error(422, "category_access.categories must be an array of category ids.")
    missing = [c for c in categories if db.query_one("SELECT id FROM categories WHERE id = ?", [c]) is None]
    if missing:
        raise V2Error(422, f"category_access.categories: category {missing[0]} does not exist.")
    return {"type": kind, "categories": sorted(set(categories))}


def _columns(doc: dict[str, Any]) -> list[Any]:
    return [
        str(doc["name"]).casefold(),
        int(bool(doc["is_default"])),
        int(bool(doc["is_group_for_guests"])),
        dump_doc(doc),
    ]


def _write(db: StoreDb, insert: str, doc: dict[str, Any]) -> sqlite3.Cursor:
    try:
        return db.execute(f"{insert} VALUES (?, ?, ?, ?)", _columns(doc))
    except sqlite3.IntegrityError:
        raise V2Error(409, f"A customer group named '{doc['name']}' already exists.") from None


def _move_flags(db: StoreDb, group_id: int, doc: dict[str, Any]) -> None:
    for flag, column in (("is_default", "is_default"), ("is_group_for_guests", "is_guest")):
        if doc[flag]:
            for row in db.query(
                f"SELECT id, doc FROM customer_groups WHERE {column} = 1 AND id != ?", [group_id]
            ):
                other = load_doc(row["doc"]) | {flag: False}
                db.execute(
                    f"UPDATE customer_groups SET {column} = 0, doc = ? WHERE id = ?",
                    [dump_doc(other), row["id"]],
                )


def _answer(db: StoreDb, group_id: int, sitewide_failed: bool) -> Response:
    if sitewide_failed:
        message = "The customer group was saved, but its sitewide discount could not be updated."
        return ok({"status": 207, "message": message}, status=207)
    return ok(_to_api(_row(db, group_id)))


def _now(seconds: float) -> str:
    # The spec's examples write v2 group dates as `2023-07-17 06:30:41`.
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _row(db: StoreDb, group_id: int) -> sqlite3.Row:
    row = db.query_one("SELECT * FROM customer_groups WHERE id = ?", [group_id])
    if row is None:
        raise V2Error(404, "The requested resource was not found.")
    return row


def _to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "name": doc["name"],
        "is_default": doc["is_default"],
        "category_access": doc["category_access"],
        "discount_rules": doc["discount_rules"],
        "date_created": doc["date_created"],
        "date_modified": doc["date_modified"],
        "is_group_for_guests": doc["is_group_for_guests"],
    }


RESOURCE = Resource(
    name="customer_groups",
    schema=SCHEMA,
    routes=[
        route("/v2/customer_groups", get=list_groups, post=create_group),
        route("/v2/customer_groups/count", get=count_groups),
        route("/v2/customer_groups/{group_id:id64}", get=get_group, put=update_group, delete=delete_group),
    ],
)
