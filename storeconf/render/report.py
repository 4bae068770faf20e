"""The end of an apply as text: what failed (one line per cause), then what was and was not done.

A store that goes away mid-apply fails every request in flight with the same error; a
line per change would bury the one thing to fix, so failures are grouped by their message.
A change that failed alone names its object and where the config declares it.
"""

from __future__ import annotations

from storeconf.applier import ApplyReport
from storeconf.plan import Action, Change


def summary_line(report: ApplyReport) -> str:
    counts = {a: sum(1 for c in report.applied if c.action is a) for a in Action}
    return (
        f"Apply complete: {counts[Action.CREATE]} created, {counts[Action.UPDATE]} updated, "
        f"{counts[Action.DELETE]} deleted."
    )


def report_lines(report: ApplyReport) -> list[str]:
    """The lines of an apply that did not finish: causes, then applied / failed / not started."""
    lines = [f"Error: {cause} [{_affected(changes)}]" for cause, changes in _causes(report).items()]
    lines += _listed("Applied", report.applied)
    lines += _listed("Failed", [c for c, _ in report.failed], where=True)
    lines += _listed("Skipped", [c for c, _ in report.skipped], why=dict(_by_id(report.skipped)))
    lines += _listed("Not started", report.not_attempted)
    lines.append(_closing(report))
    return lines


def _causes(report: ApplyReport) -> dict[str, list[Change]]:
    causes: dict[str, list[Change]] = {}
    for change, error in report.failed:
        causes.setdefault(str(error) or type(error).__name__, []).append(change)
    return causes


def _affected(changes: list[Change]) -> str:
    if len(changes) > 1:
        return f"{len(changes)} changes"
    change = changes[0]
    where = f", {change.source}" if change.source else ""
    return f"{change.action.value} {change.kind} {change.shown_key}{where}"


def _by_id(pairs: list[tuple[Change, str]]) -> list[tuple[int, str]]:
    return [(id(change), why) for change, why in pairs]


def _listed(
    title: str, changes: list[Change], *, where: bool = False, why: dict[int, str] | None = None
) -> list[str]:
    if not changes and title not in ("Applied", "Not started"):
        return []
    lines = [f"{title} ({len(changes)}):"]
    for change in changes:
        line = f"  {change.action.glyph} {change.kind} {change.shown_key}"
        if where and change.source:
            line += f"  ({change.source})"
        if why and id(change) in why:
            line += f"  ({why[id(change)]})"
        lines.append(line)
    return lines


HINT = "Run `storeconf plan` to see the remaining work."


def _closing(report: ApplyReport) -> str:
    if report.interrupted:
        return f"Apply interrupted: nothing was started after Ctrl-C. {HINT}"
    if report.skipped or (report.failed and not report.not_attempted):
        return f"Apply finished with failures. {HINT}"
    return f"Apply stopped: nothing was started after the first failure. {HINT}"
