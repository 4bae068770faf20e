"""Terraform-style plan text: one block per object, one line per changed field, a summary."""

from __future__ import annotations

from collections import Counter

from storeconf.plan import Action, Change, Plan
from storeconf.render.values import field_line, group_lines, grouped, heading, summary_line

NO_CHANGES = "No changes. The live store matches the configuration."


def render_text(plan: Plan, empty: str = NO_CHANGES) -> str:
    if plan.empty:
        return _warnings(plan) + empty + "\n"
    lines = []
    for change in plan.changes:
        lines += _change_lines(change, "  ")
    lines += [f"  = {a.kind} {a.key}  (adopt: mark as owned by storeconf)" for a in plan.adoptions]
    lines.append("")
    by_kind = plan.counts_by_kind()
    # The totals are the sums of the per-kind lines below, nested parts (variants…) included.
    totals: Counter[Action] = sum(by_kind.values(), Counter())
    lines.append(headline(plan, totals))
    for kind, counts in by_kind.items():
        parts = [f"{counts[a]} to {a.value}" for a in Action if counts.get(a)]
        lines.append(f"  {kind}: {', '.join(parts)}")
    return _warnings(plan) + "\n".join(lines) + "\n"


def headline(plan: Plan, totals: Counter[Action]) -> str:
    """`Plan for production (store abc123): 1 to create, …`: which store, and how much changes."""
    where = f" for {plan.environment}" if plan.environment else ""
    if where and plan.store:
        where += f" ({plan.store})"
    return summary_line(dict(totals), len(plan.adoptions)).replace("Plan:", f"Plan{where}:", 1)


def _change_lines(change: Change, indent: str) -> list[str]:
    remark = change.reason or change.note
    why = f"  ({remark})" if remark else ""
    lines = [f"{indent}{change.action.glyph} {heading(change)}{why}"]
    lines += [f"{indent}    {field_line(change, fc)}" for fc in change.diff]
    single, groups = grouped(change.children)
    for child in single:
        lines += _change_lines(child, indent + "    ")
    for name, members in groups.items():
        lines += [f"{indent}    {line}" for line in group_lines(name, members)]
    return lines


def _warnings(plan: Plan) -> str:
    return "".join(f"Warning: {w}\n" for w in plan.warnings) + ("\n" if plan.warnings else "")
