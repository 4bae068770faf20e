"""Help that shows what to type: a flag takes no value, an option names its value in capitals.

typer's help would print each parameter's Python type instead (`--auto-approve <bool>`,
`--target <list[str]>`), as if a flag took a value. The command classes here give every
flag an empty metavar and every other option without one its name in capitals (`--port
PORT`); options whose value has a shape say so themselves (`--target KIND[/KEY]`).
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


def _name_values(params: list[Any]) -> list[Any]:
    for param in params:
        if isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = "" if param.is_flag else str(param.name or "value").upper()
        elif isinstance(param, TyperArgument) and param.metavar is None:
            param.metavar = str(param.name or "value").upper()
    return params


class Command(TyperCommand):
    def get_params(self, ctx: typer.Context) -> list[Any]:  # type: ignore[override]
        return _name_values(super().get_params(ctx))


class Group(TyperGroup):
    def get_params(self, ctx: typer.Context) -> list[Any]:  # type: ignore[override]
        return _name_values(super().get_params(ctx))
