"""`diff --from A --to B`: what would change in B's store to make it match A's store."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from storeconf.cli.options import DetailedExitcode, FormatOption
from storeconf.cli.output import print_plan
from storeconf.cli.plan import check_format, print_markdown
from storeconf.cli.session import session
from storeconf.config import load_project
from storeconf.engine import diff_stores
from storeconf.plan import Plan, checksum
from storeconf.render.markdown import Document, Section
from storeconf.render.md_blocks import code
from storeconf.render.text import render_text


def diff(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Option("--from", metavar="ENV", help="Environment whose store is the model.")
    ],
    target: Annotated[str, typer.Option("--to", metavar="ENV", help="Environment whose store would change.")],
    fmt: FormatOption = "text",
    detailed_exitcode: DetailedExitcode = False,
) -> None:
    """Compare two live stores: what would change in --to to make it match --from."""
    s = session(ctx)
    check_format(s, fmt)

    async def work() -> Plan:
        projects = load_project(s.directory, source), load_project(s.directory, target)
        return await diff_stores(*projects, wrap=s.runtime.wrap)

    result = s.run(work)
    same = f"The stores of {target} and {source} match (kinds {target} manages)."
    if fmt == "json":
        body = {**result.to_dict(), "compared": {"from": source, "to": target}}
        s.out.print(json.dumps({**body, "checksum": checksum(body)}, indent=2, sort_keys=True), markup=False)
    elif fmt == "markdown":
        empty = f"The stores of {code(target)} and {code(source)} match (kinds {code(target)} manages)."
        doc = Document((Section(target, result),), "diff", f"{source} -> {target}", empty)
        print_markdown(s, doc, None)
    else:
        if not result.empty:
            s.out.print(f"Changes that would make {target} match {source}:\n", markup=False)
        print_plan(s.out, render_text(result, empty=f"No differences. {same}"), "text")
    if detailed_exitcode and not result.empty:
        raise typer.Exit(2)
