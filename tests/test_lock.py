"""The store lock (storeconf.lock) against the sandbox: one holder at a time, waiting, naming the
holder, stale locks broken only on request, and release when the run ends."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from storeconf.client import StoreClient
from storeconf.config import load_project
from storeconf.engine import connect
from storeconf.lock import PATH, LockError, StoreLock, store_lock
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from tests.conftest import Cli, Recorder


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@asynccontextmanager
async def _client(db: Path, recorder: Recorder, token: str = "t") -> AsyncIterator[StoreClient]:
    """One more client on the same sandbox database, as a second process would have."""
    tokens = {"t": TokenGrant("storeconf"), "other": TokenGrant("other-app")}
    app = create_app(SandboxConfig(db_path=str(db), store_hash="s", tokens=tokens, enforce_rate_limit=False))
    transport = recorder.wrap(httpx.ASGITransport(app=app))
    client = StoreClient(store_hash="s", access_token=token, transport=transport)
    try:
        yield client
    finally:
        await client.aclose()
        app.state.sandbox.close()


def test_second_run_is_refused_naming_the_holder(tmp_path: Path, recorder: Recorder) -> None:
    async def run() -> str:
        async with _client(tmp_path / "s.db", recorder) as one, _client(tmp_path / "s.db", recorder) as two:
            async with store_lock(one, owner="ci run 41"):
                with pytest.raises(LockError) as refused:
                    async with store_lock(two, owner="ci run 42"):
                        pass
            # Released when the first block ended: now the second run gets it.
            async with store_lock(two, owner="ci run 42") as lock:
                assert lock.held is not None and lock.held.owner == "ci run 42"
            return str(refused.value)

    message = asyncio.run(run())
    assert message.startswith("the store is locked by ci run 41 (since ")
    assert "--lock-timeout" in message


def test_waits_up_to_the_timeout_then_gives_up(tmp_path: Path, recorder: Recorder) -> None:
    clock = Clock()

    async def run() -> tuple[str, list[str]]:
        waits: list[str] = []
        async with _client(tmp_path / "s.db", recorder) as one, _client(tmp_path / "s.db", recorder) as two:
            held = StoreLock(one, "first", clock=clock, sleep=clock.sleep)
            await held.acquire()
            second = StoreLock(
                two,
                "second",
                timeout=30,
                clock=clock,
                sleep=clock.sleep,
                on_wait=lambda h: waits.append(h.owner),
            )
            with pytest.raises(LockError) as refused:
                await second.acquire()
            return str(refused.value), waits

    message, waits = asyncio.run(run())
    assert "after waiting 30s" in message and waits == ["first"]


def test_waiting_run_gets_the_lock_when_it_is_released(tmp_path: Path, recorder: Recorder) -> None:
    async def run() -> str:
        async with _client(tmp_path / "s.db", recorder) as one, _client(tmp_path / "s.db", recorder) as two:
            first = StoreLock(one, "first")
            await first.acquire()

            async def release_soon() -> None:
                await asyncio.sleep(0.05)
                await first.release()

            async def fast(seconds: float) -> None:
                await asyncio.sleep(0.02)

            releasing = asyncio.ensure_future(release_soon())
            second = StoreLock(two, "second", timeout=60, sleep=fast)
            got = await second.acquire()
            await releasing
            return got.owner

    assert asyncio.run(run()) == "second"


def test_stale_lock_is_broken_only_with_the_flag(tmp_path: Path, recorder: Recorder) -> None:
    clock = Clock()

    async def run() -> str:
        async with _client(tmp_path / "s.db", recorder) as one, _client(tmp_path / "s.db", recorder) as two:
            crashed = StoreLock(one, "crashed run", ttl=60, clock=clock, sleep=clock.sleep)
            await crashed.acquire()  # and never released
            clock.now += 61
            with pytest.raises(LockError) as stale:
                await StoreLock(two, "next", timeout=300, clock=clock, sleep=clock.sleep).acquire()
            taken = await StoreLock(two, "next", break_lock=True, clock=clock, sleep=clock.sleep).acquire()
            assert taken.owner == "next"
            return str(stale.value)

    message = asyncio.run(run())
    assert "held by crashed run" in message and "is stale" in message and "--break-lock" in message


def test_lock_is_refreshed_while_held(tmp_path: Path, recorder: Recorder) -> None:
    clock = Clock()

    async def run() -> float:
        async with _client(tmp_path / "s.db", recorder) as one:
            lock = StoreLock(one, "long apply", ttl=60, clock=clock, sleep=clock.sleep)
            await lock.acquire()
            clock.now += 50
            await lock.refresh()
            items = (await one.request("GET", PATH, params={"key": "lock"})).data
            return float(json.loads(items[0]["value"])["expires"]) - clock.now

    assert asyncio.run(run()) == 60


def test_another_api_account_sees_the_lock(tmp_path: Path, recorder: Recorder) -> None:
    async def run() -> str:
        async with (
            _client(tmp_path / "s.db", recorder) as one,
            _client(tmp_path / "s.db", recorder, token="other") as other,
        ):
            async with store_lock(one, owner="storeconf ci"):
                with pytest.raises(LockError) as refused:
                    async with store_lock(other, owner="a colleague"):
                        pass
            return str(refused.value)

    assert "locked by storeconf ci" in asyncio.run(run())


def _hold(example: Path, recorder: Recorder, owner: str, ttl: float) -> None:
    """Take the example store's lock and leave it there, as a run that is still going (or died)."""

    async def take() -> None:
        project = load_project(example)
        async with connect(project.environment, wrap=recorder.wrap) as client:
            await StoreLock(client, owner, ttl=ttl).acquire()

    asyncio.run(take())


