"""Progress on a terminal while storeconf reads or writes the store, and why it pauses.

Under the store's rate limit the client holds requests back until the quota window
resets; without saying so a bar would sit still for half a minute. The bars here show
"waiting Ns for the store's rate-limit quota" while that lasts, and their ETA counts the
wait. Nothing is shown when the output is not a terminal (logs stay clean in CI).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TaskProgressColumn, TextColumn
from rich.text import Text

from storeconf.client import StoreClient
from storeconf.kinds.base import Outcome

Clock = Callable[[], float]


class EtaColumn(ProgressColumn):
    """Time left: the remaining items at the pace so far (past quota waits included), plus
    what is left of a quota wait in progress."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        super().__init__()
        self.clock = clock

    def render(self, task: Task) -> Text:
        wait = max(float(task.fields.get("wait_until", 0.0)) - self.clock(), 0.0)
        pace = None
        if task.total is not None and task.completed and task.elapsed:
            pace = (task.total - task.completed) * task.elapsed / task.completed
        if pace is None and not wait:
            return Text("eta -:--", style="progress.remaining")
        return Text(f"eta {_clock_text(wait + (pace or 0.0))}", style="progress.remaining")


def _clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{secs:02d}"


class Display:
    """One bar whose status line says when the client waits for the store's quota."""

    def __init__(self, console: Console, description: str, total: int | None, clock: Clock = time.monotonic):
        self.clock = clock
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            EtaColumn(clock),
            TextColumn("{task.fields[status]}"),
            console=console,
            transient=True,
        )
        self.task: TaskID = self.bar.add_task(description, total=total, status="", wait_until=0.0)

    def waiting(self, seconds: float) -> None:
        status = f"waiting {seconds:.0f}s for the store's rate-limit quota" if seconds > 0 else ""
        self.bar.update(self.task, status=status, wait_until=self.clock() + seconds)

    def pages(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=max(total, 1))

    def advance(self, _: Any = None) -> None:
        self.bar.advance(self.task)


@contextmanager
def watching(client: StoreClient, display: Display | None, pages: bool = False) -> Iterator[None]:
    """Route the client's quota waits (and, for reads, its pages) to `display` while inside."""
    if display is None:
        yield
        return
    client.on_wait = display.waiting
    if pages:
        client.on_pages = display.pages
    display.bar.start()
    try:
        yield
    finally:
        display.bar.stop()
        client.on_wait = None
        client.on_pages = None


@contextmanager
def reading(console: Console, client: StoreClient) -> Iterator[None]:
    """Pages read of the store, on a terminal."""
    display = Display(console, "reading the store", None) if console.is_terminal else None
    with watching(client, display, pages=True):
        yield


@contextmanager
def applying(console: Console, client: StoreClient, total: int) -> Iterator[Callable[[Outcome], None]]:
    """Changes applied, on a terminal; yields the per-change tick."""
    display = Display(console, "applying", total) if console.is_terminal else None
    with watching(client, display):
        yield display.advance if display is not None else (lambda _: None)
