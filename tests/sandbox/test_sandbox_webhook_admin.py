"""Webhooks admin: the account's notification emails (an upsert answering 204), its hooks with
their status, the `is_active` filter, and the spec's 400/422 bodies for bad input."""

from __future__ import annotations

from typing import Any

import pytest

from storeconf.sandbox import TokenGrant
from tests.sandbox.sandbox_support import Store, StoreFactory

URL = "/v3/hooks/admin"
TYPE = "/api-docs/getting-started/api-status-codes"
HOOK = {"scope": "store/order/created", "destination": "https://hooks.example.com/orders"}


def test_a_new_account_has_no_emails_hooks_or_blocked_domains(store: Store) -> None:
    response = store.get(URL)
    assert response.status_code == 200
    assert response.json() == {"data": {"emails": [], "hooks_list": [], "blocked_domains": []}, "meta": {}}


def test_put_is_an_upsert_answering_204_and_replaces_the_list(store: Store) -> None:
    first = store.put(URL, {"emails": ["ops@example.com", "dev@example.com"]})
    assert (first.status_code, first.content) == (204, b"")
    assert store.get(URL).json()["data"]["emails"] == ["ops@example.com", "dev@example.com"]
    assert store.put(URL, {"emails": ["alerts@example.com"]}).status_code == 204
    assert store.get(URL).json()["data"]["emails"] == ["alerts@example.com"]
    assert store.put(URL, {"emails": []}).status_code == 204
    assert store.get(URL).json()["data"]["emails"] == []


def test_hooks_list_has_the_accounts_hooks_with_status_and_filters_on_is_active(store: Store) -> None:
    active = store.post("/v3/hooks", HOOK).json()["data"]
    off = {**HOOK, "destination": "https://h.example.com/x", "is_active": False}
    inactive = store.post("/v3/hooks", off).json()["data"]
    listed = store.get(URL).json()["data"]["hooks_list"]
    assert [(h["id"], h["status"]) for h in listed] == [
        (active["id"], "active"),
        (inactive["id"], "inactive"),
    ]
    assert listed[0] == {**active, "status": "active"}
    only_active = store.get(f"{URL}?is_active=true").json()["data"]["hooks_list"]
    assert [h["id"] for h in only_active] == [active["id"]]
    only_inactive = store.get(f"{URL}?is_active=false").json()["data"]["hooks_list"]
    assert [h["id"] for h in only_inactive] == [inactive["id"]]


def test_settings_and_hooks_belong_to_the_api_account(make_store: StoreFactory) -> None:
    store = make_store(tokens={"a": TokenGrant("app-a"), "b": TokenGrant("app-b")})
    assert store.put(URL, {"emails": ["a@example.com"]}, token="a").status_code == 204
    assert store.post("/v3/hooks", HOOK, token="a").status_code == 200
    assert store.get(URL, token="b").json()["data"] == {"emails": [], "hooks_list": [], "blocked_domains": []}
    assert store.get(URL, token="a").json()["data"]["emails"] == ["a@example.com"]


def test_malformed_json_is_the_verbatim_400(store: Store) -> None:
    response = store.request("PUT", URL, content=b"{emails: nope")
    assert response.status_code == 400
    assert response.json() == {"status": 400, "title": "Input is invalid.", "type": TYPE}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"emails": "error.path.missing."}),
        ({"emails": "ops@example.com"}, {"emails": "error.expected.jsarray"}),
        ({"emails": None}, {"emails": "error.expected.jsarray"}),
        ({"emails": {"a": "ops@example.com"}}, {"emails": "error.expected.jsarray"}),
        (
            {"emails": ["ok@example.com", 7, "not-an-address", None]},
            {
                "emails[1]": "error.expected.jsstring",
                "emails[2]": "error.email",
                "emails[3]": "error.expected.jsstring",
            },
        ),
        ({"emails": ["two@@example.com"]}, {"emails[0]": "error.email"}),
        (["ops@example.com"], {"body": "error.expected.jsobject"}),
        ("ops@example.com", {"body": "error.expected.jsobject"}),
    ],
)
def test_invalid_bodies_are_the_specs_422_and_change_nothing(
    store: Store, body: Any, errors: dict[str, str]
) -> None:
    assert store.put(URL, {"emails": ["kept@example.com"]}).status_code == 204
    response = store.put(URL, body)
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "title": "JSON data is missing or invalid",
        "type": TYPE,
        "errors": errors,
    }
    assert store.get(URL).json()["data"]["emails"] == ["kept@example.com"]


def test_a_bad_is_active_filter_is_refused(store: Store) -> None:
    response = store.get(f"{URL}?is_active=maybe")
    assert response.status_code == 422
    assert response.json()["status"] == 422


def test_other_methods_are_405(store: Store) -> None:
    response = store.post(URL, {"emails": ["ops@example.com"]})
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PUT"}
