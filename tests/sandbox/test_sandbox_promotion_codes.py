"""Coupon codes in the sandbox: 201 creates, store-wide case-insensitive uniqueness, cursor
and page listing, bulk deletes by id, codegen only on BULK coupon promotions (else 405)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_sandbox_promotions import ACME, OVER_100, URL, create, titles


def coupon(store: Store, **extra: Any) -> int:
    return int(create(store, {**ACME, **extra})["id"])


def test_create_code_is_201_and_codes_are_unique_store_wide_ignoring_case(store: Store) -> None:
    first, second = coupon(store), coupon(store, name="other")
    response = store.post(
        f"{URL}/{first}/codes", {"code": "ACME15", "max_uses": 500, "max_uses_per_customer": 1}
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert {k: data[k] for k in ("id", "code", "max_uses", "max_uses_per_customer", "current_uses")} == {
        "id": 1,
        "code": "ACME15",
        "max_uses": 500,
        "max_uses_per_customer": 1,
        "current_uses": 0,
    }
    response = store.post(f"{URL}/{second}/codes", {"code": "acme15"})
    assert response.status_code == 422
    assert titles(response) == ["code: 'acme15' is already in use in this store"]
    assert store.get(f"{URL}/{first}").json()["data"]["multiple_codes"] == {"has_multiple_codes": False}


@pytest.mark.parametrize("code", ["", "x" * 51, "SAVE!", "ÄBC"])
def test_code_grammar(store: Store, code: str) -> None:
    assert store.post(f"{URL}/{coupon(store)}/codes", {"code": code}).status_code == 422


def test_automatic_promotions_have_no_codes_and_missing_ones_404(store: Store) -> None:
    auto = create(store, OVER_100)["id"]
    assert store.post(f"{URL}/{auto}/codes", {"code": "X1"}).status_code == 422
    assert store.get(f"{URL}/999/codes").status_code == 404


def test_listing_by_page_and_by_cursor(store: Store) -> None:
    pid = coupon(store)
    for n in range(5):
        store.post(f"{URL}/{pid}/codes", {"code": f"C{n}"})
    both = store.get(f"{URL}/{pid}/codes?limit=2").json()
    assert set(both["meta"]) == {"pagination", "cursor_pagination"}
    assert [c["code"] for c in both["data"]] == ["C0", "C1"]
    after = both["meta"]["cursor_pagination"]["links"]["next"]
    nxt = store.get(f"{URL}/{pid}/codes{after}").json()
    assert [c["code"] for c in nxt["data"]] == ["C2", "C3"]
    assert set(nxt["meta"]) == {"cursor_pagination"}
    paged = store.get(f"{URL}/{pid}/codes?page=3&limit=2").json()
    assert [c["code"] for c in paged["data"]] == ["C4"]
    assert set(paged["meta"]) == {"pagination"}
    assert [c["code"] for c in store.get(f"{URL}/{pid}/codes?code=c3").json()["data"]] == ["C3"]


def test_bulk_and_single_code_deletes(store: Store) -> None:
    pid = coupon(store)
    ids = [store.post(f"{URL}/{pid}/codes", {"code": f"D{n}"}).json()["data"]["id"] for n in range(3)]
    assert store.delete(f"{URL}/{pid}/codes").status_code == 422
    assert store.delete(f"{URL}/{pid}/codes?id:in={ids[0]},{ids[1]}").status_code == 204
    assert store.delete(f"{URL}/{pid}/codes/{ids[2]}").status_code == 204
    assert store.delete(f"{URL}/{pid}/codes/{ids[2]}").status_code == 204
    assert store.get(f"{URL}/{pid}/codes").json()["data"] == []
    too_many = ",".join(str(i) for i in range(1, 252))
    assert store.delete(f"{URL}/{pid}/codes?id:in={too_many}").status_code == 422


def test_store_wide_find_and_delete_by_code(store: Store) -> None:
    pid = coupon(store)
    store.post(f"{URL}/{pid}/codes", {"code": "FIND-ME"})
    found = store.get(f"{URL}/codes?code=find-me").json()["data"]
    assert [c["code"] for c in found] == ["FIND-ME"]
    assert store.get(f"{URL}/codes").status_code == 422
    assert store.delete(f"{URL}/codes?code=FIND-ME").status_code == 204
    assert store.delete(f"{URL}/codes?code=FIND-ME").status_code == 204
    assert store.get(f"{URL}/codes?code=FIND-ME").json()["data"] == []


def test_codegen_only_for_bulk_coupons(store: Store) -> None:
    single = coupon(store)
    response = store.post(f"{URL}/{single}/codegen", {"batch_size": 2})
    assert response.status_code == 405
    assert response.json()["status"] == "405"
    bulk = coupon(store, name="bulk", coupon_type="BULK")
    response = store.post(
        f"{URL}/{bulk}/codegen", {"batch_size": 3, "prefix": "SUM", "delimiter": "-", "code_length": 8}
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["batch_size"], data["max_uses"], data["max_uses_per_customer"]) == (3, 1, 1)
    assert all(re.fullmatch(r"SUM-[A-Z0-9]{8}", c["code"]) for c in data["codes"])
    assert len(store.get(f"{URL}/{bulk}/codes").json()["data"]) == 3
    assert store.post(f"{URL}/{bulk}/codegen", {"batch_size": 251}).status_code == 422
    long_affixes = {"batch_size": 1, "prefix": "P" * 20, "suffix": "S" * 20, "delimiter": "-"}
    assert store.post(f"{URL}/{bulk}/codegen", long_affixes).status_code == 422
