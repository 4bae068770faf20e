"""The client's request slots, handed out by priority, then in arrival order.

A plan reads its kinds side by side, and a kind that started reading earlier goes first:
a price list's 200 record pages (held to 10 in flight by their endpoint's cap) would
otherwise queue behind the hundreds of option requests the product pages bring, and run
alone, 10 at a time, once those are done. The priority comes from the context
(`PRIORITY`), so readers pass nothing; everything else (an apply) has the same priority
and is served first come, first served, as by a semaphore.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

# Lower goes first. Set by a task for itself and the tasks it starts (storeconf.live).
PRIORITY: ContextVar[int] = ContextVar("storeconf_request_priority", default=0)


class Slots:
    """At most `size` holders at once; waiters are served lowest PRIORITY first."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        await self._acquire(PRIORITY.get())
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, priority: int) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._arrivals), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # handed a slot in the same moment: pass it on
            raise

    def _release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():  # a cancelled waiter's turn is skipped
                turn.set_result(None)
                return
        self._free += 1
