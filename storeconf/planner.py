"""Desired × live → Plan. Pure: no I/O, no clock, no randomness.

Order: creates and updates of every kind in dependency order (a kind after
the kinds it depends on; inside a kind by `Kind.order`, e.g. parent
categories before children), then deletes in exactly the reverse order, so
nothing is deleted while something still to be changed may refer to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storeconf.diff import diff_fields
from storeconf.errors import UnsafePlanError
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Kind
from storeconf.model import Desired, DesiredState, Live, LiveState, Manage
from storeconf.plan import Action, Change, FieldChange, Plan, fingerprint


def build_plan(
    desired: DesiredState,
    live: LiveState,
    registry: Registry = REGISTRY,
    *,
    environment: str = "",
    store: str = "",
    targets: Iterable[str] = (),
) -> Plan:
    """Every change that makes the managed part of the store match the config.

    `targets` (`KIND` or `KIND/KEY`) narrows the plan to those objects, like
    Terraform's -target.
    """
    writes: list[Change] = []
    deletes: list[Change] = []
    for kind in registry:
        manage = desired.manage.get(kind.name)
        if manage is None:
            continue  # not managed: never read for changes, never touched
        want = desired.objects.get(kind.name, {})
        have = live.objects.get(kind.name, {})
        writes += _writes(kind, want, have, manage)
        if manage.prune:
            deletes += [_delete(kind, obj) for ident, obj in have.items() if ident not in want]
    rank = {name: i for i, name in enumerate(registry.names())}
    # Updates before creates within a level: an update may free a unique value (a SKU, a
    # name) that a create needs; and one action per run lets the applier batch it.
    writes.sort(key=lambda c: (rank[c.kind], c.order, c.action is Action.CREATE, c.key))
    deletes.sort(key=lambda c: (-rank[c.kind], -c.order, c.key))
    changes = tuple(c for c in (*writes, *deletes) if _targeted(c, targets, registry))
    return Plan(
        changes, environment, store, desired.managed_kinds(), _delete_warnings(changes, live, desired)
    )


def _writes(kind: Kind[Any], want: dict[str, Desired], have: dict[str, Live], manage: Manage) -> list[Change]:
    out = []
    for ident, obj in want.items():
        current = have.get(ident)
        secret = obj.sensitive | kind.sensitive_fields
        parts = {p.field for p in kind.parts}
        if current is None:
            diff = tuple(
                FieldChange(k, None, v, k in secret) for k, v in obj.fields.items() if k not in parts
            )
            out.append(_change(kind, obj, Action.CREATE, diff, children=_part_changes(kind, obj.fields, {})))
            continue
        compared = {k: v for k, v in obj.fields.items() if k not in manage.ignore and k not in parts}
        diff = diff_fields(compared, current.fields, kind.spec, ignore=manage.ignore, sensitive=secret)
        wanted = {k: v for k, v in obj.fields.items() if k not in manage.ignore}
        children = _part_changes(kind, wanted, current.fields, manage.ignore)
        if diff or children:
            out.append(_change(kind, obj, Action.UPDATE, diff, current, children))
    return out


def _part_changes(
    kind: Kind[Any], want: dict[str, Any], have: dict[str, Any], ignore: frozenset[str] = frozenset()
) -> tuple[Change, ...]:
    """Item-by-item changes of the keyed parts the config sets; a part it omits is not managed.

    `ignore` applies inside parts too: `inventory_level` means the product's and its
    variants'; `variants.inventory_level` only the variants'.
    """
    out: list[Change] = []
    for part in kind.parts:
        if part.field not in want:
            continue
        prefix = f"{part.field}."
        skipped = {i.removeprefix(prefix) for i in ignore if "." not in i or i.startswith(prefix)}
        desired_items = {part.identity(part.key(i)): i for i in want[part.field] or []}
        live_items = {part.identity(part.key(i)): i for i in have.get(part.field) or []}
        for ident, item in desired_items.items():
            current = live_items.get(ident)
            fields = {k: v for k, v in item.items() if k not in part.skip}
            if current is None:
                diff = tuple(FieldChange(k, None, v) for k, v in fields.items())
                out.append(Change(part.label, part.key(item), Action.CREATE, item, diff))
            elif d := diff_fields(fields, current, part.model, ignore=skipped):
                out.append(Change(part.label, part.key(item), Action.UPDATE, item, d, current.get("_id")))
        for ident, current in live_items.items():
            if ident not in desired_items:
                diff = tuple(FieldChange(k, v, None) for k, v in current.items() if not k.startswith("_"))
                out.append(Change(part.label, part.key(current), Action.DELETE, {}, diff, current.get("_id")))
    return tuple(out)


def _change(
    kind: Kind[Any],
    obj: Desired,
    action: Action,
    diff: tuple[FieldChange, ...],
    live: Live | None = None,
    children: tuple[Change, ...] = (),
) -> Change:
    return Change(
        kind=kind.name,
        key=obj.key,
        action=action,
        fields=obj.fields,
        diff=diff,
        live_id=live.id if live else None,
        fingerprint=live_fingerprint(kind, live) if live else None,
        source=obj.location,
        sensitive=obj.sensitive | kind.sensitive_fields,
        order=kind.order(obj.key),
        children=children,
    )


def _delete(kind: Kind[Any], obj: Live) -> Change:
    diff = tuple(FieldChange(k, v, None, k in kind.sensitive_fields) for k, v in sorted(obj.fields.items()))
    return Change(
        kind=kind.name,
        key=obj.key,
        action=Action.DELETE,
        diff=diff,
        live_id=obj.id,
        fingerprint=live_fingerprint(kind, obj),
        sensitive=kind.sensitive_fields,
        order=kind.order(obj.key),
    )


def live_fingerprint(kind: Kind[Any], live: Live) -> str:
    """Identifies the live object a change was computed from; secrets are left out of the digest."""
    return fingerprint({k: v for k, v in live.fields.items() if k not in kind.sensitive_fields})


def _targeted(change: Change, targets: Iterable[str], registry: Registry) -> bool:
    targets = tuple(targets)
    if not targets:
        return True
    kind = registry[change.kind]
    for target in targets:
        name, _, key = target.partition("/")
        if name == change.kind and (not key or kind.identity(key) == kind.identity(change.key)):
            return True
    return False


def _delete_warnings(changes: tuple[Change, ...], live: LiveState, desired: DesiredState) -> tuple[str, ...]:
    return tuple(str(e) for e in unsafe_deletes(changes, live, desired.manage))


def unsafe_deletes(
    changes: tuple[Change, ...], live: LiveState, manage: dict[str, Manage]
) -> list[UnsafePlanError]:
    """Kinds where the plan deletes more than the configured share of the live objects (octoDNS-style)."""
    problems = []
    for name, existing in live.objects.items():
        count = sum(1 for c in changes if c.kind == name and c.action is Action.DELETE)
        threshold = manage[name].delete_threshold if name in manage else 0.3
        if count >= 2 and count > threshold * len(existing):
            problems.append(
                UnsafePlanError(
                    f"{name}: the plan deletes {count} of {len(existing)} live objects, more than "
                    f"{threshold:.0%}; apply needs --allow-deletes"
                )
            )
    return problems
