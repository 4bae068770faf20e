"""Point 6: bad input never crashes.

The loader gets random YAML and random mutations of the example files: every outcome is a
valid configuration or `ConfigError` whose every problem points at FILE:LINE:COL, never
another exception. The sandbox gets malformed JSON, wrong types, unknown fields and
oversized batches on its write endpoints: a 4xx in the spec's shape, never a 500.

Each loader example changes one file of the example project (a project file included) in one
of three ways: syntax-level edits of its bytes (deleted, inserted or non-UTF-8 bytes, lines
dropped, duplicated, swapped or re-indented, tabs, anchors and aliases, merge keys, huge or odd
numbers, nesting hundreds of levels deep), structural edits of its data (wrong types, unknown
fields, missing keys, duplicated items), or a random document. The whole project is then
loaded, so references across files are checked as in a real run; the files an example did not
change come from a cache of their first load (their bytes are compared, their data is copied),
which makes an example cost one file's load plus the checks, not a dozen files' parses.
A few examples run the real `storeconf -C DIR validate` in a subprocess: exit 0, or exit 1
with located errors and no traceback.

CI runs a few hundred loader and sandbox examples and three CLI ones, the same ones every run
(tests/conftest.py; `STORECONF_RANDOM=1` draws new ones);
`STORECONF_SLOW=1 pytest -m slow -s tests/reliability/test_fuzz.py` runs 10,000 of each and
prints the loader's outcomes (`STORECONF_FUZZ_EXAMPLES` overrides every count).
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storeconf.config.loader as loader_module
from storeconf.config import load_project
from storeconf.config.yaml import Document, load_yaml
from storeconf.errors import ConfigError, Problem
from storeconf.kinds import REGISTRY
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from tests import conformance
from tests.conftest import EXAMPLES, copy_example

_COUNT = os.environ.get("STORECONF_FUZZ_EXAMPLES")
# A loader example costs tens of milliseconds (a whole-project load, unchanged files cached).
LOADER_EXAMPLES = int(_COUNT or "300")
CI_EXAMPLES = int(_COUNT or "150")
SLOW_EXAMPLES = int(_COUNT or "10000")
# The real CLI in a subprocess costs about a second per example (the interpreter starts).
CLI_EXAMPLES = int(_COUNT or "3")
SLOW_CLI_EXAMPLES = int(_COUNT or "100")
LOCATED = re.compile(r"^[^\n:]+:\d+:\d+: ")
# Every file the example project loads: the project file and what its globs include.
FILES = [p.relative_to(EXAMPLES).as_posix() for p in load_project(EXAMPLES, "local", environ={}).files]
slow = pytest.mark.skipif(not os.environ.get("STORECONF_SLOW"), reason="set STORECONF_SLOW=1 (a long run)")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["${env:NOPE}", "${var.hooks}", "$${x", "${", "*", "&a", "!!binary x"]),
)
keys = st.one_of(
    st.text(max_size=12), st.sampled_from(["name", "sku", "path", "children", "scope", "variants", "options"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(st.sampled_from([*REGISTRY.names(), "junk"]), values, max_size=3)

# Scalars as YAML text: huge and odd numbers, special floats, tags, interpolation, quoting.
odd_scalars = st.one_of(
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 2000).map(lambda n: "0x" + "f" * n),
    st.sampled_from(
        [
            "1e999",
            "-1e999",
            ".nan",
            ".inf",
            "-.Inf",
            "0o777",
            "0b101",
            "1_000",
            "+12",
            "-0",
            "0.",
            "1:20",
            "2024-02-30",
            "~",
            "null",
            "yes",
            "NO",
            "on",
            "''",
            '""',
            "'unterminated",
            '"\\x00\\uD800"',
            "!!int x",
            "!!float",
            "!!str 1",
            "!!binary aGk=",
            "!!set {a}",
            "!!omap [a: 1]",
            "!custom x",
            "!<tag:x> y",
            "${env:NOPE}",
            "${var.nope}",
            "${",
            "$${x}",
            "|",
            ">-",
            "[",
            "{",
            "@x",
            "`x",
            "%x",
            "&",
            "*",
            "? x",
            "- - -",
            "a: b: c",
            "x #y",
            "\t",
            "\u2028",
            "\ufeff",
        ]
    ),
)
# Bytes that are not UTF-8, or characters YAML forbids.
odd_bytes = st.one_of(
    st.binary(min_size=1, max_size=4),
    st.sampled_from(
        [
            b"\xff",
            b"\xfe",
            b"\xc3",
            b"\xe2\x82",
            b"\xed\xa0\x80",
            b"\xc0\xaf",
            b"\x00",
            b"\x1b",
            b"\x7f",
            b"\x85",
            b"\xef\xbb\xbf",
            b"\r",
            b"\r\n",
            b"\t",
            b"\x0c",
        ]
    ),
)


def nested(depth: int, style: str, indent: int = 0) -> str:
    """A value nested `depth` levels deep, flow or block style (block lines indented past `indent`)."""
    if style == "flow-list":
        return "[" * depth + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    if style == "block-list":
        return "\n" + "".join(" " * (indent + i + 1) + "-\n" for i in range(depth))
    return "\n" + "".join(" " * (indent + i + 1) + f"k{i}:\n" for i in range(depth))


def mutate_lines(text: str, data: st.DataObject) -> str:
    """Delete, duplicate (a duplicate key), swap, re-indent or splice lines and characters."""
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(
            st.sampled_from(
                ["drop", "dup", "indent", "dedent", "tab", "chars", "swap", "anchor", "value", "deep"]
            )
        )
        line = lines[i]
        if how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, line)
        elif how == "indent":
            lines[i] = " " * data.draw(st.integers(1, 5)) + line
        elif how == "dedent":
            lines[i] = line.lstrip(" ")
        elif how == "tab":
            at = data.draw(st.integers(0, len(line) - len(line.lstrip(" "))))
            lines[i] = line[:at] + "\t" * data.draw(st.integers(1, 2)) + line[at:]
        elif how == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], line
        elif how == "anchor":
            # An anchor on one value, an alias (or a merge key) somewhere else.
            name = data.draw(st.sampled_from(["a", "b", "x"]))
            lines[i] = re.sub(r"(:|-)( |$)", rf"\1 &{name}\2", line, count=1)
            j = data.draw(st.integers(0, len(lines) - 1))
            target = lines[j]
            indent = target[: len(target) - len(target.lstrip(" "))]
            alias = data.draw(
                st.sampled_from([f"{indent}<<: *{name}\n", f"{indent}- *{name}\n", f"{indent}k: *{name}\n"])
            )
            if data.draw(st.booleans()):
                lines.insert(j, alias)
            else:
                lines[j] = re.sub(r"(:|-) .*$", rf"\1 *{name}", target, count=1)
        elif how == "value":
            lines[i] = re.sub(r"(:|-) .*$", lambda m: f"{m.group(1)} {data.draw(odd_scalars)}", line, count=1)
        elif how == "deep":
            depth = data.draw(st.one_of(st.integers(1, 120), st.integers(120, 3000)))
            style = data.draw(st.sampled_from(["flow-list", "flow-map", "block-list", "block-map"]))
            head = re.match(r"[^:]*?(:|- )", line)
            if head is not None:
                lines[i] = (
                    f"{line[: head.end()].rstrip(' ')} {nested(depth, style, head.end())}".rstrip("\n") + "\n"
                )
        else:
            at = data.draw(st.integers(0, len(line)))
            junk = data.draw(st.text(alphabet=":-[]{}#&*!|>'\"%@`,?\t\\ab1 \n", max_size=4))
            lines[i] = line[:at] + junk + line[at + data.draw(st.integers(0, 3)) :]
    return "".join(lines)


def mutate_bytes(raw: bytes, data: st.DataObject) -> bytes:
    """Delete, insert or overwrite bytes: invalid UTF-8, NUL, control characters, a BOM, CRs."""
    out = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(out)))
        how = data.draw(st.sampled_from(["delete", "insert", "overwrite"]))
        if how == "delete":
            del out[at : at + data.draw(st.integers(1, 40))]
        elif how == "insert":
            out[at:at] = data.draw(odd_bytes)
        else:
            new = data.draw(odd_bytes)
            out[at : at + len(new)] = new
    return bytes(out)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


# PyYAML's C loader and dumper when it has them (the products files are big for the pure-Python ones).
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YamlDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def mutate_structure(text: str, data: st.DataObject) -> str:
    """Edit the data: wrong types, unknown fields, missing keys, duplicated items, then dump it."""
    doc: Any = yaml.load(text, Loader=_YamlLoader)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(doc))))
        if not path:
            doc = data.draw(st.sampled_from([doc, [doc], None, "text", 1]))
            continue
        *up, last = path
        parent = doc
        for step in up:
            parent = parent[step]
        current = parent[last]
        how = data.draw(st.sampled_from(["replace", "retype", "delete", "unknown", "dup", "empty"]))
        if how == "replace":
            parent[last] = data.draw(values)
        elif how == "retype":
            parent[last] = (
                [current]
                if not isinstance(current, list)
                else data.draw(st.sampled_from([{"x": current}, str(current), len(current), None]))
            )
        elif how == "delete":
            del parent[last]
        elif how == "unknown" and isinstance(current, dict):
            current[data.draw(keys)] = data.draw(values)
        elif how == "dup" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(current))  # a duplicate key (sku, name, path)
        elif how == "empty":
            parent[last] = data.draw(st.sampled_from([{}, [], "", None]))
    return yaml.dump(doc, Dumper=_YamlDumper, allow_unicode=True, sort_keys=False)


def mutation(originals: dict[str, bytes], data: st.DataObject) -> tuple[str, str, bytes]:
    """Which file of the project changes, how, and its new bytes."""
    name = data.draw(st.sampled_from(FILES))
    raw = originals[name]
    how = data.draw(st.sampled_from(["lines", "bytes", "structure", "random"]))
    if how == "lines":
        return name, how, mutate_lines(raw.decode(), data).encode()
    if how == "bytes":
        return name, how, mutate_bytes(raw, data)
    if how == "structure":
        return name, how, mutate_structure(raw.decode(), data).encode()
    return name, how, yaml.safe_dump(data.draw(documents), allow_unicode=True).encode()


def yaml_lines(raw: bytes) -> int:
    """Lines as YAML counts them, and so positions do: a lone CR breaks a line too (as in
    most editors), not only LF and CRLF."""
    return len(re.split(rb"\r\n|\r|\n", raw))


def test_a_lone_cr_is_a_line_break_in_positions(tmp_path: Path) -> None:
    """Found by the CI-size fuzz: a space after `page_title:` overwritten by a CR. YAML (and
    an editor) sees the value on a line of its own, a key without `:`, and the error is on
    the line after it: line 23 of a file that holds 21 LFs."""
    project = copy_example(tmp_path / "shop")
    brands = project / "catalog" / "brands.yaml"
    raw = brands.read_bytes()
    at = raw.rindex(b"page_title: Alder") + len(b"page_title:")
    brands.write_bytes(raw[:at] + b"\r" + raw[at + 1 :])
    with pytest.raises(ConfigError) as caught:
        load_project(project)
    (problem,) = [p for p in caught.value.problems if p.location and p.location.file == "catalog/brands.yaml"]
    assert problem.location is not None and (problem.location.line, problem.location.column) == (23, 1)
    assert raw.count(b"\n") == 21 and yaml_lines(brands.read_bytes()) == 23


def check_problems(project: Path, problems: tuple[Problem, ...]) -> None:
    """Every problem points at a line and column of a file of the project (or names a place)."""
    assert problems, "a ConfigError without a problem"
    for p in problems:
        if p.location is None:
            assert LOCATED.match(str(p)), f"unlocated: {p}"
            continue
        where = project / p.location.file
        assert where.is_file(), f"{p}: no such file"
        lines = yaml_lines(where.read_bytes())
        assert 1 <= p.location.line <= lines and p.location.column >= 1, f"{p}: outside the file"


def check_outcome(project: Path) -> str:
    """'valid' or 'error' (located problems); any other exception fails the example."""
    try:
        desired = load_project(project, "local", environ={}).desired
        for name in desired.managed_kinds():
            REGISTRY[name].check_references(desired, None)
    except ConfigError as exc:
        check_problems(project, exc.problems)
        return "error"
    return "valid"


@contextmanager
def cached_loads(project: Path, originals: dict[str, bytes]) -> Iterator[None]:
    """The loader reads a file whose bytes are unchanged from a cache of its first load.

    The Document's data is copied (nothing downstream may see another example's edits); its
    SourceMap is shared, so the exact positions of an unchanged file are parsed once per run.
    A changed file, and any path the project did not start with, is loaded for real.
    """
    cache: dict[str, tuple[Document | None, list[Problem]]] = {}

    def load(path: Path, display: str) -> tuple[Document | None, list[Problem]]:
        original = originals.get(display)
        if (
            original is None
            or path != project / display
            or not path.is_file()
            or path.read_bytes() != original
        ):
            return load_yaml(path, display)
        if display not in cache:
            cache[display] = load_yaml(path, display)
        doc, problems = cache[display]
        copied = Document(doc.file, copy.deepcopy(doc.data), doc.source) if doc is not None else None
        return copied, list(problems)

    with mock.patch.object(loader_module, "load_yaml", load):
        yield


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def fresh_project(workdir: Path) -> tuple[Path, dict[str, bytes]]:
    project = workdir / "shop"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(EXAMPLES, project, ignore=shutil.ignore_patterns(".storeconf"))
    return project.resolve(), {name: (project / name).read_bytes() for name in FILES}


def run_loader_fuzz(workdir: Path, examples: int) -> Counter[str]:
    project, originals = fresh_project(workdir)
    outcomes: Counter[str] = Counter()

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        name, how, raw = mutation(originals, data)
        (project / name).write_bytes(raw)
        try:
            outcome = check_outcome(project)
        finally:
            (project / name).write_bytes(originals[name])
        outcomes[outcome] += 1
        outcomes[f"{how}: {outcome}"] += 1

    with cached_loads(project, originals):
        assert check_outcome(project) == "valid"  # the cache serves the example as it is
        started = time.monotonic()
        fuzz()
    seconds = time.monotonic() - started
    total = outcomes["valid"] + outcomes["error"]
    print(f"\nloader fuzz: {total} runs in {seconds:.0f} s: {dict(sorted(outcomes.items()))}")
    return outcomes


def test_loader_fuzz(workdir: Path) -> None:
    run_loader_fuzz(workdir, LOADER_EXAMPLES)


@pytest.mark.slow
@slow
def test_loader_fuzz_long(workdir: Path) -> None:
    outcomes = run_loader_fuzz(workdir, SLOW_EXAMPLES)
    assert outcomes["valid"] and outcomes["error"]  # both kinds of outcome were reached


def storeconf_command() -> list[str]:
    beside = Path(sys.executable).parent / "storeconf"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "storeconf"]


def run_cli_fuzz(workdir: Path, examples: int) -> None:
    """The real CLI: `validate` exits 0, or 1 with the loader's located problems; never a traceback."""
    project, originals = fresh_project(workdir)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "STORECONF_"))}
    environ |= {"NO_COLOR": "1", "COLUMNS": "1000"}
    outcomes: Counter[str] = Counter()

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        name, _, raw = mutation(originals, data)
        (project / name).write_bytes(raw)
        try:
            expected = check_outcome(project)
            done = subprocess.run(
                [*storeconf_command(), "-C", str(project), "validate"],
                capture_output=True,
                text=True,
                env=environ,
                timeout=300,
                check=False,
            )
        finally:
            (project / name).write_bytes(originals[name])
        assert "Traceback" not in done.stderr + done.stdout, done.stderr
        outcomes[f"exit {done.returncode}"] += 1
        if expected == "valid":
            assert done.returncode == 0, done.stderr
            assert "Configuration is valid" in done.stdout
            return
        assert done.returncode == 1, (done.returncode, done.stderr)
        first, *_, summary = done.stderr.strip().splitlines()
        assert LOCATED.match(first), done.stderr
        assert summary.endswith("configuration error(s); nothing was sent to the store."), done.stderr

    fuzz()
    print(f"\nCLI fuzz: {dict(sorted(outcomes.items()))}")


