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
