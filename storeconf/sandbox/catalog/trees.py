"""Category trees: `/v3/catalog/trees`. Tree 1 serves channel 1 from the start.

A tree serves at most one channel and a channel uses at most one tree, so the
channel lives on the tree row under a UNIQUE constraint.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.channels.channels import channel_exists
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import (
    STATUS_CODES_PATH,
    ApiError,
    batch_meta,
    collection,
    error_body,
    invalid,
    nested_422,
    no_content,
    ok,
    page_of,
    read_json,
    route,
    sandbox_of,
)
from storeconf.sandbox.core.query import Filter, fetch_page, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS trees (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    channel_id INTEGER UNIQUE
);
"""

MAX_TREES_PER_REQUEST = 50
DEFAULT_CHANNEL_ID = 1
_TOO_LARGE = "The request payload is too large. The maximum trees allowed in the array is 50."
_FILTERS = (Filter("id", "id", "int", ("in",)), Filter("channel_id", "channel_id", "int", ("in",)))
_FIELDS = (Field("id", "integer"), Field("name", "string", min_length=1, max_length=255))
_CHANNELS = Field("channels", "integers", max_items=1)


def seed(db: StoreDb) -> None:
    db.execute("INSERT INTO trees (id, name, channel_id) VALUES (1, 'Default', 1)")


def tree_exists(db: StoreDb, tree_id: int) -> bool:
    return db.query_one("SELECT id FROM trees WHERE id = ?", [tree_id]) is not None


@nested_422
async def list_trees(request: Request) -> Response:
    page = page_of(request)
    rows, total = fetch_page(sandbox_of(request).db, "trees", where_from(request, _FILTERS), "id ASC", page)
    return collection(request, [_to_api(row) for row in rows], total, page)


async def upsert_trees(request: Request) -> Response:
    """All-or-nothing: the spec documents no 207 here, so any bad item fails the batch."""
    items = await read_json(request)
    if not isinstance(items, list) or not items:
        raise invalid({"body": "error.expected.jsarray"})
    if len(items) > MAX_TREES_PER_REQUEST:
        raise ApiError.of(413, _TOO_LARGE, errors={}, type_=STATUS_CODES_PATH)
    db = sandbox_of(request).db
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        errors |= {f"{index}.{k}": v for k, v in _item_errors(db, item).items()}
    if errors:
        raise invalid(errors, title="The category trees were not valid.")
    with db.tx():
        ids = [_save(db, item) for item in items]
    trees = [_to_api(_row(db, tree_id)) for tree_id in ids]
    return ok({"data": trees, "meta": batch_meta(len(trees), len(trees))})


@nested_422
async def delete_trees(request: Request) -> Response:
    """Deleting a tree deletes its categories (foreign key ON DELETE CASCADE)."""
    where = where_from(request, _FILTERS[:1])
    if not where.clauses:
        raise invalid({"id:in": MISSING}, title="A filter is required to delete category trees.")
    db = sandbox_of(request).db
    # The spec is silent on deleting the tree of channel 1. That channel is the default
    # storefront every store has (it cannot be removed), products join it on creation and
    # its tree holds the store's original categories, which the deprecated categories API
    # also works on; a channel uses one tree only, so deleting it would leave the storefront
    # with no categories and drop every product's category assignments there. Refusing is
    # the safer choice: a script that means it can rename or empty the tree instead.
    # Other channels' trees go with their categories.
    guarded = where.extend("channel_id = ?", DEFAULT_CHANNEL_ID)
    default = db.scalar(f"SELECT id FROM trees{guarded.sql()}", guarded.params)
    if default is not None:
        message = (
            f"Category tree {default} is the tree of channel {DEFAULT_CHANNEL_ID} and cannot be deleted."
        )
        raise invalid({"id:in": message}, title="The category trees could not be deleted.")
    with db.tx():
        db.execute(f"DELETE FROM trees{where.sql()}", where.params)
    return no_content()


def _item_errors(db: StoreDb, item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        return {"tree": "error.expected.jsobject"}
    if "id" in item:
        errors = check(item, _FIELDS)
        if "channels" in item:
            errors["channels"] = "must be absent when updating a tree; channels cannot be changed"
        if not errors and not tree_exists(db, item["id"]):
            errors["id"] = f"Category tree {item['id']} does not exist."
        return errors
    errors = check(item, (*_FIELDS, _CHANNELS), required=("name", "channels"))
    if "channels" not in errors:
        errors |= _channel_errors(db, item["channels"])
    return errors


def _channel_errors(db: StoreDb, channels: list[int]) -> dict[str, str]:
    if len(channels) != 1:
        return {"channels": "a new tree needs exactly one channel"}
    channel_id = channels[0]
    if not channel_exists(db, channel_id):
        return {"channels": f"Channel {channel_id} does not exist."}
    owner = db.scalar("SELECT id FROM trees WHERE channel_id = ?", [channel_id])
    if owner is not None:
        return {"channels": f"Channel {channel_id} is already assigned to category tree {owner}."}
    return {}


def _save(db: StoreDb, item: dict[str, Any]) -> int:
    try:
        if "id" in item:
            if "name" in item:
                db.execute("UPDATE trees SET name = ? WHERE id = ?", [item["name"], item["id"]])
            return int(item["id"])
        cursor = db.execute(
            "INSERT INTO trees (name, channel_id) VALUES (?, ?)", [item["name"], item["channels"][0]]
        )
        return int(cursor.lastrowid or 0)
    except sqlite3.IntegrityError:
        # Two new trees in one batch claiming the same channel.
        channel = item.get("channels", [None])[0]
        raise invalid({"channels": f"Channel {channel} is assigned to more than one tree."}) from None


def _row(db: StoreDb, tree_id: int) -> sqlite3.Row:
    row = db.query_one("SELECT * FROM trees WHERE id = ?", [tree_id])
    if row is None:
        raise ApiError(404, error_body(404, f"Category tree {tree_id} not found."))
    return row


def _to_api(row: sqlite3.Row) -> dict[str, Any]:
    channels = [] if row["channel_id"] is None else [row["channel_id"]]
    return {"id": row["id"], "name": row["name"], "channels": channels}


RESOURCE = Resource(
    name="trees",
    schema=SCHEMA,
    seed=seed,
    routes=[
        route("/v3/catalog/trees", get=list_trees, put=upsert_trees, delete=delete_trees),
    ],
)
