"""Store hash, auth, unknown routes, rate limiting and the request log."""

from __future__ import annotations

import time

import pytest
from starlette.routing import Mount, Route

from storeconf.sandbox import RequestRecord, TokenGrant
from tests.conformance import skip_reason
from tests.sandbox.sandbox_support import FakeClock, Store, StoreFactory

UNAUTHORIZED = {
    "status": 401,
    "title": "Unauthorized - the v3 Auth client ID or token in the request are not a valid combination "
    "for this store.",
    "type": "/api-docs/getting-started/api-status-codes",
}
RATE_HEADERS = (
    "X-Rate-Limit-Time-Window-Ms",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Requests-Left",
)


def test_missing_token_is_401_with_the_webhooks_spec_body(store: Store) -> None:
    response = store.get("/v3/catalog/brands", token=None)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_unknown_token_is_401_on_v2_too(store: Store) -> None:
    response = store.get("/v2/time", token="nope")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_read_only_token_may_read_but_not_write(make_store: StoreFactory) -> None:
    store = make_store(tokens={"ro": TokenGrant("reader", read_only=True)})
    assert store.get("/v3/catalog/brands", token="ro").status_code == 200
    response = store.post("/v3/catalog/brands", {"name": "Acme"}, token="ro")
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert response.json()["title"] == "Unauthorized Access. You do not have permission to make this request."
    assert store.get("/v3/catalog/brands", token="ro").json()["data"] == []


def test_default_token_is_accepted_for_the_default_client(store: Store) -> None:
    store.get("/v3/catalog/brands")
    assert store.sandbox.request_log[-1].client_id == "sandbox-client"


def test_unknown_store_hash_is_404(store: Store) -> None:
    response = store.get("/stores/other/v3/catalog/brands", raw_path=True)
    assert response.status_code == 404
    assert response.json()["title"] == "The resource was not found."
    assert store.get("/nowhere", raw_path=True).status_code == 404


def test_unknown_route_is_404_in_the_v3_error_shape(store: Store) -> None:
    response = store.get("/v3/catalog/nothing")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "title": "The resource was not found.",
        "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
    }


def test_wrong_method_is_405_listing_the_allowed_ones(store: Store) -> None:
    response = store.request("PATCH", "/v3/catalog/brands")
    assert response.status_code == 405
    assert response.json()["status"] == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST", "DELETE"}


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v3/catalog/products", {"GET", "HEAD", "POST", "PUT", "DELETE"}),
        ("/v3/catalog/products/1", {"GET", "HEAD", "PUT", "DELETE"}),
        ("/v3/catalog/products/1/variants", {"GET", "HEAD", "POST"}),
        ("/v3/catalog/variants", {"GET", "HEAD", "PUT"}),
        ("/v3/catalog/products/1/options/1/values/1", {"GET", "HEAD", "PUT", "DELETE"}),
        ("/v3/catalog/products/1/modifiers", {"GET", "HEAD", "POST"}),
        ("/v3/catalog/products/1/custom-fields/1", {"GET", "HEAD", "PUT", "DELETE"}),
        ("/v3/catalog/products/channel-assignments", {"GET", "HEAD", "PUT", "DELETE"}),
    ],
)
def test_405_allow_lists_every_method_of_the_path(store: Store, path: str, allowed: set[str]) -> None:
    response = store.request("PATCH", path)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == allowed


def test_every_path_is_one_route(store: Store) -> None:
    # Starlette answers a wrong method from the first route matching the path, so a path
    # split over several routes would list only that route's methods in `Allow`.
    (mount,) = store.app.routes
    assert isinstance(mount, Mount)
    paths = [route.path for route in mount.routes if isinstance(route, Route)]
    assert len(paths) == len(set(paths))


def test_trailing_slash_is_not_redirected(store: Store) -> None:
    assert store.get("/v3/catalog/brands/").status_code == 404


