"""`Sandbox`: programmatic control of a running sandbox store (`app.state.sandbox`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from storeconf.sandbox.core.concurrency import Cap, ConcurrencyGate
from storeconf.sandbox.core.config import SandboxConfig, TokenGrant
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.faults import FaultInjector
from storeconf.sandbox.core.ratelimit import RateLimiter


@dataclass(frozen=True)
class RequestRecord:
    """One request as the sandbox saw it. `status` is None when the connection was dropped;
    `client_id` is None when the token was missing or unknown."""

    method: str
    path: str
    query: str
    status: int | None
    client_id: str | None


class Sandbox:
    """The store behind one app: its database, request log, fault rules and rate limiter."""

    def __init__(self, config: SandboxConfig, db: StoreDb, caps: Sequence[Cap] = ()) -> None:
        self.config = config
        self.concurrency = ConcurrencyGate(caps)
        self.db = db
        self.request_log: list[RequestRecord] = []
        self.faults = FaultInjector()
        self.rate_limiter = RateLimiter(
            config.rate_limit_quota, config.rate_limit_window_ms, config.clock, config.enforce_rate_limit
        )
        # A shortcut bound here rather than re-declared, so it keeps the injector's signature.
        self.add_fault = self.faults.add_fault

    def reset_log(self) -> None:
        self.request_log.clear()

    def grant_for(self, token: str | None) -> TokenGrant | None:
        return None if token is None else self.config.tokens.get(token)

    def iso_now(self) -> str:
        """A catalog-style timestamp, e.g. `2018-08-15T14:48:46+00:00`."""
        moment = datetime.fromtimestamp(self.config.now(), UTC).replace(microsecond=0)
        return moment.isoformat()

    def epoch_now(self) -> int:
        return int(self.config.now())

    def close(self) -> None:
        self.db.close()
