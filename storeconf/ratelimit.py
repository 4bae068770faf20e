"""Client-side pacing for the BigCommerce store quota, and the retry delays.

BigCommerce gives every store one request quota per window (150 requests per 30 s on
Standard plans) and every app on the store shares it. A 429 costs a round trip and tells
us only what we could already have read: every response carries
`X-Rate-Limit-Requests-Left` and `X-Rate-Limit-Time-Reset-Ms`. So instead of reacting
to 429s we pace ourselves. When the units left are no more than the requests we have in
flight (each of which will use one), new requests wait until the window resets. A 429
still happens when another app drains the shared quota; then the caller reports the
delay here, and every request of the client waits for that reset, not just the one that
got the 429.

Headers can arrive out of order: a slow response from early in the window may say that
more units are left than a fast later one. Within one window the count only goes down,
so a higher count is believed only once the reset time has passed. Responses to requests
sent before a reset we waited for are ignored, because they describe the old window.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping

Sleep = Callable[[float], Awaitable[None]]

# Used when requests-left is exhausted and no response says when the window resets.
UNKNOWN_RESET_WAIT_S = 1.0
# Upper bound for any single computed backoff or server-suggested delay.
MAX_DELAY_S = 60.0


def header_int(headers: Mapping[str, str], name: str) -> int | None:
    """An integer header, or None when absent or malformed."""
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        return None


def backoff_delay(base: float, attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: between half and all of `base * 2**(attempt-1)`.

    The jitter spreads out retries from concurrent requests that failed together; the
    lower bound keeps a minimum pause so a struggling server gets some rest.
    """
    full = min(base * 2.0 ** max(attempt - 1, 0), MAX_DELAY_S)
    jitter = rng.random() if rng is not None else random.random()
    return full * (0.5 + jitter / 2)


def rate_limit_reset_s(headers: Mapping[str, str]) -> float | None:
    """Seconds until the quota refreshes, from the rate-limit headers of any response."""
    reset_ms = header_int(headers, "X-Rate-Limit-Time-Reset-Ms")
    if reset_ms is not None:
        return min(max(reset_ms, 0) / 1000, MAX_DELAY_S)
    retry_after = header_int(headers, "X-Retry-After")
    if retry_after is None:
        retry_after = header_int(headers, "Retry-After")
    return None if retry_after is None else min(max(retry_after, 0), MAX_DELAY_S)


class RateLimiter:
    """Tracks the store quota from response headers and holds requests back when it runs out."""

    def __init__(self, sleep: Sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self._sleep = sleep
        self._clock = clock
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self._in_flight = 0
        self._left: int | None = None
        self._quota: int | None = None
        self._reset_at: float | None = None
        self._window = 0
        self.waits = 0
        self.waited_s = 0.0
        # Told how long requests are held back for the quota (then 0 when they go again), so a
        # progress display can say why nothing moves.
        self.on_wait: Callable[[float], None] | None = None

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def acquire(self) -> int:
        """Wait until a request may be sent; returns the window token to pass to `release`."""
        async with self._lock:
            while self._exhausted():
                if self._reset_at is None and self._in_flight > 0:
                    # A response is on its way and will tell us when the window resets.
                    self._changed.clear()
                    await self._changed.wait()
                else:
                    await self._wait_for_reset()
            self._in_flight += 1
            return self._window

    def release(self, window: int, headers: Mapping[str, str] | None) -> None:
        """A request finished; `headers` is None when no response came back."""
        self._in_flight -= 1
        if headers is not None and window == self._window:
            self._observe(headers)
        self._changed.set()

    def block(self, window: int, delay_s: float) -> None:
        """A 429 arrived: nobody sends until `delay_s` from now (unless a reset already passed)."""
        if window == self._window:
            self._left = 0
            self._reset_at = self._clock() + delay_s
        self._changed.set()

    def _exhausted(self) -> bool:
        return self._left is not None and self._left <= self._in_flight

    def _observe(self, headers: Mapping[str, str]) -> None:
        quota = header_int(headers, "X-Rate-Limit-Requests-Quota")
        if quota is not None:
            self._quota = quota
        left = header_int(headers, "X-Rate-Limit-Requests-Left")
        if left is None:
            return
        now = self._clock()
        window_passed = self._reset_at is not None and now >= self._reset_at
        if self._left is None or left <= self._left or window_passed:
            self._left = left
            reset_ms = header_int(headers, "X-Rate-Limit-Time-Reset-Ms")
            self._reset_at = None if reset_ms is None else now + max(reset_ms, 0) / 1000

    async def _wait_for_reset(self) -> None:
        now = self._clock()
        delay = UNKNOWN_RESET_WAIT_S if self._reset_at is None else max(self._reset_at - now, 0.0)
        if delay > 0:
            self.waits += 1
            self.waited_s += delay
            if self.on_wait is not None:
                self.on_wait(delay)
            await self._sleep(delay)
            if self.on_wait is not None:
                self.on_wait(0.0)
        self._window += 1
        self._left = self._quota
        self._reset_at = None
