"""What a resource module contributes to the sandbox: tables, first-run rows and routes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute

from storeconf.sandbox.core.concurrency import Cap
from storeconf.sandbox.core.db import Seed


@dataclass(frozen=True)
class Resource:
    """Route paths are relative to `/stores/{store_hash}` and start with `/v3` or `/v2`."""

    name: str
    schema: str
    routes: Sequence[BaseRoute]
    seed: Seed | None = None
    # Per-endpoint concurrency caps (429 beyond them), as the API documents them.
    caps: Sequence[Cap] = ()
