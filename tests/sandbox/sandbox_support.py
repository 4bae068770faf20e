"""Helpers for driving sandbox stores in-process through httpx's ASGI transport.

Every exchange goes through `tests.conformance.ValidatingTransport`, so each test also
checks its responses against the BigCommerce specs (see `conformance_problems`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from storeconf.sandbox import Sandbox, SandboxConfig, create_app
from tests.conformance import (
    ALLOW_LIST,
    ConformanceCollector,
    SpecIndex,
    ValidatingTransport,
    load_specs,
    specs_available,
    specs_dir,
)

BASE_URL = "https://api.bigcommerce.com"
TOKEN = "sandbox-token"


def sandbox_specs() -> SpecIndex | None:
    if not specs_available():
        return None
    return load_specs(specs_dir(), ALLOW_LIST)


def tolerated(failure: str) -> bool:
    """Two kinds of finding are the sandbox being right, not wrong:
    - error statuses the real API sends but an operation does not document (413 for a
      large `limit`, 422 for a bad filter value, 404 for an unknown id, ...): their bodies
      have no schema to check, and the behaviour tests pin them down;
    - a batch holding some invalid items, answered 207 with per-item errors."""
    undocumented_error = "response: ResponseNotFound" in failure and " -> 4" in failure
    partly_invalid_batch = " -> 207 " in failure and ": request: " in failure
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
        self.transport = ValidatingTransport(
            httpx.ASGITransport(app=self.app), collector=ConformanceCollector(), specs=sandbox_specs()
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
