"""Helpers for testing and measuring storeconf against a store (used by its tests and benchmark)."""

from __future__ import annotations

import re
from collections import Counter

import httpx


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts requests by method and path template (`GET /v3/catalog/products/{id}/options`)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = re.sub(r"/\d+", "/{id}", re.sub(r"^/stores/[^/]+", "", request.url.path))
        self.counts[f"{request.method} {path}"] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def take(self) -> Counter[str]:
        """The counts so far, and start counting afresh."""
        counts, self.counts = self.counts, Counter()
        return counts


class FaultyTransport(httpx.AsyncBaseTransport):
    """Faults `rate` of the requests, chosen at random (seeded): a 429 with reset headers, a
    500/502/503 before the store did anything, an answer that never comes (the write was made,
    the client times out) or a connection dropped after the store committed the write."""

    KINDS = ("429", "5xx", "timeout", "dropped")

    def __init__(self, inner: httpx.AsyncBaseTransport, rate: float, seed: int = 0) -> None:
        import random

        self.inner, self.rate, self.random = inner, rate, random.Random(seed)
        self.faults: Counter[str] = Counter()
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.random.random() >= self.rate:
            return await self.inner.handle_async_request(request)
        kind = self.random.choice(self.KINDS)
        self.faults[kind] += 1
        if kind == "429":
            headers = {"X-Rate-Limit-Time-Reset-Ms": "200", "X-Rate-Limit-Requests-Left": "0"}
            body = {"status": 429, "title": "Too many requests", "type": "about:blank", "errors": {}}
            return httpx.Response(429, json=body, headers=headers, request=request)
        if kind == "5xx":
            status = self.random.choice((500, 502, 503))
            body = {"status": status, "title": "Service unavailable", "type": "about:blank", "errors": {}}
            return httpx.Response(status, json=body, request=request)
        response = await self.inner.handle_async_request(request)
        await response.aread()  # the store handled it: the write is made
        if kind == "timeout":
            raise httpx.ReadTimeout("answer delayed past the client timeout", request=request)
        raise httpx.RemoteProtocolError("connection dropped after the write", request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()
