"""The fast YAML path answers exactly as the position-keeping loader, or not at all."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from storeconf.config.fastyaml import fast_load
from storeconf.config.rapidyaml import rapid_load
from storeconf.config.yaml import _load_exact, load_yaml
from storeconf.errors import Location
from tests.config.conftest import ProjectDir

# Scalars whose resolution differs between YAML versions or looks like another type.
tricky = st.sampled_from(
    ["yes", "no", "on", "off", "~", "null", "0x1F", "0o17", "017", "1e3", "1_000", ".inf", "-.nan",
     "2024-01-01", "2024-01-01T10:00:00Z", "12:30", "+1", "-0", "a: b", "- x", "# c", "'q'", '"d"', ""]
)  # fmt: skip
texts = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20) | tricky
leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=25,
)


def dump(value: Any, flow: bool) -> str:
    stream = io.StringIO()
    dumper = YAML(typ="safe", pure=True)
    dumper.default_flow_style = flow
    dumper.width = 1 << 16
    dumper.dump({"root": value}, stream)
    return stream.getvalue()


def agree(text: str) -> None:
    doc, problems = _load_exact(text, "f.yaml")
    for fast in (fast_load(text, "f.yaml"), rapid_load(text, text.encode(), "f.yaml")):
        if fast is None:
            continue  # a slower loader decides; nothing to compare
        assert problems == []
        assert doc is not None
        data, marks = fast
        assert data == doc.data
        for path, mark in marks.items():
            assert mark == doc.source.values[path], path


# Characters that change what YAML means, for mutating valid documents into doubtful ones.
significant = st.sampled_from([*":-?[]{},#&*!|>'\"%@` \n\t~+.0_", "\r", "\ufeff", "..."])


# Derandomized: the suite must pass or fail the same way on every run; a wider random search
# (thousands of examples, new seeds) is run by hand when the rules of rapidyaml.py change.
@settings(max_examples=400, derandomize=True)
@given(
    values,
    st.booleans(),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 2), significant), max_size=4),
)
def test_rapid_path_never_accepts_what_the_exact_loader_rejects_or_reads_otherwise(
    value: Any, flow: bool, edits: list[tuple[int, int, str]]
) -> None:
    text = dump(value, flow)
    for at, how, char in edits:
        at %= len(text) + 1
        text = text[:at] + char + text[at + (how == 1) :] if how < 2 else text[:at] + text[at + 1 :]
    agree(text)


@settings(max_examples=300)
@given(values, st.booleans())
def test_fast_and_exact_loaders_agree(value: Any, flow: bool) -> None:
    agree(dump(value, flow))


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: {c: [1, 2.5, true, null, ~, 0x1F, 017, 1e3, .inf, 2024-01-01, yes, 'x', \"y\"]}\n",
        "# comment\nitems:\n  - name: Ä\n    note: |\n      two\n      lines\n  - {name: é, n: 2}\n",
        "\ufeffa: [1, {b: 2}]\n",
        "a:\r\n  - b: 1\r\n  - c: 2\r\n",
    ],
)
def test_agree_on_hand_written_documents(text: str) -> None:
    agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "base: &b {x: 1}\nc:\n  <<: *b\n",  # anchors, merge
        "a: !include x.yaml\n",  # unknown tag
        "? [a, b]\n: 1\n",  # complex key
        "a: [1\n",  # syntax error
        "a: !!int x\n",  # a value that does not convert
        "%YAML 1.1\n---\nflag: yes\nn: 017\n",  # resolves differently: the C parser hides the version
        "a: !\n",  # a non-specific tag on an empty value: "" to libyaml, None to ruamel
        "- !<!>\n",
        "a: |1_0\n",  # a block scalar header with more than its indicators: "" to rapidyaml
        "a: [b, ?  ]]\n",  # a stray closer after a complex key: libyaml reads it
    ],
)
def test_fast_path_gives_up_on_what_the_slow_loader_reports(text: str) -> None:
    assert fast_load(text, "f.yaml") is None
    assert rapid_load(text, text.encode(), "f.yaml") is None


@pytest.mark.parametrize(
    "text",
    [
        "r\toot: 1\n",  # a tab inside a plain scalar: libyaml reads it, ruamel's scanner refuses it
        "a: [1]\ufeff\n",  # a byte-order mark past the start
        "{'a':b}\n",  # a quoted key with its value right after the colon
        "a: |-#\n  b\n",  # a comment right after a block scalar header: ruamel refuses it
    ],
)
def test_both_fast_paths_agree_with_the_exact_loader_where_libyaml_is_lenient(text: str) -> None:
    assert fast_load(text, "f.yaml") is None
    agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: @x\n",  # reserved indicators: libyaml rejects, rapidyaml reads a string
        "a: `x\n",
        "a: }\n",  # a stray closer: the same
        "{a: 1, a: 2}\n",  # a duplicate key rapidyaml keeps quietly
        "a: 1\n...\nb: 2\n",  # two documents
        "a: 007\nb: 0o17\nc: 0x1F\nd: 1_000\n",  # integers rapidyaml leaves as text
        "a: [0._0, 1__, -_1, ._1]\n",  # numbers with underscores anywhere: the same
        "{ro #ot: [false]}\n",  # a comment inside a flow collection
        "root:\n  '0: x\n  y': 1\n",  # a quoted key over two lines
        "a: [True, NULL, ~, +1, .inf, -.Inf, .NaN]\n",  # the same for booleans, nulls, floats
        "a: !!str 1\n",  # tags
        "a:\tb\n",  # tabs
        "a: 1\rb: 2\n",  # a line break libyaml counts and rapidyaml does not
        "- 1\n- 2\n",  # not a mapping: the loaders that report it decide
        "{r\noot: 1}\n",  # a multi-line key in a flow mapping
        # The same after a collection closed on the first line (found by an 8,000-example search)
        "{root: {'': [null, 0], 0\nA: null}}\n",
        "{root:, x}\n",  # `root:` as a key (libyaml) or `root` with no value (rapidyaml)
        "- - 'a'  - b\n",  # more after a quoted scalar
        "{:a: 1}\n",  # a plain scalar cannot start with `:`
        "'inf': 1\nnan: 2\n",  # keys rapidyaml rewrites as `.inf`, `.nan`
        "a: [b: 1]\n",  # a single pair in a flow list has no `{` to mark
        "a: -.5e3\n",  # a string to the exact loader (a leading dot wants a signed exponent), a float here
    ],
)
def test_rapid_path_gives_up_where_rapidyaml_reads_yaml_otherwise(text: str) -> None:
    assert rapid_load(text, text.encode(), "f.yaml") is None


def test_rapid_path_marks_each_top_level_item_like_the_exact_loader() -> None:
    text = (
        "# c\nproducts:\n  - sku: A\n    name: Ä é\n  - {sku: B}\n  -   'sku': C\n"
        '  - "sku": D\nbrands: [{name: x}, {name: y}]\n'
    )
    found = rapid_load(text, text.encode(), "f.yaml")
    assert found is not None
    doc, _ = _load_exact(text, "f.yaml")
    assert doc is not None
    data, marks = found
    assert data == doc.data
    assert set(marks) == {(), *((k, i) for k in ("products", "brands") for i in range(len(data[k])))}
    for path, mark in marks.items():
        assert mark == doc.source.values[path], path


def test_fast_path_is_taken_and_positions_are_computed_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("items:\n  - name: a\n    n: 1\n  - name: b\n    n: 2\n", encoding="utf-8")
    doc, problems = load_yaml(path, "f.yaml")
    assert problems == [] and doc is not None
    # An item's start is known from the fast parse; a scalar's position needs the exact one.
    assert doc.source.value(("items", 1)) == Location("f.yaml", 4, 5)
    assert doc.source._exact is not None
    assert doc.source.value(("items", 1, "n")) == Location("f.yaml", 5, 8)
    assert doc.source.key(("items", 1, "n")) == Location("f.yaml", 5, 5)
    assert doc.source._exact is None


def big_catalog(project: ProjectDir, count: int) -> list[str]:
    """A products file of `count` products, 6 lines each; returns its lines."""
    project.write("storeconf.yaml", "version: 1\ninclude: [catalog/*.yaml]\n")
    lines = ["products:"]
    for i in range(count):
        lines += [
            f"  - sku: SKU-{i:05d}",
            f"    name: Product {i:05d}",
            "    type: physical",
            f"    price: {10 + i % 7}",
            "    weight: 1.5",
            "    custom_fields: {origin: PT}",
        ]
    return lines


def test_errors_deep_in_a_large_file_carry_exact_positions(project: ProjectDir) -> None:
    lines = big_catalog(project, 3000)
    lines[1 + 6 * 2500 + 3] = "    price: cheap"  # product 2500's price
    lines[1 + 6 * 2999 + 5] = "    custom_feilds: {origin: PT}"  # product 2999's custom fields
    project.write("catalog/products.yaml", "\n".join(lines) + "\n")
    assert project.errors() == [
        f"catalog/products.yaml:{2 + 6 * 2500 + 3}:12: products[2500].price: "
        "Input should be a valid number, unable to parse string as a number (got 'cheap')",
        f"catalog/products.yaml:{2 + 6 * 2999 + 5}:5: products[2999]: "
        "unknown field 'custom_feilds' (did you mean 'custom_fields'?)",
    ]


def test_a_duplicate_key_in_a_large_file_is_found_with_both_positions(project: ProjectDir) -> None:
    lines = big_catalog(project, 2000)
    lines.insert(1 + 6 * 1500 + 2, "    name: Again")
    project.write("catalog/products.yaml", "\n".join(lines) + "\n")
    assert project.errors() == [
        f"catalog/products.yaml:{2 + 6 * 1500 + 2}:5: products[1500]: "
        f"duplicate key 'name' (first at line {2 + 6 * 1500 + 1}, column 5)",
    ]


def test_item_and_field_locations_of_a_large_file(project: ProjectDir) -> None:
    project.write("catalog/products.yaml", "\n".join(big_catalog(project, 2000)) + "\n")
    (item,) = [p for p in project.load().desired.objects["products"].values() if p.key == "SKU-01234"]
    assert item.location == Location("catalog/products.yaml", 2 + 6 * 1234, 5)
    assert item.field_locations["price"] == Location("catalog/products.yaml", 2 + 6 * 1234 + 3, 12)
    assert item.field_locations["custom_fields"] == Location("catalog/products.yaml", 2 + 6 * 1234 + 5, 20)
