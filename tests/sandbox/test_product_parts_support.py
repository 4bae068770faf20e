"""Helpers for the product sub-resource and modifier tests (no tests here).

`make_product` creates the parent product through the products API, or, while that
module is not registered in the sandbox yet, as a bare row of a minimal `products` table.
The spec defects on these endpoints are patched out by the shared allow-list
(`tests/spec_defects.py`).
"""

from __future__ import annotations

import httpx

from tests.sandbox.sandbox_support import TOKEN, Store

PRODUCTS = "/v3/catalog/products"


def make_product(store: Store, name: str = "Mug") -> int:
    response = store.post(PRODUCTS, {"name": name, "type": "physical", "weight": 1, "price": 10})
    if response.status_code == 200:
        return int(response.json()["data"]["id"])
    assert response.status_code in (404, 405), response.text  # products module not registered yet
    db = store.sandbox.db
    db.execute("CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY AUTOINCREMENT)")
    return int(db.execute("INSERT INTO products DEFAULT VALUES").lastrowid or 0)


def upload(
    store: Store,
    method: str,
    path: str,
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    data: dict[str, str] | None = None,
) -> httpx.Response:
    """A multipart/form-data request (the shared `Store` only sends JSON)."""
    headers = {"Accept": "application/json", "X-Auth-Token": TOKEN}
    call = store.client.request(method, store.prefix + path, files=files, data=data, headers=headers)
    return store.loop.run_until_complete(call)
