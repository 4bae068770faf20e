"""StoreClient: headers, pagination, retries, pacing, concurrency and secrecy of the token."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storeconf.client import ApiResponse, StoreClient
from storeconf.errors import ApiError, RateLimited, TransportError
from storeconf.ratelimit import RateLimiter, backoff_delay

TOKEN = "sekrit-token-6f1d2c"
AsyncHandler = Callable[[httpx.Request], Coroutine[Any, Any, httpx.Response]]


class FakeSleep:
    """Records delays instead of sleeping; advances a virtual clock that tests can share."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 0.0

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        self.now += delay
        await asyncio.sleep(0)

    def clock(self) -> float:
        return self.now


def make_client(handler: AsyncHandler, sleep: FakeSleep | None = None, **kwargs: Any) -> StoreClient:
    sleep = sleep or FakeSleep()
    return StoreClient(
        store_hash="abc123",
        access_token=TOKEN,
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        clock=sleep.clock,
        **kwargs,
    )


def run(handler: AsyncHandler, scenario: Callable[[StoreClient], Awaitable[Any]], **kwargs: Any) -> Any:
    async def main() -> Any:
        async with make_client(handler, **kwargs) as client:
            return await scenario(client)

    return asyncio.run(main())


def ok(body: Any = None, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"data": [], "meta": {}} if body is None else body, headers=headers)


def rl_headers(left: int, reset_ms: int = 2000, quota: int = 150) -> dict[str, str]:
    return {
        "X-Rate-Limit-Requests-Left": str(left),
        "X-Rate-Limit-Requests-Quota": str(quota),
        "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
        "X-Rate-Limit-Time-Window-Ms": "30000",
    }


def assert_token_absent(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text


# --- basics --------------------------------------------------------------------------------


def test_request_headers_url_and_body() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok({"data": {"id": 1}, "meta": {}})

    async def scenario(client: StoreClient) -> ApiResponse:
        await client.request("GET", "/v3/catalog/brands", params={"id:in": "1,2", "is_visible": True})
        return await client.request("post", "/v3/catalog/brands", json={"name": "Acme"})

    response = run(handler, scenario)
    get, post = seen
    assert (
        str(get.url)
        == "https://api.bigcommerce.com/stores/abc123/v3/catalog/brands?id%3Ain=1%2C2&is_visible=true"
    )
    assert get.headers["X-Auth-Token"] == TOKEN
    assert get.headers["Accept"] == "application/json"
    assert get.headers["User-Agent"].startswith("storeconf/")
    assert "Content-Type" not in get.headers
    assert post.method == "POST"
    assert post.headers["Content-Type"] == "application/json"
    assert json.loads(post.content) == {"name": "Acme"}
    assert response.status == 200
    assert response.data == {"id": 1}


def test_empty_body_is_none_and_v2_body_has_no_envelope() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json=[{"id": 1, "name": "Wholesale"}])

    async def scenario(client: StoreClient) -> tuple[ApiResponse, ApiResponse]:
        deleted = await client.request("DELETE", "/v3/catalog/brands/1")
        groups = await client.request("GET", "/v2/customer_groups")
        return deleted, groups

    deleted, groups = run(handler, scenario)
    assert deleted.status == 204
    assert deleted.body is None
    assert groups.body == [{"id": 1, "name": "Wholesale"}]
    with pytest.raises(TypeError, match="not a v3 envelope"):
        _ = groups.data


def test_partial_success_207_is_returned_not_raised() -> None:
    body = {"data": {"id": 5}, "errors": {"status": 207, "title": "URL failed"}, "meta": {}}

    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(body, status=207)

    response = run(handler, lambda c: c.request("POST", "/v3/catalog/products", json={}))
    assert response.status == 207
    assert response.body["errors"]["title"] == "URL failed"


