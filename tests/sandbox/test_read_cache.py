"""Paged lists keep their ordered ids between requests (`StoreDb.cached`): every answer
must still be the one a store without that memory gives, whoever wrote in between."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from storeconf.sandbox.core.db import StoreDb
from tests.sandbox.sandbox_support import Store, StoreFactory
from tests.sandbox.test_products_support import PRODUCTS, create_product
from tests.sandbox.test_sandbox_price_lists import LISTS, catalog, price_list


def page(store: Store, path: str) -> dict[str, Any]:
    response = store.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def same_as_cold(make_store: StoreFactory, path: str, store: Store, *queries: str) -> None:
    """Each query answers as a store opened afresh on the same file answers it."""
    cold = make_store(db_path=path)
    for query in queries:
        assert page(store, query) == page(cold, query), query
    cold.close()


def other_connection(path: str, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def test_product_pages_follow_writes_between_requests(make_store: StoreFactory, tmp_path: Path) -> None:
    path = str(tmp_path / "store.db")
    store = make_store(db_path=path)
    for n in range(7):
        create_product(store, f"P{n}", sku=f"S{n}")
    assert page(store, f"{PRODUCTS}?limit=3&page=3")["meta"]["pagination"]["total"] == 7
    create_product(store, "P7", sku="S7")
    third = page(store, f"{PRODUCTS}?limit=3&page=3")
    assert [p["id"] for p in third["data"]] == [7, 8]
    assert third["meta"]["pagination"]["total"] == 8
    other_connection(path, "DELETE FROM products WHERE id = 2")
    second = page(store, f"{PRODUCTS}?limit=3&page=2&include=variants")
    assert [p["id"] for p in second["data"]] == [5, 6, 7]
    assert second["meta"]["pagination"]["total_pages"] == 3
    assert store.put(f"{PRODUCTS}/8", {"name": "A first"}).status_code == 200
    queries = [f"{PRODUCTS}?limit=3&page={n}&sort=name" for n in (1, 2, 3, 4)]
    assert [p["name"] for p in page(store, queries[0])["data"]] == ["A first", "P0", "P2"]
    same_as_cold(make_store, path, store, *queries, f"{PRODUCTS}?limit=3&page=1&direction=desc")


def test_record_pages_follow_writes_between_requests(make_store: StoreFactory, tmp_path: Path) -> None:
    path = str(tmp_path / "store.db")
    store = make_store(db_path=path)
    skus = catalog(store)
    list_id = price_list(store)
    tee = [{"sku": sku, "currency": "USD", "price": 10.5} for sku in skus if sku != "MUG"]
    assert store.put(f"{LISTS}/{list_id}/records", tee).status_code == 200
    records = f"{LISTS}/{list_id}/records"
    assert page(store, f"{records}?limit=2&page=2")["meta"]["pagination"]["total"] == 4
    mug = [{"sku": "MUG", "currency": "EUR", "price": 3}]
    assert store.put(f"{LISTS}/{list_id}/records", mug).status_code == 200
    last = page(store, f"{records}?limit=2&page=3&include=sku")
    assert [r["sku"] for r in last["data"]] == ["MUG"]
    assert last["meta"]["pagination"]["total"] == 5
    other_connection(path, "DELETE FROM price_records WHERE currency = 'eur'")
    assert page(store, f"{records}?limit=2&page=3")["data"] == []
    queries = [f"{records}?limit=2", f"{records}?limit=2&page=2", f"{records}?limit=3&currency=usd&page=1"]
    same_as_cold(make_store, path, store, *queries)


def test_nothing_is_kept_inside_a_transaction() -> None:
    """A rollback returns the data to where it was, but not the change counter."""
    db = StoreDb(":memory:", ["CREATE TABLE t (id INTEGER PRIMARY KEY)"], {})
    count = lambda: int(db.scalar("SELECT COUNT(*) FROM t"))  # noqa: E731
    assert db.cached("n", count) == 0
    try:
        with db.tx():
            db.execute("INSERT INTO t DEFAULT VALUES")
            assert db.cached("n", count) == 1
            raise RuntimeError
    except RuntimeError:
        pass
    assert db.cached("n", count) == 0
    db.execute("INSERT INTO t DEFAULT VALUES")
    assert db.cached("n", count) == 1
    db.close()
