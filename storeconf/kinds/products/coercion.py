"""Coercion of API data by the config model's field types.

A 10,000-product read coerces every field of 50,000 variants, over a million values. So each
model (and set of field names) gets its own function, compiled once from straight-line source,
and each field's shortcut for the plain values most fields hold is written inline in it: a
loop over the fields calling one converter per value cost about three times as much.
"""

from __future__ import annotations

import copy
import functools
import math
import types
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from storeconf.kinds.products.choices import as_text
from storeconf.money import store_money

_NO_DEFAULT = object()
Converter = Callable[[Any], Any]
Coerce = Callable[[dict[str, Any]], dict[str, Any]]


def coerce(
    model: type[BaseModel], data: dict[str, Any], names: Iterable[str] | None = None
) -> dict[str, Any]:
    """The model's fields (or only `names`) of `data`, each converted by the model's type (`1` ->
    `1.0` for floats); API defaults for fields the API left out; values the model cannot read
    kept as the API sent them.

    Field by field and without constraints, so one odd live value (set by another tool) never
    hides the others, and live data is never rejected by rules meant for config.
    """
    return _compiled(model, None if names is None else tuple(names))(data)


@functools.cache
def _compiled(model: type[BaseModel], names: tuple[str, ...] | None) -> Coerce:
    fields = _fields(model)
    env: dict[str, Any] = {"deepcopy": copy.deepcopy}
    lines = ["def coerce(data):", "    get = data.get", "    out = {}"]
    for name in fields if names is None else names:
        default, none, _ = fields[name]
        expr, used = _shortcut(model, name)
        env.update(used)
        lines += [
            f"    value = get({name!r})",
            "    if value is not None:",
            f"        out[{name!r}] = {expr}",
        ]
        if none is not _NO_DEFAULT:
            env[f"{name}_none"] = none
            lines += [f"    elif {name!r} in data:", f"        out[{name!r}] = {name}_none"]
        elif default is not _NO_DEFAULT:
            env[f"{name}_default"] = default
            # A list or mapping default would be shared by every call: each caller gets its own.
            fresh = f"deepcopy({name}_default)" if isinstance(default, list | dict) else f"{name}_default"
            lines += ["    else:", f"        out[{name!r}] = {fresh}"]
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<coerce {model.__name__}>", "exec"), env)
    function: Coerce = env["coerce"]
    return function


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[Any, Any, Converter]]:
    """Per field: its default as the API would send it, what None becomes (_NO_DEFAULT when the
    type refuses it), its converter (the source coerce inlines, as a function)."""
    out: dict[str, tuple[Any, Any, Converter]] = {}
    for name, info in model.model_fields.items():
        default = info.get_default(call_default_factory=True)
        dumped = _NO_DEFAULT if default is PydanticUndefined else _dump(model, name, default)
        expr, used = _shortcut(model, name)
        convert: Converter = eval(f"lambda value: {expr}", dict(used))
        out[name] = (dumped, _none(model, name), convert)
    return out


@functools.cache
def _shortcut(model: type[BaseModel], name: str) -> tuple[str, dict[str, Any]]:
    """The field's converter as the source of an expression of `value`, with the names it uses
    (each starting with the field's name, so one function can hold every field's): the pydantic
    round trip, preceded by a shortcut for the plain values most fields hold (the same answer as
    the round trip for those values, without its cost)."""
    annotation = model.model_fields[name].annotation
    members = [annotation]
    if _is_union(annotation):
        members = [a for a in get_args(annotation) if a is not type(None)]
    simple = members[0] if len(members) == 1 else None
    slow = f"{name}_slow"
    used: dict[str, Any] = {slow: functools.partial(_convert, model, name)}
    fast = _fast(simple, name, used)
    if fast is None:
        return f"{slow}(value)", used
    test, result = fast
    return f"{result} if {test} else {slow}(value)", used


def _fast(annotation: Any, name: str, used: dict[str, Any]) -> tuple[str, str] | None:
    """A shortcut as (the test a value passes, the result then); None if there is none. Adds
    the names it needs to `used`."""
    if get_origin(annotation) is dict and get_args(annotation)[0] is str:
        text = _text_bounds(get_args(annotation)[1])
        if text is None:
            return None
        each = f"type(k) is str and {_text_test('v', text)}"
        return f"type(value) is dict and all({each} for k, v in value.items())", "dict(value)"
    if get_origin(annotation) is list:
        # An empty list comes back empty whatever the item type (valid, or kept as sent).
        return "type(value) is list and not value", "[]"
    return _scalar(annotation, name, used)


