"""Spec conformance for the test suite: every request/response pair against the official specs.

Wrap any async transport (`httpx.MockTransport`, `httpx.ASGITransport` around the
sandbox, ...) in `ValidatingTransport`. Each pair is matched to an operation of the
BigCommerce OpenAPI specs and validated with openapi-core. Failures are collected, not
raised, so one bad response does not hide the rest of a test; tests assert on
`transport.failures` and the session summary reports the totals (`conformance_plugin`).

The specs are read where they are (`STORECONF_SPECS_DIR`, default
`<repo>/../shared/reference/specs`) and never copied into the project: they carry no
license. Known spec defects are patched out at load time by `ALLOW_LIST`
(`tests/spec_defects.py`), one entry per defect, each saying why.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.configurations import Config
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

# `ALLOW_LIST` is re-exported: tests import it from here.
from tests.spec_defects import ALLOW_LIST as ALLOW_LIST
from tests.spec_defects import Patch, Spec, operations

SPECS_ENV = "STORECONF_SPECS_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPECS_DIR = REPO_ROOT.parent / "shared" / "reference" / "specs"
# Every spec names this server; requests are re-addressed to it whatever host the test used.
SPEC_HOST = "https://api.bigcommerce.com"
_API_PATH = re.compile(r"/stores/(?P<hash>[^/]+)/(?P<version>v[23])(?P<rest>/[^?]*)?$")


def specs_dir() -> Path:
    """Where the specs are read from: `$STORECONF_SPECS_DIR` (a relative path is taken from
    the repo root, as CI sets `../shared/reference/specs`), else next to the repo."""
    configured = os.environ.get(SPECS_ENV)
    return (REPO_ROOT / configured).resolve() if configured else DEFAULT_SPECS_DIR.resolve()


def spec_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yml")) + sorted((directory / "catalog").glob("*.yml"))


def specs_available() -> bool:
    directory = specs_dir()
    return directory.is_dir() and bool(spec_files(directory))


def specs_configured_but_missing() -> str | None:
    """The reason to fail the run when `$STORECONF_SPECS_DIR` is set but holds no specs:
    passing the traffic through unchecked would make every conformance check pass."""
    if os.environ.get(SPECS_ENV) and not specs_available():
        return f"{SPECS_ENV} is set but {specs_dir()} holds no *.yml specs"
    return None


def skip_reason() -> str:
    return (
        f"BigCommerce OpenAPI specs not found in {specs_dir()} "
        f"(set {SPECS_ENV} to the directory holding the *.yml specs)"
    )


# ---------------------------------------------------------------------------------------
# Loading and operation lookup
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    spec_name: str
    app: OpenAPI
    method: str
    template: str
    pattern: re.Pattern[str]
    variables: int


@dataclass
class SpecIndex:
    """All specs, parsed once, with a lookup from (version, method, path) to an operation."""

    directory: Path
    load_seconds: float
    operations: dict[str, list[Operation]] = field(default_factory=dict)

    def find(self, version: str, method: str, rest: str) -> tuple[Operation | None, bool]:
        """The most concrete operation for the request, and whether the path exists at all."""
        candidates = [op for op in self.operations.get(version, []) if op.pattern.fullmatch(rest)]
        matching = sorted((op for op in candidates if op.method == method), key=lambda op: op.variables)
        return (matching[0] if matching else None), bool(candidates)


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def _server_version(spec: Spec) -> str:
    url = str(spec.get("servers", [{}])[0].get("url", ""))
    return "v2" if url.rstrip("/").endswith("/v2") else "v3"


def _index_spec(name: str, spec: Spec, index: SpecIndex) -> None:
    app = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
    ops = index.operations.setdefault(_server_version(spec), [])
    for template, method, _operation in operations(spec):
        variables = template.count("{")
        ops.append(Operation(name, app, method, template, _template_regex(template), variables))


@functools.cache
def load_specs(directory: Path, patches: tuple[Patch, ...] = ALLOW_LIST) -> SpecIndex:
    """Parse, patch and index every spec under `directory`. Cached: the files are ~1.5 MB.

    `patches=()` gives the specs as published (the tests use it to show each allow-list
    entry is needed)."""
    started = time.perf_counter()
    index = SpecIndex(directory=directory, load_seconds=0.0)
    for path in spec_files(directory):
        name = path.relative_to(directory).as_posix()
        with path.open("rb") as handle:
            spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for patch in patches:
            patch(name, spec)
        _index_spec(name, spec, index)
    index.load_seconds = time.perf_counter() - started
    return index


# ---------------------------------------------------------------------------------------
# Validation of one pair
# ---------------------------------------------------------------------------------------


class _OpenAPIRequest:
    """An httpx request as openapi-core sees it, re-addressed to the spec's server URL."""

    def __init__(self, request: httpx.Request, api_path: str) -> None:
        self.host_url = SPEC_HOST
        self.path = api_path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())),
        )


