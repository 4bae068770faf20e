"""`apply`: make the store match the configuration, or execute a saved plan."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from storeconf.applier import ApplyReport
from storeconf.cli.interrupt import aborted, ctrl_c
from storeconf.cli.options import (
    AllowDeletes,
    AutoApprove,
    BreakLock,
    ChangedSince,
    EnvOption,
    KeepGoing,
    LockTimeout,
    TargetOption,
)
from storeconf.cli.output import confirm, print_plan, print_report
from storeconf.cli.progress import applying, reading
from storeconf.cli.scope import Scope, check_scope, load_scoped, plan_scoped
from storeconf.cli.session import session
from storeconf.engine import (
    apply_planned,
    check_saved_plan,
    connect,
    load_plan_file,
    refuse_unsafe,
    saved_targets,
)
from storeconf.errors import ApplyCancelled
from storeconf.lock import Holder, store_lock
from storeconf.render import RENDERERS
from storeconf.since import covers_nothing


def apply(
    ctx: typer.Context,
    planfile: Annotated[
        Path | None, typer.Argument(metavar="PLANFILE", help="A plan written by `plan --out`.")
    ] = None,
    env: EnvOption = "local",
    auto_approve: AutoApprove = False,
    allow_deletes: AllowDeletes = False,
    target: TargetOption = None,
    changed_since: ChangedSince = None,
    keep_going: KeepGoing = False,
    lock_timeout: LockTimeout = 0,
    break_lock: BreakLock = False,
) -> None:
    """Make the store match the configuration (or execute a saved plan).

    Holds the store lock from planning to the end of the apply, so two applies never interleave.
    """
    s = session(ctx)
    scope = Scope(tuple(target or ()), changed_since)
    check_scope(s, scope)
    if planfile is not None and (scope.targets or changed_since is not None):
        raise s.fail("a saved plan keeps its own scope: give PLANFILE without --target or --changed-since")

    def waiting(holder: Holder) -> None:
        s.err.print(
            f"Waiting up to {lock_timeout:g}s for the store lock held by {holder.describe()}…", markup=False
        )

    def breaking(holder: Holder) -> None:
        s.err.print(f"Removing the store lock held by {holder.describe()} (--break-lock).", markup=False)

    async def work() -> ApplyReport | None:
        saved = load_plan_file(planfile) if planfile is not None else None
        scope_now = Scope(saved_targets(saved), nothing=covers_nothing(saved)) if saved is not None else scope
        project, base = load_scoped(s, env, scope_now)
        async with (
            connect(project.environment, wrap=s.runtime.wrap) as client,
            store_lock(
                client, timeout=lock_timeout, break_lock=break_lock, on_wait=waiting, on_break=breaking
            ),
        ):
            with reading(s.out, client):
                planned = await plan_scoped(project, client, scope_now, base)
            if saved is not None:
                check_saved_plan(saved, planned.plan)
            print_plan(s.out, RENDERERS["text"](planned.plan), "text")
            if planned.plan.empty:
                return None
            refuse_unsafe(planned, allow_deletes)  # before asking: a "yes" must not be wasted
            if not auto_approve and saved is None and not confirm(s.out):
                raise ApplyCancelled("Apply cancelled.")
            report = ApplyReport()
            with applying(s.out, client, len(planned.plan.changes)) as tick, ctrl_c(planned.ctx.halt, s.err):
                try:
                    return await apply_planned(
                        planned,
                        client,
                        allow_deletes=allow_deletes,
                        on_progress=tick,
                        keep_going=keep_going,
                        report=report,
                    )
                except asyncio.CancelledError:
                    return aborted(report, planned.plan)

    report = s.run(work)
    if report is not None:
        print_report(s, report)
