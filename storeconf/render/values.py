"""How one value is shown in plan output."""

from __future__ import annotations

import json
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


def summary_line(plan_counts: dict[Action, int]) -> str:
    return (
        f"Plan: {plan_counts.get(Action.CREATE, 0)} to create, "
        f"{plan_counts.get(Action.UPDATE, 0)} to update, {plan_counts.get(Action.DELETE, 0)} to delete."
    )
