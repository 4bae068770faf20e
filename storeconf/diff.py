"""Field-level differences between what the config says and what the store has.

Only the fields present in the desired mapping are compared, so a field the
config does not set is never a change. Nested spec objects (e.g. `custom_url`)
are compared key by key the same way; free-form values (a `headers` map, a
list) are compared whole and reported per entry with deepdiff.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterable
from typing import Any

from deepdiff import DeepDiff
from pydantic import BaseModel

from storeconf.plan import FieldChange


def diff_fields(
    desired: dict[str, Any],
    live: dict[str, Any],
    model: type[BaseModel],
    *,
    ignore: Iterable[str] = (),
    sensitive: Iterable[str] = (),
    prefix: str = "",
) -> tuple[FieldChange, ...]:
    """Changes needed to make `live` match `desired` in every field `desired` sets."""
    if desired.items() <= live.items():  # most objects of a no-op plan: one comparison in C
        return ()
    ignored = ignore if isinstance(ignore, set | frozenset) else set(ignore)
    secret = sensitive if isinstance(sensitive, set | frozenset | dict) else set(sensitive)
    changes: list[FieldChange] = []
    for name, want in desired.items():
        have = live.get(name)
        if want == have:  # most fields of a no-op plan: nothing to ignore, mask or recurse into
            continue
        path = f"{prefix}{name}"
        if path in ignored or name in ignored:
            continue
        nested = _nested_model(model, name)
        is_secret = name in secret
        if nested is not None and isinstance(want, dict) and isinstance(have, dict):
            inner = diff_fields(want, have, nested, ignore=ignored, sensitive=(), prefix=f"{path}.")
            changes += [FieldChange(c.path, c.old, c.new, True) for c in inner] if is_secret else inner
        elif not same(want, have):
            itemwise = name in getattr(model, "itemwise_lists", ())
            changes += _value_changes(path, have, want, is_secret, itemwise)
    return tuple(changes)


def same(want: Any, have: Any) -> bool:
    """Equality as the API means it: 25 == 25.0, an absent value equals an empty one the config wrote."""
    if want == have:
        return True
    empty: tuple[Any, ...] = (None, "", [], {})
    if have is None and want in empty:
        return True
    return isinstance(want, int | float) and isinstance(have, int | float) and float(want) == float(have)


def _value_changes(
    path: str, have: Any, want: Any, secret: bool, itemwise: bool = False
) -> list[FieldChange]:
    if _comparable_shapes(want, have, itemwise) and not secret:
        dd = DeepDiff(have, want, verbose_level=2)
        out: list[FieldChange] = []
        for key, value in dd.get("dictionary_item_added", {}).items():
            out.append(FieldChange(path + _dd_path(key), None, value))
        for key, value in dd.get("dictionary_item_removed", {}).items():
            out.append(FieldChange(path + _dd_path(key), value, None))
        for key, value in {**dd.get("values_changed", {}), **dd.get("type_changes", {})}.items():
            out.append(FieldChange(path + _dd_path(key), value["old_value"], value["new_value"]))
        if out and len(out) == len(dd.affected_paths):
            return sorted(out, key=lambda c: c.path)
    return [FieldChange(path, have, want, secret)]


def _comparable_shapes(want: Any, have: Any, itemwise: bool) -> bool:
    """Two mappings, or, for a model's `itemwise_lists` (a promotion's ordered rules), two
    equally long lists of mappings: reported per changed leaf
    (`rules.0.condition.cart.minimum_spend`) instead of as one whole value."""
    if isinstance(want, dict) and isinstance(have, dict):
        return True
    return (
        itemwise
        and isinstance(want, list)
        and isinstance(have, list)
        and len(want) == len(have)
        and all(isinstance(v, dict) for v in [*want, *have])
    )


def _dd_path(dd_key: str) -> str:
    """deepdiff's `root['a']['b']` as `.a.b`."""
    inner = dd_key.removeprefix("root")
    parts = [p.strip("'\"") for p in inner.strip("[]").split("][")] if inner else []
    return "".join(f".{p}" for p in parts)


@functools.cache  # asked once per field of every object diffed: 50,000 variants ask the same few
def _nested_model(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    field = model.model_fields.get(name)
    if field is None:
        return None
    annotation = field.annotation
    candidates = typing.get_args(annotation) if _is_union(annotation) else (annotation,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)
