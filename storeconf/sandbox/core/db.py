"""The store's SQLite database: one connection, schema created on first open.

Each resource module owns its tables (a `SCHEMA` string) and its first-run rows
(a `seed` function). Rows keep the fields the sandbox filters or constrains on
as columns and the rest of the resource as a JSON document, so uniqueness rules
live in the schema as UNIQUE constraints.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson

Seed = Callable[["StoreDb"], None]

T = TypeVar("T")
# Read results kept per database version: enough for the pages a client walks in turn.
_CACHED_READS = 16

_META_SCHEMA = "CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


class StoreDb:
    """A single SQLite connection shared by every request of one sandbox store.

    Requests run on one event loop, but benchmarks and tests may use it from other
    threads, hence `check_same_thread=False` plus a re-entrant lock held for each
    statement and for a whole transaction. Handlers must not await inside `tx()`:
    coroutines share the loop's thread, so the lock cannot keep them apart.
    """

    def __init__(self, path: str, schemas: Sequence[str], seeds: Mapping[str, Seed]) -> None:
        self.path = path
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self._lock = threading.RLock()
        self._depth = 0
        self._savepoints = 0
        self._reads: dict[Hashable, Any] = {}
        self._reads_version: tuple[int, int] | None = None
        self._initialise(schemas, seeds)

    def _initialise(self, schemas: Sequence[str], seeds: Mapping[str, Seed]) -> None:
        # Each seed runs once per database, so a file made by an older sandbox gets
        # the first-run rows of resources added since, and never twice.
        with self.tx():
            self.conn.execute(_META_SCHEMA)
            for schema in schemas:
                for statement in _statements(schema):
                    self.conn.execute(statement)
            for name, seed in seeds.items():
                key = f"seeded:{name}"
                if self.query_one("SELECT value FROM sandbox_meta WHERE key = ?", [key]) is None:
                    seed(self)
                    self.execute("INSERT INTO sandbox_meta (key, value) VALUES (?, '1')", [key])

    @contextmanager
    def tx(self) -> Iterator[None]:
        """A transaction; nested calls become savepoints so a batch item can fail alone."""
        with self._lock:
            if self._depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
                name = None
            else:
                self._savepoints += 1
                name = f"sp{self._savepoints}"
                self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._finish(name, ok=False)
                raise
            self._finish(name, ok=True)

    def _finish(self, savepoint: str | None, *, ok: bool) -> None:
        self._depth -= 1
        if savepoint is None:
            self.conn.execute("COMMIT" if ok else "ROLLBACK")
        elif ok:
            self.conn.execute(f"RELEASE {savepoint}")
        else:
            self.conn.execute(f"ROLLBACK TO {savepoint}")
            self.conn.execute(f"RELEASE {savepoint}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, tuple(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self.conn.execute(sql, tuple(params)).fetchone()
            return row

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` (a read), reused until the database changes: a client walking the
        pages of a large list would otherwise count it and skip to its offset on every page.

        Any change moves the version: ours move `total_changes` (rolled back ones too),
        another connection's commits move `PRAGMA data_version`. Inside a transaction nothing
        is kept, since a rollback would bring back data the version has already left."""
        with self._lock:
            if self.conn.in_transaction:
                return compute()
            version = (self.conn.total_changes, int(self.conn.execute("PRAGMA data_version").fetchone()[0]))
            if version != self._reads_version:
                self._reads, self._reads_version = {}, version
            if key in self._reads:
                found: T = self._reads.pop(key)
            else:
                found = compute()
                if len(self._reads) >= _CACHED_READS:
                    del self._reads[next(iter(self._reads))]
            self._reads[key] = found  # newest last: the oldest goes first
            return found

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def _statements(schema: str) -> list[str]:
    # Schemas are plain DDL without triggers or string literals holding ';'.
    return [part.strip() for part in schema.split(";") if part.strip()]


def dump_doc(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


def load_doc(text: str) -> dict[str, Any]:
    # orjson: ~3x faster, and every stored document is JSON it reads as json does (bodies are
    # checked on the way in: ints within 64 bits, finite floats, no lone surrogates).
    doc: dict[str, Any] = orjson.loads(text)
    return doc
