"""Webhooks: verbatim error bodies, destination rules, per-client limits and scoping."""

from __future__ import annotations

from typing import Any

import pytest

from storeconf.sandbox import TokenGrant
from tests.sandbox.sandbox_support import Store, StoreFactory

URL = "/v3/hooks"
HOOK = {"scope": "store/order/created", "destination": "https://hooks.example.com/orders"}
TYPE = "/api-docs/getting-started/api-status-codes"


def test_create_returns_200_with_data_and_empty_meta(store: Store) -> None:
    response = store.post(URL, {**HOOK, "headers": {"X-Secret": "s"}})
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "id": 1,
            "client_id": "sandbox-client",
            "store_hash": "sandbox",
            "scope": "store/order/created",
            "destination": "https://hooks.example.com/orders",
            "headers": {"X-Secret": "s"},
            "is_active": True,
            "created_at": 1_700_000_000,
            "updated_at": 1_700_000_000,
        },
        "meta": {},
    }


def test_missing_destination_is_the_verbatim_422(store: Store) -> None:
    response = store.post(URL, {"scope": "store/order/created"})
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "title": "JSON data is missing or invalid",
        "type": TYPE,
        "errors": {"destination": "error.path.missing."},
    }


@pytest.mark.parametrize(
    "destination",
    [
        "http://hooks.example.com/x",
        "https://hooks.example.com:8443/x",
        "ftp://hooks.example.com/x",
        "https:///nohost",
        "https://hooks.example.com:notaport/",
    ],
)
def test_destination_must_be_https_on_443(store: Store, destination: str) -> None:
    response = store.post(URL, {**HOOK, "destination": destination})
    assert response.status_code == 422
    assert "destination" in response.json()["errors"]
    assert store.post(URL, {**HOOK, "destination": "https://hooks.example.com:443/x"}).status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**HOOK, "scope": "order/created"}, "scope"),
        ({**HOOK, "is_active": "yes"}, "is_active"),
        ({**HOOK, "headers": {"a": 1}}, "headers"),
        ({**HOOK, "headers": "x"}, "headers"),
    ],
)
def test_invalid_fields_are_422(store: Store, payload: dict[str, Any], field: str) -> None:
    response = store.post(URL, payload)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_malformed_body_is_the_verbatim_400(store: Store) -> None:
    response = store.request("POST", URL, content=b"not json")
    assert response.status_code == 400
    assert response.json() == {"status": 400, "title": "Input is invalid.", "type": TYPE}


def test_one_hook_per_scope_and_destination(store: Store) -> None:
    assert store.post(URL, HOOK).status_code == 200
    duplicate = store.post(URL, HOOK)
    assert duplicate.status_code == 422
    assert duplicate.json()["status"] == 422
    assert "destination" in duplicate.json()["errors"]


def test_destination_scheme_and_host_compare_without_case(store: Store) -> None:
    assert store.post(URL, HOOK).status_code == 200
    for destination in ("https://HOOKS.Example.com/orders", "HTTPS://hooks.example.com/orders"):
        response = store.post(URL, {**HOOK, "destination": destination})
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "destination": "a webhook for this scope and destination already exists"
        }
    # The path is case-sensitive: another destination.
    assert store.post(URL, {**HOOK, "destination": "https://hooks.example.com/Orders"}).status_code == 200
    # An update onto an existing destination in another case is refused too.
    other = store.post(URL, {**HOOK, "destination": "https://other.example.com/orders"}).json()["data"]
    moved = store.put(f"{URL}/{other['id']}", {"destination": "https://Hooks.Example.COM/orders"})
    assert moved.status_code == 422
    assert len(store.get(URL).json()["data"]) == 3


def test_ten_hooks_per_scope_per_client(make_store: StoreFactory) -> None:
    store = make_store(tokens={"a": TokenGrant("app-a"), "b": TokenGrant("app-b")})
    for n in range(10):
        assert (
            store.post(URL, {**HOOK, "destination": f"https://h.example.com/{n}"}, token="a").status_code
            == 200
        )
    over = store.post(URL, {**HOOK, "destination": "https://h.example.com/10"}, token="a")
    assert over.status_code == 422
    assert "scope" in over.json()["errors"]
    other_scope = {"scope": "store/product/updated", "destination": "https://h.example.com/10"}
    assert store.post(URL, other_scope, token="a").status_code == 200
    assert store.post(URL, {**HOOK, "destination": "https://h.example.com/10"}, token="b").status_code == 200


def test_hooks_are_scoped_to_the_client(make_store: StoreFactory) -> None:
    store = make_store(tokens={"a": TokenGrant("app-a"), "b": TokenGrant("app-b")})
    hook = store.post(URL, HOOK, token="a").json()["data"]
    assert store.post(URL, HOOK, token="b").status_code == 200
    assert [h["client_id"] for h in store.get(URL, token="a").json()["data"]] == ["app-a"]
    response = store.get(f"{URL}/{hook['id']}", token="b")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "title": f"Webhook with id [{hook['id']}] not found",
        "type": TYPE,
    }
    assert store.delete(f"{URL}/{hook['id']}", token="b").status_code == 404


def test_update_needs_a_field_and_keeps_rules(store: Store, make_store: StoreFactory) -> None:
    hook = store.post(URL, HOOK).json()["data"]
    other = store.post(URL, {**HOOK, "destination": "https://hooks.example.com/other"}).json()["data"]
    url = f"{URL}/{hook['id']}"
    assert store.put(url, {}).status_code == 422
    updated = store.put(url, {"is_active": False, "headers": None})
    assert updated.status_code == 200
    assert (updated.json()["data"]["is_active"], updated.json()["data"]["headers"]) == (False, None)
    assert store.put(url, {"destination": other["destination"]}).status_code == 422
    assert store.put(url, {"destination": "http://insecure.example.com"}).status_code == 422
    assert store.put(f"{URL}/999", {"is_active": True}).status_code == 404


def test_delete_returns_200_with_the_deleted_hook(store: Store) -> None:
    hook = store.post(URL, HOOK).json()["data"]
    response = store.delete(f"{URL}/{hook['id']}")
    assert response.status_code == 200
    assert response.json() == {"data": hook, "meta": {}}
    assert store.get(f"{URL}/{hook['id']}").status_code == 404


def test_list_filters_and_pagination(store: Store) -> None:
    store.post(URL, HOOK)
    store.post(
        URL, {"scope": "store/product/updated", "destination": HOOK["destination"], "is_active": False}
    )
    store.post(URL, {"scope": "store/product/updated", "destination": "https://other.example.com/p"})

    def ids(query: str) -> list[int]:
        response = store.get(f"{URL}?{query}")
        assert response.status_code == 200, response.text
        return [h["id"] for h in response.json()["data"]]

    assert ids("") == [1, 2, 3]
    assert ids("is_active=false") == [2]
    assert ids("is_active=true") == [1, 3]
    assert ids("scope=store/product/updated") == [2, 3]
    assert ids(f"destination={HOOK['destination']}") == [1, 2]
    assert ids("limit=1&page=2") == [2]
    meta = store.get(f"{URL}?limit=2").json()["meta"]["pagination"]
    assert (meta["total"], meta["total_pages"], meta["links"]["next"]) == (3, 2, "?page=2&limit=2")
