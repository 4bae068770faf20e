"""The store-wide request quota: a fixed window, as BigCommerce documents it."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateState:
    window_ms: int
    reset_ms: int
    quota: int
    left: int

    def headers(self) -> dict[str, str]:
        # The official Python client crashes unless all four are present together.
        return {
            "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(self.reset_ms),
            "X-Rate-Limit-Requests-Quota": str(self.quota),
            "X-Rate-Limit-Requests-Left": str(self.left),
            "X-BC-ApiLimit-Remaining": str(self.left),
        }

    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.reset_ms / 1000))


class RateLimiter:
    """Counts authenticated requests in a window that starts with the first request
    after the previous window ended. With `enforce` off there is no limit, and the
    headers say so (a full quota left): a well-behaved client paces itself on
    `Requests-Left`, so reporting a spent quota would slow it down for nothing."""

    def __init__(self, quota: int, window_ms: int, clock: Callable[[], float], enforce: bool) -> None:
        self.quota = quota
        self.window_ms = window_ms
        self.clock = clock
        self.enforce = enforce
        self._start: float | None = None
        self._used = 0
        self._lock = threading.Lock()

    def peek(self) -> RateState:
        """The state a request would see, without spending quota (for refused requests)."""
        with self._lock:
            now = self.clock()
            if self._expired(now):
                return RateState(self.window_ms, self.window_ms, self.quota, self.quota)
            return self._state(now)

    def consume(self) -> tuple[bool, RateState]:
        with self._lock:
            now = self.clock()
            if self._expired(now):
                self._start, self._used = now, 0
            if self.enforce and self._used >= self.quota:
                return False, self._state(now)
            self._used += 1
            return True, self._state(now)

    def reset(self) -> None:
        with self._lock:
            self._start, self._used = None, 0

    def _expired(self, now: float) -> bool:
        return self._start is None or (now - self._start) * 1000 >= self.window_ms

    def _state(self, now: float) -> RateState:
        assert self._start is not None
        reset_ms = max(0, math.ceil(self.window_ms - (now - self._start) * 1000))
        left = self.quota if not self.enforce else max(0, self.quota - self._used)
        return RateState(self.window_ms, reset_ms, self.quota, left)
