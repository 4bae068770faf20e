"""The socket `storeconf sandbox serve` listens on."""

from __future__ import annotations

import asyncio
import socket

from storeconf.sandbox.server import listen


def test_connections_are_served_without_nagle_delays() -> None:
    """Each answer is two writes (headers, body): with Nagle's algorithm on, the second waited
    for the client's delayed ACK, ~40 ms on every kept-alive request. asyncio turns it off only
    on sockets that say IPPROTO_TCP, as uvicorn's server (`create_server(sock=...)`) does here."""

    async def main() -> int:
        sock = listen("127.0.0.1", 0)
        port = sock.getsockname()[1]
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                server_side = transport.get_extra_info("socket")
                accepted.set_result(server_side.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            nodelay = await asyncio.wait_for(accepted, 5)
            writer.close()
        return nodelay

    assert asyncio.run(main()) != 0
