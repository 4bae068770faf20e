"""One async HTTP client for the BigCommerce REST API, with the retry and pacing policy.

Why the policy looks the way it does:

- Pacing over reacting. The store quota is shared with every other app on the store,
  so we read the rate-limit headers of every response and wait for the window to reset
  before the quota runs out (see `storeconf.ratelimit`). A normal run sees no 429s.
- A 429 is always retried, whatever the method and whatever `retry=` says: BigCommerce
  did not process the request, so sending it again cannot duplicate anything. The wait
  is the server's own reset time (`X-Rate-Limit-Time-Reset-Ms`, else `X-Retry-After`);
  a 429 without those headers means the platform is overloaded, so we back off
  exponentially instead.
- 5xx answers and dropped connections are ambiguous: the request may have been applied.
  Repeating GET, HEAD, PUT or DELETE gives the same end state, so those are retried with
  exponential backoff and jitter (jitter so that the concurrent requests of one run do
  not retry in lockstep). Repeating a POST can create a second object (scripts and
  webhooks have no unique name to stop it), so POST and PATCH are retried only with
  `retry=True`, from callers that first re-read by natural key. `retry=False` turns off
  everything except the 429 retry.
- A connection that cannot even be opened before the store ever answered (refused, unknown
  host) is a wrong URL or a server that is not running, not a blip: it fails at once with a
  message naming the host, instead of retrying for seconds. Retries are for requests to a
  store that has answered before.
- Some endpoints answer 429 to more than a few requests in flight at once, whatever the
  quota has left (price-list records: 10): each request waits for its endpoint's slot
  (`storeconf.caps`) before taking one of the client's own.
- Only 500, 502, 503 and 504 count as transient. 501, 505 or 507 (plan limit reached)
  will answer the same way next time, so they are never retried.
- The access token lives only in the request headers: it is never part of a message,
  repr or log line, and httpx errors are re-raised as `storeconf.errors.TransportError`
  with just the method and path.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json as jsonlib
import logging
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
import orjson

from storeconf.caps import EndpointCaps
from storeconf.errors import ApiError, RateLimited, StoreUnreachable, TransportError, Unreachable
from storeconf.ratelimit import MAX_DELAY_S, RateLimiter, backoff_delay, header_int, rate_limit_reset_s
from storeconf.slots import Slots
from storeconf.wire import ACCEPT_ENCODING, AiohttpTransport

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Mapping[str, str | int | float | bool]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


def _package_version() -> str:
    try:
        return version("storeconf")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


USER_AGENT = f"storeconf/{_package_version()}"
BASE_HEADERS = {"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING, "User-Agent": USER_AGENT}


@dataclass(frozen=True)
class ApiResponse:
    """A successful (< 400) answer. `body` is parsed JSON, or None when the body is empty."""

    status: int
    headers: httpx.Headers
    body: Any

    @property
    def data(self) -> Any:
        """`body["data"]` of a v3 envelope. v2 answers have no envelope: use `body`."""
        if not isinstance(self.body, dict) or "data" not in self.body:
            raise TypeError(f"response body is not a v3 envelope (status {self.status})")
        return self.body["data"]


@dataclass
class RequestStats:
    """What a client has sent so far. `total` counts every attempt, retries included."""

    total: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0
    throttle_waits: int = 0
    throttle_wait_s: float = 0.0


class _Secret:
    """Holds the access token so that no repr, traceback-locals dump or log shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__


class _Retry(Exception):
    """Internal signal: wait `delay` seconds (None: the rate limiter already waits), then resend."""

    def __init__(self, delay: float | None, final: Exception) -> None:
        super().__init__("retry")
        self.delay = delay
        self.final = final


