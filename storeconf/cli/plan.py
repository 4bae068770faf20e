"""`validate`, `plan` and `diff`: read the configuration and the stores, change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storeconf.cli.options import DetailedExitcode, EnvOption, FormatOption, PlanOutOption, TargetOption
from storeconf.cli.output import print_plan
from storeconf.cli.session import Session, session
from storeconf.config import load_project
from storeconf.engine import Planned, connect, diff_stores, make_plan
from storeconf.errors import ConfigError
from storeconf.kinds import REGISTRY
from storeconf.plan import Plan
from storeconf.render import RENDERERS


def validate(ctx: typer.Context, env: EnvOption = "local") -> None:
    """Check the configuration offline: syntax, fields, references, interpolation."""
    s = session(ctx)

    async def work() -> None:
        project = load_project(s.directory, env)
        desired = project.desired
        problems = [p for k in desired.managed_kinds() for p in REGISTRY[k].check_references(desired, None)]
        if problems:
            raise ConfigError(problems)
        total = sum(len(v) for v in desired.objects.values())
        s.out.print(f"Configuration is valid: {total} objects in {len(project.files)} files.")

    s.run(work)


def plan(
    ctx: typer.Context,
    env: EnvOption = "local",
    out: PlanOutOption = None,
    fmt: FormatOption = "text",
    detailed_exitcode: DetailedExitcode = False,
    target: TargetOption = None,
) -> None:
    """Show what apply would change in the store."""
    s = session(ctx)
    check_format(s, fmt)

    async def work() -> Planned:
        project = load_project(s.directory, env)
        async with connect(project.environment, wrap=s.runtime.wrap) as client:
            return await make_plan(project, client, targets=target or ())

    planned = s.run(work)
    print_plan(s.out, RENDERERS[fmt](planned.plan), fmt)
    if out is not None:
        write_plan(s, out, planned.plan)
    if detailed_exitcode and not planned.plan.empty:
        raise typer.Exit(2)


def diff(
    ctx: typer.Context,
    source: Annotated[str, typer.Option("--from", help="Environment whose store is the model.")],
    target: Annotated[str, typer.Option("--to", help="Environment whose store would change.")],
    detailed_exitcode: DetailedExitcode = False,
) -> None:
    """Compare two live stores: what would change in --to to make it match --from."""
    s = session(ctx)

    async def work() -> Plan:
        projects = load_project(s.directory, source), load_project(s.directory, target)
        return await diff_stores(*projects, wrap=s.runtime.wrap)

    result = s.run(work)
    s.out.print(f"Changes that would make {target} match {source}:\n", markup=False)
    print_plan(s.out, RENDERERS["text"](result), "text")
    if detailed_exitcode and not result.empty:
        raise typer.Exit(2)


def check_format(s: Session, fmt: str) -> None:
    if fmt not in RENDERERS:
        s.err.print(f"Error: --format must be one of {', '.join(RENDERERS)}")
        raise typer.Exit(1)


def write_plan(s: Session, out: Path, result: Plan) -> None:
    try:
        out.write_text(RENDERERS["json"](result))
    except OSError as exc:
        raise s.fail(f"cannot write the plan to {out}: {exc.strerror}") from None
    s.err.print(f"Plan written to {out}.", markup=False)
