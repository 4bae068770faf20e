"""Ctrl-C during apply: the first stops starting changes and lets those in flight finish (then
the report is printed, exit 130); the second aborts the ones in flight.

Python's default turns SIGINT into KeyboardInterrupt wherever the program happens to be,
which would lose the report and leave unknown which changes went through; so while apply
runs, SIGINT is handled on the event loop instead.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from storeconf.applier import ApplyReport
from storeconf.errors import StoreconfError
from storeconf.plan import Plan
from storeconf.stop import Halt

NOTICE = "Interrupted: no new change starts; waiting for the ones in flight (Ctrl-C again to abort them)."


class Aborted(StoreconfError):
    """A change that was in flight when a second Ctrl-C aborted it."""


@contextmanager
def ctrl_c(halt: Halt, console: Console) -> Iterator[None]:
    """Route SIGINT to `halt` (first) and to cancelling the current task (second)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def handler() -> None:
        if not halt.interrupted:
            halt.interrupt()
            console.print(NOTICE, markup=False)
        elif task is not None:
            task.cancel()

    try:
        loop.add_signal_handler(signal.SIGINT, handler)
    except (NotImplementedError, RuntimeError, ValueError):  # no signals here (Windows, a thread)
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def aborted(report: ApplyReport, plan: Plan) -> ApplyReport:
    """The report after a second Ctrl-C: what had not finished is failed as aborted."""
    seen = {id(c) for c in report.applied + report.not_attempted}
    seen |= {id(c) for c, _ in report.failed + report.skipped}
    started = [c for c in plan.changes if id(c) not in seen]
    error = Aborted("aborted by a second Ctrl-C while in flight: it may or may not have been applied")
    report.failed += [(c, error) for c in started]
    report.interrupted = True
    return report
