"""When an apply stops starting changes: at the first failure (unless --keep-going) or on Ctrl-C.

One `Halt` per apply, shared through the `Context`. A kind asks `halt.tripped` before it
sends the first request of a change and answers `NotStarted` instead; requests of changes
already under way finish (a batch request's other items, a started product's follow-ups),
so a re-plan shows exactly what is left and nothing is half-sent.
"""

from __future__ import annotations

from storeconf.errors import StoreconfError


class NotStarted(StoreconfError):
    """Apply stopped before this change sent its first request."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not started: {reason}")


class Halt:
    """The stop signal of one apply."""

    def __init__(self, *, stop_on_failure: bool = True) -> None:
        self.stop_on_failure = stop_on_failure
        self.reason: str | None = None
        self.interrupted = False

    @property
    def tripped(self) -> bool:
        return self.reason is not None

    def failed(self, error: BaseException) -> None:
        """A change failed: stop starting others (unless keep-going)."""
        if self.stop_on_failure and self.reason is None:
            self.reason = "an earlier change failed"

    def interrupt(self) -> None:
        """Ctrl-C: stop starting changes, whatever --keep-going says."""
        self.interrupted = True
        self.reason = "interrupted"

    def resume(self) -> None:
        """The failure that tripped it turned out not to be one (a lost answer whose write was found)."""
        if not self.interrupted:
            self.reason = None

    def not_started(self) -> NotStarted:
        return NotStarted(self.reason or "apply stopped")
