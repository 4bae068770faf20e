"""`env list`: the project's environments, their stores, whether their credentials resolve."""

from __future__ import annotations

import json

import typer

from storeconf.cli.metavars import Command, Group
from storeconf.cli.options import FormatOption
from storeconf.cli.session import session
from storeconf.config.environments import environment_statuses


def list_envs(ctx: typer.Context, fmt: FormatOption = "text") -> None:
    """Each environment, its store (hash or sandbox file), and whether its credentials resolve."""
    s = session(ctx)
    if fmt not in ("text", "json"):
        raise s.fail("--format must be text or json")

    async def work() -> None:
        statuses = environment_statuses(s.directory)
        if fmt == "json":
            body = [st.to_dict() for st in statuses]
            s.out.print(json.dumps({"environments": body}, indent=2), markup=False)
            return
        width = max(len("ENVIRONMENT"), *(len(st.name) for st in statuses))
        store_width = max(len("STORE"), *(len(st.store) for st in statuses))
        s.out.print(f"{'ENVIRONMENT':{width}}  {'STORE':{store_width}}  CREDENTIALS", markup=False)
        for st in statuses:
            s.out.print(f"{st.name:{width}}  {st.store:{store_width}}  {st.credentials}", markup=False)
            for problem in st.problems:
                s.out.print(f"{'':{width}}  {problem}", markup=False)

    s.run(work)


def group() -> typer.Typer:
    env = typer.Typer(help="The project's environments.", no_args_is_help=True, cls=Group)
    env.command("list", cls=Command)(list_envs)
    return env
