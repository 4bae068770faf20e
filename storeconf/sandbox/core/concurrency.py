"""Per-endpoint concurrency caps: more requests in flight on one endpoint than it allows
are answered 429, as the price-list endpoints document ("running more than the allowed
concurrent requests in parallel on the same store will cause a 429 error").

A request holds its slot from arrival to answer, latency included, so caps are
observable whenever the sandbox runs with `latency_ms`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_STORE_PREFIX = re.compile(r"^/stores/[^/]+")


@dataclass(frozen=True)
class Cap:
    """At most `limit` concurrent `method` requests on paths matching `path` (a regex on the
    path after `/stores/{hash}`, e.g. `/v3/pricelists/\\d+/records`)."""

    method: str
    path: str
    limit: int

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and re.fullmatch(self.path, path) is not None


class ConcurrencyGate:
    """Counts requests in flight per cap."""

    def __init__(self, caps: Sequence[Cap]) -> None:
        self.caps = tuple(caps)
        self.in_flight: Counter[Cap] = Counter()

    def enter(self, method: str, path: str) -> tuple[Cap | None, bool]:
        """Take a slot: the cap that applies (None if none) and whether the request may run."""
        rest = _STORE_PREFIX.sub("", path)
        cap = next((c for c in self.caps if c.matches(method, rest)), None)
        if cap is None:
            return None, True
        self.in_flight[cap] += 1
        return cap, self.in_flight[cap] <= cap.limit

    def leave(self, cap: Cap | None) -> None:
        if cap is not None:
            self.in_flight[cap] -= 1
