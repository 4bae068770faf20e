"""Plan as Markdown, for a pull-request comment."""

from __future__ import annotations

from storeconf.plan import Plan
from storeconf.render.values import field_line, summary_line


def render_markdown(plan: Plan) -> str:
    if plan.empty:
        return "**No changes.** The live store matches the configuration.\n"
    out = [f"### storeconf plan ({plan.environment or 'store'})", "", "```diff"]
    for change in plan.changes:
        out.append(f"{change.action.glyph} {change.kind} {change.key}")
        out += [f"{change.action.glyph}     {field_line(change, fc)}" for fc in change.diff]
    out += ["```", "", f"**{summary_line(dict(plan.counts()))}**", ""]
    out += [f"> Warning: {w}" for w in plan.warnings]
    return "\n".join(out) + "\n"