def test_api_error_carries_json_body() -> None:
    body = {
        "status": 409,
        "title": "Brand name is a duplicate",
        "type": "about:blank",
        "errors": {"name": "dup"},
    }

    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(body, status=409)

    with pytest.raises(ApiError) as caught:
        run(handler, lambda c: c.request("POST", "/v3/catalog/brands", json={"name": "Acme"}))
    error = caught.value
    assert (error.method, error.path, error.status, error.body) == ("POST", "/v3/catalog/brands", 409, body)
    assert "409" in str(error)
    assert "Brand name is a duplicate" in str(error)
    assert "name: dup" in str(error)


def test_api_error_carries_text_body() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, text="Unauthorized", headers={"Content-Type": "plain/text"})

    with pytest.raises(ApiError) as caught:
        run(handler, lambda c: c.request("GET", "/v3/catalog/brands"))
    assert caught.value.status == 401
    assert caught.value.body == "Unauthorized"


def test_non_json_success_body_is_an_error() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>maintenance</html>")

    with pytest.raises(ApiError, match="non-JSON body"):
        run(handler, lambda c: c.request("GET", "/v3/catalog/brands"))


def test_stats_count_requests_by_method() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return ok()

    async def scenario(client: StoreClient) -> StoreClient:
        await client.request("GET", "/v3/a")
        await client.request("GET", "/v3/b")
        await client.request("PUT", "/v3/c", json={})
        return client

    stats = run(handler, scenario).stats
    assert stats.total == 3
    assert stats.by_method == {"GET": 2, "PUT": 1}
    assert stats.retries == 0
    assert stats.rate_limited == 0


# --- pagination ----------------------------------------------------------------------------


