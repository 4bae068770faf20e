"""The `storeconf` command. It parses flags, calls the engine and prints; no business logic here.

Exit codes: 0 success (or no changes with --detailed-exitcode), 1 error,
2 changes present (plan/diff --detailed-exitcode only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storeconf import __version__
from storeconf.cli import apply, diff, env, plan, project, sandbox
from storeconf.cli.metavars import Command, Group
from storeconf.cli.session import Runtime, Session


def root(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Option("-C", metavar="DIR", help="Project directory (holds storeconf.yaml).")
    ] = Path("."),
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    runtime = ctx.obj if isinstance(ctx.obj, Runtime) else Runtime()
    if version:
        runtime.stdout().print(f"storeconf {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())  # typer's rich help prints itself and returns ""
        raise typer.Exit(0)
    ctx.obj = Session(runtime=runtime, directory=directory, debug=debug)


def make_app(runtime: Runtime | None = None) -> typer.Typer:
    """The app, with `runtime` handed to every command through the context object."""
    app = typer.Typer(
        name="storeconf",
        help="Declarative BigCommerce store configuration: plan and apply YAML against a store.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"obj": runtime or Runtime()},
        cls=Group,
    )
    app.callback(invoke_without_command=True)(root)
    app.command(cls=Command)(plan.validate)
    app.command(cls=Command)(plan.plan)
    app.command(cls=Command)(apply.apply)
    app.command("diff", cls=Command)(diff.diff)
    app.command("export", cls=Command)(project.export)
    app.command(cls=Command)(project.schema)
    app.command(cls=Command)(project.init)
    app.add_typer(env.group(), name="env")
    app.add_typer(sandbox.group(), name="sandbox")
    return app
