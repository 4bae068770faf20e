"""Changes to the keyed parts of one object (a product's variants, images, custom fields).

A part the config leaves out is not managed. A part it lists is owned
completely: live items it does not list are deleted, and so is every live
item after the first with the same identity (the config cannot address it).
"""

from __future__ import annotations

from typing import Any

from storeconf.diff import diff_fields
from storeconf.kinds.base import Kind, Part
from storeconf.plan import Action, Change, FieldChange


def part_changes(
    kind: Kind[Any],
    want: dict[str, Any],
    have: dict[str, Any],
    ignore: frozenset[str] = frozenset(),
    sensitive: frozenset[str] = frozenset(),
) -> tuple[Change, ...]:
    """Item-by-item changes of the parts `want` sets.

    `ignore` applies inside parts too: `inventory_level` means the product's and
    its variants'; `variants.inventory_level` only the variants'. A part whose
    field is sensitive (a value came from `${env:...}`) is masked item by item.
    """
    out: list[Change] = []
    for part in kind.parts:
        if part.field in want:
            secret = part.field in sensitive
            out += _changes(
                part, want[part.field] or [], have.get(part.field) or [], _inside(part, ignore), secret
            )
    return tuple(out)


def _inside(part: Part, ignore: frozenset[str]) -> frozenset[str]:
    prefix = f"{part.field}."
    return frozenset(i.removeprefix(prefix) for i in ignore if "." not in i or i.startswith(prefix))


def _changes(
    part: Part, want: list[dict[str, Any]], have: list[dict[str, Any]], ignore: frozenset[str], secret: bool
) -> list[Change]:
    if _in_place(part, want, have):
        return []
    desired = dict(zip(part.identities(want), want, strict=True))
    idents = part.identities(have)
    live = dict(zip(idents, have, strict=True))
    extra: list[dict[str, Any]] = []
    if len(live) < len(have):  # a repeated identity: the first item is the one matched
        live = {}
        for ident, item in zip(idents, have, strict=True):
            if ident in live:
                extra.append(item)
            else:
                live[ident] = item
    out = []
    for ident, item in desired.items():
        current = live.get(ident)
        # Most items of a long part are unchanged: one comparison in C says so (values that
        # are the same object are equal, as inside lists; only a NaN could tell the difference,
        # and the config and the API never share one).
        if current is not None and item.items() <= current.items():
            continue
        fields = {k: v for k, v in item.items() if k not in part.skip}
        if current is None:
            out.append(_create(part, item, fields, secret))
        elif d := diff_fields(fields, current, part.model, ignore=ignore, sensitive=fields if secret else ()):
            if any(c.path.split(".", 1)[0] in part.replace_on for c in d):
                # The re-created item keeps what another system owns (a variant's stock): the
                # plan shows, and apply writes, the live value of every ignored field.
                kept = {k: current[k] for k in ignore if k in current and k in part.model.model_fields}
                out.append(_remove(part, current, secret))
                out.append(_create(part, {**item, **kept}, {**fields, **kept}, secret))
            else:
                out.append(_child(part, Action.UPDATE, item, d, current.get("_id"), secret))
    gone = [c for i, c in live.items() if i not in desired] + extra
    out += [_remove(part, current, secret) for current in gone]
    return out


def _in_place(part: Part, want: list[dict[str, Any]], have: list[dict[str, Any]]) -> bool:
    """Whether each wanted item is the live item in the same place, unchanged: the usual case of
    a long part (a product's variants, a price list's 50,000 records, listed in the API's order),
    settled pair by pair in C without computing a key. Each pair agrees on every field the config
    sets, key fields included, so the keys pair up one to one and no live item is left over."""
    keys = part.key_fields
    return (
        bool(keys)
        and len(want) == len(have)
        and all(w.items() <= h.items() and keys <= w.keys() for w, h in zip(want, have, strict=True))
    )


def _create(part: Part, item: dict[str, Any], fields: dict[str, Any], secret: bool) -> Change:
    # A value the new item leaves unset (a record without a sale price) is not worth a line.
    diff = tuple(FieldChange(k, None, v, secret) for k, v in fields.items() if v is not None)
    return _child(part, Action.CREATE, item, diff, None, secret)


def _remove(part: Part, current: dict[str, Any], secret: bool) -> Change:
    # Empty values say nothing about what is removed; listing them only buries the point.
    shown = {k: v for k, v in public(current).items() if v not in (None, "", [], {})}
    diff = tuple(FieldChange(k, v, None, secret) for k, v in shown.items())
    return _child(part, Action.DELETE, current, diff, current.get("_id"), secret, fields={})


def _child(
    part: Part,
    action: Action,
    item: dict[str, Any],
    diff: tuple[FieldChange, ...],
    live_id: Any,
    secret: bool,
    fields: dict[str, Any] | None = None,
) -> Change:
    return Change(
        part.label,
        part.key(item),
        action,
        item if fields is None else fields,
        diff,
        live_id,
        sensitive=frozenset(item) if secret else frozenset(),
        group=part.group(item) if part.group else "",
    )


def public(value: Any) -> Any:
    """A live value without the ids storeconf keeps for itself (`_id`, `_identity`, ...)."""
    if isinstance(value, dict):
        return {k: public(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, list):
        return [public(v) for v in value]
    return value