def paged_handler(total_pages: int, per_page: int, log: list[tuple[str, int]]) -> AsyncHandler:
    in_flight = {"now": 0, "max": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        assert int(request.url.params["limit"]) == per_page
        log.append(("start", page))
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        # Later pages answer first, so order must come from page numbers, not arrival.
        for _ in range(total_pages - page + 1):
            await asyncio.sleep(0)
        in_flight["now"] -= 1
        log.append(("end", page))
        items = [{"id": (page - 1) * per_page + i} for i in range(1, per_page + 1)]
        meta = {
            "pagination": {"total": total_pages * per_page, "total_pages": total_pages, "current_page": page}
        }
        return ok({"data": items, "meta": meta})

    handler.in_flight = in_flight  # type: ignore[attr-defined]
    return handler


def test_get_all_fetches_first_page_then_the_rest_concurrently_in_order() -> None:
    log: list[tuple[str, int]] = []
    handler = paged_handler(total_pages=5, per_page=3, log=log)

    async def scenario(client: StoreClient) -> tuple[list[dict[str, Any]], StoreClient]:
        return await client.get_all("/v3/catalog/brands", {"name:like": "a"}, limit=3), client

    items, client = run(handler, scenario)
    assert [item["id"] for item in items] == list(range(1, 16))
    assert client.stats.total == 5  # one request per page
    assert log[:2] == [("start", 1), ("end", 1)]  # page 1 alone: it says how many pages
    starts = [page for event, page in log if event == "start"]
    assert sorted(starts) == [1, 2, 3, 4, 5]
    assert handler.in_flight["max"] == 4  # type: ignore[attr-defined]
    assert [p for e, p in log if e == "end"][1:] != [2, 3, 4, 5]  # they really overlapped


def test_get_all_passes_filters_and_default_limit() -> None:
    seen: list[httpx.URL] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return ok({"data": [{"id": 1}], "meta": {}})

    items = run(handler, lambda c: c.get_all("/v3/catalog/trees/categories", {"tree_id:in": 1}))
    assert items == [{"id": 1}]
    [url] = seen  # no pagination meta: a single page
    assert dict(url.params) == {"tree_id:in": "1", "limit": "250", "page": "1"}


def test_get_all_v2_pages_until_a_short_page() -> None:
    pages: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        pages.append(page)
        count = 2 if page < 3 else 1
        return httpx.Response(200, json=[{"id": page * 10 + i} for i in range(count)])

    items = run(handler, lambda c: c.get_all("/v2/customer_groups", limit=2))
    assert [i["id"] for i in items] == [10, 11, 20, 21, 30]
    assert pages == [1, 2, 3]


def test_get_all_failure_on_a_later_page_raises_and_cancels_the_rest() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        if page == 3:
            return ok({"status": 404, "title": "gone"}, status=404)
        await asyncio.sleep(0)
        return ok({"data": [{"id": page}], "meta": {"pagination": {"total_pages": 6}}})

    with pytest.raises(ApiError) as caught:
        run(handler, lambda c: c.get_all("/v3/catalog/brands"))
    assert caught.value.status == 404


# --- 429 -----------------------------------------------------------------------------------


def test_429_with_reset_header_waits_that_long_then_retries() -> None:
    calls = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            body = {"status": 429, "title": "Too many requests"}
            return ok(body, 429, headers=rl_headers(0, reset_ms=1500))
        return ok(headers=rl_headers(149))

    sleep = FakeSleep()

    async def scenario(client: StoreClient) -> StoreClient:
        await client.request("POST", "/v3/catalog/brands", json={"name": "A"}, retry=False)
        return client

    client = run(handler, scenario, sleep=sleep)
    assert calls == ["POST", "POST"]  # 429 is retried even for POST with retry=False
    assert sleep.delays == [1.5]
    assert (client.stats.total, client.stats.retries, client.stats.rate_limited) == (2, 1, 1)


def test_429_with_x_retry_after_only() -> None:
    calls = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return ok({}, 429, headers={"X-Retry-After": "3"}) if len(calls) == 1 else ok()

    sleep = FakeSleep()
    run(handler, lambda c: c.request("GET", "/v3/catalog/brands"), sleep=sleep)
    assert sleep.delays == [3.0]


def test_429_without_headers_backs_off_exponentially_then_raises_rate_limited() -> None:
    body = {"status": 429, "title": "Too many requests", "type": "/api-docs", "errors": {}}

    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(body, 429)

    sleep = FakeSleep()

    async def scenario(client: StoreClient) -> None:
        try:
            await client.request("GET", "/v3/catalog/brands")
        finally:
            assert client.stats.total == 4
            assert client.stats.rate_limited == 4

    with pytest.raises(RateLimited) as caught:
        run(handler, scenario, sleep=sleep, max_retries=3, backoff_base=1.0)
    assert isinstance(caught.value, ApiError)
    assert caught.value.status == 429
    assert caught.value.body == body
    assert len(sleep.delays) == 3
    for attempt, delay in enumerate(sleep.delays, start=1):
        full = 2.0 ** (attempt - 1)
        assert full / 2 <= delay <= full


def test_a_429_pauses_the_other_requests_too() -> None:
    sleep = FakeSleep()
    hits: list[tuple[str, float]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        hits.append((request.url.path.rsplit("/", 1)[-1], sleep.now))
        if len(hits) == 1:
            return ok({}, 429, headers=rl_headers(0, reset_ms=4000, quota=10))
        return ok(headers=rl_headers(9, quota=10))

    async def scenario(client: StoreClient) -> None:
        first = asyncio.ensure_future(client.request("GET", "/v3/a"))
        while client.stats.rate_limited == 0:
            await asyncio.sleep(0)
        await client.request("GET", "/v3/b")  # sent after the 429: waits for the same reset
        await first

    run(handler, scenario, sleep=sleep)
    assert sleep.delays == [4.0]  # one shared wait, not one per request
    assert hits[0] == ("a", 0.0)
    assert sorted(hits[1:]) == [("a", 4.0), ("b", 4.0)]


def test_a_429_with_quota_left_pauses_only_its_own_request_briefly() -> None:
    """A concurrency cap's 429 (the quota has requests left): the window's reset is no reason
    to hold every request back."""
    sleep = FakeSleep()
    hits: list[tuple[str, float]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        hits.append((request.url.path.rsplit("/", 1)[-1], sleep.now))
        if len(hits) == 1:
            return ok({}, 429, headers=rl_headers(120, reset_ms=25000))
        return ok(headers=rl_headers(119))

    async def scenario(client: StoreClient) -> None:
        first = asyncio.ensure_future(client.request("GET", "/v3/pricelists/1/records"))
        while client.stats.rate_limited == 0:
            await asyncio.sleep(0)
        await client.request("GET", "/v3/b")  # sent after the 429: not held back
        await first

    run(handler, scenario, sleep=sleep, backoff_base=0.5)
    assert len(sleep.delays) == 1 and sleep.delays[0] <= 0.5  # a backoff, not the 25 s reset
    assert sorted(name for name, _ in hits) == ["b", "records", "records"]
    assert all(at <= sleep.delays[0] for _, at in hits)  # nothing waited for the window


# --- 5xx and transport errors --------------------------------------------------------------


def flaky(failures: int, status: int = 503) -> tuple[AsyncHandler, list[str]]:
    calls: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) <= failures:
            return ok({"status": status, "title": "Service Unavailable"}, status)
        return ok({"data": {"id": 1}, "meta": {}})

    return handler, calls


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_5xx_is_retried_for_idempotent_methods(method: str) -> None:
    handler, calls = flaky(2)
    sleep = FakeSleep()
    response = run(
        handler, lambda c: c.request(method, "/v3/catalog/brands/1"), sleep=sleep, backoff_base=0.5
    )
    assert response.status == 200
    assert calls == [method] * 3
    assert len(sleep.delays) == 2
    assert 0.25 <= sleep.delays[0] <= 0.5
    assert 0.5 <= sleep.delays[1] <= 1.0


def test_5xx_is_not_retried_for_post() -> None:
    handler, calls = flaky(1)
    with pytest.raises(ApiError) as caught:
        run(handler, lambda c: c.request("POST", "/v3/content/scripts", json={"name": "x"}))
    assert caught.value.status == 503
    assert calls == ["POST"]


def test_5xx_post_is_retried_when_asked() -> None:
    handler, calls = flaky(1)
    run(handler, lambda c: c.request("POST", "/v3/content/scripts", json={}, retry=True))
    assert calls == ["POST", "POST"]


def test_retry_false_disables_5xx_retries_for_get() -> None:
    handler, calls = flaky(1)
    with pytest.raises(ApiError):
        run(handler, lambda c: c.request("GET", "/v3/catalog/brands", retry=False))
    assert calls == ["GET"]


@pytest.mark.parametrize("status", [501, 507])
def test_permanent_5xx_is_not_retried(status: int) -> None:
    handler, calls = flaky(1, status=status)
    with pytest.raises(ApiError):
        run(handler, lambda c: c.request("GET", "/v3/catalog/brands"))
    assert calls == ["GET"]


def test_5xx_retries_run_out() -> None:
    handler, calls = flaky(10, status=502)
    with pytest.raises(ApiError) as caught:
        run(handler, lambda c: c.request("GET", "/v3/catalog/brands"), max_retries=2)
    assert caught.value.status == 502
    assert len(calls) == 3


def test_price_list_503_retry_after_seconds_is_honoured() -> None:
    body = {
        "error": {
            "code": "SERVICE_DEGRADED",
            "message": "Service temporarily unavailable",
            "retry_after_seconds": 30,
        }
    }
    calls: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return ok(body, 503) if len(calls) == 1 else ok()

    sleep = FakeSleep()
    run(handler, lambda c: c.request("PUT", "/v3/pricelists/1/records", json=[]), sleep=sleep)
    assert sleep.delays == [30.0]


def dropping(
    failures: int, exc: type[httpx.TransportError] = httpx.ConnectError
) -> tuple[AsyncHandler, list[str]]:
    calls: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) <= failures:
            raise exc(f"connection dropped for {request.headers['X-Auth-Token']}", request=request)
        return ok()

    return handler, calls


@pytest.mark.parametrize("exc", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_transport_errors_are_retried_for_get(exc: type[httpx.TransportError]) -> None:
    handler, calls = dropping(2, exc)
    response = run(handler, lambda c: c.request("GET", "/v3/catalog/brands"))
    assert response.status == 200
    assert calls == ["GET"] * 3


def test_transport_error_on_post_is_wrapped_and_not_retried() -> None:
    handler, calls = dropping(1)
    with pytest.raises(TransportError) as caught:
        run(handler, lambda c: c.request("POST", "/v3/hooks", json={"scope": "x"}))
    assert calls == ["POST"]
    message = str(caught.value)
    assert message.startswith("POST /v3/hooks: ConnectError")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_transport_errors_run_out() -> None:
    handler, calls = dropping(99, httpx.ReadTimeout)
    with pytest.raises(TransportError, match=r"^GET /v3/catalog/brands: ReadTimeout"):
        run(handler, lambda c: c.request("GET", "/v3/catalog/brands"), max_retries=2)
    assert len(calls) == 3


# --- the token never leaks -----------------------------------------------------------------


def test_token_absent_from_client_repr() -> None:
    client = make_client(lambda r: ok())  # type: ignore[arg-type, return-value]
    assert_token_absent(repr(client), str(client), repr(vars(client)))
    asyncio.run(client.aclose())


def test_token_absent_from_errors_tracebacks_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []

    async def always_429(request: httpx.Request) -> httpx.Response:
        return ok({}, 429)

    async def echo_token(request: httpx.Request) -> httpx.Response:
        # A hostile server echoing the token back must not make it show up either.
        return ok({"title": "bad", "headers": dict(request.headers)}, 400)

    scenarios: list[tuple[AsyncHandler, str]] = [
        (echo_token, "GET"),
        (flaky(99)[0], "GET"),
        (dropping(99)[0], "GET"),
        (dropping(99)[0], "POST"),
        (always_429, "GET"),
    ]
    for handler, method in scenarios:
        with pytest.raises((ApiError, TransportError)) as caught:
            run(handler, lambda c, m=method: c.request(m, "/v3/x"), max_retries=1)  # type: ignore[misc]
        errors.append(caught.value)
    for error in errors[1:]:
        formatted = "".join(traceback.format_exception(error))
        assert_token_absent(str(error), repr(error), formatted, str(error.args))
    # The echoed body is the server's choice; our message only uses its title.
    assert_token_absent(str(errors[0]), repr(errors[0]))
    assert_token_absent(caplog.text)


# --- pacing: rate limiter ------------------------------------------------------------------


def test_waits_for_window_reset_when_requests_left_runs_out() -> None:
    left = iter([3, 2, 1, 0, 149, 148])

    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(headers=rl_headers(next(left), reset_ms=2500))

    sleep = FakeSleep()

    async def scenario(client: StoreClient) -> StoreClient:
        for _ in range(6):
            await client.request("GET", "/v3/catalog/brands")
        return client

    client = run(handler, scenario, sleep=sleep)
    assert sleep.delays == [2.5]  # before the 5th request, after the one that left 0
    assert client.stats.rate_limited == 0
    assert client.stats.throttle_waits == 1


class QuotaServer:
    """A store with a real quota per window, on the virtual clock of FakeSleep."""

    def __init__(self, sleep: FakeSleep, quota: int, window_s: float) -> None:
        self.sleep, self.quota, self.window_s = sleep, quota, window_s
        self.window_start = 0.0
        self.used = 0
        self.too_many = 0
        self.served = 0

    async def handler(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        now = self.sleep.now
        if now >= self.window_start + self.window_s:
            self.window_start, self.used = now, 0
        reset_ms = round((self.window_start + self.window_s - now) * 1000)
        if self.used >= self.quota:
            self.too_many += 1
            return ok({}, 429, headers=rl_headers(0, reset_ms, self.quota))
        self.used += 1
        self.served += 1
        headers = rl_headers(self.quota - self.used, reset_ms, self.quota)
        await asyncio.sleep(0)  # the answer takes a while to travel back
        return ok(headers=headers)


def test_well_behaved_run_sees_no_429() -> None:
    sleep = FakeSleep()
    server = QuotaServer(sleep, quota=10, window_s=30.0)

    async def scenario(client: StoreClient) -> StoreClient:
        await asyncio.gather(*(client.request("GET", f"/v3/catalog/brands/{i}") for i in range(45)))
        return client

    client = run(server.handler, scenario, sleep=sleep, max_concurrency=8)
    assert server.too_many == 0
    assert server.served == 45
    assert client.stats.rate_limited == 0
    assert client.stats.total == 45
    # 45 requests at 10 per window need at least four waits; pacing is conservative (it
    # cannot tell which in-flight requests the server has already counted), so allow one more.
    assert 4 <= len(sleep.delays) <= 5
    assert sleep.delays == [30.0] * len(sleep.delays)


def test_limiter_ignores_stale_higher_counts_within_a_window() -> None:
    clock = {"now": 0.0}

    async def scenario() -> None:
        limiter = RateLimiter(FakeSleep(), clock=lambda: clock["now"])
        tokens = [await limiter.acquire() for _ in range(3)]
        limiter.release(tokens[0], rl_headers(5, reset_ms=1000))
        limiter.release(tokens[1], rl_headers(9, reset_ms=1500))  # answered late: stale
        assert limiter._left == 5
        clock["now"] = 1.2  # past the reset
        limiter.release(tokens[2], rl_headers(9, reset_ms=29000))
        assert limiter._left == 9

    asyncio.run(scenario())


def test_backoff_delay_bounds() -> None:
    for attempt in range(1, 8):
        delay = backoff_delay(0.5, attempt)
        full = min(0.5 * 2 ** (attempt - 1), 60.0)
        assert full / 2 <= delay <= full


# --- concurrency bound ---------------------------------------------------------------------


def test_concurrency_bound_is_respected() -> None:
    state = {"now": 0, "max": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        for _ in range(3):
            await asyncio.sleep(0)
        state["now"] -= 1
        return ok()

    async def scenario(client: StoreClient) -> None:
        await asyncio.gather(*(client.request("GET", f"/v3/x/{i}") for i in range(20)))

    run(handler, scenario, max_concurrency=3)
    assert state["max"] == 3


def test_an_endpoint_cap_holds_below_the_clients_limit() -> None:
    """Price-list records take 10 requests in flight (the 11th gets a 429, whatever the quota
    has left): the client's own limit fills with other requests meanwhile."""
    peak = {"records": 0, "all": 0}
    now = {"records": 0, "all": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        which = ["all", "records"] if request.url.path.endswith("/records") else ["all"]
        for k in which:
            now[k] += 1
            peak[k] = max(peak[k], now[k])
        for _ in range(5):
            await asyncio.sleep(0)
        for k in which:
            now[k] -= 1
        return ok()

    async def scenario(client: StoreClient) -> None:
        records = [client.request("GET", "/v3/pricelists/7/records?page=2") for _ in range(30)]
        others = [client.request("GET", f"/v3/catalog/products/{i}") for i in range(30)]
        await asyncio.gather(*records, *others)

    run(handler, scenario, max_concurrency=16)
    assert peak == {"records": 10, "all": 16}


def test_concurrency_bound_covers_pagination() -> None:
    log: list[tuple[str, int]] = []
    handler = paged_handler(total_pages=12, per_page=1, log=log)
    items = run(handler, lambda c: c.get_all("/v3/catalog/brands", limit=1), max_concurrency=2)
    assert [i["id"] for i in items] == list(range(1, 13))
    assert handler.in_flight["max"] == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": [{"id": 1, "price": 12.5}]}',
        b'{"n": 123456789012345678901234567890}',  # past 64 bits: orjson refuses, json reads it
        b'{"x": NaN, "y": Infinity}',  # not JSON, but what json.loads accepts
        b'{"s": "\\ud800"}',  # a lone surrogate
        b"<html>502 Bad Gateway</html>",
    ],
)
def test_bodies_parse_as_json_would_parse_them(body: bytes) -> None:
    from storeconf.client import _parse_body

    try:
        expected: object = json.loads(body)
    except ValueError:
        expected = body.decode()
    got = _parse_body(httpx.Response(200, content=body))
    assert repr(got) == repr(expected)  # repr: NaN is not equal to itself


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_values)
def test_any_json_body_parses_as_json_would(value: object) -> None:
    from storeconf.client import _parse_body

    body = json.dumps(value).encode()
    assert repr(_parse_body(httpx.Response(200, content=body))) == repr(json.loads(body))
