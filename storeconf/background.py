"""One CPU-bound call run in a child process while this one goes on with its own work.

A pull request's plan loads two configurations (the base commit's and the working tree's);
at 10,000 products each load is ~2 s of pure Python, so on a machine with a second core the
two run side by side. Where no child process can be started (no fork or semaphores in some
containers) or the child dies, the call runs here instead: slower, never wrong.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`call(*args)` started in a child process; `result()` waits for its value (or raises what
    it raised). Use as a context manager: leaving early (an error here, Ctrl-C) stops the child."""

    def __init__(self, call: Callable[..., T], *args: Any) -> None:
        self._call, self._args = call, args
        self._process: Any = None
        self._conn: Connection | None = None
        sending: Connection | None = None
        try:
            context = _context()
            self._conn, sending = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(sending, call, args), daemon=True)
            process.start()  # fork may fail (EAGAIN at a process limit, ENOMEM)
            self._process = process  # only a started process is ever joined
        except (OSError, ValueError, RuntimeError):
            self._stop()
        finally:
            if sending is not None:
                sending.close()  # the child's end: once it exits, recv() sees EOF instead of hanging

    def result(self) -> T:
        if self._conn is None:
            return self._call(*self._args)
        try:
            ok, value = self._conn.recv()
        except Exception:  # any failure to hear back means: do it here
            # The child died (killed, out of memory), or what it sent does not unpickle (an
            # exception whose __init__ wants other arguments): run the call here, which also
            # gives the real error with its whole traceback.
            self._stop()
            return self._call(*self._args)
        self._stop()
        if not ok:
            raise value
        result: T = value
        return result

    def _stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()


def _context() -> Any:
    # fork starts at once with everything imported; it is safe on Linux while this process has
    # one thread (a lock another thread holds at the fork stays held in the child). Otherwise
    # spawn, a fresh interpreter: ~0.5 s more, still beside this process's own work.
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class _Stopped(SystemExit):
    """The parent stopped waiting (SIGTERM): unwind, so `with` and `finally` blocks clean up
    (the base configuration's extracted copy), and exit quietly."""


def _stopped(signum: int, frame: object) -> None:
    raise _Stopped(128 + signum)


def _child(conn: Connection, call: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # Ctrl-C is the parent's to handle: it stops this process when it gives up waiting.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stopped)
    try:
        reply: tuple[bool, Any] = (True, call(*args))
    except _Stopped:
        return  # nobody is listening any more
    except BaseException as exc:  # handed to the parent, which raises it
        reply = (False, exc)
    try:
        conn.send(reply)
    except Exception as exc:  # an unpicklable value or exception still reaches the parent
        conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()