def _scalar(annotation: Any, name: str, used: dict[str, Any]) -> tuple[str, str] | None:
    post: Callable[[float], float] | None = None
    low, high = -math.inf, math.inf
    if get_origin(annotation) is Annotated:
        annotation, *meta = get_args(annotation)
        found = _bounds(meta) if annotation in (int, float) else None
        if found is None:
            text = _text_bounds(Annotated[(annotation, *meta)]) if annotation is str else None
            if text is None:
                return None  # constraints other than numeric bounds: always the round trip
            return _text_test("value", text), "value"
        low, high, post = found
    if annotation is str or annotation is bool:
        return f"type(value) is {annotation.__name__}", "value"
    if annotation is int and post is None:
        return f"type(value) is int{_range(low, high)}", "value"
    if annotation is float:
        result = "float(value)"
        if post is not None:
            used[f"{name}_after"] = post
            result = f"{name}_after(float(value))"
        return f"type(value) in (int, float) and abs(value) < 2**53{_range(low, high)}", result
    if get_origin(annotation) is Literal and all(type(a) is str for a in get_args(annotation)):
        used[f"{name}_allowed"] = frozenset(get_args(annotation))
        return f"type(value) is str and value in {name}_allowed", "value"
    return None


def _range(low: float, high: float) -> str:
    """The test of `value` against numeric bounds, as a continuation of a test."""
    chain = [repr(low)] if low > -math.inf else []
    chain.append("value")
    if high < math.inf:
        chain.append(repr(high))
    return f" and {' <= '.join(chain)}" if len(chain) > 1 else ""


def _bounds(meta: list[Any]) -> tuple[float, float, Callable[[float], float] | None] | None:
    """`ge`/`le` bounds of `Annotated` metadata and the money rounding after them, if any; None
    when it holds any other constraint."""
    low, high = -math.inf, math.inf
    post: Callable[[float], float] | None = None
    for item in meta:
        if isinstance(item, AfterValidator) and item.func is store_money:
            post = store_money
            continue
        for constraint in item.metadata if isinstance(item, FieldInfo) else [item]:
            if isinstance(constraint, annotated_types.Ge):
                low = float(constraint.ge)  # type: ignore[arg-type]
            elif isinstance(constraint, annotated_types.Le):
                high = float(constraint.le)  # type: ignore[arg-type]
            else:
                return None
    return low, high, post


def _text_bounds(annotation: Any) -> tuple[int, float] | None:
    """For text whose only rules are lengths (and `as_text`, which leaves a str alone): the
    shortest and longest lengths that pass them unchanged. None for any other type."""
    if annotation is str:
        return 0, math.inf
    if get_origin(annotation) is not Annotated or get_args(annotation)[0] is not str:
        return None
    shortest, longest = 0, math.inf
    for item in get_args(annotation)[1:]:
        if isinstance(item, BeforeValidator) and item.func is as_text:
            continue
        if not isinstance(item, StringConstraints):
            return None
        others = (item.strip_whitespace, item.to_upper, item.to_lower, item.pattern, item.strict)
        if any(o is not None for o in others):
            return None
        shortest = max(shortest, item.min_length or 0)
        longest = min(longest, item.max_length if item.max_length is not None else math.inf)
    return shortest, longest


def _text_test(var: str, bounds: tuple[int, float]) -> str:
    """The test that `var` is text of a length within `bounds`."""
    low, high = bounds
    chain = [str(low)] if low > 0 else []
    chain.append(f"len({var})")
    if high < math.inf:
        chain.append(str(int(high)))
    return f"type({var}) is str" + (f" and {' <= '.join(chain)}" if len(chain) > 1 else "")


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _convert(model: type[BaseModel], name: str, value: Any) -> Any:
    adapter = _adapter(model, name)
    try:
        return adapter.dump_python(adapter.validate_python(value), mode="json")
    except (ValidationError, ValueError, TypeError):
        return value


def _dump(model: type[BaseModel], name: str, value: Any) -> Any:
    return _adapter(model, name).dump_python(value, mode="json")


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    return TypeAdapter(model.model_fields[name].annotation or Any)


def _none(model: type[BaseModel], name: str) -> Any:
    """None as the round trip turns it (None itself for an optional field), or _NO_DEFAULT."""
    adapter = _adapter(model, name)
    try:
        return adapter.dump_python(adapter.validate_python(None), mode="json")
    except ValidationError:
        return _NO_DEFAULT
