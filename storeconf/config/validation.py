"""Pydantic validation with file positions: each error of a model becomes a located `Problem`.

An error's `loc` is relative to the validated object; `at` says where that
object sits in its file. Unknown fields point at the offending key and suggest
the closest valid name; every other error points at the value (or, for a
missing field, at the mapping that lacks it).
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from storeconf.config.yaml import SourceMap, YamlPath, describe
from storeconf.errors import Problem

SENSITIVE = "(sensitive)"
ModelT = TypeVar("ModelT", bound=BaseModel)
# Error types whose message is clearer with the offending value next to it.
_SHOW_INPUT = ("_type", "_parsing", "literal_error", "enum")
_PREFIXES = ("Value error, ", "Assertion failed, ")


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or nothing when none is close."""
    options = sorted(set(candidates) - {name})
    close = difflib.get_close_matches(name, options, n=1)
    if not close:
        # An abbreviation (`prod` for `production`) is too short for difflib to call close.
        close = [o for o in options if name and o.startswith(name)]
    return f" (did you mean {close[0]!r}?)" if len(close) == 1 else ""


def validate(
    model: type[ModelT],
    data: Any,
    source: SourceMap,
    at: YamlPath,
    *,
    extra_fields: Iterable[str] = (),
    sensitive: Callable[[YamlPath], bool] = lambda _: False,
    ignore: Callable[[YamlPath], bool] = lambda _: False,
) -> tuple[ModelT | None, list[Problem]]:
    """Validate `data` (found at `at` in `source`) as `model`.

    `extra_fields` are also suggested for unknown fields at the top level (names
    a kind accepts in its file before expansion). `sensitive(loc)` says whether
    a value must be shown as `(sensitive)`; errors at a `loc` where `ignore(loc)`
    holds are dropped (the value is known to be wrong for another reported reason).
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = [err for err in exc.errors() if not ignore(tuple(err["loc"]))]
        return None, [_problem(model, err, source, at, extra_fields, sensitive) for err in errors]


def _problem(
    model: type[BaseModel],
    err: ErrorDetails,
    source: SourceMap,
    at: YamlPath,
    extra_fields: Iterable[str],
    sensitive: Callable[[YamlPath], bool],
) -> Problem:
    loc: YamlPath = tuple(p for p in err["loc"] if p != "[key]")
    kind = err["type"]
    if kind == "extra_forbidden":
        parent, name = loc[:-1], str(loc[-1])
        known = [*fields_at(model, parent), *(extra_fields if not parent else ())]
        message = f"unknown field {name!r}{did_you_mean(name, known)}"
        return Problem(source.key((*at, *loc)), _labelled((*at, *parent), message))
    if kind == "missing":
        message = f"missing required field {str(loc[-1])!r}"
        return Problem(source.value((*at, *loc[:-1])), _labelled((*at, *loc[:-1]), message))
    if kind == "model_type":
        message = f"expected a mapping of fields, got {_type_name(err['input'])}"
        return Problem(source.value((*at, *loc)), _labelled((*at, *loc), message))
    message = err["msg"]
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    if kind.endswith(_SHOW_INPUT) and _is_scalar(err["input"]):
        shown = SENSITIVE if sensitive(loc) else show_value(err["input"])
        message += f" (got {shown})"
    return Problem(source.value((*at, *loc)), _labelled((*at, *loc), message))


def _labelled(path: YamlPath, message: str) -> str:
    label = describe(path)
    return f"{label}: {message}" if label else message


def show_value(value: Any) -> str:
    """A scalar as YAML would spell it, cut short so a long text does not swamp the message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _type_name(value: Any) -> str:
    names = {str: "a string", list: "a list", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def fields_at(model: type[BaseModel], loc: YamlPath) -> list[str]:
    """The field names of the model found by following `loc` into `model` (for suggestions)."""
    tp: Any = model
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    found = _model_in(tp)
    return list(found.model_fields) if found else []


def _step(tp: Any, part: str | int) -> Any:
    found = _model_in(tp)
    if found is not None:
        field = found.model_fields.get(str(part))
        return field.annotation if field else None
    for arg in _members(tp):
        origin = get_origin(arg)
        args = get_args(arg)
        if origin in (list, tuple, set, frozenset) and args and isinstance(part, int):
            return args[0]
        if origin is dict and len(args) == 2:
            return args[1]
    return None


def _model_in(tp: Any) -> type[BaseModel] | None:
    for arg in _members(tp):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _members(tp: Any) -> tuple[Any, ...]:
    """The members of a union (`X | None`), or the type itself."""
    return get_args(tp) if get_origin(tp) in (Union, types.UnionType) else (tp,)
