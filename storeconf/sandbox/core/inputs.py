"""What every endpoint accepts from the wire before its own rules run: strict JSON bodies,
and numbers the store's SQLite database can hold.

SQLite integers are 64-bit; Python's are not, and Python's `json` accepts `NaN` and
`Infinity` and strings with lone surrogates, none of which SQLite, JSON output or UTF-8
can carry. Catching them here, once, means no endpoint can store such a value (and then
fail on every later read of it):

- a body with `NaN`/`Infinity`/`-Infinity`, a number too large for a double (`1e400`),
  or a string (or key) holding a lone surrogate (`"\\ud800"`) is not valid JSON;
- an integer outside the 64-bit range is read as a float. Nothing can overflow SQLite
  then, and each endpoint's own validation answers it with its usual per-field 422
  (`validate.py` reports such an integer as out of range, not as a wrong type);
- a path id outside the range does not match the route, so it gets the 404 a
  non-numeric id gets; query integers outside it are invalid values (`http.parse_int`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.convertors import Convertor, register_url_convertor

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class InvalidJson(ValueError):
    """A body that parses under Python's lenient rules but is not strict JSON."""


def loads(raw: bytes | str) -> Any:
    """Strict JSON: ValueError (or its subclass `InvalidJson`) for anything a standard
    parser would reject or the store cannot keep."""
    value = json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_int)
    _check_text(value)
    return value


def _no_constant(name: str) -> Any:
    raise InvalidJson(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise InvalidJson(f"{text[:40]} is out of range")
    return number


def _int(text: str) -> int | float:
    number = int(text)
    if INT64_MIN <= number <= INT64_MAX:
        return number
    return _finite_float(text)


def _check_text(value: Any) -> None:
    """Every string and key must be encodable as UTF-8 (no lone surrogates)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _utf8(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _utf8(key)
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def _utf8(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidJson("a string holds a lone surrogate") from None


def beyond_int64(value: Any) -> bool:
    """An integer the body gave outside the 64-bit range (read as an integral float). The
    lower bound is exclusive: -2**63 - 1 rounds to the float -2**63."""
    return isinstance(value, float) and value.is_integer() and not INT64_MIN < value <= INT64_MAX


def fits_int64(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


def _at_most(limit: int) -> str:
    """A regex for the decimal numbers 0..limit (leading zeros allowed)."""
    digits = str(limit)
    shorter = f"[0-9]{{1,{len(digits) - 1}}}"
    same_length = []
    for n, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - n - 1
            same_length.append(f"{digits[:n]}[0-{int(digit) - 1}][0-9]{{{rest}}}")
    return "0*(?:" + "|".join([shorter, *same_length, digits]) + ")"


class IdConvertor(Convertor[int]):
    """`{name:id64}`: a non-negative integer that fits SQLite's INTEGER; larger ids do not
    match, like non-numeric ones."""

    regex = _at_most(INT64_MAX)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id64", IdConvertor())
