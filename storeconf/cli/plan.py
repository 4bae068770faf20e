"""`validate` and `plan`: read the configuration and the stores, change nothing.

`plan` takes `--env` more than once to show, in one document, what each environment's store
would get (the merge to staging and the promotion to production, in one PR comment).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from storeconf.cli.github import source_link
from storeconf.cli.options import (
    ChangedSince,
    DetailedExitcode,
    EnvOption,
    FormatOption,
    PlanOutOption,
    TargetOption,
)
from storeconf.cli.output import print_plan
from storeconf.cli.progress import reading
from storeconf.cli.scope import Scope, check_scope, load_scoped, plan_scoped
from storeconf.cli.session import Session, run_async, session
from storeconf.config import load_project
from storeconf.engine import Planned, connect
from storeconf.errors import StoreconfError
from storeconf.plan import Plan
from storeconf.render import RENDERERS
from storeconf.render.markdown import Document, Section, markdown_parts

EnvsOption = Annotated[
    list[str] | None,
    typer.Option("--env", "-e", help="Environment from storeconf.yaml; repeat for one report of several."),
]
PartsOption = Annotated[
    Path | None,
    typer.Option(
        "--markdown-parts",
        help="With --format markdown: write numbered comment files (part-1.md, ...) to DIR, each under "
        "GitHub's 65,536-character limit, instead of truncating the details.",
    ),
]


def validate(ctx: typer.Context, env: EnvOption = "local") -> None:
    """Check the configuration offline: syntax, fields, references, interpolation."""
    s = session(ctx)

    async def work() -> None:
        # The loader runs the offline reference checks too, with every other check.
        project = load_project(s.directory, env)
        for warning in project.warnings:
            s.err.print(f"Warning: {warning}", markup=False)
        total = sum(len(v) for v in project.desired.objects.values())
        s.out.print(f"Configuration is valid: {total} objects in {len(project.files)} files.")

    s.run(work)


def plan(
    ctx: typer.Context,
    env: EnvsOption = None,
    out: PlanOutOption = None,
    fmt: FormatOption = "text",
    detailed_exitcode: DetailedExitcode = False,
    target: TargetOption = None,
    parts: PartsOption = None,
    changed_since: ChangedSince = None,
) -> None:
    """Show what apply would change in the store (in each store, with several --env)."""
    s = session(ctx)
    check_format(s, fmt)
    scope = Scope(tuple(target or ()), changed_since)
    check_scope(s, scope)
    envs = list(dict.fromkeys(env or ["local"]))
    if len(envs) == 1:
        artifact = str(out) if out else None
        outcomes = [Section(envs[0], s.run(lambda: plan_env(s, envs[0], scope)).plan, artifact=artifact)]
    else:
        outcomes = [plan_or_error(s, name, scope, env_file(out, name)) for name in envs]
    show(s, outcomes, fmt, parts)
    for o in outcomes:
        if o.plan is not None and o.artifact is not None:
            write_plan(s, Path(o.artifact), o.plan)
    if any(o.error for o in outcomes):
        raise typer.Exit(1)
    if detailed_exitcode and any(o.plan is not None and not o.plan.empty for o in outcomes):
        raise typer.Exit(2)


async def plan_env(s: Session, env: str, scope: Scope) -> Planned:
    project, base = load_scoped(s, env, scope)
    async with connect(project.environment, wrap=s.runtime.wrap) as client:
        with reading(s.err, client):
            return await plan_scoped(project, client, scope, base)


def plan_or_error(s: Session, env: str, scope: Scope, out: str | None) -> Section:
    """Plan one of several environments; an error is reported and the others still planned."""
    try:
        return Section(env, run_async(plan_env(s, env, scope)).plan, artifact=out)
    except StoreconfError as exc:
        s.err.print(f"Environment {env}:", markup=False)
        return Section(env, error=s.explain(exc))


def env_file(out: Path | None, env: str) -> str | None:
    """`--out plan.json` with several environments: plan.staging.json, plan.production.json."""
    return None if out is None else str(out.with_name(f"{out.stem}.{env}{out.suffix or '.json'}"))


def show(s: Session, outcomes: list[Section], fmt: str, parts: Path | None) -> None:
    """Each environment's plan, or its error (a section of the one markdown document)."""
    if fmt == "markdown":
        print_markdown(s, Document(tuple(outcomes), source_link=source_link(s.directory)), parts)
    elif len(outcomes) == 1 and outcomes[0].plan is not None:
        print_plan(s.out, RENDERERS[fmt](outcomes[0].plan), fmt)
    elif fmt == "json":
        body = {o.name: o.plan.to_dict() if o.plan else {"error": o.error} for o in outcomes}
        print_plan(s.out, json.dumps({"environments": body}, indent=2, sort_keys=True) + "\n", fmt)
    else:
        for o in outcomes:
            s.out.print(f"== {o.name} ==", markup=False)
            print_plan(s.out, RENDERERS["text"](o.plan) if o.plan else f"Error: {o.error}\n", "text")
            s.out.print("")


def print_markdown(s: Session, doc: Document, parts: Path | None) -> None:
    """The comment on stdout (truncated to fit); with --markdown-parts, numbered files too."""
    if parts is not None:
        files = markdown_parts(doc, split=True)
        try:
            parts.mkdir(parents=True, exist_ok=True)
            for old in parts.glob("part-*.md"):
                old.unlink()
            for i, text in enumerate(files, 1):
                (parts / f"part-{i}.md").write_text(text)
        except OSError as exc:
            raise s.fail(f"cannot write the markdown parts to {parts}: {exc.strerror}") from None
        s.err.print(f"Markdown written to {parts} in {len(files)} part(s).", markup=False)
    print_plan(s.out, markdown_parts(doc)[0], "markdown")


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
