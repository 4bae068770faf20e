"""Price lists, records and assignments: limits, partial batches, filters, caps."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.sandbox.sandbox_support import TOKEN, Store, StoreFactory
from tests.sandbox.test_products_support import create_product, tee_variants

LISTS = "/v3/pricelists"


def price_list(store: Store, name: str = "Wholesale") -> int:
    response = store.post(LISTS, {"name": name})
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["id"])


def catalog(store: Store) -> dict[str, int]:
    """SKU -> variant id: a tee with four variants and a mug without variants."""
    create_product(store, "Tee", sku="TEE", variants=tee_variants())
    create_product(store, "Mug", sku="MUG")
    variants = store.get("/v3/catalog/variants?limit=250").json()["data"]
    return {v["sku"]: v["id"] for v in variants}


def records(store: Store, list_id: int, query: str = "") -> list[dict[str, Any]]:
    response = store.get(f"{LISTS}/{list_id}/records?include=bulk_pricing_tiers,sku&limit=250{query}")
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_price_list_crud_and_unique_names(store: Store) -> None:
    created = store.post(LISTS, {"name": "Wholesale", "active": False}).json()["data"]
    assert created == {
        "id": 1,
        "name": "Wholesale",
        "date_created": "2023-11-14T22:13:20Z",
        "date_modified": "2023-11-14T22:13:20Z",
        "active": False,
    }
    assert store.post(LISTS, {"name": "wholesale"}).status_code == 409
    assert store.put(f"{LISTS}/1", {"active": True}).status_code == 422  # PUT needs name
    assert store.put(f"{LISTS}/1", {"name": "Wholesale", "active": True}).json()["data"]["active"] is True
    listed = store.get(LISTS).json()
    assert [p["name"] for p in listed["data"]] == ["Wholesale"]
    assert set(listed["meta"]) == {"pagination", "cursor_pagination"}  # neither page nor cursor
    assert set(store.get(f"{LISTS}?page=1").json()["meta"]) == {"pagination"}
    assert store.delete(f"{LISTS}/1").status_code == 204
    assert store.get(f"{LISTS}/1").status_code == 404


def test_cursor_paging(store: Store) -> None:
    for name in "ABCDE":
        price_list(store, name)
    first = store.get(f"{LISTS}?limit=2").json()["meta"]["cursor_pagination"]
    after = store.get(f"{LISTS}?limit=2&after={first['end_cursor']}").json()
    assert set(after["meta"]) == {"cursor_pagination"}
    assert [p["name"] for p in after["data"]] == ["C", "D"]
    before = store.get(f"{LISTS}?limit=2&before={after['meta']['cursor_pagination']['start_cursor']}").json()
    assert [p["name"] for p in before["data"]] == ["A", "B"]
    assert store.get(f"{LISTS}?before=Mg==&after=Mg==").status_code == 422


def test_upsert_by_sku_read_back_and_replace(store: Store) -> None:
    skus = catalog(store)
    list_id = price_list(store)
    tiers = [{"quantity_min": 10, "quantity_max": 0, "type": "percent", "amount": 5}]
    body = [
        {"sku": "TEE-S-R", "currency": "USD", "price": 9.5, "sale_price": 8, "bulk_pricing_tiers": tiers},
        {"sku": "mug", "currency": "eur", "price": 4},  # SKUs and currencies in any case
        {"variant_id": skus["TEE-M-B"], "currency": "usd", "price": 11},
    ]
    response = store.put(f"{LISTS}/{list_id}/records", body)
    assert response.status_code == 200 and response.json() == {"data": {}, "meta": {}}
    got = {(r["sku"], r["currency"]): r for r in records(store, list_id)}
    tee = got[("TEE-S-R", "usd")]
    assert tee["price"] == 9.5 and tee["sale_price"] == 8 and tee["calculated_price"] == 8
    assert tee["bulk_pricing_tiers"] == [
        {"quantity_min": 10, "quantity_max": 0, "type": "percent", "amount": 5}
    ]
    assert ("MUG", "eur") in got and ("TEE-M-B", "usd") in got
    # An upsert replaces the prices: the sale price left out is no longer set.
    store.put(f"{LISTS}/{list_id}/records", [{"sku": "TEE-S-R", "currency": "usd", "price": 9}])
    again = {(r["sku"], r["currency"]): r for r in records(store, list_id)}[("TEE-S-R", "usd")]
    assert "sale_price" not in again and again["bulk_pricing_tiers"] == []
    assert [r["sku"] for r in records(store, list_id, "&currency=EUR")] == ["MUG"]
    assert len(records(store, list_id, "&price:min=10")) == 1
    assert len(records(store, list_id, "&sku:in=MUG,TEE-M-B")) == 2


def test_partial_batch_is_422_with_batch_errors(store: Store) -> None:
    catalog(store)
    list_id = price_list(store)
    body = [
        {"sku": "TEE-S-R", "currency": "usd", "price": 1},
        {"sku": "TEE", "currency": "usd", "price": 1},  # the parent of variants: no variant
        {"sku": "NOPE", "currency": "usd", "price": 1},
        {"sku": "MUG", "currency": "dollars", "price": 1},
        {"sku": "MUG", "currency": "usd", "price": -1},
    ]
    response = store.put(f"{LISTS}/{list_id}/records", body)
    assert response.status_code == 422
    errors = response.json()["batch_errors"]
    assert [e["data"].get("sku") for e in errors] == ["TEE", "NOPE", "MUG", "MUG"]
    assert set(errors[2]["field_errors"]) == {"currency"} and set(errors[3]["field_errors"]) == {"price"}
    assert [r["sku"] for r in records(store, list_id)] == ["TEE-S-R"]  # the valid one was saved


def test_batch_limits_are_413(store: Store) -> None:
    list_id = price_list(store)
    item = {"sku": "X", "currency": "usd", "price": 1}
    assert store.put(f"{LISTS}/{list_id}/records", [item] * 1001).status_code == 413
    assert store.post(f"{LISTS}/{list_id}/records", [item] * 101).status_code == 413
    assignments = [{"price_list_id": list_id, "channel_id": 1}] * 26
    assert store.post(f"{LISTS}/assignments", assignments).status_code == 413


def test_create_fails_on_existing_record(store: Store) -> None:
    catalog(store)
    list_id = price_list(store)
    item = {"sku": "MUG", "currency": "usd", "price": 1}
    assert store.post(f"{LISTS}/{list_id}/records", [item]).status_code == 200
    again = store.post(f"{LISTS}/{list_id}/records", [item])
    assert again.status_code == 422 and "variant_id" in again.json()["batch_errors"][0]["field_errors"]


def test_single_record_endpoints_and_deletes(store: Store) -> None:
    skus = catalog(store)
    list_id = price_list(store)
    rows = [{"sku": s, "currency": c, "price": 2} for s in ("MUG", "TEE-S-R") for c in ("usd", "eur")]
    store.put(f"{LISTS}/{list_id}/records", rows)
    mug = skus["MUG"]
    assert len(store.get(f"{LISTS}/{list_id}/records/{mug}").json()["data"]) == 2
    put = store.put(f"{LISTS}/{list_id}/records/{mug}/EUR", {"price": 3, "retail_price": 5})
    assert put.status_code == 200 and put.json()["data"]["retail_price"] == 5
    assert store.get(f"{LISTS}/{list_id}/records/{mug}/eur").json()["data"]["price"] == 3
    assert store.delete(f"{LISTS}/{list_id}/records/{mug}/eur").status_code == 204
    assert store.get(f"{LISTS}/{list_id}/records/{mug}/eur").status_code == 404
    assert store.delete(f"{LISTS}/{list_id}/records?sku:in=TEE-S-R&currency=usd").status_code == 204
    assert sorted((r["sku"], r["currency"]) for r in records(store, list_id)) == [
        ("MUG", "usd"),
        ("TEE-S-R", "eur"),
    ]
    # Without a filter the whole list is emptied (the spec allows it); the list survives.
    assert store.delete(f"{LISTS}/{list_id}/records").status_code == 204
    assert records(store, list_id) == [] and store.get(f"{LISTS}/{list_id}").status_code == 200


def test_cross_list_batches(store: Store) -> None:
    catalog(store)
    a, b = price_list(store, "A"), price_list(store, "B")
    body = [
        {"price_list_id": a, "sku": "MUG", "currency": "usd", "price": 1},
        {"price_list_id": b, "sku": "MUG", "currency": "usd", "price": 2},
    ]
    assert store.put(f"{LISTS}/records", body).status_code == 200
    assert records(store, b)[0]["price"] == 2
    bad = store.post(f"{LISTS}/records", [{"price_list_id": 99, "sku": "MUG", "currency": "usd", "price": 1}])
    assert bad.status_code == 422 and "price_list_id" in bad.json()["field_errors"]


def test_deleting_a_variant_deletes_its_records(store: Store) -> None:
    catalog(store)
    list_id = price_list(store)
    store.put(f"{LISTS}/{list_id}/records", [{"sku": "MUG", "currency": "usd", "price": 1}])
    mug = store.get("/v3/catalog/products?sku=MUG").json()["data"][0]["id"]
    assert store.delete(f"/v3/catalog/products/{mug}").status_code == 204
    assert records(store, list_id) == []


def test_assignments(store: Store) -> None:
    list_id = price_list(store)
    group = store.post("/v2/customer_groups", {"name": "Wholesale"}).json()["id"]
    body = [
        {"price_list_id": list_id, "customer_group_id": group, "channel_id": 1},
        {"price_list_id": list_id, "channel_id": 7},
    ]
    partial = store.post(f"{LISTS}/assignments", body)
    assert partial.status_code == 422 and partial.json()["meta"] == {"saved_records": 1}
    listed = store.get(f"{LISTS}/assignments?price_list_id={list_id}").json()["data"]
    assert listed == [{"id": 1, "price_list_id": list_id, "customer_group_id": group, "channel_id": 1}]
    put = store.put(f"{LISTS}/{list_id}/assignments", {"customer_group_id": group, "channel_id": 1})
    assert put.status_code == 200 and put.json()["data"]["id"] == 1  # an upsert
    assert (
        store.put(f"{LISTS}/{list_id}/assignments", {"customer_group_id": 99, "channel_id": 1}).status_code
        == 404
    )
    assert store.delete(f"{LISTS}/assignments").status_code == 422  # a filter is required
    assert store.delete(f"{LISTS}/assignments?customer_group_id={group}").status_code == 204
    assert store.get(f"{LISTS}/assignments").json()["data"] == []


def test_no_price_list_for_a_group_with_discounts(store: Store) -> None:
    list_id = price_list(store)
    rules = [{"type": "all", "method": "percent", "amount": "5"}]
    group = store.post("/v2/customer_groups", {"name": "Pro", "discount_rules": rules}).json()["id"]
    refused = store.post(f"{LISTS}/assignments", [{"price_list_id": list_id, "customer_group_id": group}])
    assert refused.status_code == 422 and "customer_group_id" in str(refused.json()["errors"])


def test_concurrent_upserts_beyond_the_cap_are_429(make_store: StoreFactory) -> None:
    store = make_store(latency_ms=50, enforce_rate_limit=False)
    list_id = price_list(store)

    async def upsert() -> int:
        response = await store.client.put(
            f"{store.prefix}{LISTS}/{list_id}/records", json=[], headers={"X-Auth-Token": TOKEN}
        )
        return response.status_code

    async def both() -> list[int]:
        return list(await asyncio.gather(upsert(), upsert()))

    assert sorted(store.loop.run_until_complete(both())) == [200, 429]
    assert store.loop.run_until_complete(upsert()) == 200  # the slot is free again