class _OpenAPIResponse:
    def __init__(self, status: int, headers: httpx.Headers, body: bytes) -> None:
        self.status_code = status
        self.headers = Headers(list(headers.items()))
        self.content_type = headers.get("content-type", "")
        self.data: bytes | None = body


def describe(error: Exception) -> str:
    """A one-line reason from an openapi-core error, with JSON paths of schema errors."""
    details = getattr(error, "details", None)
    schema_errors = details.get("schema_errors") if isinstance(details, dict) else None
    if schema_errors:
        parts = []
        for item in schema_errors[:5]:
            where = "/".join(str(p) for p in item.get("path", [])) or "<root>"
            parts.append(f"{where}: {item.get('message')}")
        more = f" (+{len(schema_errors) - 5} more)" if len(schema_errors) > 5 else ""
        return f"{type(error).__name__}: " + "; ".join(parts) + more
    cause = f" ({error.__cause__})" if error.__cause__ is not None else ""
    return f"{type(error).__name__}: {error}{cause}"[:500]


@dataclass
class PairResult:
    """The outcome of checking one request/response pair."""

    label: str
    status: int
    operation: Operation | None
    request_errors: list[str] = field(default_factory=list)
    response_errors: list[str] = field(default_factory=list)
    unmatched_reason: str | None = None


def check_pair(
    index: SpecIndex, request: httpx.Request, status: int, headers: httpx.Headers, body: bytes
) -> PairResult:
    """Validate one exchange. `body` is the decoded response body."""
    label = f"{request.method} {request.url.path}"
    if request.url.query:
        label += "?" + request.url.query.decode()
    label += f" -> {status}"
    match = _API_PATH.search(request.url.path)
    if match is None:
        return PairResult(label, status, None, unmatched_reason="not a /stores/{hash}/v2|v3 API path")
    version, rest = match["version"], match["rest"] or "/"
    operation, path_known = index.find(version, request.method.lower(), rest)
    if operation is None:
        reason = "method not documented for this path" if path_known else "path in no spec"
        return PairResult(label, status, None, unmatched_reason=reason)
    api_path = f"/stores/{match['hash']}/{version}{rest}"
    oa_request = _OpenAPIRequest(request, api_path)
    result = PairResult(label, status, operation)
    try:
        result.request_errors = [describe(e) for e in operation.app.iter_request_errors(oa_request)]
    except UnicodeDecodeError:  # openapi-core cannot read a body that is not UTF-8 at all
        result.request_errors = ["request body is not UTF-8"]
    oa_response = _OpenAPIResponse(status, headers, body)
    result.response_errors = [
        describe(e) for e in operation.app.iter_response_errors(oa_request, oa_response)
    ]
    if status == 204 and body:
        result.response_errors.append("204 must have an empty body (KNOWN_DEFECTS.md #3)")
    return result


# ---------------------------------------------------------------------------------------
# Collecting results
# ---------------------------------------------------------------------------------------


@dataclass
class ConformanceCollector:
    """Totals for a test session (or one transport). Failures are readable one-liners."""

    pairs_validated: int = 0
    failures: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    rejected_invalid_requests: int = 0
    skipped_reason: str | None = None

    def record(self, result: PairResult, *, strict_requests: bool) -> list[str]:
        """Add one pair; returns the failures it produced."""
        if result.operation is None:
            self.unmatched.append(f"{result.label}: {result.unmatched_reason}")
            return []
        self.pairs_validated += 1
        where = f"{result.label} [{result.operation.spec_name} {result.operation.template}]"
        new = [f"{where}: response: {e}" for e in result.response_errors]
        if result.request_errors and 400 <= result.status < 500 and not strict_requests:
            # The server rejected a request that breaks the spec, which is what it should
            # do: negative tests send such requests on purpose.
            self.rejected_invalid_requests += 1
        else:
            new = [f"{where}: request: {e}" for e in result.request_errors] + new
        self.failures.extend(new)
        return new

    def summary(self) -> str:
        if self.skipped_reason and not self.pairs_validated:
            return f"spec conformance: skipped ({self.skipped_reason})"
        return (
            f"spec conformance: {self.pairs_validated} request/response pairs validated, "
            f"{len(self.failures)} failures, {len(self.unmatched)} unmatched"
        )

    def reset(self) -> None:
        self.pairs_validated = 0
        self.failures.clear()
        self.unmatched.clear()
        self.rejected_invalid_requests = 0


