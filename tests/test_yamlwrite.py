"""The fast export writer writes exactly what ruamel.yaml's round-trip writer would (with
export's settings), or declines: never a different file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from storeconf.config.rapidyaml import rapid_load
from storeconf.export import ruamel_text
from storeconf.model import FlowRow
from storeconf.yamlwrite import plain_dump
from tests.conftest import Cli

TRICKY = [
    "SKU-00001", "Product 00001", "Dept 0/Aisle 0/Shelf 1", "https://cdn.example.com/p/1.jpg",
    "#888888", "10", "1.5", "007", "1e3", "0x1F", "-1", "- x", "a: b", "a:b", "a:", "x #y",
    "yes", "No", "ON", "true", "False", "null", "NULL", "~", "", " lead", "trail ", "it's",
    'say "hi"', "a, b", "[x]", "{x}", "&a", "*a", "!t", "%p", "@x", "`x", "?x", "|x", ">x",
    "tab\\there", "line\\nbreak", "café", "2026-01-01", ".inf", ".nan", "Y", "n", "x" * 250,
    "a  b", "(x)", "a+b", "<<", "=", "x=y", "a_b.c",
]  # fmt: skip
keys = st.sampled_from(["sku", "name", "price", "values", "options", "x-y", "a b", "10", "yes", *TRICKY])
scalars = (
    st.sampled_from(TRICKY) | st.text(max_size=12) | st.integers() | st.floats() | st.booleans() | st.none()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(keys, inner, max_size=3)
        | st.dictionaries(keys, scalars, max_size=3).map(FlowRow)
    ),
    max_leaves=12,
)


# Mostly what the fast writer answers for, with TRICKY text mixed in: its positive cases.
nice_scalars = (
    st.from_regex(r"[A-Za-z][A-Za-z0-9 _./:()+#-]{0,20}", fullmatch=True)
    | st.from_regex(r"#?[0-9a-f]{1,6}|[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True)
    | st.integers()
    | st.floats(min_value=-1e6, max_value=1e6).map(lambda f: round(f, 2))
    | st.booleans()
)
nice_keys = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True) | keys
nice = st.recursive(
    nice_scalars,
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.dictionaries(nice_keys, inner, min_size=1, max_size=3)
        | st.dictionaries(nice_keys, nice_scalars, min_size=1, max_size=3).map(FlowRow)
    ),
    max_leaves=12,
)


def check(content: dict[str, Any]) -> bool:
    """True when the fast writer answered (and it matched ruamel)."""
    fast = plain_dump(content)
    if fast is None:
        return False
    assert fast == ruamel_text(content)
    return True


@settings(max_examples=1500)
@given(st.dictionaries(keys, values, min_size=1, max_size=3))
def test_the_fast_writer_matches_ruamel_or_declines(content: dict[str, Any]) -> None:
    check(content)


@settings(max_examples=1500)
@given(st.dictionaries(nice_keys, nice, min_size=1, max_size=3))
def test_the_fast_writer_matches_ruamel_on_mostly_plain_data(content: dict[str, Any]) -> None:
    check(content)


RED = {"label": "Red", "value_data": {"colors": ["#888888"]}}


def test_a_catalog_file_is_written_fast(tmp_path: Path) -> None:
    rows = {f"SKU-{i:03d}-{c}": FlowRow({"USD": 9.6 + i, "EUR": 8}) for i in range(3) for c in "SM"}
    content = {
        "products": [
            {
                "sku": "SKU-001",
                "name": "Product 001",
                "price": 10.0,
                "is_visible": True,
                "categories": ["Dept 0/Aisle 0/Shelf 1"],
                "custom_fields": {"material": "cotton", "size": "10"},
                "options": [{"name": "Color", "type": "swatch", "values": [RED]}],
                "variants": [{"sku": "SKU-001-Red", "options": {"Color": "Red"}, "price": 12.5}],
            }
        ],
        "price_lists": [{"name": "Trade", "records": rows}],
    }  # fmt: skip
    assert check(content)


def test_every_exported_example_file_is_what_ruamel_writes(cli: Cli, example: Path) -> None:
    """Export the example store and re-read each file: the fast writer's text for the same
    data is ruamel's, byte for byte (where it answers at all)."""
    assert cli("apply", "--auto-approve").exit_code == 0
    out = example / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0, cli
    for path in sorted(out.rglob("*.yaml")):
        raw = path.read_bytes()
        loaded = rapid_load(raw.decode(), raw, path.name)
        if loaded is not None and isinstance(loaded[0], dict):
            check(loaded[0])
