"""Reading the live store: every managed kind, concurrently, keyed like the config."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from storeconf.auth import explain
from storeconf.client import StoreClient
from storeconf.errors import ApiError
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind
from storeconf.model import DesiredState, Live, LiveState


async def read_live(
    client: StoreClient, kinds: Iterable[str], ctx: Context, registry: Registry = REGISTRY
) -> LiveState:
    """Live objects of `kinds`, and their ids recorded in `ctx` for the applier.

    Kinds are read level by level: a kind that refers to others (products name
    their brand) is read after them, so its reader can turn ids into keys.
    Kinds within one level are read concurrently.
    """
    wanted = set(kinds)
    objects: dict[str, dict[str, Live]] = {}
    for level in _levels([k for k in registry if k.name in wanted]):
        results = await asyncio.gather(*(_read(kind, client, ctx) for kind in level))
        for kind, found in zip(level, results, strict=True):
            objects[kind.name] = index_live(kind, found, ctx)
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


def _levels(kinds: list[Kind[Any]]) -> list[list[Kind[Any]]]:
    done: set[str] = set()
    levels: list[list[Kind[Any]]] = []
    pending = list(kinds)
    names = {k.name for k in kinds}
    while pending:
        ready = [
            k for k in pending if all(d in done or d not in names for d in (*k.depends_on, *k.references))
        ]
        if not ready:  # a cycle would be a registry bug; the registry already rejects it
            ready = pending
        levels.append(ready)
        done.update(k.name for k in ready)
        pending = [k for k in pending if k not in ready]
    return levels


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