COLLECTOR = ConformanceCollector()
"""Session-wide totals; `conformance_plugin` prints them at the end of the run."""

SANDBOX_RESPONSE_FAILURES: list[str] = []
"""Every sandbox answer that broke the specs, whatever collector its transport used;
`conformance_plugin` fails the test during which one was added."""


_UNDOCUMENTED_ERROR = re.compile(r" -> 4\d\d \[[^\]]*\]: response: ResponseNotFound:")


def breaks_the_spec(failure: str) -> bool:
    """A response failure that is the sandbox's fault. An error status the operation does not
    document (413 for a large `limit`, 404 for an unknown id) is the real API's platform-wide
    behaviour with no schema to break (`tests.sandbox.sandbox_support.tolerated`)."""
    return ": response: " in failure and not _UNDOCUMENTED_ERROR.search(failure)


def _from_sandbox(transport: httpx.AsyncBaseTransport) -> bool:
    """Whether the innermost transport is the sandbox app in-process (not a fake or a store)."""
    seen = 0
    while hasattr(transport, "inner") and seen < 20:
        transport, seen = transport.inner, seen + 1
    return isinstance(transport, httpx.ASGITransport)


class ValidatingTransport(httpx.AsyncBaseTransport):
    """Passes every exchange through to `inner` and validates it against the specs.

    Own totals are on the instance (`pairs_validated`, `failures`, `unmatched`) for
    per-test assertions; they are also added to `collector` (the session totals).

    Request errors on pairs the server answered with a 4xx are not failures unless
    `strict_requests` (see `ConformanceCollector.record`). When the specs are not
    available the transport only passes exchanges through; use `specs_available()` to
    skip tests that need the check.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        collector: ConformanceCollector | None = None,
        specs: Path | SpecIndex | None = None,
        strict_requests: bool = False,
    ) -> None:
        self.inner = inner
        self.collector = COLLECTOR if collector is None else collector
        self.strict_requests = strict_requests
        self.own = ConformanceCollector()
        self.index = self._load(specs)
        # Only a check against the specs as the suite patches them blames the sandbox: a test
        # that swaps in specs without an allow-list entry provokes the finding on purpose.
        self._default_index = self.index if specs is None else None

    def _load(self, specs: Path | SpecIndex | None) -> SpecIndex | None:
        if isinstance(specs, SpecIndex):
            return specs
        directory = specs if specs is not None else specs_dir()
        if directory.is_dir() and spec_files(directory):
            return load_specs(directory.resolve())
        if specs is None and (missing := specs_configured_but_missing()):
            raise RuntimeError(missing)
        self.collector.skipped_reason = self.own.skipped_reason = skip_reason()
        return None

    @property
    def pairs_validated(self) -> int:
        return self.own.pairs_validated

    @property
    def failures(self) -> list[str]:
        return self.own.failures

    @property
    def unmatched(self) -> list[str]:
        return self.own.unmatched

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self.inner.handle_async_request(request)
        # Reading caches the decoded body on the response, so the client reads it again
        # from memory (as with MockTransport, whose responses come pre-read).
        await response.aread()
        if self.index is not None:
            result = check_pair(self.index, request, response.status_code, response.headers, response.content)
            self.own.record(result, strict_requests=self.strict_requests)
            new = self.collector.record(result, strict_requests=self.strict_requests)
            if self.index is self._default_index and _from_sandbox(self.inner):
                SANDBOX_RESPONSE_FAILURES.extend(f for f in new if breaks_the_spec(f))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def failures_text(failures: Iterable[str]) -> str:
    """Failures as an assertion message, one per line."""
    return "\n".join(failures)
