"""Channels and the v2 store information endpoints."""

from __future__ import annotations

from tests.sandbox.sandbox_support import Store


def test_channel_1_always_exists(store: Store) -> None:
    body = store.get("/v3/channels").json()
    (channel,) = body["data"]
    assert channel["id"] == 1
    assert (channel["type"], channel["platform"], channel["status"]) == (
        "storefront",
        "bigcommerce",
        "active",
    )
    assert body["meta"]["pagination"]["total"] == 1
    single = store.get("/v3/channels/1").json()
    assert single == {"data": channel, "meta": {}}
    with_currencies = store.get("/v3/channels/1?include=currencies").json()["data"]
    assert with_currencies["currencies"]["default_currency"] == "USD"


def test_unknown_channel_is_404(store: Store) -> None:
    response = store.get("/v3/channels/7")
    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_channel_filters(store: Store) -> None:
    created = store.post("/v3/channels", {"name": "Amazon", "type": "marketplace", "platform": "amazon"})
    assert created.status_code == 200
    assert created.json()["data"]["status"] == "connected"
    store.post(
        "/v3/channels", {"name": "Old", "type": "marketplace", "platform": "ebay", "status": "archived"}
    )

    def ids(query: str) -> list[int]:
        return [c["id"] for c in store.get(f"/v3/channels?{query}").json()["data"]]

    assert ids("type:in=marketplace") == [2, 3]
    assert ids("platform:in=amazon,bigcommerce") == [1, 2]
    assert ids("status:in=archived") == [3]
    assert ids("available=true") == [1, 2]
    assert ids("available=false") == [3]
    missing = store.post("/v3/channels", {"name": "X"})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {"type", "platform"}


def test_v2_store_and_time_are_bare_objects(store: Store) -> None:
    info = store.get("/v2/store").json()
    assert info["id"] == "sandbox"
    assert (info["default_channel_id"], info["default_site_id"]) == (1, 1000)
    assert "data" not in info
    assert store.get("/v2/time").json() == {"time": 1_700_000_000}
