"""One comparable shape for config and live data: what the planner diffs and what export writes.

Both sides go through the same canonical forms, so a value the API spells
differently (`5` vs `5.0`, an omitted default, an option value `{label: S}` vs
`S`) never shows as a change:

- option and modifier values: the bare label when nothing else is set, else a
  mapping holding only non-default keys; listed in storefront order;
- custom fields: a list of `{name, value}` (the config writes a mapping);
- categories by path sorted case-insensitively, channels sorted.
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
from storeconf.kinds.products.spec import Modifier, Option, Product
from storeconf.money import store_money

# Lists of a product diffed item by item (Products.parts), in the order their writes happen.
PART_FIELDS = ("custom_fields", "images", "videos", "bulk_pricing_rules", "modifiers", "options", "variants")


def config_fields(product: Product) -> dict[str, Any]:
    """The fields a config item sets, in the comparable shape."""
    out = product.model_dump(mode="json", exclude_unset=True)
    if "custom_fields" in out:
        out["custom_fields"] = [{"name": k, "value": v} for k, v in product.custom_fields.items()]
    if "categories" in out:
        out["categories"] = sorted_paths(product.categories)
    if "channels" in out:
        out["channels"] = sorted(product.channels)
    if "options" in out:
        out["options"] = [_choice_fields(o, d) for o, d in zip(product.options, out["options"], strict=True)]
    if "modifiers" in out:
        out["modifiers"] = [
            _choice_fields(m, d) for m, d in zip(product.modifiers, out["modifiers"], strict=True)
        ]
    return out


def _choice_fields(item: Option | Modifier, out: dict[str, Any]) -> dict[str, Any]:
    """`out`: the item as dumped with its product (set fields only); values are canonical."""
    if item.values is None:
        return out
    if isinstance(item, Modifier):
        full = item.model_dump(mode="json")["values"]
        return {**out, "values": [modifier_value(v) for v in full]}
    # Option values have no nested defaults to fill in: read them off the models, no second dump.
    # A value that sets only its label (most) is that label, as option_value would make it.
    values = [
        option_value({"label": v.label, "is_default": v.is_default, "value_data": v.value_data})
        if v.is_default or v.value_data
        else v.label
        for v in item.values
    ]
    return {**out, "values": values}


def sorted_paths(paths: list[str]) -> list[str]:
    return sorted(paths, key=lambda p: (p.casefold(), p))


def option_value(value: dict[str, Any]) -> Any:
    """An option value from the config or the API, in canonical form."""
    out: dict[str, Any] = {"label": value["label"]}
    if value.get("is_default"):
        out["is_default"] = True
    if value.get("value_data"):
        out["value_data"] = value["value_data"]
    return out["label"] if len(out) == 1 else out


def modifier_value(value: dict[str, Any]) -> Any:
    canonical = option_value(value)
    adjusters = canonical_adjusters(value.get("adjusters"))
    if not adjusters:
        return canonical
    out = canonical if isinstance(canonical, dict) else {"label": canonical}
    return {**out, "adjusters": adjusters}


def canonical_adjusters(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Adjusters without the parts that adjust nothing (the API's default; an adjustment by 0
    of either kind is the same)."""
    raw = raw or {}
    out: dict[str, Any] = {}
    for name in ("price", "weight"):
        part = raw.get(name) or {}
        full = {"adjuster": part.get("adjuster"), "adjuster_value": float(part.get("adjuster_value") or 0)}
        if full["adjuster_value"]:
            out[name] = full
    if raw.get("image_url"):
        out["image_url"] = raw["image_url"]
    disabled = raw.get("purchasing_disabled") or {}
    full_disabled = {"status": bool(disabled.get("status")), "message": disabled.get("message") or ""}
    if full_disabled["status"] or full_disabled["message"]:
        out["purchasing_disabled"] = full_disabled
    return out


def full_value(value: Any, modifier: bool) -> dict[str, Any]:
    """A canonical value expanded back to every writable key (what a PUT or POST sends)."""
    data: dict[str, Any] = {"label": value} if isinstance(value, str) else dict(value)
    out = {
        "label": data["label"],
        "is_default": bool(data.get("is_default")),
        "value_data": data.get("value_data"),
    }
    if modifier:
        out["adjusters"] = _full_adjusters(data.get("adjusters") or {})
    return out


def _full_adjusters(adjusters: dict[str, Any]) -> dict[str, Any]:
    # "No adjustment" as the write schemas allow it (they do not accept a null `adjuster`).
    none = {"adjuster": "relative", "adjuster_value": 0}
    return {
        "price": adjusters.get("price") or none,
        "weight": adjusters.get("weight") or none,
        "image_url": adjusters.get("image_url", ""),
        "purchasing_disabled": adjusters.get("purchasing_disabled") or {"status": False, "message": ""},
    }


