"""Proxies from the environment, over real sockets: a request to the store goes through the
proxy the environment names (with the credentials written in its URL, sent to the proxy
alone), a proxy that refuses or is down is a final error naming it without its
credentials, and a loopback store (a local `sandbox serve`) is never proxied."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import yarl

from storeconf.client import StoreClient
from storeconf.errors import StoreUnreachable, Unreachable, may_have_applied
from storeconf.wire import env_proxy
from tests.test_connection_errors import closed_port
from tests.test_wire import server  # noqa: F401 - a fixture

VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only the settings each test makes: none from the machine running the suite."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    yield


class Proxy:
    """A forward proxy that answers requests itself, as the store would, and records the head
    of each; a CONNECT (an HTTPS store) is refused with `connect_status`."""

    def __init__(self, connect_status: int = 407) -> None:
        self.connect_status = connect_status
        self.heads: list[tuple[str, dict[str, str]]] = []
        self.port = 0

    async def start(self) -> asyncio.Server:
        srv = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = srv.sockets[0].getsockname()[1]
        return srv

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in head[1:] if line)
        self.heads.append((head[0], {k.lower(): v for k, v in headers.items()}))
        if head[0].startswith("CONNECT "):
            writer.write(f"HTTP/1.1 {self.connect_status} Proxy Authentication Required\r\n".encode())
            writer.write(b"Content-Length: 0\r\n\r\n")
        else:
            body = b'{"data": {"ok": true}}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            writer.write(f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        await writer.drain()
        writer.close()


def through(proxy: Proxy, go: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with await proxy.start():
            return await go()

    return asyncio.run(main())


def fetch(base_url: str) -> Callable[[], Awaitable[Any]]:
    async def go() -> Any:
        async with StoreClient(store_hash="abc", access_token="secret-token", base_url=base_url) as client:
            return await client.request("GET", "/v3/echo", params={"sku:in": "A,B"})

    return go


def test_a_request_goes_through_the_proxy_the_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = Proxy()

    def go() -> Awaitable[Any]:
        monkeypatch.setenv("HTTP_PROXY", f"http://agency:p%40ss@127.0.0.1:{proxy.port}")
        return fetch("http://store.example")()

    assert through(proxy, go).data == {"ok": True}
    [(line, headers)] = proxy.heads
    assert line == "GET http://store.example/stores/abc/v3/echo?sku%3Ain=A%2CB HTTP/1.1"
    assert headers["proxy-authorization"] == "Basic " + base64.b64encode(b"agency:p@ss").decode()
    assert headers["x-auth-token"] == "secret-token"


def test_a_proxy_refusing_the_tunnel_is_final_and_named_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = Proxy(connect_status=407)

    def go() -> Awaitable[Any]:
        monkeypatch.setenv("https_proxy", f"http://agency:hunter2@127.0.0.1:{proxy.port}")
        return fetch("https://store.example")()

    with pytest.raises(StoreUnreachable) as raised:
        through(proxy, go)
    message = str(raised.value)
    assert f"through the proxy http://127.0.0.1:{proxy.port}, which answered 407" in message
    assert "HTTPS_PROXY" in message
    assert "hunter2" not in message and "agency" not in message
    # Refused once, not retried: the answer will not change.
    assert [line for line, _ in proxy.heads] == ["CONNECT store.example:443 HTTP/1.1"]
    assert proxy.heads[0][1]["proxy-authorization"] == "Basic " + base64.b64encode(b"agency:hunter2").decode()


def test_a_proxy_that_is_down_is_final_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    port = closed_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    with pytest.raises(
        StoreUnreachable,
        match=rf"cannot reach https://store\.example through the proxy http://127\.0\.0\.1:{port}",
    ):
        asyncio.run(fetch("https://store.example")())


def test_a_proxy_gone_mid_run_means_the_request_was_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = Proxy()

    async def main() -> None:
        srv = await proxy.start()
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")

        async def no_sleep(seconds: float) -> None:
            return None

        async with StoreClient(
            store_hash="abc", access_token="t", base_url="http://store.example", sleep=no_sleep, max_retries=2
        ) as client:
            await client.request("GET", "/v3/echo")  # the store has answered: failures are no longer final
            srv.close()
            await srv.wait_closed()
            with pytest.raises(Unreachable, match="ProxyError") as raised:
                await client.request("POST", "/v3/echo", json={"name": "x"})
            assert not isinstance(raised.value, StoreUnreachable)
            # The apply report says the write was not made, not that it may have been.
            assert not may_have_applied(raised.value)
            with pytest.raises(Unreachable):
                await client.request("GET", "/v3/echo")
            assert client.stats.retries == 2  # a read is retried

    asyncio.run(main())


def test_a_loopback_store_is_never_proxied(server: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")  # down: would fail if used
    assert asyncio.run(fetch(server)()).data == {"ok": True}


@pytest.mark.parametrize(
    ("settings", "url", "expected"),
    [
        ({"HTTPS_PROXY": "http://proxy:3128"}, "https://api.bigcommerce.com/x", "http://proxy:3128"),
        ({"https_proxy": "proxy:3128"}, "https://api.bigcommerce.com/x", "http://proxy:3128"),
        ({"HTTP_PROXY": "http://proxy:3128"}, "https://api.bigcommerce.com/x", None),
        ({"ALL_PROXY": "http://all:8080"}, "https://api.bigcommerce.com/x", "http://all:8080"),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "bigcommerce.com"}, "https://api.bigcommerce.com/x", None),
        (
            {"HTTPS_PROXY": "http://p:1", "no_proxy": ".bigcommerce.com"},
            "https://api.bigcommerce.com/x",
            None,
        ),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, "https://api.bigcommerce.com/x", None),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.com"},
            "https://api.bigcommerce.com/x",
            "http://p:1",
        ),
        ({"HTTP_PROXY": "http://p:1"}, "http://localhost:8080/x", None),
        ({"HTTP_PROXY": "http://p:1"}, "http://127.0.0.2:8080/x", None),
        ({"HTTP_PROXY": "http://p:1"}, "http://[::1]:8080/x", None),
        ({"HTTP_PROXY": "http://p:1"}, "http://sandbox.localhost/x", None),
        ({}, "https://api.bigcommerce.com/x", None),
    ],
)
def test_env_proxy_reads_the_environment_as_curl_does(
    settings: dict[str, str], url: str, expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    found = env_proxy(yarl.URL(url))
    assert (str(found) if found is not None else None) == expected