def test_apply_refuses_while_another_run_holds_the_lock(cli: Cli, example: Path, recorder: Recorder) -> None:
    _hold(example, recorder, "deploy job 7", ttl=600)
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "Error: the store is locked by deploy job 7 (since " in result.stderr
    recorder.requests.clear()
    waited = cli("apply", "--auto-approve", "--lock-timeout", "5")
    assert waited.exit_code == 1
    assert "Waiting up to 5s for the store lock held by deploy job 7" in waited.stderr
    assert "after waiting 5s" in waited.stderr
    # Nothing but the lock was touched: no read, no write of the catalog.
    assert all("/metafields" in r.url.path for r in recorder.requests)


def test_apply_breaks_a_stale_lock_only_when_asked(cli: Cli, example: Path, recorder: Recorder) -> None:
    _hold(example, recorder, "crashed job 3", ttl=-1)
    refused = cli("apply", "--auto-approve")
    assert (
        refused.exit_code == 1
        and "held by crashed job 3" in refused.stderr
        and "--break-lock" in refused.stderr
    )
    applied = cli("apply", "--auto-approve", "--break-lock")
    assert applied.exit_code == 0, applied.output
    # Released at the end: the next apply needs no flag.
    assert cli("apply", "--auto-approve").exit_code == 0


def test_apply_takes_and_releases_the_lock(cli: Cli, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0  # nothing to do: still locked, still released
    lock_calls = [
        (r.method, r.url.path.split("/v3/")[1]) for r in recorder.requests if "metafields" in r.url.path
    ]
    # Take (one POST), check no other API account holds an older lock (one GET), release.
    assert lock_calls == [
        ("POST", "channels/1/metafields"),
        ("GET", "channels/1/metafields"),
        ("DELETE", "channels/1/metafields/2"),
    ]


def test_break_lock_removes_a_live_lock_too_and_says_whose(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    _hold(example, recorder, "job that lost its connection", ttl=600)
    applied = cli("apply", "--auto-approve", "--break-lock")
    assert applied.exit_code == 0, applied.output
    assert "Removing the store lock held by job that lost its connection (since " in applied.stderr