def value_label(value: Any) -> str:
    return value if isinstance(value, str) else str(value["label"])


# ---- coercion of API data by the config model's field types --------------------------------


def coerce(
    model: type[BaseModel], data: dict[str, Any], names: Iterable[str] | None = None
) -> dict[str, Any]:
    """The model's fields (or only `names`) of `data`, each converted by the model's type (`1` ->
    `1.0` for floats); API defaults for fields the API left out; values the model cannot read
    kept as the API sent them.

    Field by field and without constraints, so one odd live value (set by another tool) never
    hides the others, and live data is never rejected by rules meant for config.
    """
    fields = _fields(model)
    out: dict[str, Any] = {}
    for name in fields if names is None else names:
        default, none, convert = fields[name]
        value = data.get(name)
        if value is None:
            if none is not _NO_DEFAULT:
                if name in data:
                    out[name] = none
            elif default is not _NO_DEFAULT:
                # A list or mapping default is shared by every call: each caller gets its own.
                out[name] = copy.deepcopy(default) if isinstance(default, list | dict) else default
            continue
        out[name] = convert(value)
    return out


_NO_DEFAULT = object()
Converter = Callable[[Any], Any]


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[Any, Any, Converter]]:
    """Per field: its default as the API would send it, what None becomes (_NO_DEFAULT when the
    type refuses it), its converter. Computed once per model: a 10,000-product read coerces
    every field of 50,000 variants."""
    out: dict[str, tuple[Any, Any, Converter]] = {}
    for name, info in model.model_fields.items():
        default = info.get_default(call_default_factory=True)
        dumped = _NO_DEFAULT if default is PydanticUndefined else _dump(model, name, default)
        out[name] = (dumped, _none(model, name), _converter(model, name))
    return out


def _converter(model: type[BaseModel], name: str) -> Converter:
    """The pydantic round trip, preceded by a shortcut for the plain values most fields hold
    (the same answer as the round trip for those values, without its cost)."""
    annotation = model.model_fields[name].annotation
    members = [annotation]
    if _is_union(annotation):
        members = [a for a in get_args(annotation) if a is not type(None)]
    simple = members[0] if len(members) == 1 else None

    def slow(value: Any) -> Any:
        return _convert(model, name, value)

    if get_origin(simple) is dict and get_args(simple)[0] is str:
        text = _text_check(get_args(simple)[1])
        if text is not None:
            check = text
            return lambda value: (
                dict(value)
                if type(value) is dict and all(type(k) is str and check(v) for k, v in value.items())
                else slow(value)
            )
        return slow
    if get_origin(simple) is list:
        # An empty list comes back empty whatever the item type (valid, or kept as sent).
        return lambda value: [] if type(value) is list and not value else slow(value)
    fast = _scalar(simple)
    return slow if fast is None else lambda value: fast(value, slow)


def _scalar(annotation: Any) -> Callable[[Any, Converter], Any] | None:
    """A shortcut for a scalar type, given the round trip to fall back to; None if there is none."""
    post: Callable[[float], float] | None = None
    low, high = -math.inf, math.inf
    if get_origin(annotation) is Annotated:
        annotation, *meta = get_args(annotation)
        found = _bounds(meta) if annotation in (int, float) else None
        if found is None:
            text = _text_check(Annotated[(annotation, *meta)]) if annotation is str else None
            if text is None:
                return None  # constraints other than numeric bounds: always the round trip
            check = text
            return lambda value, slow: value if check(value) else slow(value)
        low, high, post = found
    if annotation is str or annotation is bool:
        kind = annotation
        return lambda value, slow: value if type(value) is kind else slow(value)
    if annotation is int and post is None:
        return lambda value, slow: value if type(value) is int and low <= value <= high else slow(value)
    if annotation is float:
        after = post or float

        def number(value: Any, slow: Converter) -> Any:
            if type(value) in (int, float) and abs(value) < 2**53 and low <= value <= high:
                return after(float(value))
            return slow(value)

        return number
    if get_origin(annotation) is Literal and all(type(a) is str for a in get_args(annotation)):
        allowed = frozenset(get_args(annotation))
        return lambda value, slow: value if type(value) is str and value in allowed else slow(value)
    return None


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


def _text_check(annotation: Any) -> Callable[[Any], bool] | None:
    """For text whose only rules are lengths (and `as_text`, which leaves a str alone): a test
    that a value passes them unchanged. None for any other type."""
    if annotation is str:
        return lambda value: type(value) is str
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
    low, high = shortest, longest
    return lambda value: type(value) is str and low <= len(value) <= high


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
