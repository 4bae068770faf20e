"""Position-tracking YAML loading (storeconf.config.yaml)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from storeconf.config.fastyaml import MAX_DEPTH
from storeconf.config.yaml import SourceMap, describe, load_yaml
from storeconf.errors import Location


def load(tmp_path: Path, text: str) -> tuple[Any, list[str], SourceMap]:
    path = tmp_path / "f.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    doc, problems = load_yaml(path, "f.yaml")
    return (
        (doc.data if doc else None),
        [str(p) for p in problems],
        (doc.source if doc else SourceMap("f.yaml")),
    )


def test_plain_data_and_positions(tmp_path: Path) -> None:
    data, problems, source = load(
        tmp_path,
        """
        brands:
          - name: Acme
            meta_keywords: [a, b]
          - {name: 12, page_title: null, flag: yes, on: true, when: 2024-01-01}
        """,
    )
    assert problems == []
    assert data == {
        "brands": [
            {"name": "Acme", "meta_keywords": ["a", "b"]},
            # YAML 1.2: `yes`/`on` are text; timestamps stay as written; keys are always strings.
            {"name": 12, "page_title": None, "flag": "yes", "on": True, "when": "2024-01-01"},
        ]
    }
    assert type(data["brands"][1]["name"]) is int
    assert source.values[("brands", 0)] == Location("f.yaml", 2, 5)
    assert source.keys[("brands", 0, "meta_keywords")] == Location("f.yaml", 3, 5)
    assert source.values[("brands", 0, "meta_keywords", 1)] == Location("f.yaml", 3, 24)
    assert source.values[("brands", 1, "page_title")] == Location("f.yaml", 4, 28)


def test_unknown_path_falls_back_to_nearest_ancestor(tmp_path: Path) -> None:
    _, _, source = load(tmp_path, "a:\n  b: 1\n")
    assert source.value(("a", "b", "c", 3)) == Location("f.yaml", 2, 6)
    assert source.key(("a", "zzz")) == Location("f.yaml", 2, 3)


def test_every_duplicate_key_is_reported(tmp_path: Path) -> None:
    _, problems, _ = load(
        tmp_path,
        """
        brands:
          - name: A
            name: B
        scripts: []
        brands: []
        """,
    )
    assert problems == [
        "f.yaml:3:5: brands[0]: duplicate key 'name' (first at line 2, column 5)",
        "f.yaml:5:1: duplicate key 'brands' (first at line 1, column 1)",
    ]


def test_syntax_error_position(tmp_path: Path) -> None:
    data, problems, _ = load(
        tmp_path,
        """
        brands:
          - name: [Acme
          - name: Other
        """,
    )
    assert data is None
    assert problems == [
        "f.yaml:3:9: invalid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence started at line 2, column 11)"
    ]


def test_bad_indentation_is_a_syntax_error(tmp_path: Path) -> None:
    _, problems, _ = load(tmp_path, "a: 1\n b: 2\n")
    assert problems == ["f.yaml:2:3: invalid YAML: mapping values are not allowed here"]


def test_unsupported_tags(tmp_path: Path) -> None:
    data, problems, _ = load(tmp_path, "a: !include other.yaml\nb: !!binary aGk=\nc: !!str 12\n")
    assert data == {"a": None, "b": None, "c": "12"}
    assert problems == [
        "f.yaml:1:4: a: unsupported YAML tag '!include'",
        "f.yaml:2:4: b: unsupported YAML tag 'tag:yaml.org,2002:binary'",
    ]


def test_merge_keys_and_aliases(tmp_path: Path) -> None:
    data, problems, source = load(
        tmp_path,
        """
        base: &base {is_visible: true, sort_order: 1}
        items:
          - <<: *base
            sort_order: 2
          - *base
        """,
    )
    assert problems == []
    assert data["items"] == [{"sort_order": 2, "is_visible": True}, {"is_visible": True, "sort_order": 1}]
    assert source.values[("items", 0, "sort_order")] == Location("f.yaml", 4, 17)


def test_alias_bomb_is_a_problem_not_a_memory_error(tmp_path: Path) -> None:
    # Nine levels of nine aliases: 387 million values from a 400-byte file (billion laughs).
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    data, problems, _ = load(tmp_path, "\n".join([*levels, "brands: *i"]) + "\n")
    assert data is None
    assert len(problems) == 1 and "aliases (`*name`) expand this file to far more values" in problems[0]


def test_aliases_used_freely_stay_well_inside_the_budget(tmp_path: Path) -> None:
    # An anchor of 20 values merged into each of 200 items.
    anchor = "base: &base {" + ", ".join(f"f{n}: {n}" for n in range(20)) + "}\n"
    items = "".join(f"- {{<<: *base, sku: S{n}}}\n" for n in range(200))
    data, problems, _ = load(tmp_path, anchor + "items:\n" + items)
    assert problems == [] and len(data["items"]) == 200 and data["items"][199]["f19"] == 19


def test_recursive_alias_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    _, problems, _ = load(tmp_path, "a: &x [1, *x]\n")
    assert problems == ["f.yaml:1:4: a[1]: recursive alias: a node cannot contain itself"]


@pytest.mark.parametrize("depth", [101, 150, 400, 3000])
@pytest.mark.parametrize(
    "nest",
    [
        lambda n: "a: " + "[" * n + "]" * n + "\n",
        lambda n: "a:\n" + "".join(" " * i + "-\n" for i in range(1, n)),
        lambda n: "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, n)),
    ],
    ids=["flow", "block-list", "block-map"],
)
def test_deep_nesting_is_a_located_problem_not_a_recursion_error(
    tmp_path: Path, nest: Callable[[int], str], depth: int
) -> None:
    # Found by the loader fuzz (tests/reliability/test_fuzz.py): a few hundred levels overflowed
    # Python's stack in the composer, the builders or the interpolation walk.
    _, problems, _ = load(tmp_path, nest(depth))
    deep = [p for p in problems if p.endswith(f"nested more than {MAX_DEPTH} levels deep")]
    assert len(deep) == 1, problems
    where = "1:103" if nest(3).startswith("a: [") else "101:101"
    assert deep[0].startswith(f"f.yaml:{where}: "), deep


def test_nesting_up_to_the_limit_loads(tmp_path: Path) -> None:
    data, problems, _ = load(tmp_path, "a: " + "[" * 99 + "]" * 99 + "\n")
    assert problems == []
    for _ in range(99):
        data = data["a"] if isinstance(data, dict) else data[0] if data else data
    assert data == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: !!float\n", "f.yaml:1:4: a: invalid float ''"),
        ("a: [!!int _]\n", "f.yaml:1:5: a[0]: invalid int '_'"),
        ("a: !!bool x\n", "f.yaml:1:4: a: invalid bool 'x'"),
        ("a: {b: !!bool ''}\n", "f.yaml:1:8: a.b: invalid bool ''"),
    ],
)
def test_explicit_tag_on_a_value_it_cannot_read_is_a_problem(tmp_path: Path, text: str, problem: str) -> None:
    # Found by the loader fuzz: ruamel's constructors raise IndexError and KeyError on these.
    assert load(tmp_path, text)[1] == [problem]


def test_complex_keys_are_rejected(tmp_path: Path) -> None:
    _, problems, _ = load(tmp_path, "? [a, b]\n: 1\n")
    assert problems == ["f.yaml:1:3: mapping keys must be plain scalars, not lists or mappings"]


def test_empty_file_and_unreadable_file(tmp_path: Path) -> None:
    assert load(tmp_path, "")[:2] == (None, [])
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    doc, problems = load_yaml(tmp_path / "bin.yaml", "bin.yaml")
    assert doc is None
    assert str(problems[0]).startswith("bin.yaml:1:1: not UTF-8 text: byte 0xff")


def test_describe() -> None:
    assert describe(()) == ""
    assert describe(("brands", 1, "custom_url", "url")) == "brands[1].custom_url.url"
    assert describe(("categories", 0, "children", 2)) == "categories[0].children[2]"


# No control characters or Unicode line breaks: ruamel's emitter mangles some (NEL in quotes), so a
# round trip through ruamel alone fails on them; that is the dumper's bug, not the loader's.
texts = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")) | st.sampled_from("\n\t"), max_size=30
)
keys = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30)
plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


@given(plain)
def test_round_trip_of_plain_values(value: object) -> None:
    """Whatever ruamel dumps, the loader reads back as the same plain data."""
    import io
    import tempfile

    stream = io.StringIO()
    dumper = YAML(typ="safe", pure=True)
    # Block style, unwrapped: ruamel's emitter can break a flow-style plain key across lines.
    dumper.default_flow_style = False
    dumper.width = 1 << 16
    dumper.dump({"value": value}, stream)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.yaml"
        path.write_text(stream.getvalue(), encoding="utf-8")
        doc, problems = load_yaml(path, "v.yaml")
    assert problems == []
    assert doc is not None
    assert doc.data == {"value": value}
