"""Options shared by several commands, as `Annotated` types."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

EnvOption = Annotated[
    str, typer.Option("--env", "-e", metavar="NAME", help="Environment from storeconf.yaml.")
]
TargetOption = Annotated[
    list[str] | None,
    typer.Option("--target", metavar="KIND[/KEY]", help="Limit to KIND or KIND/KEY; repeatable."),
]
ChangedSince = Annotated[
    str | None,
    typer.Option(
        "--changed-since",
        metavar="GIT_REF",
        help="Plan only the objects whose configuration changed since this git commit (a PR's base).",
    ),
]
FormatOption = Annotated[str, typer.Option("--format", metavar="text|json|markdown", help="Output format.")]
DetailedExitcode = Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 2 if there are changes.")]
PlanOutOption = Annotated[
    Path | None, typer.Option("--out", metavar="FILE", help="Write the plan to FILE (no secrets).")
]
AutoApprove = Annotated[bool, typer.Option("--auto-approve", help="Do not ask.")]
AllowDeletes = Annotated[
    bool, typer.Option("--allow-deletes", help="Allow deleting more than a kind's safety threshold.")
]
KeepGoing = Annotated[
    bool,
    typer.Option("--keep-going", help="After a failure, skip what depends on it and apply the rest."),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing files.")]
LockTimeout = Annotated[
    float,
    typer.Option(
        "--lock-timeout",
        min=0,
        metavar="SECONDS",
        help="Wait this long for another run's store lock (default: 0).",
    ),
]
BreakLock = Annotated[
    bool,
    typer.Option(
        "--break-lock", help="Remove the store lock whoever holds it (a run that died), then take it."
    ),
]
