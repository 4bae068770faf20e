"""The `storeconf` command. It parses flags, calls the engine and prints; no business logic here.

Exit codes: 0 success (or no changes with --detailed-exitcode), 1 error,
2 changes present (plan --detailed-exitcode only).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress

from storeconf import __version__
from storeconf.applier import ApplyReport
from storeconf.config import json_schemas as build_schemas
from storeconf.config import load_project
from storeconf.engine import (
    Planned,
    TransportWrapper,
    apply_planned,
    check_saved_plan,
    connect,
    diff_stores,
    load_plan_file,
    make_plan,
    refuse_unsafe,
    saved_targets,
)
from storeconf.errors import ApplyCancelled, ApplyError, ConfigError, StoreconfError
from storeconf.export import export_project
from storeconf.kinds import REGISTRY
from storeconf.kinds.base import Outcome
from storeconf.plan import Plan
from storeconf.render import RENDERERS

T = TypeVar("T")

EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment from storeconf.yaml.")]
TargetOption = Annotated[
    list[str] | None, typer.Option("--target", help="Limit to KIND or KIND/KEY; repeatable.")
]


@dataclass
class Runtime:
    """What the commands depend on from outside; tests swap the transport and the consoles."""

    wrap: TransportWrapper | None = None
    out: Console | None = None
    err: Console | None = None

    def stdout(self) -> Console:
        return self.out or Console(highlight=False, soft_wrap=True)

    def stderr(self) -> Console:
        return self.err or Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class State:
    directory: Path = Path(".")
    debug: bool = False


def make_app(runtime: Runtime | None = None) -> typer.Typer:
    rt = runtime or Runtime()
    app = typer.Typer(
        name="storeconf",
        help="Declarative BigCommerce store configuration: plan and apply YAML against a store.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    state = State()

    @app.callback(invoke_without_command=True)
    def root(
        ctx: typer.Context,
        directory: Annotated[
            Path, typer.Option("-C", help="Project directory (holds storeconf.yaml).")
        ] = Path("."),
        debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
        version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
    ) -> None:
        if version:
            rt.stdout().print(f"storeconf {__version__}")
            raise typer.Exit(0)
        if ctx.invoked_subcommand is None:
            typer.echo(ctx.get_help())  # typer's rich help prints itself and returns ""
            raise typer.Exit(0)
        state.directory, state.debug = directory, debug

    def run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        try:
            return asyncio.run(work())
        except ConfigError as exc:
            for problem in exc.problems:
                rt.stderr().print(str(problem), markup=False)
            rt.stderr().print(f"{len(exc.problems)} configuration error(s); nothing was sent to the store.")
            raise typer.Exit(1) from None
        except StoreconfError as exc:
            if state.debug:
                raise
            rt.stderr().print(f"Error: {exc}", markup=False)
            raise typer.Exit(1) from None

    @app.command()
    def validate(env: EnvOption = "local") -> None:
        """Check the configuration offline: syntax, fields, references, interpolation."""

        async def work() -> None:
            project = load_project(state.directory, env)
            desired = project.desired
            problems = [
                p for k in desired.managed_kinds() for p in REGISTRY[k].check_references(desired, None)
            ]
            if problems:
                raise ConfigError(problems)
            total = sum(len(v) for v in desired.objects.values())
            rt.stdout().print(f"Configuration is valid: {total} objects in {len(project.files)} files.")

        run(work)

    @app.command()
    def plan(
        env: EnvOption = "local",
        out: Annotated[
            Path | None, typer.Option("--out", help="Write the plan to FILE (no secrets).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="text, json or markdown.")] = "text",
        detailed_exitcode: Annotated[
            bool, typer.Option("--detailed-exitcode", help="Exit 2 if changes.")
        ] = False,
        target: TargetOption = None,
    ) -> None:
        """Show what apply would change in the store."""
        if fmt not in RENDERERS:
            rt.stderr().print(f"Error: --format must be one of {', '.join(RENDERERS)}")
            raise typer.Exit(1)

        async def work() -> Planned:
            project = load_project(state.directory, env)
            async with connect(project.environment, wrap=rt.wrap) as client:
                return await make_plan(project, client, targets=target or ())

        planned = run(work)
        print_plan(rt.stdout(), RENDERERS[fmt](planned.plan), fmt)
        if out is not None:
            try:
                out.write_text(RENDERERS["json"](planned.plan))
            except OSError as exc:
                rt.stderr().print(f"Error: cannot write the plan to {out}: {exc.strerror}", markup=False)
                raise typer.Exit(1) from None
            rt.stderr().print(f"Plan written to {out}.", markup=False)
        if detailed_exitcode and not planned.plan.empty:
            raise typer.Exit(2)

    @app.command()
    def apply(
        planfile: Annotated[Path | None, typer.Argument(help="A plan written by `plan --out`.")] = None,
        env: EnvOption = "local",
        auto_approve: Annotated[bool, typer.Option("--auto-approve", help="Do not ask.")] = False,
        allow_deletes: Annotated[
            bool, typer.Option("--allow-deletes", help="Allow deleting more than a kind's safety threshold.")
        ] = False,
        target: TargetOption = None,
    ) -> None:
        """Make the store match the configuration (or execute a saved plan)."""

        async def work() -> ApplyReport | None:
            project = load_project(state.directory, env)
            saved = load_plan_file(planfile) if planfile is not None else None
            targets = saved_targets(saved) if saved is not None else tuple(target or ())
            async with connect(project.environment, wrap=rt.wrap) as client:
                planned = await make_plan(project, client, targets=targets)
                if saved is not None:
                    check_saved_plan(saved, planned.plan)
                print_plan(rt.stdout(), RENDERERS["text"](planned.plan), "text")
                if planned.plan.empty:
                    return None
                refuse_unsafe(planned, allow_deletes)  # before asking: a "yes" must not be wasted
                if not auto_approve and saved is None and not confirm(rt.stdout()):
                    raise ApplyCancelled("Apply cancelled.")
                with progress(rt.stdout(), len(planned.plan.changes)) as tick:
                    report = await apply_planned(
                        planned, client, allow_deletes=allow_deletes, on_progress=tick
                    )
                return report

        report = run(work)
        if report is not None:
            print_report(rt, report)

    @app.command("diff")
    def diff_cmd(
        source: Annotated[str, typer.Option("--from", help="Environment whose store is the model.")],
        target: Annotated[str, typer.Option("--to", help="Environment whose store would change.")],
        detailed_exitcode: Annotated[
            bool, typer.Option("--detailed-exitcode", help="Exit 2 if different.")
        ] = False,
    ) -> None:
        """Compare two live stores: what would change in --to to make it match --from."""

        async def work() -> Plan:
            projects = load_project(state.directory, source), load_project(state.directory, target)
            return await diff_stores(*projects, wrap=rt.wrap)

        plan = run(work)
        rt.stdout().print(f"Changes that would make {target} match {source}:\n", markup=False)
        print_plan(rt.stdout(), RENDERERS["text"](plan), "text")
        if detailed_exitcode and not plan.empty:
            raise typer.Exit(2)

    @app.command("export")
    def export_cmd(
        out: Annotated[Path, typer.Option("--out", help="Directory to write the project into.")],
        env: EnvOption = "local",
        kind: Annotated[list[str] | None, typer.Option("--kind", help="Only these kinds.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Write into a non-empty directory.")] = False,
    ) -> None:
        """Write the live store as a project that plans back to zero changes."""
        if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
            what = "is not a directory" if not out.is_dir() else "is not empty (use --force to write into it)"
            rt.stderr().print(f"Error: {out} {what}", markup=False)
            raise typer.Exit(1)
        warnings: list[str] = []

        async def work() -> list[Path]:
            project = load_project(state.directory, env)
            kinds = kind or list(project.desired.managed_kinds()) or None
            async with connect(project.environment, wrap=rt.wrap) as client:
                return await export_project(
                    client,
                    out,
                    kinds=kinds or _all_kinds(),
                    environments=project.raw_environments,
                    source_dir=project.dir,
                    manage=project.desired.manage,
                    warnings=warnings,
                )

        for path in run(work):
            rt.stdout().print(f"wrote {path}", markup=False)
        for warning in warnings:
            rt.stderr().print(f"Warning: {warning}", markup=False)

    @app.command()
    def schema(
        out: Annotated[Path, typer.Option("--out", help="Directory for the JSON Schema files.")] = Path(
            "schemas"
        ),
    ) -> None:
        """Write JSON Schemas for the project and resource files (for editor completion)."""
        import json

        out.mkdir(parents=True, exist_ok=True)
        for name, body in build_schemas().items():
            (out / name).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
            rt.stdout().print(f"wrote {out / name}")

    @app.command()
    def init(
        force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    ) -> None:
        """Scaffold a working project in the current (-C) directory."""
        from storeconf.scaffold import write_scaffold

        try:
            for path in write_scaffold(state.directory, force=force):
                rt.stdout().print(f"wrote {path}")
        except FileExistsError as exc:
            rt.stderr().print(f"Error: {exc} exists; use --force to overwrite.")
            raise typer.Exit(1) from None
        rt.stdout().print("Next: storeconf plan, then storeconf apply.")

    sandbox = typer.Typer(help="The local BigCommerce-compatible sandbox.", no_args_is_help=True)
    app.add_typer(sandbox, name="sandbox")

    @sandbox.command("serve")
    def serve(
        port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        db: Annotated[str, typer.Option(help="SQLite file (or :memory:).")] = ".storeconf/sandbox.db",
        token: Annotated[str, typer.Option(help="The X-Auth-Token to accept.")] = "sandbox-token",
        store_hash: Annotated[str, typer.Option(help="Store hash in the URL path.")] = "sandbox",
        quota: Annotated[int, typer.Option(help="Requests per 30 s rate-limit window.")] = 450,
    ) -> None:
        """Serve the sandbox API over HTTP: /stores/STORE_HASH/v3/..."""
        from storeconf.sandbox import SandboxConfig, TokenGrant
        from storeconf.sandbox.server import serve as serve_sandbox

        if db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        config = SandboxConfig(
            db_path=db,
            store_hash=store_hash,
            tokens={token: TokenGrant(client_id="sandbox-client")},
            rate_limit_quota=quota,
        )
        rt.stderr().print(f"sandbox: http://{host}:{port}/stores/{store_hash}/v3 (db {db})")
        serve_sandbox(host, port, config)

    return app


def _all_kinds() -> list[str]:
    from storeconf.kinds import REGISTRY

    return list(REGISTRY.names())


def print_plan(console: Console, text: str, fmt: str) -> None:
    if fmt != "text":
        console.print(text, end="", markup=False, highlight=False)
        return
    styles = {"+": "green", "~": "yellow", "-": "red"}
    for line in text.splitlines():
        head = line.lstrip()[:2]
        style = styles.get(head[0]) if line.startswith("  ") and len(head) == 2 and head[1] == " " else None
        console.print(line, style=style, markup=False, highlight=False)


def confirm(console: Console) -> bool:
    console.print("\nDo you want to apply these changes? Only 'yes' will be accepted: ", end="")
    answer = sys.stdin.readline()
    return answer.strip() == "yes"


class progress:
    """A progress bar on a terminal; nothing otherwise (logs stay clean in CI)."""

    def __init__(self, console: Console, total: int) -> None:
        self.bar = Progress(console=console, transient=True) if console.is_terminal else None
        self.total = total

    def __enter__(self) -> Callable[[Outcome], None]:
        if self.bar is None:
            return lambda _: None
        self.bar.start()
        task = self.bar.add_task("applying", total=self.total)
        bar = self.bar
        return lambda _: bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_report(rt: Runtime, report: ApplyReport) -> None:
    out = rt.stdout()
    if report.ok:
        counts = {
            a: sum(1 for c in report.applied if c.action.value == a) for a in ("create", "update", "delete")
        }
        created, updated, deleted = counts["create"], counts["update"], counts["delete"]
        out.print(f"Apply complete: {created} created, {updated} updated, {deleted} deleted.")
        return
    err = rt.stderr()
    for change, error in report.failed:
        err.print(f"Error: {change.action.value} {change.kind} {change.key} failed: {error}", markup=False)
    err.print(f"Applied ({len(report.applied)}):", markup=False)
    for change in report.applied:
        err.print(f"  {change.action.glyph} {change.kind} {change.key}", markup=False)
    err.print(f"Not applied ({len(report.failed) + len(report.not_attempted)}):", markup=False)
    for change in [c for c, _ in report.failed] + report.not_attempted:
        err.print(f"  {change.action.glyph} {change.kind} {change.key}", markup=False)
    err.print("Apply stopped. Run `storeconf plan` to see the remaining work.")
    raise typer.Exit(1)


app = make_app()


def main() -> None:
    app()


__all__ = ["ApplyError", "Runtime", "app", "main", "make_app"]
