"""Executing a plan against the store.

Changes run in plan order, in groups of consecutive changes of one kind, one
action and one order level (e.g. all top-level categories to create): a group
has no internal dependencies, so its kind may batch or parallelise it.

At the first failure nothing new starts (`storeconf.stop.Halt`): changes whose
first request was sent finish, the others are reported as not started. With
`keep_going`, a failed change and the changes that depend on it (a product
whose new brand failed) are skipped and the rest is applied. A create whose
answer was lost is settled by re-reading the kind before anything is resent;
when that finds it, the failure was not one and the group carries on. The
report says what was applied, what failed and what was not started, and a
re-plan shows exactly the remaining work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any

from storeconf.auth import explain
from storeconf.client import StoreClient
from storeconf.errors import ApiError, ApplyError, may_have_applied
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind, Outcome
from storeconf.model import Desired, Live, Manage
from storeconf.plan import Action, Change, Plan
from storeconf.planner import plan_writes
from storeconf.stop import Halt, NotStarted

ProgressCallback = Callable[[Outcome], None]

# Sends of one create whose answers keep getting lost (and which a re-read does not find).
MAX_SENDS = 4


@dataclass
class ApplyReport:
    """What apply did, change by change."""

    applied: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, BaseException]] = field(default_factory=list)
    not_attempted: list[Change] = field(default_factory=list)
    # --keep-going: changes left out because something they depend on failed, with the reason.
    skipped: list[tuple[Change, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted and not self.skipped


async def apply_plan(
    plan: Plan,
    client: StoreClient,
    ctx: Context,
    registry: Registry = REGISTRY,
    on_progress: ProgressCallback | None = None,
    report: ApplyReport | None = None,
) -> ApplyReport:
    """Apply `plan` in order; `ctx` must hold the ids read with the live state the plan came from.

    `report` is filled in as changes finish, so a caller that cancels the apply still has it.
    """
    report = report if report is not None else ApplyReport()
    groups = [list(g) for _, g in groupby(plan.changes, key=lambda c: (c.kind, c.action, c.order))]
    broken: dict[tuple[str, str], str] = {}  # (kind, identity) of failed or skipped objects -> why
    for index, group in enumerate(groups):
        kind = registry[group[0].kind]
        group = _without_dependents(group, kind, registry, broken, report)
        await _apply_group(kind, group, client, ctx, report, on_progress)
        for change, _ in report.failed:
            _break(broken, registry[change.kind], change, "failed")
        if ctx.halt.tripped:
            report.interrupted = ctx.halt.interrupted
            report.not_attempted += [c for g in groups[index + 1 :] for c in g]
            break
    return report


def _without_dependents(
    group: list[Change],
    kind: Kind[Any],
    registry: Registry,
    broken: dict[tuple[str, str], str],
    report: ApplyReport,
) -> list[Change]:
    """Under --keep-going: the changes of `group` that refer to nothing that failed or was
    skipped. Of a kind with separable parts, only the nested changes that do are left out."""
    if not broken:
        return group
    parts = {p.field for p in kind.parts} if kind.separable_parts else set()
    kept = []
    for change in group:
        own = {k: v for k, v in change.fields.items() if k not in parts}
        bad = _broken_ref(kind.refs(own), registry, broken)
        if bad is not None:
            report.skipped.append((change, bad))
            _break(broken, kind, change, "was skipped")
        else:
            kept.append(_without_broken_children(change, kind, registry, broken, report) if parts else change)
    return kept


def _without_broken_children(
    change: Change,
    kind: Kind[Any],
    registry: Registry,
    broken: dict[tuple[str, str], str],
    report: ApplyReport,
) -> Change:
    by_label = {p.label: p.field for p in kind.parts}
    children = []
    for child in change.children:
        # Deleting a nested item never needs another object to exist.
        field = by_label.get(child.kind)
        refs = kind.refs({field: [child.fields]}) if field and child.action is not Action.DELETE else []
        bad = _broken_ref(refs, registry, broken)
        if bad is None:
            children.append(child)
        else:  # listed under its object: `price_lists Wholesale record BAG-20-LL-RG USD`
            shown = replace(child, kind=change.kind, key=f"{change.key} {child.kind} {child.key}")
            report.skipped.append((shown, bad))
    return change if len(children) == len(change.children) else replace(change, children=tuple(children))


def _broken_ref(
    refs: list[tuple[str, str]], registry: Registry, broken: dict[tuple[str, str], str]
) -> str | None:
    """Why a change that names these objects cannot go: the first of them that failed or was skipped."""
    for ref_kind, key in refs:
        if ref_kind in registry.names():
            why = broken.get((ref_kind, registry[ref_kind].identity(key)))
            if why is not None:
                return f"depends on {ref_kind} {key}, which {why}"
    return None


def _break(broken: dict[tuple[str, str], str], kind: Kind[Any], change: Change, why: str) -> None:
    """Mark an object (and the other keys it is known by, see Kind.aliases) as not applied."""
    for key in [change.key, *kind.aliases(change.fields)]:
        broken.setdefault((kind.name, kind.identity(key)), why)


async def _apply_group(
    kind: Kind[Any],
    group: list[Change],
    client: StoreClient,
    ctx: Context,
    report: ApplyReport,
    on_progress: ProgressCallback | None,
) -> None:
    """Apply one group; rounds repeat only for changes held back by a failure that a re-read settled."""
    sends: Counter[int] = Counter()
    pending = group
    while pending:
        failures = len(report.failed)
        outcomes = await kind.apply_batch(client, pending, ctx)
        for outcome in outcomes:
            if not isinstance(outcome.error, NotStarted):
                sends[id(outcome.change)] += 1
        settled, again = await _reconcile(kind, client, ctx, outcomes, sends)
        waiting = [o.change for o in settled if isinstance(o.error, NotStarted)]
        for outcome in settled:
            if isinstance(outcome.error, NotStarted):
                continue
            if outcome.error is not None:
                why = explain(outcome.error, kind, f"store {client.store_hash}", writing=True)
                outcome = Outcome(outcome.change, why, outcome.live_id)
            _record(report, kind, ctx, outcome)
            if on_progress:
                on_progress(outcome)
        pending = again + waiting
        if len(report.failed) > failures:  # a kind that did not trip the halt still stops the next groups
            ctx.halt.failed(report.failed[-1][1])
        if (len(report.failed) > failures and ctx.halt.stop_on_failure) or ctx.halt.interrupted:
            report.not_attempted += pending
            return
        ctx.halt.resume()  # what tripped it was settled by the re-read: carry on with the rest


def _record(report: ApplyReport, kind: Kind[Any], ctx: Context, outcome: Outcome) -> None:
    change = outcome.change
    if change.action is Action.DELETE and isinstance(outcome.error, ApiError) and outcome.error.status == 404:
        # Already gone (e.g. a retried DELETE whose first answer was lost): the goal is met.
        outcome = Outcome(change, None, change.live_id)
    if outcome.error is not None:
        report.failed.append((change, outcome.error))
        return
    report.applied.append(change)
    ident = (kind.name, kind.identity(change.key))
    if change.action is Action.DELETE:
        ctx.ids.pop(ident, None)
    elif outcome.live_id is not None:
        previous = ctx.keys.get((kind.name, outcome.live_id))
        if previous is not None and previous != change.key:  # renamed in place: the old key is gone
            ctx.ids.pop((kind.name, kind.identity(previous)), None)
        ctx.ids[ident] = outcome.live_id
        ctx.keys[(kind.name, outcome.live_id)] = change.key


class IncompleteCreate(ApplyError):
    """A multi-request create whose first request went through but whose answer was lost."""


async def _finish(kind: Kind[Any], client: StoreClient, ctx: Context, change: Change, found: Live) -> Outcome:
    """Complete a create whose first request went through: plan and apply the update that makes
    the object match. It belongs to a change already under way, so the halt does not stop it."""
    want = {
        kind.identity(change.key): Desired(kind.name, change.key, change.fields, sensitive=change.sensitive)
    }
    manage = ctx.manage.get(kind.name) or Manage()
    updates = plan_writes(kind, want, {kind.identity(change.key): found}, manage)
    if not updates:
        return Outcome(change, None, found.id)
    outcomes = await kind.apply_batch(client, updates, replace(ctx, halt=Halt()))
    error = next((o.error for o in outcomes if o.error is not None), None)
    if error is not None:
        error = IncompleteCreate(
            f"{kind.name} {change.shown_key} was created but the answer was lost, "
            f"and finishing it failed: {error}"
        )
    return Outcome(change, error, found.id)


async def _reconcile(
    kind: Kind[Any], client: StoreClient, ctx: Context, outcomes: Sequence[Outcome], sends: Counter[int]
) -> tuple[list[Outcome], list[Change]]:
    """Creates are not resent blindly: re-read by natural key first, resend only if the object is absent.

    Returns the settled outcomes and the creates to send again.
    """
    unsure = [o for o in outcomes if o.change.action is Action.CREATE and may_have_applied(o.error)]
    if not unsure:
        return list(outcomes), []
    try:
        live = {kind.identity(obj.key): obj for obj in await kind.read(client, ctx)}
    except Exception:  # cannot tell; keep the original failures
        return list(outcomes), []
    resolved: dict[int, Outcome] = {}
    again: list[Change] = []
    for outcome in unsure:
        found = live.get(kind.identity(outcome.change.key))
        if found is not None and kind.create_is_atomic:
            resolved[id(outcome)] = Outcome(outcome.change, None, found.id)
        elif found is not None:
            # The object exists, but the rest of its create (nested parts) may not have run:
            # finish it as an update from what the store now holds.
            resolved[id(outcome)] = await _finish(kind, client, ctx, outcome.change, found)
        elif sends[id(outcome.change)] < MAX_SENDS:
            again.append(outcome.change)
    resend = {id(c) for c in again}
    settled = [resolved.get(id(o), o) for o in outcomes if id(o.change) not in resend]
    return settled, again
