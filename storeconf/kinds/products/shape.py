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
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from storeconf.kinds.products.spec import Modifier, Option, Product

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
    values = [{"label": v.label, "is_default": v.is_default, "value_data": v.value_data} for v in item.values]
    return {**out, "values": [option_value(v) for v in values]}


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
        default, nullable, convert = fields[name]
        value = data.get(name)
        if value is None and not nullable:
            if default is not _NO_DEFAULT:
                # A list or mapping default is shared by every call: each caller gets its own.
                out[name] = copy.deepcopy(default) if isinstance(default, list | dict) else default
            continue
        if name in data:
            out[name] = convert(value)
    return out


_NO_DEFAULT = object()
Converter = Callable[[Any], Any]


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[Any, bool, Converter]]:
    """Per field: its default as the API would send it, whether None is a value, its converter.
    Computed once per model: a 10,000-product read coerces every field of 50,000 variants."""
    out: dict[str, tuple[Any, bool, Converter]] = {}
    for name, info in model.model_fields.items():
        default = info.get_default(call_default_factory=True)
        dumped = _NO_DEFAULT if default is PydanticUndefined else _dump(model, name, default)
        out[name] = (dumped, _nullable(model, name), _converter(model, name))
    return out


def _converter(model: type[BaseModel], name: str) -> Converter:
    """The pydantic round trip, preceded by a shortcut for the plain scalars most fields hold
    (the same answer as the round trip for those values, without its cost)."""
    annotation = model.model_fields[name].annotation
    members = [annotation]
    if _is_union(annotation):
        members = [a for a in get_args(annotation) if a is not type(None)]
    simple = members[0] if len(members) == 1 else None
    low, high = -math.inf, math.inf
    if get_origin(simple) is Annotated:
        simple, *meta = get_args(simple)
        found = _bounds(meta) if simple in (int, float) else None
        if found is None:
            simple = None  # constraints other than numeric bounds: always the round trip
        else:
            low, high = found

    def slow(value: Any) -> Any:
        return _convert(model, name, value)

    if simple is str or simple is bool:
        return lambda value: value if type(value) is simple else slow(value)
    if simple is int:
        return lambda value: value if type(value) is int and low <= value <= high else slow(value)
    if simple is float:
        return lambda value: (
            float(value)
            if type(value) in (int, float) and abs(value) < 2**53 and low <= value <= high
            else slow(value)
        )
    if get_origin(simple) is Literal and all(type(a) is str for a in get_args(simple)):
        allowed = frozenset(get_args(simple))
        return lambda value: value if type(value) is str and value in allowed else slow(value)
    return slow


def _bounds(meta: list[Any]) -> tuple[float, float] | None:
    """`ge`/`le` bounds of `Annotated` metadata; None when it holds any other constraint."""
    low, high = -math.inf, math.inf
    for item in meta:
        for constraint in item.metadata if isinstance(item, FieldInfo) else [item]:
            if isinstance(constraint, annotated_types.Ge):
                low = float(constraint.ge)  # type: ignore[arg-type]
            elif isinstance(constraint, annotated_types.Le):
                high = float(constraint.le)  # type: ignore[arg-type]
            else:
                return None
    return low, high


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


@functools.cache
def _nullable(model: type[BaseModel], name: str) -> bool:
    try:
        _adapter(model, name).validate_python(None)
    except ValidationError:
        return False
    return True
