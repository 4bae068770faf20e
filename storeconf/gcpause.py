"""Pausing Python's cyclic garbage collector while storeconf builds large, long-lived data.

Loading a 10,000-product project or reading the same store allocates millions of small
objects that live until the process ends and form no reference cycles. The cyclic
collector would walk them again and again for nothing (about a fifth of the load's
CPU). While paused, reference counting still frees everything acyclic; on resume
the survivors are frozen (`gc.freeze`) so later collections skip them too.

Reading a store makes cycles of its own (httpx and asyncio per request), so the reader
does not pause the collector: it runs it less often (`seldom`), which keeps those
cycles collected and spares most of the walks (a 10k-product read: 1,350 young
collections -> ~200, 1.2 s less CPU, the same peak memory).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    if not gc.isenabled():  # already paused by a caller: nested use is a no-op
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.freeze()


# Young objects between collections while reading: 10,000 instead of Python's 700.
SELDOM = 10_000


@contextmanager
def seldom() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], SELDOM), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
