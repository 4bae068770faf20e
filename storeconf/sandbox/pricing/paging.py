"""Price-list collections page by offset (`page`) or by cursor (`before`/`after`).

With `page` the meta holds only `pagination`; with a cursor only `cursor_pagination`;
with neither (or only `limit`) both (price_lists.v3.yml `CollectionMeta`). A cursor is
the base64 of a row id, like the spec's examples (`"Nw=="`).
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from typing import Any

from starlette.requests import Request

from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import ApiError, Page, page_of, pagination
from storeconf.sandbox.core.query import Where, ordered_keys, rows_by_key


def fetch(
    request: Request,
    db: StoreDb,
    table: str,
    where: Where,
    id_column: str = "id",
    *,
    rows_from: str | None = None,
) -> tuple[list[sqlite3.Row], dict[str, Any]]:
    """One page of `table` (ordered by `id_column`) and its meta. A page by number reads its
    rows from `rows_from` (a cheaper source with the same rows and ids) when given."""
    query = request.query_params
    before, after = query.get("before"), query.get("after")
    if before and after:
        raise ApiError.of(422, "The 'before' and 'after' cursors cannot be used together.", errors={})
    if (before or after) and query.get("page"):
        raise ApiError.of(422, "A cursor cannot be used with the 'page' parameter.", errors={})
    page = page_of(request)
    if before or after:
        return _by_cursor(db, table, where, id_column, page, before, after)
    keys = ordered_keys(db, table, where, id_column, id_column)
    rows = rows_by_key(db, rows_from or table, id_column, keys[page.offset : page.offset + page.limit])
    total = len(keys)
    meta: dict[str, Any] = {"pagination": pagination(request, page, total, len(rows))}
    if not query.get("page"):
        meta["cursor_pagination"] = _cursor_meta(db, table, where, id_column, rows, page.limit)
    return rows, meta


def _by_cursor(
    db: StoreDb, table: str, where: Where, id_column: str, page: Page, before: str | None, after: str | None
) -> tuple[list[sqlite3.Row], dict[str, Any]]:
    if after:
        narrowed = where.extend(f"{id_column} > ?", _decode(after))
        rows = db.query(
            f"SELECT * FROM {table}{narrowed.sql()} ORDER BY {id_column} LIMIT ?",
            [*narrowed.params, page.limit],
        )
    else:
        narrowed = where.extend(f"{id_column} < ?", _decode(before or ""))
        rows = db.query(
            f"SELECT * FROM {table}{narrowed.sql()} ORDER BY {id_column} DESC LIMIT ?",
            [*narrowed.params, page.limit],
        )[::-1]
    return rows, {"cursor_pagination": _cursor_meta(db, table, where, id_column, rows, page.limit)}


def _cursor_meta(
    db: StoreDb, table: str, where: Where, id_column: str, rows: list[sqlite3.Row], limit: int
) -> dict[str, Any]:
    meta: dict[str, Any] = {"count": len(rows), "per_page": limit}
    links: dict[str, str] = {}
    if rows:
        first, last = int(rows[0][id_column]), int(rows[-1][id_column])
        meta["start_cursor"], meta["end_cursor"] = _encode(first), _encode(last)
        if _exists(db, table, where.extend(f"{id_column} < ?", first)):
            links["previous"] = f"?before={_encode(first)}&limit={limit}"
        links["current"] = f"?after={_encode(first - 1)}&limit={limit}"
        if _exists(db, table, where.extend(f"{id_column} > ?", last)):
            links["next"] = f"?after={_encode(last)}&limit={limit}"
    meta["links"] = links
    return meta


def _exists(db: StoreDb, table: str, where: Where) -> bool:
    return db.query_one(f"SELECT 1 FROM {table}{where.sql()} LIMIT 1", where.params) is not None


def _encode(row_id: int) -> str:
    return base64.b64encode(str(row_id).encode()).decode()


def _decode(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor.encode(), validate=True).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError.of(422, f"The cursor {cursor!r} is not valid.", errors={}) from None
