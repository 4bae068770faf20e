"""The client's request slots: by priority, then in arrival order; nothing lost to cancellation."""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st

from storeconf.slots import PRIORITY, Slots


async def _served_order(slots: Slots, priorities: list[int]) -> list[int]:
    served: list[int] = []

    async def wait(n: int, priority: int) -> None:
        PRIORITY.set(priority)
        async with slots.hold():
            served.append(n)
            await asyncio.sleep(0)

    async with slots.hold():  # every slot taken: the others queue
        # Each task sets its own priority (a task runs in a copy of its creator's context).
        tasks = [asyncio.ensure_future(wait(n, p)) for n, p in enumerate(priorities)]
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    return served


@given(st.lists(st.integers(0, 3), max_size=12))
def test_waiters_are_served_lowest_priority_first_then_in_arrival_order(priorities: list[int]) -> None:
    served = asyncio.run(_served_order(Slots(1), priorities))
    assert served == sorted(range(len(priorities)), key=lambda n: (priorities[n], n))


def test_without_a_priority_it_is_first_come_first_served() -> None:
    assert asyncio.run(_served_order(Slots(1), [0] * 5)) == [0, 1, 2, 3, 4]


def test_no_more_than_size_hold_at_once() -> None:
    async def run() -> int:
        slots, holding, most = Slots(3), [0], [0]

        async def one() -> None:
            async with slots.hold():
                holding[0] += 1
                most[0] = max(most[0], holding[0])
                await asyncio.sleep(0.001)
                holding[0] -= 1

        await asyncio.gather(*(one() for _ in range(20)))
        return most[0]

    assert asyncio.run(run()) == 3


def test_a_cancelled_waiter_loses_no_slot() -> None:
    async def run() -> bool:
        slots = Slots(1)
        async with slots.hold():
            waiter = asyncio.ensure_future(slots.hold().__aenter__())
            await asyncio.sleep(0)
            waiter.cancel()
            await asyncio.gather(waiter, return_exceptions=True)
        # Handed the slot and cancelled in the same moment: it passes the slot on.
        async with slots.hold():
            late = asyncio.ensure_future(_take(slots))
            await asyncio.sleep(0)
        late.cancel()  # its turn was set when the holder left; cancelled before it resumed
        await asyncio.gather(late, return_exceptions=True)
        async with slots.hold():  # the one slot is free again
            return True

    assert asyncio.run(asyncio.wait_for(run(), 1))


async def _take(slots: Slots) -> None:
    async with slots.hold():
        await asyncio.sleep(10)
