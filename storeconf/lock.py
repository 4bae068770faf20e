"""The store lock: two applies against one store never interleave.

The lock is a metafield on channel 1 (`/v3/channels/1/metafields`, namespace
`storeconf`, key `lock`), which every store has and nobody can delete. The
API refuses a second metafield with the same namespace and key from the same
API account (409), so taking the lock is one atomic POST; its value records
the holder, when it was taken and when it expires. It is readable by other
API accounts (`permission_set: read`): a run under another account sees it
and, having created its own lock too, backs off when the other one is older.

While held, the lock is refreshed every third of its lifetime, so only a run
that died leaves a lock that expires. Without `--break-lock` a run never
removes a lock: it waits up to `--lock-timeout` seconds for a live one, then
exits naming the holder, and refuses a stale one. `--break-lock` removes the
lock whoever holds it (like `terraform force-unlock`): for a run that died or
lost its connection before it could release it, once you know it is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storeconf.client import StoreClient
from storeconf.errors import ApiError, StoreconfError

PATH = "/v3/channels/1/metafields"
NAMESPACE = "storeconf"
KEY = "lock"
TTL_SECONDS = 600.0
POLL_SECONDS = 5.0


class LockError(StoreconfError):
    """The store is locked by another run (or by a stale lock that was not broken)."""


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as its metafield says."""

    id: int
    owner: str
    acquired: float
    expires: float
    client_id: str = ""

    def stale(self, now: float) -> bool:
        return now >= self.expires

    def describe(self) -> str:
        return f"{self.owner} (since {_iso(self.acquired)}, expires {_iso(self.expires)})"


def default_owner() -> str:
    """`STORECONF_LOCK_OWNER` (a CI job can name its run), else user@host pid N."""
    named = os.environ.get("STORECONF_LOCK_OWNER")
    if named:
        return named
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


@dataclass
class StoreLock:
    """Take, hold and release the store lock. Use `async with store_lock(...)`."""

    client: StoreClient
    owner: str
    timeout: float = 0.0
    break_lock: bool = False
    ttl: float = TTL_SECONDS
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    on_wait: Callable[[Holder], None] | None = None
    on_break: Callable[[Holder], None] | None = None
    held: Holder | None = None

    async def acquire(self) -> Holder:
        deadline = self.clock() + self.timeout
        told = False
        while True:
            mine = await self._try()
            if mine is not None:
                self.held = mine
                return mine
            holder = await self.holder()
            if holder is None:
                continue  # released between our POST and our read: try again at once
            if self.break_lock:
                self.break_lock = False  # once: a lock taken again since is a new run's
                if self.on_break is not None:
                    self.on_break(holder)
                await self._delete(holder)
                continue
            if holder.stale(self.clock()):
                raise LockError(
                    f"the store lock held by {holder.describe()} is stale (its run stopped without "
                    "releasing it); run again with --break-lock to remove it"
                )
            remaining = deadline - self.clock()
            if remaining <= 0:
                waited = f" after waiting {self.timeout:g}s" if self.timeout else ""
                raise LockError(
                    f"the store is locked by {holder.describe()}{waited}; another apply is running "
                    "(--lock-timeout SECONDS waits for it; if that run is gone, --break-lock removes its "
                    "lock)"
                )
            if self.on_wait is not None and not told:
                self.on_wait(holder)
                told = True
            await self.sleep(min(POLL_SECONDS, remaining))

    async def _try(self) -> Holder | None:
        now = self.clock()
        value = {"owner": self.owner, "acquired": now, "expires": now + self.ttl}
        body = {
            "namespace": NAMESPACE,
            "key": KEY,
            "value": json.dumps(value),
            "permission_set": "read",
            "description": "storeconf apply in progress; removed when it ends",
        }
        try:
            resp = await self.client.request("POST", PATH, json=body)
        except ApiError as exc:
            if exc.status == 409:
                return None
            raise
        mine = _holder(resp.data)
        if mine is None:
            raise LockError("the store lock could not be read back after taking it")
        # Another API account may hold a lock of its own: the older one wins.
        older = [h for h in await self._all() if h.id < mine.id and not h.stale(now)]
        if older:
            await self._delete(mine)
            return None
        return mine

    async def holder(self) -> Holder | None:
        """The oldest lock visible to this account, if any."""
        found = await self._all()
        return min(found, key=lambda h: h.id) if found else None

    async def _all(self) -> list[Holder]:
        items = await self.client.get_all(PATH, {"namespace": NAMESPACE, "key": KEY})
        return [h for item in items if (h := _holder(item)) is not None]

    async def refresh(self) -> None:
        if self.held is None:
            return
        now = self.clock()
        value = {"owner": self.owner, "acquired": self.held.acquired, "expires": now + self.ttl}
        await self.client.request("PUT", f"{PATH}/{self.held.id}", json={"value": json.dumps(value)})
        self.held = Holder(self.held.id, self.owner, self.held.acquired, now + self.ttl, self.held.client_id)

    async def release(self) -> None:
        if self.held is not None:
            await self._delete(self.held)
            self.held = None

    async def _delete(self, holder: Holder) -> None:
        try:
            await self.client.request("DELETE", f"{PATH}/{holder.id}")
        except ApiError as exc:
            if exc.status == 403:
                raise LockError(
                    f"the store lock held by {holder.describe()} belongs to another API account, "
                    "which alone can remove it"
                ) from None
            if exc.status != 404:  # already gone is what we wanted
                raise


@contextlib.asynccontextmanager
async def store_lock(client: StoreClient, **options: Any) -> AsyncIterator[StoreLock]:
    """Hold the store lock for the duration of the block, refreshing it in the background."""
    lock = StoreLock(client, options.pop("owner", None) or default_owner(), **options)
    await lock.acquire()
    keeper = asyncio.ensure_future(_keep(lock))
    try:
        yield lock
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        # Best effort: a lock we fail to remove expires on its own.
        with contextlib.suppress(StoreconfError):
            await lock.release()


async def _keep(lock: StoreLock) -> None:
    while True:
        await lock.sleep(lock.ttl / 3)
        with contextlib.suppress(StoreconfError):
            await lock.refresh()


def _holder(item: Any) -> Holder | None:
    if not isinstance(item, dict) or item.get("namespace") != NAMESPACE or item.get("key") != KEY:
        return None
    try:
        value = json.loads(item.get("value") or "")
        return Holder(
            int(item["id"]),
            str(value["owner"]),
            float(value["acquired"]),
            float(value["expires"]),
            str(item.get("owner_client_id") or ""),
        )
    except (ValueError, KeyError, TypeError):
        # Not ours to read (written by hand?): treat it as held until it is removed, forever stale.
        return Holder(int(item.get("id") or 0), "an unreadable lock", 0.0, 0.0)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
