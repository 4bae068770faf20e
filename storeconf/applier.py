"""Executing a plan against the store.

Changes run in plan order, in groups of consecutive changes of one kind, one
action and one order level (e.g. all top-level categories to create): a group
has no internal dependencies, so its kind may batch or parallelise it. After
a group with a failure nothing new starts; what was in flight finishes. The
report then says what was applied, what failed and what was not attempted,
and a re-plan shows exactly the remaining work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from storeconf.client import StoreClient
from storeconf.errors import ApiError, ApplyError, TransportError
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind, Outcome
from storeconf.plan import Action, Change, Plan

ProgressCallback = Callable[[Outcome], None]


@dataclass
class ApplyReport:
    """What apply did, change by change."""

    applied: list[Change] = field(default_factory=list)
    failed: list[tuple[Change, BaseException]] = field(default_factory=list)
    not_attempted: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted


async def apply_plan(
    plan: Plan,
    client: StoreClient,
    ctx: Context,
    registry: Registry = REGISTRY,
    on_progress: ProgressCallback | None = None,
) -> ApplyReport:
    """Apply `plan` in order; `ctx` must hold the ids read with the live state the plan came from."""
    report = ApplyReport()
    groups = [list(g) for _, g in groupby(plan.changes, key=lambda c: (c.kind, c.action, c.order))]
    for index, group in enumerate(groups):
        kind = registry[group[0].kind]
        outcomes = await kind.apply_batch(client, group, ctx)
        outcomes = await _reconcile(kind, client, ctx, outcomes)
        for outcome in outcomes:
            _record(report, kind, ctx, outcome)
            if on_progress:
                on_progress(outcome)
        if report.failed:
            report.not_attempted = [c for g in groups[index + 1 :] for c in g]
            break
    return report


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


def ambiguous(error: BaseException | None) -> bool:
    """A create that failed this way may have gone through on the server."""
    return isinstance(error, TransportError) or (isinstance(error, ApiError) and error.status >= 500)


async def _reconcile(
    kind: Kind[Any], client: StoreClient, ctx: Context, outcomes: Sequence[Outcome]
) -> list[Outcome]:
    """Creates are not retried blindly: re-read by natural key first, retry only if the object is absent."""
    unsure = [o for o in outcomes if o.change.action is Action.CREATE and ambiguous(o.error)]
    if not unsure:
        return list(outcomes)
    try:
        live = {kind.identity(obj.key): obj for obj in await kind.read(client, ctx)}
    except Exception:  # cannot tell; keep the original failures
        return list(outcomes)
    resolved: dict[int, Outcome] = {}
    retry = []
    for outcome in unsure:
        found = live.get(kind.identity(outcome.change.key))
        if found is not None and kind.create_is_atomic:
            resolved[id(outcome)] = Outcome(outcome.change, None, found.id)
        elif found is not None:
            # The object exists, but the rest of its create (nested parts) may not have run.
            incomplete = IncompleteCreate(
                f"{kind.name} {outcome.change.key} was created but the answer was lost before the rest of "
                "its create ran; run apply again to finish it"
            )
            resolved[id(outcome)] = Outcome(outcome.change, incomplete, found.id)
        else:
            retry.append(outcome.change)
    retried = {id(o.change): o for o in await kind.apply_batch(client, retry, ctx)} if retry else {}
    return [resolved.get(id(o)) or retried.get(id(o.change)) or o for o in outcomes]
