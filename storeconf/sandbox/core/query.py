"""List filters (`attr`, `attr:in`, `attr:not_in`, `:min/:max/:greater/:less`, `:like`),
sorting and paging, compiled to SQL so large catalogs page inside SQLite."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request

from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import Page, client_id_of, comma_list, invalid_query, parse_int

ValueKind = Literal["int", "str", "bool"]
Op = Literal["eq", "in", "not_in", "min", "max", "greater", "less", "like"]

ID_OPS: tuple[Op, ...] = ("eq", "in", "not_in", "min", "max", "greater", "less")
_COMPARE = {"min": ">=", "max": "<=", "greater": ">", "less": "<"}
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


@dataclass(frozen=True)
class Filter:
    """One filterable attribute: its query name, the SQL expression it reads, its type and operators."""

    name: str
    column: str
    kind: ValueKind = "str"
    ops: tuple[Op, ...] = ("eq",)


@dataclass(frozen=True)
class Where:
    clauses: list[str]
    params: list[Any]

    def sql(self) -> str:
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""

    def extend(self, clause: str, *params: Any) -> Where:
        return Where([*self.clauses, clause], [*self.params, *params])


def where_from(request: Request, filters: Sequence[Filter]) -> Where:
    where = Where([], [])
    for spec in filters:
        for op in spec.ops:
            param = spec.name if op == "eq" else f"{spec.name}:{op}"
            if op in ("in", "not_in"):
                values = comma_list(request, param)
                if values:
                    where = _add_list(where, spec, op, [_value(spec, param, v) for v in values])
                continue
            raw = request.query_params.get(param)
            if raw is not None and raw != "":
                where = _add_single(where, spec, op, _value(spec, param, raw))
    return where


def owned_where(request: Request, filters: Sequence[Filter]) -> Where:
    """`where_from` for the resources an API account sees only its own of (scripts,
    webhooks): the filters plus the calling account's `client_id`."""
    return where_from(request, filters).extend("client_id = ?", client_id_of(request))


def owned_row(db: StoreDb, table: str, key: str, value: Any, client_id: str) -> sqlite3.Row | None:
    """The row whose `key` is `value` if `client_id` owns it: to another account it does not exist."""
    return db.query_one(f"SELECT * FROM {table} WHERE {key} = ? AND client_id = ?", [value, client_id])


def _add_list(where: Where, spec: Filter, op: Op, values: list[Any]) -> Where:
    marks = ",".join("?" * len(values))
    negate = "NOT " if op == "not_in" else ""
    return where.extend(f"{_expr(spec)} {negate}IN ({marks})", *values)


def _add_single(where: Where, spec: Filter, op: Op, value: Any) -> Where:
    if op == "like":
        # SQL LIKE semantics, as the API documents: `%` and `_` in the value stay wildcards.
        return where.extend(f"{spec.column} LIKE ?", f"%{value}%")
    operator = _COMPARE.get(op, "=")
    return where.extend(f"{_expr(spec)} {operator} ?", value)


def _expr(spec: Filter) -> str:
    # Text equality is case-insensitive like BigCommerce's MySQL collation, and
    # matches the case-insensitive uniqueness of names.
    return f"{spec.column} COLLATE NOCASE" if spec.kind == "str" else spec.column


def _value(spec: Filter, param: str, raw: str) -> Any:
    if spec.kind == "int":
        return parse_int(param, raw)
    if spec.kind == "bool":
        lowered = raw.strip().lower()
        if lowered not in _TRUE | _FALSE:
            raise invalid_query(param, "boolean", raw)
        return 1 if lowered in _TRUE else 0
    return raw


def order_from(request: Request, sortable: Mapping[str, str], default: str) -> str:
    """ORDER BY from `sort` (one of `sortable`) and `direction` (asc|desc); ties break on `default`."""
    sort = request.query_params.get("sort")
    direction = (request.query_params.get("direction") or "asc").lower()
    if direction not in ("asc", "desc"):
        raise invalid_query("direction", "one of asc, desc", direction)
    if sort is None or sort == "":
        return f"{default} {direction.upper()}"
    if sort not in sortable:
        raise invalid_query("sort", "one of " + ", ".join(sortable), sort)
    return f"{sortable[sort]} {direction.upper()}, {default} ASC"


def fetch_page(
    db: StoreDb, table: str, where: Where, order: str, page: Page, *, key: str | None = None
) -> tuple[list[sqlite3.Row], int]:
    """One page of rows plus the total size of the filtered result set.

    With `key` (a column unique in `table`) the ordered keys of the whole result set are
    kept until the database changes (`StoreDb.cached`): the next page is then a lookup of
    its keys instead of a count and an OFFSET scan that grows with the page number."""
    if key is None:
        total = int(db.scalar(f"SELECT COUNT(*) FROM {table}{where.sql()}", where.params))
        rows = db.query(
            f"SELECT * FROM {table}{where.sql()} ORDER BY {order} LIMIT ? OFFSET ?",
            [*where.params, page.limit, page.offset],
        )
        return rows, total
    keys = ordered_keys(db, table, where, order, key)
    return rows_by_key(db, table, key, keys[page.offset : page.offset + page.limit]), len(keys)


def ordered_keys(db: StoreDb, table: str, where: Where, order: str, key: str) -> array[int]:
    sql = f"SELECT {key} FROM {table}{where.sql()} ORDER BY {order}"
    return db.cached(
        ("keys", sql, *where.params), lambda: array("q", (row[0] for row in db.query(sql, where.params)))
    )


def rows_by_key(db: StoreDb, table: str, key: str, keys: Sequence[int]) -> list[sqlite3.Row]:
    """The rows of `keys`, in that order."""
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    found = {row[key]: row for row in db.query(f"SELECT * FROM {table} WHERE {key} IN ({marks})", list(keys))}
    return [found[k] for k in keys if k in found]
