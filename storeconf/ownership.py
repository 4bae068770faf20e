"""Which live objects storeconf owns: a private (`app_only`) metafield on each one it created or adopted.

`prune: owned` deletes only objects carrying the mark, so a catalog shared
with other tools or people loses nothing storeconf did not make. The mark is
private to storeconf's API account (other apps cannot see or forge it) and
goes away with the object. Kinds that have metafields (brands, categories,
products) name their API path in `Kind.metafields`.

Marks are written after apply, in batches: for every object the apply
created, and for every declared object that matched a live one by key but had
no mark yet (adoption, shown in the plan). `export --adopt` marks what it exports.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from storeconf.client import StoreClient
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context
from storeconf.model import DesiredState, LiveState, Manage
from storeconf.plan import Action, Adoption, Change

NAMESPACE = "storeconf"
KEY = "owned"
# The API states no cap for metafield batches; 50 is its base page size for bulk requests.
BATCH = 50


def tracked(manage: Mapping[str, Manage], registry: Registry = REGISTRY) -> tuple[str, ...]:
    """Kinds whose ownership marks are read and written: those managed with `prune: owned`."""
    return tuple(name for name, options in manage.items() if options.owned and registry[name].metafields)


async def read_owned(
    client: StoreClient, kinds: Iterable[str], registry: Registry = REGISTRY
) -> dict[str, frozenset[Any]]:
    """Ids of the live objects carrying storeconf's mark, per kind: one listing per kind."""
    names = list(kinds)

    async def one(name: str) -> frozenset[Any]:
        path = f"{registry[name].metafields}/metafields"
        found = await client.get_all(path, {"namespace": NAMESPACE, "key": KEY})
        return frozenset(
            m["resource_id"] for m in found if m.get("namespace") == NAMESPACE and m.get("key") == KEY
        )

    results = await asyncio.gather(*(one(name) for name in names))
    return dict(zip(names, results, strict=True))


def adoptions(desired: DesiredState, live: LiveState, registry: Registry = REGISTRY) -> tuple[Adoption, ...]:
    """Declared objects that exist in the store without the mark: the apply adopts them."""
    out = []
    for name in tracked(desired.manage, registry):
        if name not in live.owned:
            continue  # marks not read (a diff between stores): nothing to say about them
        for ident, obj in live.objects.get(name, {}).items():
            if ident in desired.objects.get(name, {}) and obj.id not in live.owned[name]:
                out.append(Adoption(name, desired.objects[name][ident].key, obj.id))
    return tuple(sorted(out, key=lambda a: (registry.rank(a.kind), registry[a.kind].order(a.key), a.key)))


async def mark(client: StoreClient, kind: str, ids: Sequence[Any], registry: Registry = REGISTRY) -> None:
    """Put the mark on these objects of `kind` (batched)."""
    path = f"{registry[kind].metafields}/metafields"
    body = [
        {
            "resource_id": i,
            "namespace": NAMESPACE,
            "key": KEY,
            "value": "1",
            "permission_set": "app_only",
            "description": "Created or adopted by storeconf; prune: owned may delete it.",
        }
        for i in ids
    ]
    for start in range(0, len(body), BATCH):
        await client.request("POST", path, json=body[start : start + BATCH])


async def mark_applied(
    client: StoreClient,
    applied: Iterable[Change],
    adopted: Iterable[Adoption],
    kinds: Iterable[str],
    ctx: Context,
    registry: Registry = REGISTRY,
) -> int:
    """Mark what an apply created and adopted, in the tracked kinds; returns how many were marked."""
    wanted = set(kinds)
    ids: dict[str, list[Any]] = {}
    for change in applied:
        if change.action is Action.CREATE and change.kind in wanted:
            new_id = ctx.ids.get((change.kind, registry[change.kind].identity(change.key)))
            if new_id is not None:
                ids.setdefault(change.kind, []).append(new_id)
    for adoption in adopted:
        if adoption.kind in wanted:
            ids.setdefault(adoption.kind, []).append(adoption.live_id)
    for kind, found in ids.items():
        await mark(client, kind, found, registry)
    return sum(len(v) for v in ids.values())


async def adopt_exported(
    client: StoreClient, ids: Mapping[str, Sequence[Any]], registry: Registry = REGISTRY
) -> set[str]:
    """Mark exported objects as storeconf's (`export --adopt`); returns the kinds that have marks."""
    kinds = [name for name in ids if registry[name].metafields]
    owned = await read_owned(client, kinds, registry)
    for name in kinds:
        fresh = [i for i in ids[name] if i not in owned[name]]
        if fresh:
            await mark(client, name, fresh, registry)
    return set(kinds)
