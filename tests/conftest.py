"""Shared fixtures: example projects on an embedded sandbox, and the CLI run in-process
with every request and response checked against the official specs.

Hypothesis runs the same examples on every run (`derandomize`) and never times them
(`deadline=None`): the suite is CI's gate, where a failure that depends on the day's
random draw or the machine's load blocks every change alike. Exploring new inputs is
what `STORECONF_RANDOM=1` (or the long runs, `STORECONF_SLOW=1`) is for.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from hypothesis import settings
from rich.console import Console
from typer.testing import CliRunner

from storeconf.cli import Runtime, make_app
from tests.conformance import ConformanceCollector, ValidatingTransport

pytest_plugins = ["tests.conformance_plugin"]

settings.register_profile("gate", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
explore = os.environ.get("STORECONF_RANDOM") or os.environ.get("STORECONF_SLOW")
settings.load_profile("explore" if explore else "gate")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Recorder:
    """Wraps every transport the CLI opens: counts requests and checks them against the specs."""

    requests: list[httpx.Request] = field(default_factory=list)
    transports: list[ValidatingTransport] = field(default_factory=list)
    collector: ConformanceCollector | None = None

    def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        validating = ValidatingTransport(_Counting(inner, self.requests), collector=self.collector)
        self.transports.append(validating)
        return validating

    def failures(self) -> list[str]:
        return [f for t in self.transports for f in t.failures]


class _Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, log: list[httpx.Request]) -> None:
        self.inner, self.log = inner, log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Cli:
    """`storeconf` run in-process against a project directory."""

    def __init__(self, directory: Path, recorder: Recorder) -> None:
        self.directory = directory
        self.recorder = recorder

    def __call__(self, *args: str, input: str | None = None) -> Result:
        out, err = io.StringIO(), io.StringIO()
        runtime = Runtime(
            wrap=self.recorder.wrap,
            out=Console(file=out, width=200, no_color=True, highlight=False),
            err=Console(file=err, width=200, no_color=True, highlight=False),
        )
        result = CliRunner().invoke(make_app(runtime), ["-C", str(self.directory), *args], input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, out.getvalue(), err.getvalue())


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    yield rec
    failures = rec.failures()
    assert not failures, "spec conformance failures:\n" + "\n".join(failures)


def copy_example(target: Path) -> Path:
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns(".storeconf"))
    return target


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A fresh copy of examples/ whose local sandbox starts empty."""
    return copy_example(tmp_path / "shop")


@pytest.fixture
def cli(example: Path, recorder: Recorder) -> Cli:
    return Cli(example, recorder)
