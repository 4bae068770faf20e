"""Customer groups (v2): bare bodies, count, flags that move, discount rules, the 207."""

from __future__ import annotations

from typing import Any

from tests.sandbox.sandbox_support import Store

URL = "/v2/customer_groups"


def category(store: Store, name: str = "Tents") -> int:
    body = {"name": name, "tree_id": 1, "parent_id": 0}
    response = store.post("/v3/catalog/trees/categories", [body])
    assert response.status_code == 201, response.text
    return int(response.json()["data"][0]["category_id"])


def group(store: Store, **fields: Any) -> dict[str, Any]:
    response = store.post(URL, {"name": "Wholesale", **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_list_get_count_delete(store: Store) -> None:
    created = group(store)
    assert created == {
        "id": 1,
        "name": "Wholesale",
        "is_default": False,
        "category_access": {"type": "all"},
        "discount_rules": [],
        "date_created": "2023-11-14 22:13:20",
        "date_modified": "2023-11-14 22:13:20",
        "is_group_for_guests": False,
    }
    listed = store.get(URL)
    assert listed.status_code == 200 and listed.json() == [created]  # a bare array, no meta
    assert store.get(f"{URL}/1").json() == created
    assert store.get(f"{URL}/count").json() == {"count": 1}
    assert store.delete(f"{URL}/1").status_code == 204
    assert store.get(f"{URL}/1").status_code == 404
    assert store.get(f"{URL}/count").json() == {"count": 0}


def test_duplicate_name_is_409_in_any_case(store: Store) -> None:
    group(store)
    response = store.post(URL, {"name": "WHOLESALE"})
    assert response.status_code == 409
    assert response.json()[0]["status"] == 409  # v2 errors: a bare array


def test_filters_and_paging(store: Store) -> None:
    for name in ("Retail", "Wholesale", "Wholesale EU"):
        group(store, name=name)
    assert [g["name"] for g in store.get(f"{URL}?name:like=sale").json()] == ["Wholesale", "Wholesale EU"]
    assert [g["name"] for g in store.get(f"{URL}?name=retail").json()] == ["Retail"]
    assert [g["name"] for g in store.get(f"{URL}?page=2&limit=2").json()] == ["Wholesale EU"]


def test_default_and_guest_flags_move(store: Store) -> None:
    first = group(store, name="A", is_default=True, is_group_for_guests=True)
    second = group(store, name="B", is_default=True)
    assert store.get(f"{URL}/{first['id']}").json()["is_default"] is False
    assert store.get(f"{URL}/{first['id']}").json()["is_group_for_guests"] is True
    assert second["is_default"] is True
    assert store.get(f"{URL}?is_default=true").json()[0]["name"] == "B"


def test_category_access_and_rules(store: Store) -> None:
    tents = category(store)
    created = group(
        store,
        category_access={"type": "specific", "categories": [tents]},
        discount_rules=[
            {"type": "category", "method": "percent", "amount": "10", "category_id": tents},
            {"type": "all", "method": "fixed", "amount": "2.5"},
        ],
    )
    assert created["category_access"] == {"type": "specific", "categories": [tents]}
    assert created["discount_rules"] == [
        {"type": "category", "method": "percent", "amount": "10.0000", "category_id": tents},
        {"type": "all", "method": "fixed", "amount": "2.5000"},
    ]
    # PUT replaces the rules as a whole and leaves other fields alone.
    updated = store.put(f"{URL}/{created['id']}", {"discount_rules": []}).json()
    assert updated["discount_rules"] == [] and updated["category_access"]["type"] == "specific"


def test_rule_errors(store: Store) -> None:
    tents = category(store)
    bad = [
        [{"type": "category", "method": "percent", "amount": 5, "category_id": 999}],
        [{"type": "product", "method": "percent", "amount": 5, "product_id": 999}],
        [{"type": "all", "method": "bogus", "amount": 5}],
        [{"type": "all", "method": "fixed", "amount": 1}, {"type": "all", "method": "fixed", "amount": 2}],
        [{"type": "category", "method": "percent", "amount": 101, "category_id": tents}],
        [{"type": "price_list", "price_list_id": 1}],
        [{"type": "all", "method": "fixed", "amount": "x"}],
        [{"type": "all", "method": "fixed", "amount": "9" * 25}],  # no room left for 4 decimals
    ]
    for rules in bad:
        response = store.post(URL, {"name": "G", "discount_rules": rules})
        assert response.status_code == 422, rules
    access = store.post(URL, {"name": "G", "category_access": {"type": "specific", "categories": [999]}})
    assert access.status_code == 422
    assert store.post(URL, {"is_default": True}).status_code == 400  # name is required
    assert store.get(f"{URL}/count").json() == {"count": 0}


def test_failed_sitewide_discount_is_207_and_the_group_is_saved(store: Store) -> None:
    tents = category(store)
    rules = [
        {"type": "all", "method": "percent", "amount": "150"},
        {"type": "category", "method": "fixed", "amount": "1", "category_id": tents},
    ]
    response = store.post(URL, {"name": "Big", "discount_rules": rules})
    assert response.status_code == 207
    assert response.json()["status"] == 207 and response.json()["message"]
    saved = store.get(f"{URL}?name=Big").json()[0]
    assert saved["discount_rules"] == [
        {"type": "category", "method": "fixed", "amount": "1.0000", "category_id": tents}
    ]
