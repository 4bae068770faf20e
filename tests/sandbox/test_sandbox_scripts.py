"""Scripts: creation defaults, kind rules, limits, ownership by client id."""

from __future__ import annotations

from typing import Any

import pytest

from storeconf.sandbox import TokenGrant
from tests.sandbox.sandbox_support import Store, StoreFactory

URL = "/v3/content/scripts"
SRC = {"name": "Analytics", "kind": "src", "src": "https://cdn.example.com/a.js"}
TAG = {"name": "Inline", "kind": "script_tag", "html": "<script>console.log(1)</script>"}


def test_create_returns_200_with_defaults(store: Store) -> None:
    response = store.post(URL, SRC)
    assert response.status_code == 200
    script = response.json()["data"]
    assert response.json()["meta"] == {}
    assert len(script.pop("uuid")) == 36
    assert script == {
        "name": "Analytics",
        "description": "",
        "html": "",
        "src": "https://cdn.example.com/a.js",
        "auto_uninstall": False,
        "load_method": "default",
        "location": "head",
        "visibility": "storefront",
        "kind": "src",
        "api_client_id": "sandbox-client",
        "consent_category": "unknown",
        "enabled": True,
        "channel_id": 1,
        "integrity_hashes": [],
        "date_created": "2023-11-14T22:13:20+00:00",
        "date_modified": "2023-11-14T22:13:20+00:00",
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "src", "src": "https://x/a.js"}, "name"),
        ({**SRC, "load_method": "eager"}, "load_method"),
        ({**SRC, "location": "body"}, "location"),
        ({**SRC, "visibility": "everywhere"}, "visibility"),
        ({**SRC, "kind": "inline"}, "kind"),
        ({**SRC, "consent_category": "unknown"}, "consent_category"),
        ({**SRC, "integrity_hashes": ["h"] * 6}, "integrity_hashes"),
        ({**SRC, "channel_id": 0}, "channel_id"),
        ({**SRC, "channel_id": 5}, "channel_id"),
        ({"name": "A", "kind": "src"}, "src"),
        ({**SRC, "html": "<script></script>"}, "html"),
        ({**SRC, "src": "not a url"}, "src"),
        ({"name": "A", "kind": "script_tag"}, "html"),
        ({**TAG, "src": "https://x/a.js"}, "src"),
        ({**TAG, "load_method": "async"}, "load_method"),
        ({**TAG, "html": "<div></div>"}, "html"),
        ({**TAG, "html": "<script></script>" * 6}, "html"),
    ],
)
def test_invalid_scripts_are_422(store: Store, payload: dict[str, Any], field: str) -> None:
    response = store.post(URL, payload)
    assert response.status_code == 422
    assert response.json()["status"] == 422
    assert field in response.json()["errors"], response.json()


def test_script_tag_with_valid_html_is_accepted(store: Store) -> None:
    response = store.post(URL, {**TAG, "consent_category": "essential", "location": "footer"})
    assert response.status_code == 200
    assert response.json()["data"]["html"] == TAG["html"]
    assert response.json()["data"]["src"] == ""


def test_ten_scripts_per_client(make_store: StoreFactory) -> None:
    store = make_store(tokens={"a": TokenGrant("app-a"), "b": TokenGrant("app-b")})
    for n in range(10):
        assert store.post(URL, {**SRC, "name": f"S{n}"}, token="a").status_code == 200
    eleventh = store.post(URL, {**SRC, "name": "S10"}, token="a")
    assert eleventh.status_code == 422
    assert "10" in eleventh.json()["title"]
    assert store.post(URL, SRC, token="b").status_code == 200


def test_scripts_are_visible_only_to_their_client(make_store: StoreFactory) -> None:
    store = make_store(tokens={"a": TokenGrant("app-a"), "b": TokenGrant("app-b")})
    script = store.post(URL, SRC, token="a").json()["data"]
    assert script["api_client_id"] == "app-a"
    assert store.get(URL, token="b").json()["data"] == []
    assert [s["uuid"] for s in store.get(URL, token="a").json()["data"]] == [script["uuid"]]
    for response in (
        store.get(f"{URL}/{script['uuid']}", token="b"),
        store.put(f"{URL}/{script['uuid']}", {"name": "Stolen"}, token="b"),
        store.delete(f"{URL}/{script['uuid']}", token="b"),
    ):
        assert response.status_code == 404
        assert response.json()["title"] == "The resource was not found."
    assert store.get(f"{URL}/{script['uuid']}", token="a").json()["data"]["name"] == "Analytics"


def test_update_and_switch_kind(store: Store, make_store: StoreFactory) -> None:
    script = store.post(URL, SRC).json()["data"]
    url = f"{URL}/{script['uuid']}"
    renamed = store.put(url, {"name": "Renamed", "enabled": False})
    assert renamed.status_code == 200
    assert (renamed.json()["data"]["name"], renamed.json()["data"]["enabled"]) == ("Renamed", False)
    assert store.put(url, {"kind": "script_tag"}).status_code == 422
    switched = store.put(url, {"kind": "script_tag", "html": TAG["html"]})
    assert switched.status_code == 200
    assert (switched.json()["data"]["src"], switched.json()["data"]["html"]) == ("", TAG["html"])
    assert store.put(url, {"name": ""}).status_code == 422


def test_delete_is_204_with_an_empty_body(store: Store) -> None:
    script = store.post(URL, SRC).json()["data"]
    response = store.delete(f"{URL}/{script['uuid']}")
    assert response.status_code == 204
    assert response.content == b""
    assert store.get(f"{URL}/{script['uuid']}").status_code == 404


def test_list_sorting_filtering_and_paging(store: Store) -> None:
    store.post("/v3/channels", {"name": "Second", "type": "storefront", "platform": "bigcommerce"})
    for name, channel in (("b", 1), ("c", 2), ("a", 1)):
        assert store.post(URL, {**SRC, "name": name, "channel_id": channel}).status_code == 200

    def listed(query: str) -> list[str]:
        return [s["name"] for s in store.get(f"{URL}?{query}").json()["data"]]

    assert listed("") == ["b", "c", "a"]
    assert listed("sort=name") == ["a", "b", "c"]
    assert listed("sort=name&direction=desc") == ["c", "b", "a"]
    assert listed("channel_id:in=2") == ["c"]
    assert listed("limit=1&page=3") == ["a"]
    assert store.get(f"{URL}?sort=uuid").status_code == 422