def test_cli_fuzz(workdir: Path) -> None:
    run_cli_fuzz(workdir, CLI_EXAMPLES)


@pytest.mark.slow
@slow
def test_cli_fuzz_long(workdir: Path) -> None:
    run_cli_fuzz(workdir, SLOW_CLI_EXAMPLES)


WRITES = [
    ("POST", "/v3/catalog/brands"),
    ("PUT", "/v3/catalog/products"),
    ("POST", "/v3/catalog/products"),
    ("PUT", "/v3/catalog/variants"),
    ("POST", "/v3/catalog/trees/categories"),
    ("PUT", "/v3/catalog/trees/categories"),
    ("POST", "/v3/content/scripts"),
    ("POST", "/v3/hooks"),
    ("PUT", "/v3/catalog/products/channel-assignments"),
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "sku",
                    "price",
                    "type",
                    "x",
                    "parent_id",
                    "tree_id",
                    "product_id",
                    "channel_id",
                    "scope",
                    "destination",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=10,
)
bodies = st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=30),
    st.integers(11, 60).map(lambda n: json.dumps([{"id": i, "name": f"n{i}"} for i in range(n)]).encode()),
)


def run_sandbox_fuzz(examples: int) -> None:
    app = create_app(SandboxConfig(tokens={"t": TokenGrant(client_id="fuzz")}, enforce_rate_limit=False))
    collector = conformance.ConformanceCollector()
    transport = conformance.ValidatingTransport(httpx.ASGITransport(app=app), collector=collector)
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=transport, base_url="https://x")
    try:

        @settings(
            max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(endpoint=st.sampled_from(WRITES), body=bodies)
        def fuzz(endpoint: tuple[str, str], body: bytes) -> None:
            method, path = endpoint
            headers = {"X-Auth-Token": "t", "Content-Type": "application/json", "Accept": "application/json"}
            call = client.request(method, f"/stores/sandbox{path}", content=body, headers=headers)
            response: Any = loop.run_until_complete(call)
            assert response.status_code < 500, (method, path, body, response.text)
            broken = [f for f in transport.failures if conformance.breaks_the_spec(f)]
            assert not broken, broken

        fuzz()
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
        app.state.sandbox.close()
        conformance.SANDBOX_RESPONSE_FAILURES.clear()  # asserted above, per example


def test_sandbox_fuzz() -> None:
    run_sandbox_fuzz(CI_EXAMPLES)


@pytest.mark.slow
@slow
def test_sandbox_fuzz_long() -> None:
    run_sandbox_fuzz(SLOW_EXAMPLES)
