"""Request-body field checks that report BigCommerce-style `errors: {field: message}`.

Missing fields and wrong JSON types use the Play-JSON codes the real API returns
(`error.path.missing`, `error.expected.jsstring`, ...); range, length and enum
violations say what the limit is. An integer beyond 64 bits (which `inputs.loads` reads
as a float so it can never reach SQLite) is reported as out of range, with the field's
own limits when it has them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from storeconf.sandbox.core.inputs import INT64_MAX, INT64_MIN, beyond_int64

FieldType = Literal["string", "integer", "boolean", "strings", "integers", "object", "string_map"]

MISSING = "error.path.missing"

_TYPE_ERRORS: dict[FieldType, str] = {
    "string": "error.expected.jsstring",
    "integer": "error.expected.jsnumber",
    "boolean": "error.expected.jsboolean",
    "strings": "error.expected.jsarray",
    "integers": "error.expected.jsarray",
    "object": "error.expected.jsobject",
    "string_map": "error.expected.jsobject",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    min_length: int | None = None
    max_length: int | None = None
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_items: int | None = None
    nullable: bool = False


def check(
    body: Mapping[str, Any],
    fields: Sequence[Field],
    required: Collection[str] = (),
    missing: str = MISSING,
) -> dict[str, str]:
    """Every problem in `body`, keyed by field name; unknown fields are ignored like the API does."""
    errors = {name: missing for name in required if name not in body}
    for spec in fields:
        if spec.name in body and spec.name not in errors:
            problem = _check_value(spec, body[spec.name])
            if problem:
                errors[spec.name] = problem
    return errors


def _check_value(spec: Field, value: Any) -> str | None:
    if value is None:
        return None if spec.nullable else _TYPE_ERRORS[spec.type]
    if spec.type == "integer" and beyond_int64(value):
        return int_range_error(value, spec.minimum, spec.maximum)
    if spec.type == "integers" and isinstance(value, list) and any(beyond_int64(v) for v in value):
        low, high = _bounds(spec.minimum, spec.maximum)
        return f"items must be between {low} and {high}"
    if not _has_type(spec.type, value):
        return _TYPE_ERRORS[spec.type]
    if isinstance(value, str):
        return _check_text(spec, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return _check_range(spec, value)
    if isinstance(value, list) and spec.max_items is not None and len(value) > spec.max_items:
        return f"must have at most {spec.max_items} items"
    return None


def _has_type(kind: FieldType, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "integers":
        return isinstance(value, list) and all(_has_type("integer", v) for v in value)
    if kind == "string_map":
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, dict)


def _check_text(spec: Field, value: str) -> str | None:
    if spec.enum is not None and value not in spec.enum:
        return "must be one of: " + ", ".join(spec.enum)
    low, high = spec.min_length, spec.max_length
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        return f"must be {low or 0} to {high} characters" if high else f"must be at least {low} characters"
    return None


def _check_range(spec: Field, value: int) -> str | None:
    if spec.minimum is not None and value < spec.minimum:
        return f"must be at least {spec.minimum}"
    if spec.maximum is not None and value > spec.maximum:
        return f"must be at most {spec.maximum}"
    return None


def _bounds(minimum: int | None, maximum: int | None) -> tuple[int, int]:
    return (INT64_MIN if minimum is None else minimum, INT64_MAX if maximum is None else maximum)


def int_range_error(value: Any, minimum: int | None = None, maximum: int | None = None) -> str | None:
    """The problem with an integer field's value, None when it is an integer in range: for
    checks outside `check` (ids inside arrays, batch ids) that must answer like it does."""
    if beyond_int64(value):
        low, high = _bounds(minimum, maximum)
        return f"must be between {low} and {high}"
    if not isinstance(value, int) or isinstance(value, bool):
        return _TYPE_ERRORS["integer"]
    return _check_range(Field("", "integer", minimum=minimum, maximum=maximum), value)