class StoreClient:
    """Async client for one store. Use as `async with StoreClient(...) as client:`."""

    def __init__(
        self,
        *,
        store_hash: str,
        access_token: str,
        base_url: str = "https://api.bigcommerce.com",
        transport: httpx.AsyncBaseTransport | None = None,
        max_concurrency: int = 16,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        timeout: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`sleep` and `clock` are injectable so tests can run the pacing on virtual time."""
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.store_hash = store_hash
        self.base_url = base_url.rstrip("/")
        self._token = _Secret(access_token)
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self._sleep = sleep
        self._slots = Slots(max_concurrency)
        self._caps = EndpointCaps()
        self._limiter = RateLimiter(sleep, clock)
        # The transport is driven directly, without an httpx.AsyncClient: what the client adds
        # (cookies, auth flows, redirects, hooks) is unused here and costs ~0.5 ms a request.
        self._transport = transport if transport is not None else AiohttpTransport()
        self._root = f"{self.base_url}/stores/{store_hash}"
        self._timeout = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
        self._stats = RequestStats()
        # Whether the store has answered anything yet: until it has, a refused connection is final.
        self._reached = False
        # Told (pages read, pages known) as collections are paged through, for progress displays.
        self.on_pages: Callable[[int, int], None] | None = None
        self._pages = (0, 0)

    def __repr__(self) -> str:
        return f"StoreClient(store_hash={self.store_hash!r}, base_url={self.base_url!r})"

    __str__ = __repr__

    @property
    def on_wait(self) -> Callable[[float], None] | None:
        """Told the seconds requests are held back for the store's quota (0 when they go again)."""
        return self._limiter.on_wait

    @on_wait.setter
    def on_wait(self, callback: Callable[[float], None] | None) -> None:
        self._limiter.on_wait = callback

    def _paged(self, read: int = 0, known: int = 0) -> None:
        done, total = self._pages
        self._pages = (done + read, total + known)
        if self.on_pages is not None:
            self.on_pages(*self._pages)

    @property
    def stats(self) -> RequestStats:
        self._stats.throttle_waits = self._limiter.waits
        self._stats.throttle_wait_s = self._limiter.waited_s
        return self._stats

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        retry: bool | None = None,
    ) -> ApiResponse:
        """Send one request (`path` relative to `/stores/{hash}`, e.g. `/v3/catalog/brands`).

        Returns statuses below 400, including 207 partial successes (read `body["errors"]`).
        Raises ApiError for 4xx/5xx, RateLimited when 429s outlast the retries, and
        TransportError when the store cannot be reached.
        """
        method = method.upper()
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        retry_ambiguous = retry if retry is not None else method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(method, path, params, json, attempt, retry_ambiguous)
            except _Retry as signal:
                if attempt > self._max_retries:
                    raise signal.final from None
                self._stats.retries += 1
                log.debug("retrying %s %s (attempt %d) after %s", method, path, attempt + 1, signal.delay)
                if signal.delay is not None:
                    await self._sleep(signal.delay)

    async def _attempt(
        self, method: str, path: str, params: Params | None, json: Any, attempt: int, retry_ambiguous: bool
    ) -> ApiResponse:
        """One try: returns the response, raises a final error, or raises _Retry."""
        gate = self._caps.gate(method, path)
        # The endpoint's cap first: a request waiting on it holds none of the client's slots.
        async with gate if gate is not None else contextlib.nullcontext(), self._slots.hold():
            window = await self._limiter.acquire()
            headers: httpx.Headers | None = None
            try:
                response = await self._send(method, path, params, json)
                headers = response.headers
            except TransportError as unreachable:
                if not retry_ambiguous or isinstance(unreachable, StoreUnreachable):
                    raise
                raise _Retry(backoff_delay(self._backoff_base, attempt), unreachable) from None
            finally:
                self._limiter.release(window, headers)
        status = response.status_code
        if status == 429:
            self._stats.rate_limited += 1
            raise self._rate_limited(method, path, response, window, attempt)
        if status >= 400:
            error = ApiError(method, path, status, _parse_body(response))
            if status in RETRYABLE_STATUSES and retry_ambiguous:
                raise _Retry(self._server_error_delay(response, error.body, attempt), error)
            raise error
        return self._success(method, path, response)

    async def _send(self, method: str, path: str, params: Params | None, json: Any) -> httpx.Response:
        headers = {**BASE_HEADERS, "X-Auth-Token": self._token.reveal()}
        content: bytes | None = None
        if json is not None:
            headers["Content-Type"] = "application/json"
            content = jsonlib.dumps(json, separators=(",", ":")).encode()
        self._stats.total += 1
        self._stats.by_method[method] += 1
        request = httpx.Request(
            method,
            self._root + path,
            params=dict(params) if params else None,
            content=content,
            headers=headers,
            extensions={"timeout": self._timeout},
        )
        try:
            response = await self._transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            if isinstance(exc, httpx.ConnectError) and not self._reached and (why := _refusal(exc)):
                raise StoreUnreachable(
                    f"cannot reach {self.base_url} ({why}): is the store URL right / is the sandbox running?"
                ) from None
            if isinstance(exc, httpx.ProxyError) and not self._reached:
                raise StoreUnreachable(
                    f"cannot reach {self.base_url} through {exc}: is the proxy setting right "
                    "(HTTPS_PROXY, HTTP_PROXY, NO_PROXY)?"
                ) from None
            # Only the class and message of the httpx error (its request carries our headers),
            # scrubbed in case some layer below ever quotes a header value.
            detail = str(exc).replace(self._token.reveal(), "<redacted>")
            # A proxy that refused the tunnel or could not be reached sent nothing on.
            unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError)
            error = Unreachable if unsent else TransportError
            raise error(f"{method} {path}: {type(exc).__name__}: {detail}") from None
        self._reached = True
        return response

    def _rate_limited(
        self, method: str, path: str, response: httpx.Response, window: int, attempt: int
    ) -> _Retry:
        error = RateLimited(method, path, 429, _parse_body(response))
        reset = rate_limit_reset_s(response.headers)
        if reset is None:  # no quota headers: the platform is overloaded, not our quota
            return _Retry(backoff_delay(self._backoff_base, attempt), error)
        left = header_int(response.headers, "X-Rate-Limit-Requests-Left")
        if left is not None and left > 0:
            # The quota is not spent: an endpoint's concurrency cap said no (another app may be
            # using it). Only this request waits, briefly; pausing every request until the
            # window resets would idle the run for up to 30 s a time.
            return _Retry(backoff_delay(self._backoff_base, attempt), error)
        if attempt > 1:  # repeated 429s: another app keeps draining the quota, wait longer
            reset = max(reset, backoff_delay(self._backoff_base, attempt))
        self._limiter.block(window, reset)
        return _Retry(None, error)

    def _server_error_delay(self, response: httpx.Response, body: Any, attempt: int) -> float:
        delay = backoff_delay(self._backoff_base, attempt)
        hint = rate_limit_reset_s(response.headers)
        if hint is None and isinstance(body, dict) and isinstance(body.get("error"), dict):
            # The price-list 503 body says how long to stay away.
            hint = _as_float(body["error"].get("retry_after_seconds"))
        return min(max(delay, hint or 0.0), MAX_DELAY_S)

    def _success(self, method: str, path: str, response: httpx.Response) -> ApiResponse:
        body = _parse_body(response)
        if isinstance(body, str):
            # Only JSON (or nothing) is a valid success body; anything else is a broken answer.
            raise ApiError(method, path, response.status_code, f"non-JSON body: {body[:200]}")
        return ApiResponse(response.status_code, response.headers, body)

    async def get_all(
        self, path: str, params: Params | None = None, *, limit: int = 250
    ) -> list[dict[str, Any]]:
        """Every item of a collection, in page order.

        v3 offset pagination: page 1 tells `meta.pagination.total_pages`, then the other
        pages are fetched concurrently. A body without pagination meta is one page; a bare
        v2 list is paged sequentially until a short page.
        """
        return await self.get_each(path, _as_is, params, limit=limit)

    async def get_each(
        self,
        path: str,
        each: Callable[[list[dict[str, Any]], int], Awaitable[list[T]]],
        params: Params | None = None,
        *,
        limit: int = 250,
    ) -> list[T]:
        """`each(items, pages)` applied to every page's items as the page arrives (pages run
        concurrently, as in get_all; `pages` is how many there are), the results in page order.
        A reader that turns each page into something smaller holds a few pages of the API's
        data at a time, not the whole collection."""
        base = {**(params or {}), "limit": limit}
        first = await self.request("GET", path, params={**base, "page": 1})
        if isinstance(first.body, list):
            self._paged(1, 1)
            return await each(await self._get_all_v2(path, base, first.body, limit), 1)
        pages = _total_pages(first.body)
        self._paged(1, pages)
        # Page 1's `each` runs beside the others, not before them: it may wait on a later page
        # (a reader batching across pages), and a later page's failure must end the wait.
        tasks = [asyncio.ensure_future(each(_page_items(first.body), pages))]
        tasks += [
            asyncio.ensure_future(self._page_each(path, {**base, "page": page}, each, pages))
            for page in range(2, pages + 1)
        ]
        del first
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
        return [item for result in results for item in result]

    async def _page_each(
        self,
        path: str,
        params: Params,
        each: Callable[[list[dict[str, Any]], int], Awaitable[list[T]]],
        pages: int,
    ) -> list[T]:
        response = await self._page(path, params)
        return await each(_page_items(response.body), pages)

    async def _page(self, path: str, params: Params) -> ApiResponse:
        response = await self.request("GET", path, params=params)
        self._paged(1)
        return response

    async def _get_all_v2(
        self, path: str, base: dict[str, Any], first: list[Any], limit: int
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = list(first)
        page, last = 1, first
        while len(last) >= limit:
            page += 1
            self._paged(0, 1)
            response = await self._page(path, {**base, "page": page})
            last = response.body if isinstance(response.body, list) else []
            items.extend(last)
        return items


async def _as_is(items: list[dict[str, Any]], pages: int) -> list[dict[str, Any]]:
    return items


def _refusal(exc: BaseException) -> str | None:
    """ "connection refused" or "unknown host" when the OS error under httpx's says so: an
    answer that will not change on retry. None for anything else (a drop, a reset)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "unknown host"
        if isinstance(cause, BaseExceptionGroup):  # one error per address tried
            found = {_refusal(inner) for inner in cause.exceptions}
            return found.pop() if len(found) == 1 else None
        cause = cause.__cause__ or cause.__context__
    return None


# 19 digits in a row, found by mapping every digit to 0 (a regex scan costs ~10x more).
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19


def _parse_body(response: httpx.Response) -> Any:
    """JSON when it parses, the text when it does not, None when empty."""
    if not response.content:
        return None
    # orjson reads a 250-product page ~3x faster than json and, where it succeeds, reads it the
    # same, except that it turns an integer past 64 bits into a float: a body with 19 digits in a
    # row goes to json, as does whatever orjson refuses (NaN, lone surrogates).
    if _LONG_RUN not in response.content.translate(_DIGITS_TO_ZERO):
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            pass
    try:
        return response.json()
    except ValueError:
        return response.text


def _page_items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return list(body["data"])
    return []


def _total_pages(body: Any) -> int:
    if not isinstance(body, dict):
        return 1
    pagination = (body.get("meta") or {}).get("pagination") or {}
    try:
        return max(int(pagination.get("total_pages", 1)), 1)
    except (TypeError, ValueError):
        return 1


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
