"""The aiohttp transport over a real socket: what reaches the server, what comes back, and how
each network failure surfaces through StoreClient."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storeconf import wire
from storeconf.client import StoreClient
from storeconf.errors import ApiError, StoreUnreachable, TransportError
from tests.test_connection_errors import closed_port

seen: list[dict[str, Any]] = []


async def echo(request: Request) -> Response:
    body = await request.body()
    seen.append(
        {
            "method": request.method,
            "path": request.url.path,
            "query": request.scope["query_string"].decode(),
            "params": list(request.query_params.multi_items()),
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": body,
            "port": request.client.port if request.client else None,
        }
    )
    return JSONResponse({"data": {"ok": True}}, headers={"X-Rate-Limit-Requests-Left": "7"})


async def big(request: Request) -> Response:
    return JSONResponse({"data": [{"id": i, "name": f"Product {i}"} for i in range(2000)]})


async def slow(request: Request) -> Response:
    await asyncio.sleep(2)
    return JSONResponse({"data": []})


async def hang_up(request: Request) -> Response:
    # Announces more body than it sends, then closes: the answer breaks mid-body.
    return Response(b'{"data": [', headers={"Content-Length": "500"})


async def missing(request: Request) -> Response:
    return JSONResponse({"status": 404, "title": "Not found"}, status_code=404)


APP = Starlette(
    routes=[
        Route("/stores/abc/v3/echo", echo, methods=["GET", "POST", "PUT", "DELETE"]),
        Route("/stores/abc/v3/big", big),
        Route("/stores/abc/v3/slow", slow),
        Route("/stores/abc/v3/hang-up", hang_up, methods=["GET", "POST"]),
        Route("/stores/abc/v3/missing", missing),
    ],
    middleware=[Middleware(GZipMiddleware, minimum_size=500)],
)


# A self-signed certificate for 127.0.0.1, made for these tests only (valid until 2126).
TLS = Path(__file__).parent / "data" / "tls"


def serve(**tls: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(APP, log_level="critical", lifespan="off", **tls)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(srv.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not srv.started:
        threading.Event().wait(0.01)
    yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    yield from serve()


@pytest.fixture(scope="module")
def tls_server() -> Iterator[str]:
    yield from serve(ssl_certfile=str(TLS / "localhost-cert.pem"), ssl_keyfile=str(TLS / "localhost-key.pem"))


def client(url: str, **kwargs: Any) -> StoreClient:
    async def no_sleep(seconds: float) -> None:
        return None

    return StoreClient(store_hash="abc", access_token="secret-token", base_url=url, sleep=no_sleep, **kwargs)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_request_reaches_the_server_as_httpx_encodes_it(server: str) -> None:
    skus = ["A+B", "x&y=z", "50%", "two words", "STRAßE", "é/ü", "semi;colon", "q?s#h"]
    params = {"sku:in": ",".join(skus), "limit": 250, "is_visible": True}

    async def go() -> Any:
        async with client(server) as c:
            return await c.request("GET", "/v3/echo", params=params)

    seen.clear()
    answer = run(go())
    assert answer.data == {"ok": True}
    assert answer.headers["x-rate-limit-requests-left"] == "7"  # headers stay case-insensitive
    [got] = seen
    assert got["params"] == [("sku:in", ",".join(skus)), ("limit", "250"), ("is_visible", "true")]
    # Byte for byte the query httpx builds: the `sku:in` chunking counts those bytes.
    assert got["query"] == httpx.Request("GET", server, params=params).url.query.decode()
    assert got["headers"]["x-auth-token"] == "secret-token"
    assert got["headers"]["accept"] == "application/json"
    assert got["headers"]["user-agent"].startswith("storeconf/")
    assert "gzip" in got["headers"]["accept-encoding"]


def test_json_body_and_methods(server: str) -> None:
    async def go() -> None:
        async with client(server) as c:
            await c.request("POST", "/v3/echo", json={"name": "Ümlaut", "n": 1})
            await c.request("PUT", "/v3/echo", json=[{"id": 1}])
            await c.request("DELETE", "/v3/echo", params={"id:in": "1,2"})

    seen.clear()
    run(go())
    assert [s["method"] for s in seen] == ["POST", "PUT", "DELETE"]
    assert json.loads(seen[0]["body"]) == {"name": "Ümlaut", "n": 1}
    assert seen[0]["headers"]["content-type"] == "application/json"
    assert seen[2]["body"] == b"" and seen[2]["params"] == [("id:in", "1,2")]


def test_gzipped_answer_is_decoded(server: str) -> None:
    async def go() -> Any:
        async with client(server) as c:
            return await c.request("GET", "/v3/big")

    answer = run(go())
    assert answer.headers["content-encoding"] == "gzip"
    assert len(answer.data) == 2000 and answer.data[-1] == {"id": 1999, "name": "Product 1999"}


def test_error_status_is_an_api_error_with_its_body(server: str) -> None:
    async def go() -> None:
        async with client(server) as c:
            await c.request("GET", "/v3/missing")

    with pytest.raises(ApiError) as caught:
        run(go())
    assert caught.value.status == 404 and caught.value.body == {"status": 404, "title": "Not found"}


def test_read_timeout_is_retried_then_a_transport_error(server: str) -> None:
    async def go() -> StoreClient:
        c = client(server, timeout=0.2, max_retries=1)
        async with c:
            await c.request("GET", "/v3/slow")
        return c

    with pytest.raises(TransportError) as caught:
        run(go())
    assert "GET /v3/slow: ReadTimeout" in str(caught.value)
    assert "secret-token" not in str(caught.value)


def test_a_response_broken_mid_body_is_retried_for_get(server: str) -> None:
    stats: list[Any] = []

    async def go() -> None:
        c = client(server, max_retries=2)
        try:
            async with c:
                await c.request("GET", "/v3/hang-up")
        finally:
            stats.append(c.stats)

    with pytest.raises(TransportError) as caught:
        run(go())
    assert "RemoteProtocolError" in str(caught.value)
    assert (stats[0].total, stats[0].retries) == (3, 2)


def test_a_response_broken_mid_body_is_not_resent_for_post(server: str) -> None:
    stats: list[Any] = []

    async def go() -> None:
        c = client(server)
        try:
            async with c:
                await c.request("POST", "/v3/hang-up", json={})
        finally:
            stats.append(c.stats)

    with pytest.raises(TransportError):
        run(go())
    assert stats[0].total == 1


def test_refused_connection_names_the_host_at_once() -> None:
    port = closed_port()

    async def go() -> None:
        async with client(f"http://127.0.0.1:{port}") as c:
            await c.request("GET", "/v3/hooks")

    with pytest.raises(StoreUnreachable, match="connection refused"):
        run(go())


def test_unknown_host_names_the_host_at_once() -> None:
    async def go() -> None:
        async with client("http://store.invalid") as c:
            await c.request("GET", "/v3/hooks")

    with pytest.raises(StoreUnreachable, match=r"cannot reach http://store\.invalid \(unknown host\)"):
        run(go())


def test_https_trusts_the_ca_bundle_httpx_would_use(tls_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def go() -> Any:
        async with client(tls_server, max_retries=0) as c:
            return await c.request("GET", "/v3/echo")

    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "localhost-cert.pem"))
    assert run(go()).data == {"ok": True}
    # Without it (certifi's bundle), the self-signed certificate is refused.
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        run(go())


def test_idle_connections_are_dropped_after_the_keepalive(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "KEEPALIVE_S", 0.3)

    async def go() -> None:
        async with client(server) as c:
            await c.request("GET", "/v3/echo")
            await c.request("GET", "/v3/echo")
            await asyncio.sleep(1.0)
            await c.request("GET", "/v3/echo")

    seen.clear()
    run(go())
    first, again, after_idle = (s["port"] for s in seen)
    assert first == again and after_idle != first
