"""The `storeconf` command line: `make_app(runtime)` builds it; one module per command group."""

from __future__ import annotations

from storeconf.cli.app import make_app
from storeconf.cli.session import Runtime, Session

app = make_app()


def main() -> None:
    app()


__all__ = ["Runtime", "Session", "app", "main", "make_app"]