def test_every_response_carries_all_four_rate_limit_headers(store: Store) -> None:
    responses = [
        store.get("/v3/catalog/brands"),
        store.get("/v3/catalog/brands", token=None),
        store.get("/v3/unknown"),
        store.get("/stores/x/v3", raw_path=True),
        store.post("/v3/catalog/brands", {}),
    ]
    for response in responses:
        assert all(name in response.headers for name in RATE_HEADERS), response.headers
        assert response.headers["X-Rate-Limit-Requests-Quota"] == "450"
        assert response.headers["X-Rate-Limit-Time-Window-Ms"] == "30000"


def test_quota_counts_down_and_429_carries_retry_after(make_store: StoreFactory, clock: FakeClock) -> None:
    store = make_store(rate_limit_quota=3, rate_limit_window_ms=10_000)
    lefts = [store.get("/v2/time").headers["X-Rate-Limit-Requests-Left"] for _ in range(3)]
    assert lefts == ["2", "1", "0"]
    clock.advance(4)
    limited = store.get("/v2/time")
    assert limited.status_code == 429
    assert limited.json() == {
        "status": 429,
        "title": "Too many requests",
        "type": "/api-docs/getting-started/api-status-codes",
        "errors": {},
    }
    assert limited.headers["X-Rate-Limit-Time-Reset-Ms"] == "6000"
    assert limited.headers["X-Retry-After"] == "6"
    assert limited.headers["X-Rate-Limit-Requests-Left"] == "0"
    clock.advance(6)
    fresh = store.get("/v2/time")
    assert fresh.status_code == 200
    assert fresh.headers["X-Rate-Limit-Requests-Left"] == "2"
    assert fresh.headers["X-Rate-Limit-Time-Reset-Ms"] == "10000"


def test_unauthenticated_requests_do_not_spend_quota(make_store: StoreFactory) -> None:
    store = make_store(rate_limit_quota=2)
    for _ in range(5):
        assert store.get("/v2/time", token="bad").status_code == 401
    assert store.get("/v2/time").headers["X-Rate-Limit-Requests-Left"] == "1"


def test_unenforced_rate_limit_reports_a_full_quota(make_store: StoreFactory) -> None:
    # Clients pace themselves on Requests-Left: an unlimited store must not look exhausted.
    store = make_store(rate_limit_quota=1, enforce_rate_limit=False)
    statuses = [store.get("/v2/time").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert store.get("/v2/time").headers["X-Rate-Limit-Requests-Left"] == "1"


def test_request_log_records_method_path_query_status_and_client(store: Store) -> None:
    store.get("/v3/catalog/brands?limit=5")
    store.post("/v3/catalog/brands", {"name": "Acme"})
    store.get("/v3/catalog/brands", token="bad")
    assert store.sandbox.request_log == [
        RequestRecord("GET", "/stores/sandbox/v3/catalog/brands", "limit=5", 200, "sandbox-client"),
        RequestRecord("POST", "/stores/sandbox/v3/catalog/brands", "", 200, "sandbox-client"),
        RequestRecord("GET", "/stores/sandbox/v3/catalog/brands", "", 401, None),
    ]
    store.sandbox.reset_log()
    assert store.sandbox.request_log == []


def test_store_hash_is_configurable(make_store: StoreFactory) -> None:
    store = make_store(store_hash="abc123")
    assert store.get("/v3/catalog/brands").status_code == 200
    assert store.get("/v2/store").json()["id"] == "abc123"
    assert store.get("/stores/sandbox/v2/time", raw_path=True).status_code == 404


def test_latency_is_applied_per_request(make_store: StoreFactory) -> None:
    store = make_store(latency_ms=30)
    started = time.perf_counter()
    store.get("/v2/time")
    assert time.perf_counter() - started >= 0.03


def test_responses_are_checked_against_the_specs(store: Store) -> None:
    if store.transport.index is None:
        pytest.skip(skip_reason())
    store.get("/v3/catalog/brands")
    store.post("/v3/hooks", {"scope": "store/order/created"})
    assert store.transport.pairs_validated == 2
    assert store.conformance_problems() == []
