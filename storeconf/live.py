"""Reading the live store: every managed kind, concurrently, keyed like the config."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from storeconf.client import StoreClient
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind
from storeconf.model import Live, LiveState


async def read_live(
    client: StoreClient, kinds: Iterable[str], ctx: Context, registry: Registry = REGISTRY
) -> LiveState:
    """Live objects of `kinds`, and their ids recorded in `ctx` for the applier."""
    selected = [registry[name] for name in kinds]
    results = await asyncio.gather(*(kind.read(client, ctx) for kind in selected))
    objects = {kind.name: index_live(kind, found, ctx) for kind, found in zip(selected, results, strict=True)}
    return LiveState(objects)


def index_live(kind: Kind[Any], found: list[Live], ctx: Context) -> dict[str, Live]:
    """Key live objects by identity. A second object with the same key (the API allows duplicate
    script names, for one) gets a distinct key so it is never mistaken for the configured one:
    with prune on it is deleted, with prune off it is left alone."""
    out: dict[str, Live] = {}
    for obj in found:
        ident = kind.identity(obj.key)
        if ident in out:
            obj = Live(obj.kind, f"{obj.key} (duplicate id {obj.id})", obj.id, obj.fields, obj.raw)
            ident = kind.identity(obj.key)
        else:
            ctx.ids[(kind.name, ident)] = obj.id
        out[ident] = obj
    return out
