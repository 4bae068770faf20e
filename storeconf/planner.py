"""Desired × live → Plan. Pure: no I/O, no clock, no randomness.

Order: creates and updates of every kind in dependency order (a kind after
the kinds it depends on; inside a kind by `Kind.order`, e.g. parent
categories before children), then deletes in exactly the reverse order, so
nothing is deleted while something still to be changed may refer to it. A
kind nothing refers to (products, scripts, webhooks) deletes just before its
own writes instead, which frees the unique values those writes may need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from storeconf.diff import diff_fields
from storeconf.errors import PlanError, UnsafePlanError
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Kind
from storeconf.model import Desired, DesiredState, Live, LiveState, Manage
from storeconf.ownership import adoptions
from storeconf.parts import part_changes, public
from storeconf.plan import Action, Adoption, Change, FieldChange, Plan, fingerprint
from storeconf.targets import narrowed, select


def build_plan(
    desired: DesiredState,
    live: LiveState,
    registry: Registry = REGISTRY,
    *,
    environment: str = "",
    store: str = "",
    targets: Sequence[str] = (),
) -> Plan:
    """Every change that makes the managed part of the store match the config.

    `targets` (`KIND` or `KIND/KEY`) narrows the plan to those objects and what
    they depend on (see storeconf.targets).
    """
    writes: list[Change] = []
    deletes: list[Change] = []
    warnings: list[str] = []
    narrow = narrowed(targets, registry)
    for kind in registry:
        manage = desired.manage.get(kind.name)
        if manage is None:
            continue  # not managed: never read for changes, never touched
        want = desired.objects.get(kind.name, {})
        have = live.objects.get(kind.name, {})
        renamed = _renames(kind, want, have)
        written = plan_writes(kind, _in_reach(kind, want, renamed, narrow), {**have, **renamed}, manage)
        # A replacement's delete runs with the deletes (for a leaf kind: just before its writes).
        writes += [c for c in written if c.action is not Action.DELETE]
        deletes += [c for c in written if c.action is Action.DELETE]
        warnings += kind.warnings(want, have)
        if manage.prune:
            # An object the environment excludes is not managed there: never deleted either.
            kept = {id(obj) for obj in renamed.values()}
            skip = desired.excluded.get(kind.name, frozenset())
            owned = live.owned.get(kind.name, frozenset())
            deletes += [
                _delete(kind, obj, manage)
                for i, obj in have.items()
                if i not in want
                and i not in skip
                and id(obj) not in kept
                and (not manage.owned or obj.id in owned)
            ]
    rank = {name: i for i, name in enumerate(registry.names())}
    # Updates before creates within a level: an update may free a unique value (a SKU, a
    # name) that a create needs; and one action per run lets the applier batch it.
    writes.sort(key=lambda c: (rank[c.kind], c.order, c.action is Action.CREATE, c.key))
    deletes.sort(key=lambda c: (-rank[c.kind], -c.order, c.key))
    changes = select(_interleave(writes, deletes, _leaves(registry)), targets, registry)
    check_protected(changes, desired, registry)
    warnings += _delete_warnings(changes, live, desired, registry)
    adopted = tuple(
        a for a in adoptions(desired, live, registry) if not targets or _targeted(a, targets, registry)
    )
    return Plan(
        changes, environment, store, desired.managed_kinds(), tuple(warnings), tuple(targets), adopted
    )


def _targeted(adoption: Adoption, targets: Sequence[str], registry: Registry) -> bool:
    kind = registry[adoption.kind]
    for target in targets:
        name, _, key = target.partition("/")
        if name == adoption.kind and (not key or kind.identity(key) == kind.identity(adoption.key)):
            return True
    return False


def _leaves(registry: Registry) -> set[str]:
    """Kinds nothing else refers to (promotions, scripts, webhooks), and kinds only those refer
    to (products, named by promotions): a kind nothing refers to is written after what it
    names anyway, and a reference of it to a deleted object is a config error."""

    def referred_by(kinds: list[Kind[Any]]) -> set[str]:
        return {dep for kind in kinds for dep in (*kind.depends_on, *kind.references)}

    last = {kind.name for kind in registry if kind.name not in referred_by(list(registry))}
    referred = referred_by([kind for kind in registry if kind.name not in last])
    return {kind.name for kind in registry if kind.name not in referred or kind.delete_first}


def _interleave(writes: list[Change], deletes: list[Change], leaves: set[str]) -> list[Change]:
    """Deletes of a leaf kind run just before that kind's writes: nothing can still refer to
    them, and they free unique values (a SKU moving to another product, a script name, a
    per-app quota) that the writes may need. Other deletes run last, children first."""
    early = [c for c in deletes if c.kind in leaves]
    late = [c for c in deletes if c.kind not in leaves]
    out: list[Change] = []
    for kind in dict.fromkeys([c.kind for c in writes] + [c.kind for c in early]):
        out += [c for c in early if c.kind == kind] + [c for c in writes if c.kind == kind]
    return out + late


def _in_reach(
    kind: Kind[Any], want: dict[str, Desired], renamed: dict[str, Live], narrow: dict[str, frozenset[str]]
) -> dict[str, Desired]:
    """The objects of a kind whose writes a targeted plan can select: for a narrowed kind (its
    objects depend on other kinds only), the targeted ones and those renamed onto a live object
    (a target may name the old key). Renames are found against every declared object first, so
    the result is the whole plan's, narrowed; but a `--changed-since` plan of 100 of 10,000
    products no longer diffs 9,900 creates, with all their parts, for `select` to drop."""
    keys = narrow.get(kind.name)
    if keys is None:
        return want
    targeted = {kind.identity(k) for k in keys}
    return {i: obj for i, obj in want.items() if i in targeted or i in renamed}


def _renames(kind: Kind[Any], want: dict[str, Desired], have: dict[str, Live]) -> dict[str, Live]:
    """Desired objects with no live match whose second identity (a product's name) matches a
    live object the config no longer names: the same object under a new key."""
    orphans: dict[str, Live] = {}
    for ident, current in have.items():
        other = kind.rename_identity(current.fields)
        if ident not in want and other is not None:
            orphans.setdefault(other, current)
    found: dict[str, Live] = {}
    for ident, obj in want.items():
        other = kind.rename_identity(obj.fields) if ident not in have else None
        if other is not None and other in orphans:
            found[ident] = orphans.pop(other)
    return found


def plan_writes(
    kind: Kind[Any], want: dict[str, Desired], have: dict[str, Live], manage: Manage
) -> list[Change]:
    out = []
    parts = {p.field for p in kind.parts}
    for ident, obj in want.items():
        current = have.get(ident)
        secret = obj.sensitive | kind.sensitive_fields
        if current is None:
            diff = tuple(
                FieldChange(k, None, v, k in secret) for k, v in obj.fields.items() if k not in parts
            )
            children = part_changes(kind, obj.fields, {}, sensitive=secret)
            children = kind.adjust_children(obj.fields, None, children)
            out.append(_change(kind, obj, Action.CREATE, diff, manage, children=children))
            continue
        implied = kind.implied(obj.fields, current.fields)
        if implied is not obj.fields:  # most kinds imply nothing: no new Desired per object
            obj = replace(obj, fields=implied)
        compared = {k: v for k, v in obj.fields.items() if k not in manage.ignore and k not in parts}
        diff = diff_fields(compared, current.fields, kind.spec, ignore=manage.ignore, sensitive=secret)
        fixed = sorted({d.path.split(".", 1)[0] for d in diff} & kind.replace_on)
        if fixed:
            out += _replacement(kind, obj, current, manage, fixed)
            continue
        wanted = obj.fields  # read only below: copied only when something is ignored
        if manage.ignore:
            wanted = {k: v for k, v in obj.fields.items() if k not in manage.ignore}
        children = part_changes(kind, wanted, current.fields, manage.ignore, secret)
        children = kind.adjust_children(wanted, current.fields, children)
        if diff or children:
            change = _change(kind, obj, Action.UPDATE, diff, manage, current, children)
            out.append(replace(change, note=kind.note(obj.fields, current.fields)))
    return out


def _replacement(
    kind: Kind[Any], obj: Desired, current: Live, manage: Manage, fixed: list[str]
) -> list[Change]:
    """A delete of the live object and a create of the desired one, both saying why."""
    why = f"{', '.join(fixed)} cannot change in place"
    secret = obj.sensitive | kind.sensitive_fields
    parts = {p.field for p in kind.parts}
    diff = tuple(FieldChange(k, None, v, k in secret) for k, v in obj.fields.items() if k not in parts)
    children = kind.adjust_children(obj.fields, None, part_changes(kind, obj.fields, {}, sensitive=secret))
    create = _change(kind, obj, Action.CREATE, diff, manage, children=children)
    delete = replace(_delete(kind, current, manage), replaces=why, reason=None, masked_key=obj.masked_key)
    return [delete, replace(create, replaces=why)]


def _change(
    kind: Kind[Any],
    obj: Desired,
    action: Action,
    diff: tuple[FieldChange, ...],
    manage: Manage,
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
        renamed_from=live.key if live and kind.identity(live.key) != kind.identity(obj.key) else None,
        fingerprint=live_fingerprint(kind, live, manage.ignore) if live else None,
        source=obj.location,
        sensitive=obj.sensitive | kind.sensitive_fields,
        order=kind.order(obj.key),
        children=children,
        overrides={name: str(loc) for name, loc in obj.overridden.items()},
        masked_key=obj.masked_key,
    )


def _delete_reason(obj: Live, manage: Manage) -> str:
    if obj.duplicate:
        return "a second live object with this key, which no config can name"
    if manage.owned:
        return "missing from config, owned by storeconf"
    return "missing from config, prune: all"


def _delete(kind: Kind[Any], obj: Live, manage: Manage) -> Change:
    # The fields that identify what goes (its key fields, and a name), not every live field:
    # a delete of a brand is `name: "Bolt"`, not a list of its empty defaults.
    identifying = kind.key_fields | {"name"}
    shown = sorted((k, v) for k, v in public(obj.fields).items() if k in identifying and v not in (None, ""))
    return Change(
        kind=kind.name,
        key=obj.key,
        action=Action.DELETE,
        diff=tuple(FieldChange(k, v, None, k in kind.sensitive_fields) for k, v in shown),
        live_id=obj.id,
        fingerprint=live_fingerprint(kind, obj, manage.ignore),
        sensitive=kind.sensitive_fields,
        order=kind.order(obj.key),
        reason=_delete_reason(obj, manage),
    )


def live_fingerprint(kind: Kind[Any], live: Live, ignore: frozenset[str] = frozenset()) -> str:
    """Identifies the live object a change was computed from. Secrets are left out of the
    digest, and so are ignored fields: another system changing them must not stale a plan."""
    fields = {k: v for k, v in live.fields.items() if k not in kind.sensitive_fields and k not in ignore}
    for part in kind.parts:
        inside = {
            i.removeprefix(f"{part.field}.") for i in ignore if "." not in i or i.startswith(f"{part.field}.")
        }
        if isinstance(fields.get(part.field), list):
            fields[part.field] = [
                {k: v for k, v in item.items() if k not in inside} if isinstance(item, dict) else item
                for item in fields[part.field]
            ]
    return fingerprint(fields)


def _delete_warnings(
    changes: tuple[Change, ...], live: LiveState, desired: DesiredState, registry: Registry
) -> tuple[str, ...]:
    return tuple(str(e) for e in unsafe_deletes(changes, live, desired.manage, registry))


def unsafe_deletes(
    changes: tuple[Change, ...], live: LiveState, manage: dict[str, Manage], registry: Registry = REGISTRY
) -> list[UnsafePlanError]:
    """Kinds where the plan deletes more than the configured share of the live objects
    (octoDNS-style), and guarded parts (a price list's records) where it deletes more than
    that share of one object's live items, and replacements that lose what the kind guards
    (a used coupon promotion's counters)."""
    problems = _unsafe_part_deletes(changes, live, manage, registry)
    problems += _guarded_replacements(changes, live, registry)
    for name in live.objects:
        # A replacement puts the object back: it is not part of the share deleted.
        count = sum(1 for c in changes if c.kind == name and c.action is Action.DELETE and not c.replaces)
        threshold = manage[name].delete_threshold if name in manage else 0.3
        total = live.total(name)
        if count >= 2 and count > threshold * total:
            problems.append(
                UnsafePlanError(
                    f"{name}: the plan deletes {count} of {total} live objects, more than "
                    f"{threshold:.0%}; apply needs --allow-deletes"
                )
            )
    return problems


def _unsafe_part_deletes(
    changes: tuple[Change, ...], live: LiveState, manage: dict[str, Manage], registry: Registry
) -> list[UnsafePlanError]:
    problems = []
    for change in changes:
        if change.action is not Action.UPDATE or change.kind not in registry:
            continue
        guarded = [p for p in registry[change.kind].parts if p.guard_deletes]
        current = next(
            (o for o in live.objects.get(change.kind, {}).values() if o.id == change.live_id), None
        )
        for part in guarded if current is not None else ():
            assert current is not None
            existing = len(current.fields.get(part.field) or [])
            count = sum(1 for c in change.children if c.kind == part.label and c.action is Action.DELETE)
            threshold = manage[change.kind].delete_threshold if change.kind in manage else 0.3
            if count >= 2 and count > threshold * existing:
                problems.append(
                    UnsafePlanError(
                        f"{change.kind} {change.shown_key}: the plan deletes {count} of {existing} live "
                        f"{part.field}, more than {threshold:.0%}; apply needs --allow-deletes"
                    )
                )
    return problems


def check_protected(changes: Sequence[Change], desired: DesiredState, registry: Registry = REGISTRY) -> None:
    """Raise PlanError naming every protected object the plan would delete or replace (whole,
    or a nested part: a variant re-created because its options changed)."""
    problems = []
    for change in changes:
        if not _protected(change, desired, registry):
            continue
        if change.action is Action.DELETE:
            why = f" ({change.reason})" if change.reason else ""
            problems.append(f"{change.address} is protected, but the plan deletes it{why}")
        created = {(c.kind, c.key) for c in change.children if c.action is Action.CREATE}
        for child in change.children:
            if child.action is Action.DELETE and (child.kind, child.key) in created:
                what = f"{child.kind} {child.key}"
                problems.append(f"{change.address} is protected, but the plan replaces its {what}")
    if problems:
        hint = "declare it again, or take it out of `protect` under manage to let it go"
        raise PlanError("; ".join(problems) + f". Nothing was changed: {hint}.")


def _protected(change: Change, desired: DesiredState, registry: Registry) -> bool:
    """`protect: true` on the kind or the item, or the key listed in the kind's `protect:`."""
    manage = desired.manage.get(change.kind)
    if manage is None:
        return False
    ident = registry[change.kind].identity(change.key)
    declared = desired.objects.get(change.kind, {}).get(ident)
    return manage.protect or ident in manage.protected or (declared is not None and declared.protect)


def _guarded_replacements(
    changes: tuple[Change, ...], live: LiveState, registry: Registry
) -> list[UnsafePlanError]:
    problems = []
    for change in changes:
        if change.action is not Action.DELETE or not change.replaces or change.kind not in registry:
            continue
        kind = registry[change.kind]
        found = live.objects.get(change.kind, {}).get(kind.identity(change.key))
        reason = kind.replace_guard(found) if found is not None else None
        if reason:
            problems.append(
                UnsafePlanError(f"{change.address}: replacing it {reason}; apply needs --allow-deletes")
            )
    return problems
