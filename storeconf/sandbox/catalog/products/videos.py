"""Product videos: `/v3/catalog/products/{product_id}/videos[/{id}]`.

The real API looks the YouTube id up and fills `length` (and a blank `title` or
`description`) from YouTube. The sandbox fetches nothing: `length` is derived from the id
(stable, `"MM:SS"`) and a blank title or description becomes `"YouTube video {video_id}"`.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from typing import Any

from storeconf.sandbox.catalog.products.part_kit import (
    Ctx,
    PartStore,
    get_row,
    int32_error,
    part_routes,
)
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import invalid
from storeconf.sandbox.core.validate import MISSING, Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS product_videos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL,
    sort_order INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS product_videos_product ON product_videos (product_id, sort_order);
"""

TABLE = "product_videos"
ORDER = "sort_order, id"
_FIELDS = (
    Field("title", "string", max_length=255),
    Field("description", "string"),
    Field("type", "string", enum=("youtube",)),
)
# A YouTube id: letters, digits, '-' and '_' (the spec allows up to 25 characters).
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{1,25}$")
_INVALID_TITLE = (
    "The product video was not valid. This is the result of missing required fields or invalid data."
)


def to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "product_id": row["product_id"],
        "type": doc["type"],
        "video_id": doc["video_id"],
        "sort_order": row["sort_order"],
        "title": doc["title"],
        "description": doc["description"],
        "length": doc["length"],
    }


def _check(body: Any, *, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid({"body": "error.expected.jsobject"}, _INVALID_TITLE)
    errors = check(body, _FIELDS)
    if "sort_order" in body:
        problem = int32_error(body["sort_order"])
        if problem:
            errors["sort_order"] = problem
    writable = ["title", "description", "type", "sort_order"]
    if creating:
        # `video_id` is not in the PUT schema: a video is replaced, not re-pointed.
        writable.append("video_id")
        video_id = body.get("video_id")
        if "video_id" not in body:
            errors["video_id"] = MISSING
        elif not isinstance(video_id, str):
            errors["video_id"] = "error.expected.jsstring"
        elif not _VIDEO_ID.match(video_id):
            errors["video_id"] = "must be a YouTube video id: 1 to 25 letters, digits, '-' or '_'"
    if errors:
        raise invalid(errors, _INVALID_TITLE)
    return {k: body[k] for k in writable if k in body}


def _length(video_id: str) -> str:
    seconds = 30 + int(hashlib.sha256(video_id.encode()).hexdigest()[:6], 16) % 570
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _fill_blanks(doc: dict[str, Any]) -> None:
    for field in ("title", "description"):
        if not doc.get(field):
            doc[field] = f"YouTube video {doc['video_id']}"


def _create(db: StoreDb, product_id: int, body: Any, ctx: Ctx) -> dict[str, Any]:
    fields = _check(body, creating=True)
    doc = {
        "type": fields.get("type", "youtube"),
        "video_id": fields["video_id"],
        "title": fields.get("title", ""),
        "description": fields.get("description", ""),
        "length": _length(fields["video_id"]),
    }
    _fill_blanks(doc)
    cursor = db.execute(
        f"INSERT INTO {TABLE} (product_id, sort_order, doc) VALUES (?, ?, ?)",
        [product_id, fields.get("sort_order", 0), dump_doc(doc)],
    )
    return to_api(get_row(db, TABLE, product_id, int(cursor.lastrowid or 0)))


def _update(db: StoreDb, product_id: int, video_id: int, body: Any, ctx: Ctx) -> dict[str, Any]:
    row = get_row(db, TABLE, product_id, video_id)
    fields = _check(body, creating=False)
    doc = load_doc(row["doc"])
    doc.update({k: v for k, v in fields.items() if k != "sort_order"})
    _fill_blanks(doc)
    db.execute(
        f"UPDATE {TABLE} SET sort_order = ?, doc = ? WHERE id = ?",
        [fields.get("sort_order", row["sort_order"]), dump_doc(doc), video_id],
    )
    return to_api(get_row(db, TABLE, product_id, video_id))


VIDEOS = PartStore("videos", TABLE, ORDER, to_api, _create, _update)
ROUTES = part_routes(VIDEOS, "/v3/catalog/products/{product_id:id64}/videos", "video_id")
