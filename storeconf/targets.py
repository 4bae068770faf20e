"""`--target KIND[/KEY]`: narrowing a plan, like Terraform's -target.

A target that names nothing is an error (a typo must not read as "no changes").
The creates and updates a targeted change depends on (a product's new brand, a
category's new parent) come along, or the apply would fail.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from storeconf.errors import PlanError
from storeconf.kinds import Registry
from storeconf.model import DesiredState, LiveState
from storeconf.plan import Action, Change


def check_target_kinds(targets: Sequence[str], registry: Registry, desired: DesiredState) -> None:
    """Raise PlanError for a target whose kind is unknown or not managed."""
    for target in targets:
        name = target.partition("/")[0]
        if name not in registry:
            close = difflib.get_close_matches(name, registry.names(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PlanError(f"--target {target!r}: unknown kind {name!r}{hint}")
        if name not in desired.manage:
            raise PlanError(f"--target {target!r}: {name} are not managed by this configuration")


def targeted_kinds(targets: Sequence[str], registry: Registry) -> tuple[str, ...]:
    """The kinds a targeted plan must read: the targets' kinds and what they depend on."""
    names = {t.partition("/")[0] for t in targets}
    pending = list(names)
    while pending:
        kind = registry[pending.pop()]
        for dep in (*kind.depends_on, *kind.references):
            if dep not in names:
                names.add(dep)
                pending.append(dep)
    return tuple(n for n in registry.names() if n in names)


def narrowed(targets: Sequence[str], registry: Registry) -> dict[str, frozenset[str]]:
    """Kinds a targeted plan may read in part, with the keys it needs as the targets spell them
    (the store is asked by that spelling: an identity is storeconf's fold, not the API's): a
    narrowable kind whose every target names a key, and which no other targeted kind reads as a
    dependency (a price list needs every product to resolve its SKUs)."""
    keys: dict[str, set[str]] = {}
    whole: set[str] = set()
    for target in targets:
        name, _, key = target.partition("/")
        if key:
            keys.setdefault(name, set()).add(key)
        else:
            whole.add(name)
    needed = {
        dep
        for name in {t.partition("/")[0] for t in targets}
        for dep in targeted_kinds([name], registry)
        if dep != name
    }
    return {
        name: frozenset(idents)
        for name, idents in keys.items()
        if registry[name].narrowable and name not in whole and name not in needed
    }


def check_target_keys(
    targets: Sequence[str], registry: Registry, desired: DesiredState, live: LiveState
) -> None:
    """Raise PlanError for a target whose key matches nothing in the config or the store."""
    found = present(targets, registry, desired, live)
    for target in targets:
        if target not in found:
            name, _, key = target.partition("/")
            raise PlanError(f"--target {target!r}: no {name} object has the key {key!r}")


def present(
    targets: Sequence[str], registry: Registry, desired: DesiredState, live: LiveState
) -> tuple[str, ...]:
    """The targets that match something in the config or the store."""
    out = []
    for target in targets:
        name, _, key = target.partition("/")
        ident = registry[name].identity(key) if key else ""
        if not key or ident in desired.objects.get(name, {}) or ident in live.objects.get(name, {}):
            out.append(target)
    return tuple(out)


def select(changes: Sequence[Change], targets: Sequence[str], registry: Registry) -> tuple[Change, ...]:
    """The targeted changes and, transitively, the writes they depend on; in plan order."""
    if not targets:
        return tuple(changes)
    writes = {(c.kind, registry[c.kind].identity(c.key)): c for c in changes if c.action is not Action.DELETE}
    whole, keys = _by_kind(targets, registry)
    chosen = {id(c): c for c in changes if c.kind in whole or _matches(c, keys.get(c.kind), registry)}
    queue = list(chosen.values())
    while queue:
        change = queue.pop()
        for kind, key in registry[change.kind].refs(change.fields):
            dep = writes.get((kind, registry[kind].identity(key))) if kind in registry else None
            if dep is not None and id(dep) not in chosen:
                chosen[id(dep)] = dep
                queue.append(dep)
    return tuple(c for c in changes if id(c) in chosen)


def _by_kind(targets: Sequence[str], registry: Registry) -> tuple[set[str], dict[str, set[str]]]:
    """The kinds targeted whole, and the identities targeted in each other kind: a change is
    then matched by one lookup, not against every target (100 targets x 10,000 changes)."""
    whole: set[str] = set()
    keys: dict[str, set[str]] = {}
    for target in targets:
        name, _, key = target.partition("/")
        if key:
            keys.setdefault(name, set()).add(registry[name].identity(key) if name in registry else key)
        else:
            whole.add(name)
    return whole, keys


def _matches(change: Change, keys: set[str] | None, registry: Registry) -> bool:
    if not keys:
        return False
    kind = registry[change.kind]
    return any(kind.identity(k) in keys for k in (change.key, change.renamed_from) if k is not None)
