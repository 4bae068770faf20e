"""A store that cannot be reached: one message naming the host, at once, without retries;
retries only for a store that has answered before."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest

from storeconf.client import StoreClient
from storeconf.errors import StoreUnreachable
from tests.conftest import Cli, Recorder


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_first_connection_fails_at_once_naming_the_host() -> None:
    asyncio.run(_refused_first_connection())


async def _refused_first_connection() -> None:
    port = closed_port()
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = StoreClient(
        store_hash="abc123",
        access_token="token",
        base_url=f"http://127.0.0.1:{port}",
        transport=httpx.AsyncHTTPTransport(),
        sleep=sleep,
    )
    async with client:
        with pytest.raises(StoreUnreachable) as caught:
            await client.request("GET", "/v3/hooks")
    assert str(caught.value) == (
        f"cannot reach http://127.0.0.1:{port} (connection refused): "
        "is the store URL right / is the sandbox running?"
    )
    assert (client.stats.total, sleeps) == (1, [])


def test_a_dropped_connection_to_a_store_that_answered_is_retried() -> None:
    asyncio.run(_dropped_after_an_answer())


async def _dropped_after_an_answer() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 2:
            raise httpx.ConnectError("All connection attempts failed", request=request)
        return httpx.Response(200, json={"data": [], "meta": {}})

    async def sleep(seconds: float) -> None:
        return None

    async with StoreClient(
        store_hash="abc123", access_token="t", transport=httpx.MockTransport(handler), sleep=sleep
    ) as client:
        await client.request("GET", "/v3/hooks")
        await client.request("GET", "/v3/hooks")
    assert len(calls) == 3 and client.stats.retries == 1


def test_plan_against_a_url_nobody_listens_on_says_what_to_check(tmp_path: Path) -> None:
    port = closed_port()
    (tmp_path / "storeconf.yaml").write_text(
        "version: 1\nenvironments:\n  dev:\n    store_hash: abc123\n    access_token: t\n"
        f"    api_url: http://127.0.0.1:{port}\nwebhooks: []\nmanage: {{webhooks: {{}}}}\n"
    )
    result = Cli(tmp_path, Recorder())("plan", "--env", "dev")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot reach http://127.0.0.1:{port} (connection refused): "
        "is the store URL right / is the sandbox running?\n"
    )
