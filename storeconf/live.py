"""Reading the live store: every managed kind, concurrently, keyed like the config."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from typing import Any

from storeconf.auth import explain
from storeconf.client import StoreClient
from storeconf.errors import ApiError
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind
from storeconf.model import DesiredState, Live, LiveState
from storeconf.slots import PRIORITY


async def read_live(
    client: StoreClient, kinds: Iterable[str], ctx: Context, registry: Registry = REGISTRY
) -> LiveState:
    """Live objects of `kinds`, and their ids recorded in `ctx` for the applier.

    Each kind's read starts once the kinds it reads after (`Kind.read_after`: products
    name their brand) are read, so its reader can turn ids into keys; the others run
    concurrently, and the requests of a read that started earlier go first when they
    queue for the client's slots (storeconf.slots). A 10k store's 200 price-list record
    pages are read beside its products, before the products' option requests.
    """
    wanted = [k for k in registry if k.name in set(kinds)]
    ctx.reads = {kind.name: asyncio.Event() for kind in wanted}
    found: dict[str, dict[str, Live]] = {}
    started = itertools.count()

    async def read(kind: Kind[Any]) -> None:
        for name in kind.read_after():
            await ctx.read_finished(name)
        PRIORITY.set(next(started))  # this task's requests, and those of the tasks it starts
        found[kind.name] = index_live(kind, await _read(kind, client, ctx), ctx)
        ctx.reads[kind.name].set()

    tasks = [asyncio.ensure_future(read(kind)) for kind in wanted]
    try:
        await asyncio.gather(*tasks)
    finally:  # one read failed (or the plan was cancelled): the others stop with it
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        ctx.reads = {}
    objects = {kind.name: found[kind.name] for kind in wanted}  # in registry order
    return LiveState(objects, totals=dict(ctx.totals))


async def _read(kind: Kind[Any], client: StoreClient, ctx: Context) -> list[Live]:
    try:
        return await kind.read(client, ctx)
    except ApiError as exc:
        raise explain(exc, kind, f"store {client.store_hash}", writing=False) from None


def kinds_to_read(
    managed: Iterable[str], registry: Registry = REGISTRY, desired: DesiredState | None = None
) -> tuple[str, ...]:
    """The managed kinds plus the kinds they refer to (which are read, never changed).

    With the desired state, only references the config uses are read: a catalog that
    names no brands costs no brand read."""
    names = set(managed)
    for name in list(names):
        names.update(registry[name].references_in(desired))
    return tuple(n for n in registry.names() if n in names)


def index_live(kind: Kind[Any], found: list[Live], ctx: Context) -> dict[str, Live]:
    """Key live objects by identity. A second object with the same key (the API allows duplicate
    script names, for one) gets a distinct key so it is never mistaken for the configured one:
    with prune on it is deleted, with prune off it is left alone."""
    out: dict[str, Live] = {}
    for obj in found:
        ident = kind.identity(obj.key)
        if ident in out:
            obj = Live(
                obj.kind, f"{obj.key} (duplicate id {obj.id})", obj.id, obj.fields, obj.raw, duplicate=True
            )
            ident = kind.identity(obj.key)
        else:
            ctx.ids[(kind.name, ident)] = obj.id
            ctx.keys[(kind.name, obj.id)] = obj.key
        out[ident] = obj
    return out
