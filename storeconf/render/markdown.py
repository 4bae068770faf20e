"""Plan as Markdown, for a pull-request comment."""

from __future__ import annotations

from storeconf.plan import Change, Plan
from storeconf.render.values import field_line, summary_line


def render_markdown(plan: Plan) -> str:
    if plan.empty:
        return "**No changes.** The live store matches the configuration.\n"
    out = [f"### storeconf plan ({plan.environment or 'store'})", "", "```diff"]
    for change in plan.changes:
        out += _lines(change, "")
    out += ["```", "", f"**{summary_line(dict(plan.counts()))}**", ""]
    out += [f"> Warning: {w}" for w in plan.warnings]
    return "\n".join(out) + "\n"


def _lines(change: Change, indent: str) -> list[str]:
    glyph = change.action.glyph
    lines = [f"{glyph} {indent}{change.kind} {change.key}"]
    lines += [f"{glyph} {indent}    {field_line(change, fc)}" for fc in change.diff]
    for child in change.children:
        lines += _lines(child, indent + "    ")
    return lines
