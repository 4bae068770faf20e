"""Price-list assignments: `/v3/pricelists/assignments` and `/v3/pricelists/{id}/assignments`.

An assignment gives a list to a customer group, a channel, or a group on a channel.
A batch POST takes at most 25 (413 beyond) and saves the valid ones (422 with
`meta.saved_records` otherwise); a bulk DELETE needs at least one filter (422). A
list cannot be assigned to a customer group that has customer-group discounts (the
API's rule: "delete the discounts first").
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.channels.channels import channel_exists
from storeconf.sandbox.core.concurrency import Cap
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import (
    ApiError,
    invalid,
    no_content,
    not_found,
    ok,
    read_json,
    route,
    sandbox_of,
)
from storeconf.sandbox.core.query import Filter, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, int_range_error
from storeconf.sandbox.customers.groups import group_discounts, group_exists
from storeconf.sandbox.pricing import paging
from storeconf.sandbox.pricing.lists import get_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS price_list_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    price_list_id INTEGER NOT NULL REFERENCES price_lists (id) ON DELETE CASCADE,
    customer_group_id INTEGER REFERENCES customer_groups (id) ON DELETE CASCADE,
    channel_id INTEGER,
    UNIQUE (price_list_id, customer_group_id, channel_id)
);
"""

MAX_BATCH = 25
_KEYS = ("id", "price_list_id", "customer_group_id", "channel_id")
_FILTERS = tuple(Filter(key, key, "int", ("eq", "in")) for key in _KEYS)
_DELETE_FILTERS = (
    *(Filter(key, key, "int") for key in _KEYS),
    Filter("channel_id", "channel_id", "int", ("in",)),
)


class AssignmentError(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(str(errors))
        self.errors = errors


async def list_assignments(request: Request) -> Response:
    db = sandbox_of(request).db
    rows, meta = paging.fetch(request, db, "price_list_assignments", where_from(request, _FILTERS))
    return ok({"data": [_to_api(row) for row in rows], "meta": meta})


async def create_assignments(request: Request) -> Response:
    db = sandbox_of(request).db
    items = await read_json(request)
    if not isinstance(items, list):
        raise invalid({"body": "error.expected.jsarray"})
    if len(items) > MAX_BATCH:
        title = f"The request payload is too large. The maximum items allowed in the array is {MAX_BATCH}."
        raise ApiError.of(413, title, errors={})
    errors: dict[str, str] = {}
    saved = 0
    with db.tx():
        for index, item in enumerate(items):
            try:
                with db.tx():
                    _save(db, item)
                saved += 1
            except AssignmentError as error:
                errors.update({f"{index}.{field}": message for field, message in error.errors.items()})
    if errors:
        body = {
            "status": 422,
            "title": "Some price list assignments could not be saved.",
            "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
            "errors": errors,
            "meta": {"saved_records": saved},
        }
        return ok(body, status=422)
    return ok({"data": {}, "meta": {}})


async def put_assignment(request: Request) -> Response:
    db = sandbox_of(request).db
    list_id = request.path_params["price_list_id"]
    get_row(db, list_id)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise invalid({"body": "error.expected.jsobject"})
    missing = {key: MISSING for key in ("customer_group_id", "channel_id") if key not in body}
    if missing:
        raise invalid(missing)
    group, channel = body["customer_group_id"], body["channel_id"]
    if int_range_error(group, minimum=1) or int_range_error(channel, minimum=1):
        raise invalid({"customer_group_id": "must be an integer", "channel_id": "must be an integer"})
    if not group_exists(db, group) or not channel_exists(db, channel):
        raise not_found("A matching customer group or channel was not found.")
    try:
        with db.tx():
            assignment_id = _save(
                db, {"price_list_id": list_id, "customer_group_id": group, "channel_id": channel}
            )
    except AssignmentError as error:
        raise invalid(error.errors, title="The price list assignment is not valid.") from None
    row = db.query_one("SELECT * FROM price_list_assignments WHERE id = ?", [assignment_id])
    assert row is not None
    return ok({"data": _to_api(row), "meta": {}})


async def delete_assignments(request: Request) -> Response:
    where = where_from(request, _DELETE_FILTERS)
    if not where.clauses:
        title = "At least one filter is required to delete price list assignments."
        raise invalid({"filter": MISSING}, title=title)
    db = sandbox_of(request).db
    with db.tx():
        db.execute(f"DELETE FROM price_list_assignments{where.sql()}", where.params)
    return no_content()


def _save(db: StoreDb, item: Any) -> int:
    """Insert one assignment (an identical one already there is kept); its id."""
    if not isinstance(item, dict):
        raise AssignmentError({"item": "error.expected.jsobject"})
    errors: dict[str, str] = {}
    for key in ("price_list_id", "customer_group_id", "channel_id"):
        value = item.get(key)
        if value is None:
            if key == "price_list_id":
                errors[key] = MISSING
        elif problem := int_range_error(value, minimum=1):
            errors[key] = problem
    if errors:
        raise AssignmentError(errors)
    list_id, group, channel = item["price_list_id"], item.get("customer_group_id"), item.get("channel_id")
    if group is None and channel is None:
        raise AssignmentError(
            {"customer_group_id": "an assignment needs a customer group, a channel or both"}
        )
    if db.query_one("SELECT id FROM price_lists WHERE id = ?", [list_id]) is None:
        raise AssignmentError({"price_list_id": f"Price list {list_id} does not exist."})
    if group is not None and not group_exists(db, group):
        raise AssignmentError({"customer_group_id": f"Customer group {group} does not exist."})
    if channel is not None and not channel_exists(db, channel):
        raise AssignmentError({"channel_id": f"Channel {channel} does not exist."})
    if group is not None and group_discounts(db, group):
        message = "A price list cannot be assigned to a customer group that has customer group discounts."
        raise AssignmentError({"customer_group_id": message})
    existing = db.query_one(
        "SELECT id FROM price_list_assignments "
        "WHERE price_list_id = ? AND customer_group_id IS ? AND channel_id IS ?",
        [list_id, group, channel],
    )
    if existing is not None:
        return int(existing["id"])
    cursor = db.execute(
        "INSERT INTO price_list_assignments (price_list_id, customer_group_id, channel_id) VALUES (?, ?, ?)",
        [list_id, group, channel],
    )
    return int(cursor.lastrowid or 0)


def _to_api(row: sqlite3.Row) -> dict[str, Any]:
    out = {"id": row["id"], "price_list_id": row["price_list_id"]}
    for key in ("customer_group_id", "channel_id"):
        if row[key] is not None:
            out[key] = row[key]
    return out


RESOURCE = Resource(
    name="price_list_assignments",
    schema=SCHEMA,
    routes=[
        route(
            "/v3/pricelists/assignments",
            get=list_assignments,
            post=create_assignments,
            delete=delete_assignments,
        ),
        route("/v3/pricelists/{price_list_id:id64}/assignments", put=put_assignment),
    ],
    caps=(Cap("PUT", r"/v3/pricelists/\d+/assignments", 25),),
)
