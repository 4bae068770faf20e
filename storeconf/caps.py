"""The API's per-endpoint concurrency caps: a request beyond its endpoint's cap gets a 429
(BIGCOMMERCE_API.md §2, §7.1, §9, §16), whatever the store's quota has left.

The client holds every request to its endpoint's cap, below its own overall limit, so no
reader or writer has to know them: a price list's 200 record pages go 10 at a time while
product pages fill the other slots. Only caps below the client's overall limit are listed.
"""

from __future__ import annotations

import asyncio
import re

# (method, path relative to /stores/{hash}, requests in flight at most)
CAPS: tuple[tuple[str, str, int], ...] = (
    ("GET", r"/v3/catalog/trees/\d+/categories", 1),
    ("GET", r"/v3/pricelists/\d+/records", 10),
    ("POST", r"/v3/pricelists/\d+/records", 10),
    # The spec says 2; the docs say one bulk upsert at a time per store.
    ("PUT", r"/v3/pricelists/\d+/records", 1),
    ("DELETE", r"/v3/pricelists/\d+", 1),
    ("POST", r"/v3/pricelists/records", 10),
    ("PUT", r"/v3/pricelists/records", 1),
    ("GET", r"/v3/promotions/\d+/codes", 10),
    ("POST", r"/v3/promotions/\d+/codegen", 10),
)


class EndpointCaps:
    """One semaphore per capped endpoint, for one client (one store)."""

    def __init__(self) -> None:
        self._caps = [(method, re.compile(path), asyncio.Semaphore(n)) for method, path, n in CAPS]

    def gate(self, method: str, path: str) -> asyncio.Semaphore | None:
        """The cap `method path` is held to; None for an endpoint without one."""
        if not path.startswith(("/v3/pricelists", "/v3/catalog/trees/", "/v3/promotions/")):
            return None  # most requests: no regex tried
        bare = path.split("?", 1)[0]
        for capped, pattern, gate in self._caps:
            if capped == method and pattern.fullmatch(bare):
                return gate
        return None
