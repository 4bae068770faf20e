"""Fault injection: answer chosen requests with an error status, or drop the connection."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

# status: answer with `status` instead of handling the request; drop: hang up without
# handling it; drop_after: handle it (so writes happen), then hang up without answering.
FaultKind = Literal["status", "drop", "drop_after"]


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised instead of answering. In-process (httpx.ASGITransport) the client sees this
    httpx transport error, as it would when a server hangs up; `serve()` turns it into a
    real aborted response over TCP."""


@dataclass
class FaultRule:
    """Fires on matching requests from the `after`-th one on, `times` times (None: forever)."""

    method: str | None
    path_regex: str | None
    status: int
    kind: FaultKind
    times: int | None
    after: int
    body: Any
    headers: dict[str, str]
    seen: int = 0
    fired: int = 0
    _pattern: re.Pattern[str] | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path_regex) if self.path_regex is not None else None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def count_and_decide(self) -> bool:
        self.seen += 1
        if self.seen < self.after or self.exhausted():
            return False
        self.fired += 1
        return True


class FaultInjector:
    """The rules in force, consulted by the gateway before any other processing."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add_fault(
        self,
        method: str | None = None,
        path_regex: str | None = None,
        status: int = 500,
        *,
        kind: FaultKind = "status",
        times: int | None = 1,
        after: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> FaultRule:
        """Add a rule. `path_regex` is searched in the request path (query excluded);
        `after=N` lets N-1 matching requests through and fires on the Nth."""
        if kind not in ("status", "drop", "drop_after"):
            raise ValueError(f"unknown fault kind {kind!r}")
        if after < 1 or (times is not None and times < 1):
            raise ValueError("after and times must be at least 1")
        rule = FaultRule(method, path_regex, status, kind, times, after, body, dict(headers or {}))
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def pick(self, method: str, path: str) -> FaultRule | None:
        """Count the request against every matching rule; the first one due fires."""
        chosen: FaultRule | None = None
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path) and rule.count_and_decide() and chosen is None:
                    chosen = rule
        return chosen
