"""How one value is shown in plan output."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from storeconf.plan import SENSITIVE, Action, Change, FieldChange


def show(value: Any, sensitive: bool = False) -> str:
    if sensitive and value is not None:
        return SENSITIVE
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, default=str)


def field_line(change: Change, fc: FieldChange) -> str:
    if change.action is Action.CREATE:
        return f"{fc.path}: {show(fc.new, fc.sensitive)}{origin(change, fc)}"
    if change.action is Action.DELETE:
        return f"{fc.path}: {show(fc.old, fc.sensitive)}"
    return f"{fc.path}: {show(fc.old, fc.sensitive)} → {show(fc.new, fc.sensitive)}{origin(change, fc)}"


def origin(change: Change, fc: FieldChange) -> str:
    """`  (override at storeconf.yaml:12:9)` for a value the environment's overrides set."""
    where = change.overrides.get(fc.path.split(".", 1)[0])
    return f"  (override at {where})" if where else ""


def summary_line(plan_counts: dict[Action, int], adoptions: int = 0) -> str:
    adopt = f", {adoptions} to adopt" if adoptions else ""
    deletes = plan_counts.get(Action.DELETE, 0)
    return (
        f"Plan: {plan_counts.get(Action.CREATE, 0)} to create, "
        f"{plan_counts.get(Action.UPDATE, 0)} to update, {deletes} to delete{adopt}."
    )


GROUP_SHOWN = 10
"""Changes shown per group of a long part (a price list's records per currency); JSON shows all."""


def grouped(children: tuple[Change, ...]) -> tuple[list[Change], dict[str, list[Change]]]:
    """Children shown one by one, and children shown per group (`Change.group`), in plan order."""
    groups: dict[str, list[Change]] = {}
    for child in children:
        if child.group:
            groups.setdefault(child.group, []).append(child)
    return [c for c in children if not c.group], groups


def group_lines(name: str, changes: list[Change]) -> list[str]:
    """A group's count line, then its first GROUP_SHOWN changes one line each."""
    counts = Counter(c.action for c in changes)
    parts = [f"{counts[a]} to {a.value}" for a in Action if counts.get(a)]
    lines = [f"{name}: {', '.join(parts)}"]
    for change in changes[:GROUP_SHOWN]:
        fields = ", ".join(field_line(change, fc) for fc in change.diff)
        lines.append(f"    {change.action.glyph} {change.kind} {change.shown_key}  {fields}".rstrip())
    if len(changes) > GROUP_SHOWN:
        lines.append(f"    ... and {len(changes) - GROUP_SHOWN} more (plan --format json lists every change)")
    return lines


def heading(change: Change) -> str:
    """`kind key`, plus why it is replaced when it is half of a replacement."""
    text = f"{change.kind} {change.shown_key}"
    return f"{text}  (replaced: {change.replaces})" if change.replaces else text
