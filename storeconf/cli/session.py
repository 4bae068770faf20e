"""What every command is handed: the runtime (transport wrapper, consoles) and the global flags.

The runtime reaches commands explicitly through the click context object, set once by
`make_app(runtime)`; nothing is captured in closures, so commands live at module level.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from storeconf.engine import TransportWrapper
from storeconf.errors import ConfigError, StoreconfError

T = TypeVar("T")


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, except that the loop's main task returns nothing. On Python 3.11 (and
    3.12 before CPython gh-112559 was fixed), restoring the SIGINT handler at the end of
    `asyncio.run` builds the main task's repr twice, and with it the full repr of its result:
    for a 10,000-product plan that was ~3.5 s of CPU and a 230 MB string."""
    box: list[T] = []

    async def task() -> None:
        box.append(await main)

    asyncio.run(task())
    return box[0]


@dataclass
class Runtime:
    """What the commands depend on from outside; tests swap the transport and the consoles."""

    wrap: TransportWrapper | None = None
    out: Console | None = None
    err: Console | None = None

    def stdout(self) -> Console:
        return self.out or Console(highlight=False, soft_wrap=True)

    def stderr(self) -> Console:
        return self.err or Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Session:
    """One invocation: the runtime plus the root options (-C, --debug)."""

    runtime: Runtime = field(default_factory=Runtime)
    directory: Path = Path(".")
    debug: bool = False

    @property
    def out(self) -> Console:
        return self.runtime.stdout()

    @property
    def err(self) -> Console:
        return self.runtime.stderr()

    def fail(self, message: str) -> typer.Exit:
        """Print `Error: message` on stderr; the caller raises the returned Exit(1)."""
        self.err.print(f"Error: {message}", markup=False)
        return typer.Exit(1)

    def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run a coroutine; configuration and store errors become messages and exit 1."""
        try:
            return run_async(work())
        except StoreconfError as exc:
            if self.debug and not isinstance(exc, ConfigError):
                raise
            self.explain(exc)
            raise typer.Exit(1) from None

    def explain(self, exc: StoreconfError) -> str:
        """Print what went wrong on stderr; return it as one line (for a report that goes on)."""
        if isinstance(exc, ConfigError):
            for problem in exc.problems:
                self.err.print(str(problem), markup=False)
            summary = f"{len(exc.problems)} configuration error(s); nothing was sent to the store."
            self.err.print(summary)
            return f"{summary} First: {exc.problems[0]}" if exc.problems else summary
        self.err.print(f"Error: {exc}", markup=False)
        return str(exc)


def session(ctx: typer.Context) -> Session:
    """The Session the root callback stored on the context (a bare one if a command runs alone)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Session):
        root.obj = Session(runtime=root.obj if isinstance(root.obj, Runtime) else Runtime())
    return root.obj
