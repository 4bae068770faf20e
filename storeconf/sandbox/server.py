"""`serve`: run a sandbox store over TCP with uvicorn (`storeconf sandbox serve`)."""

from __future__ import annotations

import errno
import socket

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storeconf.errors import StoreconfError
from storeconf.sandbox.app import create_app
from storeconf.sandbox.core.config import SandboxConfig
from storeconf.sandbox.core.faults import ConnectionDropped


def listen(host: str = "127.0.0.1", port: int = 8765) -> socket.socket:
    """The listening socket, bound before anything says the sandbox is serving, so a port in
    use is one clear error rather than a "serving at" line followed by uvicorn's failure."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol said outright: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # connections whose socket says IPPROTO_TCP, and accepted sockets copy the listener's.
    # Without it, every answer on a kept-alive connection (headers, then body: two writes)
    # stalled ~40 ms waiting for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        hint = (
            ": another process is listening there (another sandbox?); choose another --port"
            if exc.errno == errno.EADDRINUSE
            else ""
        )
        raise StoreconfError(f"cannot listen on {host}:{port} ({exc.strerror or exc}){hint}") from None
    return sock


def serve(sock: socket.socket, config: SandboxConfig | None = None) -> None:
    """Serve on a socket from `listen` until interrupted. Loopback by default: the sandbox
    has no real security."""
    app = create_app(config or SandboxConfig())
    server = uvicorn.Server(uvicorn.Config(hang_up_on_drop(app), log_level="warning"))
    server.run(sockets=[sock])


def hang_up_on_drop(app: ASGIApp) -> ASGIApp:
    """Over TCP a dropped-connection fault must reach the client as a broken response,
    not uvicorn's 500: start a response promising a body, then end without sending it,
    which makes uvicorn close the socket."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        except ConnectionDropped:
            start: Message = {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1")],
            }
            await send(start)

    return wrapper
