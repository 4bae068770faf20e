"""Apply under adverse conditions: lost answers, 5xx, rate limits. Python API against the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storeconf.client import StoreClient
from storeconf.config import load_project
from storeconf.engine import Planned, apply_planned, make_plan
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from tests.conformance import ValidatingTransport

TOKEN = "reliability"


class VirtualTime:
    """One clock for the sandbox's rate-limit window and the client's sleeps: waiting is instant."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def time_() -> VirtualTime:
    return VirtualTime()


QUOTA = 8


@pytest.fixture
def store(time_: VirtualTime) -> Iterator[Any]:
    app = create_app(
        SandboxConfig(
            tokens={TOKEN: TokenGrant(client_id="rel")},
            rate_limit_quota=QUOTA,
            clock=time_.clock,
            enforce_rate_limit=True,
        )
    )
    yield app
    app.state.sandbox.close()


def client_for(app: Any, time_: VirtualTime, transports: list[ValidatingTransport]) -> StoreClient:
    transport = ValidatingTransport(httpx.ASGITransport(app=app))
    transports.append(transport)
    return StoreClient(
        store_hash="sandbox", access_token=TOKEN, transport=transport, sleep=time_.sleep, clock=time_.clock
    )


async def plan_and_apply(project_dir: Path, client: StoreClient) -> tuple[Planned, Any]:
    planned = await make_plan(load_project(project_dir), client)
    return planned, await apply_planned(planned, client)


def test_lost_create_answer_is_reconciled_not_duplicated(
    example: Path, store: Any, time_: VirtualTime
) -> None:
    # The brand is created but the answer never arrives: apply must re-read, find it, and not create it twice.
    store.state.sandbox.add_fault("POST", r"/v3/catalog/brands$", kind="drop_after", after=2)
    transports: list[ValidatingTransport] = []

    async def run() -> None:
        client = client_for(store, time_, transports)
        _, report = await plan_and_apply(example, client)
        assert report.ok, report.failed
        again = await make_plan(load_project(example), client)
        assert again.plan.empty
        brands = await client.get_all("/v3/catalog/brands")
        assert len(brands) == len({b["name"] for b in brands}) == 8
        await client.aclose()

    asyncio.run(run())
    assert not [f for t in transports for f in t.failures]


def test_server_errors_on_reads_are_retried(example: Path, store: Any, time_: VirtualTime) -> None:
    store.state.sandbox.add_fault("GET", r"/v3/catalog/brands$", status=503, times=2)
    transports: list[ValidatingTransport] = []

    async def run() -> None:
        client = client_for(store, time_, transports)
        planned, report = await plan_and_apply(example, client)
        assert report.ok and not planned.plan.empty
        assert client.stats.retries >= 2
        await client.aclose()

    asyncio.run(run())


def test_rate_limit_quota_is_respected_without_failing(example: Path, store: Any, time_: VirtualTime) -> None:
    """Quota 8 per 30 s; the example needs about three times that: the client paces itself."""
    transports: list[ValidatingTransport] = []

    async def run() -> None:
        client = client_for(store, time_, transports)
        _, report = await plan_and_apply(example, client)
        assert report.ok, report.failed
        assert client.stats.total > 2 * QUOTA
        assert client.stats.throttle_waits + client.stats.rate_limited > 0
        assert (await make_plan(load_project(example), client)).plan.empty
        await client.aclose()

    asyncio.run(run())
    log = store.state.sandbox.request_log
    assert sum(1 for r in log if r.status == 429) <= 2  # pacing avoids 429s; at most a boundary slip


def test_create_failure_with_5xx_on_post_is_not_blindly_retried(
    example: Path, store: Any, time_: VirtualTime
) -> None:
    # A 500 before the server did anything: the re-read finds nothing, so the create is retried once.
    store.state.sandbox.add_fault("POST", r"/v3/content/scripts$", status=500, times=1)
    transports: list[ValidatingTransport] = []

    async def run() -> None:
        client = client_for(store, time_, transports)
        _, report = await plan_and_apply(example, client)
        assert report.ok, report.failed
        scripts = await client.get_all("/v3/content/scripts")
        assert len(scripts) == 3
        await client.aclose()

    asyncio.run(run())
