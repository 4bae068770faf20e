"""Fault injection in-process and over a real TCP socket."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from storeconf.sandbox import ConnectionDropped, Sandbox, SandboxConfig, create_app
from storeconf.sandbox.server import hang_up_on_drop
from tests.sandbox.sandbox_support import TOKEN, Store


def test_status_fault_fires_the_given_number_of_times(store: Store) -> None:
    store.sandbox.faults.add_fault(method="POST", path_regex=r"/catalog/brands$", status=500, times=1)
    first = store.post("/v3/catalog/brands", {"name": "Acme"})
    assert first.status_code == 500
    assert first.json()["status"] == 500
    assert first.json()["title"] == "Internal Server Error"
    assert store.post("/v3/catalog/brands", {"name": "Acme"}).status_code == 200
    # The faulted request never reached the store.
    assert len(store.get("/v3/catalog/brands").json()["data"]) == 1


def test_fault_matches_method_and_path(store: Store) -> None:
    store.sandbox.add_fault(method="POST", path_regex=r"/catalog/brands$", status=503, times=None)
    assert store.get("/v3/catalog/brands").status_code == 200
    assert store.post("/v3/hooks", {}).status_code == 422
    assert store.post("/v3/catalog/brands", {"name": "A"}).status_code == 503
    assert store.post("/v3/catalog/brands", {"name": "A"}).status_code == 503


def test_after_fires_on_the_nth_matching_request(store: Store) -> None:
    rule = store.sandbox.add_fault(path_regex=r"/v2/time", status=502, after=3, times=2)
    statuses = [store.get("/v2/time").status_code for _ in range(5)]
    assert statuses == [200, 200, 502, 502, 200]
    assert (rule.seen, rule.fired) == (5, 2)


def test_429_fault_has_the_documented_body_and_retry_header(store: Store) -> None:
    store.sandbox.add_fault(status=429)
    response = store.get("/v2/time")
    assert response.status_code == 429
    assert response.json()["title"] == "Too many requests"
    assert "X-Retry-After" in response.headers
    assert "X-Rate-Limit-Requests-Left" in response.headers


def test_fault_body_and_headers_can_be_given(store: Store) -> None:
    store.sandbox.add_fault(
        status=503, body={"error": {"code": "SERVICE_DEGRADED"}}, headers={"X-Why": "test"}
    )
    response = store.get("/v2/time")
    assert (response.status_code, response.json(), response.headers["X-Why"]) == (
        503,
        {"error": {"code": "SERVICE_DEGRADED"}},
        "test",
    )


def test_drop_raises_a_transport_error_in_process_and_is_logged(store: Store) -> None:
    store.sandbox.add_fault(method="GET", path_regex="/brands", kind="drop")
    with pytest.raises(httpx.TransportError) as caught:
        store.get("/v3/catalog/brands")
    assert isinstance(caught.value, ConnectionDropped)
    assert store.sandbox.request_log[-1].status is None
    assert store.get("/v3/catalog/brands").status_code == 200


def test_drop_after_does_the_work_then_loses_the_answer(store: Store) -> None:
    store.sandbox.add_fault(method="POST", path_regex=r"/catalog/brands$", kind="drop_after")
    with pytest.raises(ConnectionDropped):
        store.post("/v3/catalog/brands", {"name": "Acme"})
    assert store.sandbox.request_log[-1].status is None
    # The create went through, so a blind retry is a duplicate.
    assert [b["name"] for b in store.get("/v3/catalog/brands?name=Acme").json()["data"]] == ["Acme"]
    assert store.post("/v3/catalog/brands", {"name": "Acme"}).status_code == 409


def test_clearing_faults_and_bad_rules(store: Store) -> None:
    store.sandbox.add_fault(status=500, times=None)
    store.sandbox.faults.clear()
    assert store.get("/v2/time").status_code == 200
    with pytest.raises(ValueError):
        store.sandbox.add_fault(after=0)
    with pytest.raises(ValueError):
        store.sandbox.add_fault(kind="explode")  # type: ignore[arg-type]


@pytest.fixture
def tcp_server() -> Iterator[tuple[str, Sandbox]]:
    app = create_app(SandboxConfig())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(hang_up_on_drop(app), log_level="critical", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    yield f"http://127.0.0.1:{port}", app.state.sandbox
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


def test_drop_over_tcp_breaks_the_response(tcp_server: tuple[str, Sandbox]) -> None:
    url, sandbox = tcp_server
    sandbox.add_fault(path_regex="/v2/time", kind="drop")
    headers = {"X-Auth-Token": TOKEN}
    with httpx.Client(base_url=url, headers=headers) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/stores/sandbox/v2/time")
        response = client.get("/stores/sandbox/v2/time")
    assert response.status_code == 200
    assert isinstance(response.json()["time"], int)
