"""`sandbox serve`: the local BigCommerce-compatible API over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storeconf.cli.metavars import Command, Group
from storeconf.cli.session import session
from storeconf.errors import StoreconfError


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    db: Annotated[
        str, typer.Option(metavar="FILE", help="SQLite file (or :memory:).")
    ] = ".storeconf/sandbox.db",
    token: Annotated[str, typer.Option(help="The X-Auth-Token to accept.")] = "sandbox-token",
    store_hash: Annotated[str, typer.Option(help="Store hash in the URL path.")] = "sandbox",
    quota: Annotated[int, typer.Option(help="Requests per rate-limit window.")] = 450,
    window_ms: Annotated[int, typer.Option(help="Rate-limit window length (ms).")] = 30000,
    rate_limit: Annotated[
        bool, typer.Option("--rate-limit/--no-rate-limit", help="Answer 429 when the quota is spent.")
    ] = True,
    latency_ms: Annotated[float, typer.Option(help="Delay added to every response (ms).")] = 0.0,
) -> None:
    """Serve the sandbox API over HTTP: /stores/STORE_HASH/v3/..."""
    from storeconf.sandbox import SandboxConfig, TokenGrant
    from storeconf.sandbox.server import listen
    from storeconf.sandbox.server import serve as serve_sandbox

    if db != ":memory:":
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    config = SandboxConfig(
        db_path=db,
        store_hash=store_hash,
        tokens={token: TokenGrant(client_id="sandbox-client")},
        rate_limit_quota=quota,
        rate_limit_window_ms=window_ms,
        enforce_rate_limit=rate_limit,
        latency_ms=latency_ms,
    )
    err = session(ctx).err
    try:
        sock = listen(host, port)
    except StoreconfError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(1) from None
    err.print(f"sandbox: http://{host}:{port}/stores/{store_hash}/v3 (db {db})", markup=False)
    serve_sandbox(sock, config)


def group() -> typer.Typer:
    sandbox = typer.Typer(help="The local BigCommerce-compatible sandbox.", no_args_is_help=True, cls=Group)
    sandbox.command("serve", cls=Command)(serve)
    return sandbox
