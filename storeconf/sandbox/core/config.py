"""What a sandbox store is configured with: storage, identity, credentials and limits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_TOKEN = "sandbox-token"
DEFAULT_CLIENT_ID = "sandbox-client"


@dataclass(frozen=True)
class TokenGrant:
    """What one access token may do. Scripts and webhooks are scoped by `client_id`."""

    client_id: str
    read_only: bool = False


def _default_tokens() -> dict[str, TokenGrant]:
    return {DEFAULT_TOKEN: TokenGrant(client_id=DEFAULT_CLIENT_ID)}


@dataclass
class SandboxConfig:
    """Settings for one sandbox store.

    `clock` drives the rate-limit window (seconds, monotonic) and `now` stamps
    created/modified dates (seconds since the epoch); tests inject both so they
    never sleep and get stable timestamps.
    """

    db_path: str = ":memory:"
    store_hash: str = "sandbox"
    tokens: dict[str, TokenGrant] = field(default_factory=_default_tokens)
    rate_limit_quota: int = 450
    rate_limit_window_ms: int = 30000
    enforce_rate_limit: bool = True
    latency_ms: float = 0
    max_page_limit: int = 250
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], float] = time.time
    # The promotions API allows two promotions of one name; a store may be set to refuse them.
    unique_promotion_names: bool = False
