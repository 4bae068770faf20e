"""`serve`: run a sandbox store over TCP with uvicorn (`storeconf sandbox serve`)."""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storeconf.sandbox.app import create_app
from storeconf.sandbox.core.config import SandboxConfig
from storeconf.sandbox.core.faults import ConnectionDropped


def serve(host: str = "127.0.0.1", port: int = 8765, config: SandboxConfig | None = None) -> None:
    """Serve until interrupted. Loopback by default: the sandbox has no real security."""
    app = create_app(config or SandboxConfig())
    uvicorn.run(hang_up_on_drop(app), host=host, port=port, log_level="warning")


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
