"""`init`, `export` and `schema`: commands that write project files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from storeconf.cli.options import EnvOption, ForceOption
from storeconf.cli.session import session
from storeconf.config import load_project
from storeconf.engine import connect
from storeconf.export import export_project
from storeconf.kinds import REGISTRY
from storeconf.schema_files import write_schemas


def init(ctx: typer.Context, force: ForceOption = False) -> None:
    """Scaffold a working project in the current (-C) directory."""
    from storeconf.scaffold import write_scaffold

    s = session(ctx)
    try:
        for path in write_scaffold(s.directory, force=force):
            s.out.print(f"wrote {path}")
    except FileExistsError as exc:
        raise s.fail(f"{exc} exists; use --force to overwrite.") from None
    s.out.print("Next: storeconf plan, then storeconf apply.")


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Directory to write the project into.")],
    env: EnvOption = "local",
    kind: Annotated[
        list[str] | None, typer.Option("--kind", metavar="KIND", help="Only these kinds; repeatable.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Write into a non-empty directory.")] = False,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt", help="Mark exported brands, categories and products as owned (prune: owned)."
        ),
    ] = False,
) -> None:
    """Write the live store as a project that plans back to zero changes."""
    s = session(ctx)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
        what = "is not a directory" if not out.is_dir() else "is not empty (use --force to write into it)"
        raise s.fail(f"{out} {what}")
    warnings: list[str] = []

    async def work() -> list[Path]:
        project = load_project(s.directory, env)
        kinds = kind or list(project.desired.managed_kinds()) or list(REGISTRY.names())
        async with connect(project.environment, wrap=s.runtime.wrap) as client:
            return await export_project(
                client,
                out,
                kinds=kinds,
                environments=project.raw_environments,
                source_dir=project.dir,
                manage=project.desired.manage,
                warnings=warnings,
                desired=project.desired,
                environment=project.environment,
                adopt=adopt,
                declared=project.desired,
            )

    for path in s.run(work):
        s.out.print(f"wrote {path}", markup=False)
    for warning in warnings:
        s.err.print(f"Warning: {warning}", markup=False)


def schema(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Directory for the JSON Schema files.")
    ] = Path("schemas"),
) -> None:
    """Write JSON Schemas for the project and resource files (for editor completion)."""
    s = session(ctx)
    for path in write_schemas(out):
        s.out.print(f"wrote {path}")
