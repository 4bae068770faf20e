"""Helpers for driving sandbox stores in-process through httpx's ASGI transport.

Every exchange goes through `tests.conformance.ValidatingTransport`, so each test also
checks its responses against the BigCommerce specs (see `conformance_problems`)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any, NamedTuple

import httpx

from storeconf.sandbox import Sandbox, SandboxConfig, create_app
from tests.conformance import ConformanceCollector, ValidatingTransport

BASE_URL = "https://api.bigcommerce.com"
TOKEN = "sandbox-token"


# How `ConformanceCollector.record` writes a finding: "<method> <url> -> <status> [<spec>
# <path>]: <side>: <error>". The first " -> NNN [" is the real one: URLs are
# percent-encoded, so they hold no space.
_FINDING = re.compile(
    r"(?P<label>.*?) -> (?P<status>\d{3}) \[(?P<operation>[^\]]*)\]: "
    r"(?P<side>request|response): (?P<error>.*)",
    re.DOTALL,
)


class Finding(NamedTuple):
    status: int
    side: str  # "request" or "response"
    error: str


def finding(failure: str) -> Finding | None:
    match = _FINDING.fullmatch(failure)
    if match is None:
        return None
    return Finding(int(match["status"]), match["side"], match["error"])


def tolerated(failure: str) -> bool:
    """Findings that are the sandbox being right where the spec is silent:
    - an error status the real API sends but the operation does not document (413 for a
      large `limit`, 422 for a bad filter value, 404 for an unknown id, ...): there is no
      schema to check its body against, and the behaviour tests pin it down. A documented
      status never gives `ResponseNotFound`, so its body is always checked;
    - the request side of a batch holding some invalid items, answered 207 with per-item
      errors (the spec's batch schema has no room for partial success). The 207 body itself
      is documented and still checked.
    Anything that does not parse as a finding is not tolerated."""
    found = finding(failure)
    if found is None:
        return False
    undocumented_error = (
        found.side == "response" and 400 <= found.status < 500 and found.error.startswith("ResponseNotFound:")
    )
    partly_invalid_batch = found.side == "request" and found.status == 207
    return undocumented_error or partly_invalid_batch


class FakeClock:
    """An injectable clock (seconds) that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Store:
    """One sandbox app plus a client on a private event loop, so tests read synchronously.

    Paths are relative to `/stores/{store_hash}`; pass `raw_path=True` for absolute paths."""

    def __init__(self, config: SandboxConfig) -> None:
        self.app = create_app(config)
        self.sandbox: Sandbox = self.app.state.sandbox
        self.prefix = f"/stores/{config.store_hash}"
        self.loop = asyncio.new_event_loop()
        # The default specs and allow-list: the same check the end-to-end tests run.
        self.transport = ValidatingTransport(
            httpx.ASGITransport(app=self.app), collector=ConformanceCollector()
        )
        self.client = httpx.AsyncClient(transport=self.transport, base_url=BASE_URL)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        token: str | None = TOKEN,
        raw_path: bool = False,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["X-Auth-Token"] = token
        url = path if raw_path else self.prefix + path
        call = self.client.request(method, url, json=json, content=content, headers=headers)
        return self.loop.run_until_complete(call)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def conformance_problems(self) -> list[str]:
        return [failure for failure in self.transport.failures if not tolerated(failure)]

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()
        self.sandbox.close()


StoreFactory = Callable[..., Store]
