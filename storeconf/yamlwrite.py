"""Writing export files fast: ruamel.yaml's round-trip writer, without its cost, for plain data.

Export writes with ruamel.yaml (block style, mappings indented 2, list items 4 with the
dash at 2, price-list rows on one line), whose writer is pure Python: nine tenths of a
10,000-product export. Export data is mostly plain text, numbers and booleans, so
`plain_dump` writes exactly what ruamel would for the values whose spelling it is sure of
and returns None for anything else (None, text that YAML would read as something else or
that ruamel might fold or escape, odd floats, lists of lists...): the caller then uses
ruamel for the whole file. tests/test_yamlwrite.py holds it to ruamel's output.
"""

from __future__ import annotations

import math
import re
from typing import Any

from storeconf.model import FlowRow

# Text ruamel writes as it is: a letter first, then letters, digits and a few marks; a colon
# only inside (never before a space or at the end). Anything else is left to ruamel.
_PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9 _./()+-]|:(?! )(?!$))*(?<! )")
# Text ruamel puts in single quotes for sure: a colour (`#888888`: `#` cannot start plain
# text) or a number written as text (`10`, `1.5`), in printable ASCII without quotes.
_SINGLE = re.compile(r"#[ !#-&(-~]*|[0-9]+(?:\.[0-9]+)?")
# Words storeconf's own representer double-quotes (see export._represent_str).
_YAML11 = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~", ""})
_LONGEST = 200  # beyond this ruamel may fold a line; such text goes to ruamel
_LONGEST_KEY = 100


class _Unsure(Exception):
    pass


def plain_dump(content: dict[str, Any]) -> str | None:
    """`content` as ruamel's round-trip writer (export's settings) writes it, or None."""
    out: list[str] = []
    try:
        _mapping(content, 0, out)
    except _Unsure:
        return None
    return "".join(out)


def _mapping(data: dict[str, Any], indent: int, out: list[str]) -> None:
    if not data:
        raise _Unsure
    pad = " " * indent
    for key, value in data.items():
        out.append(f"{pad}{_key(key)}:")
        _value(value, indent, out)


def _value(value: Any, indent: int, out: list[str]) -> None:
    """After `key:` (the line is open): the rest of the line, and any lines below it."""
    if isinstance(value, FlowRow):
        out.append(f" {_row(value)}\n")
    elif isinstance(value, dict):
        out.append("\n")
        _mapping(value, indent + 2, out)
    elif isinstance(value, list):
        if not value:
            raise _Unsure
        out.append("\n")
        _sequence(value, indent + 2, out)
    else:
        out.append(f" {_scalar(value)}\n")


def _sequence(items: list[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, FlowRow | list):
            raise _Unsure
        if isinstance(item, dict):
            if not item:
                raise _Unsure
            first = True
            for key, value in item.items():
                out.append(f"{pad}- {_key(key)}:" if first else f"{pad}  {_key(key)}:")
                _value(value, indent + 2, out)
                first = False
        else:
            out.append(f"{pad}- {_scalar(item)}\n")


def _row(row: FlowRow) -> str:
    if not row:
        raise _Unsure
    parts = []
    for key, value in row.items():
        if isinstance(value, dict | list):
            raise _Unsure
        parts.append(f"{_key(key, flow=True)}: {_scalar(value, flow=True)}")
    return "{" + ", ".join(parts) + "}"


def _key(key: Any, flow: bool = False) -> str:
    # A key past 128 characters is written as a complex key (`? key`): left to ruamel.
    if not isinstance(key, str) or len(key) > _LONGEST_KEY or not _plain(key) or (flow and ":" in key):
        raise _Unsure
    return key


def _scalar(value: Any, flow: bool = False) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is float:
        text = repr(value)
        if not math.isfinite(value) or "e" in text or "." not in text:
            raise _Unsure
        return text
    if type(value) is str:
        return _text(value, flow)
    raise _Unsure


def _text(value: str, flow: bool = False) -> str:
    if len(value) > _LONGEST:
        raise _Unsure
    if value.casefold() in _YAML11:
        if value != "" and not value.isalpha():
            raise _Unsure  # "~": leave it to ruamel
        return f'"{value}"'
    if _plain(value) and not (flow and ":" in value):  # in a flow row a colon needs quotes
        return value
    if _SINGLE.fullmatch(value) and value[-1] != " ":
        return f"'{value}'"
    raise _Unsure


def _plain(text: str) -> bool:
    return _PLAIN.fullmatch(text) is not None and text.casefold() not in _YAML11
