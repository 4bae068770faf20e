"""Point 6: bad input never crashes.

The loader gets random YAML and random mutations of the example files: every outcome is a
valid configuration or `ConfigError` whose every problem points at FILE:LINE:COL, never
another exception. The sandbox gets malformed JSON, wrong types, unknown fields and
oversized batches on its write endpoints: a 4xx in the spec's shape, never a 500.

CI runs a few hundred examples; `STORECONF_SLOW=1 pytest -m slow tests/reliability/test_fuzz.py`
runs 10,000 (`STORECONF_FUZZ_EXAMPLES` overrides either count).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storeconf.config import load_project
from storeconf.errors import ConfigError
from storeconf.kinds import REGISTRY
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from tests import conformance
from tests.conftest import EXAMPLES

# The loader reads the whole example project per example (about a second on a busy machine).
LOADER_EXAMPLES = int(os.environ.get("STORECONF_FUZZ_EXAMPLES", "25"))
CI_EXAMPLES = int(os.environ.get("STORECONF_FUZZ_EXAMPLES", "150"))
SLOW_EXAMPLES = int(os.environ.get("STORECONF_FUZZ_EXAMPLES", "10000"))
LOCATED = re.compile(r"^[^\n:]+:\d+:\d+: ")
FILES = sorted(
    p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.yaml") if ".storeconf" not in p.parts
)
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


def mutate(text: str, data: st.DataObject) -> str:
    """Delete, duplicate, re-indent or splice random characters and lines."""
    lines = text.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["drop", "dup", "indent", "dedent", "chars", "swap"]))
        if how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "indent":
            lines[i] = " " * data.draw(st.integers(1, 5)) + lines[i]
        elif how == "dedent":
            lines[i] = lines[i].lstrip(" ")
        elif how == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            at = data.draw(st.integers(0, len(lines[i])))
            junk = data.draw(st.text(alphabet=":-[]{}#&*!|>'\"%@`,?\t\\ab1 ", max_size=4))
            lines[i] = lines[i][:at] + junk + lines[i][at + data.draw(st.integers(0, 3)) :]
    return "".join(lines)


def check_outcome(project: Path) -> None:
    try:
        desired = load_project(project, "local", environ={}).desired
        for name in desired.managed_kinds():
            REGISTRY[name].check_references(desired, None)
    except ConfigError as exc:
        unlocated = [str(p) for p in exc.problems if p.location is None and not LOCATED.match(str(p))]
        assert not unlocated, unlocated


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def run_loader_fuzz(workdir: Path, examples: int) -> None:
    project = workdir / "shop"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(EXAMPLES, project, ignore=shutil.ignore_patterns(".storeconf"))
    originals = {name: (project / name).read_text() for name in FILES}

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(FILES))
        if data.draw(st.booleans()):
            text = mutate(originals[name], data)
        else:
            text = yaml.safe_dump(data.draw(documents), allow_unicode=True)
        (project / name).write_text(text)
        try:
            check_outcome(project)
        finally:
            (project / name).write_text(originals[name])

    fuzz()


def test_loader_fuzz(workdir: Path) -> None:
    run_loader_fuzz(workdir, LOADER_EXAMPLES)


@pytest.mark.slow
@slow
def test_loader_fuzz_long(workdir: Path) -> None:
    run_loader_fuzz(workdir, SLOW_EXAMPLES)


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
