"""Spec conformance for the test suite: every request/response pair against the official specs.

Wrap any async transport (`httpx.MockTransport`, `httpx.ASGITransport` around the
sandbox, ...) in `ValidatingTransport`. Each pair is matched to an operation of the
BigCommerce OpenAPI specs and validated with openapi-core. Failures are collected, not
raised, so one bad response does not hide the rest of a test; tests assert on
`transport.failures` and the session summary reports the totals (`conformance_plugin`).

The specs are read where they are (`STORECONF_SPECS_DIR`, default
`<repo>/../shared/reference/specs`) and never copied into the project: they carry no
license. Known spec defects are patched out at load time by `ALLOW_LIST` below, one entry
per defect from KNOWN_DEFECTS.md, each saying why.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from openapi_core import OpenAPI
from openapi_core.configurations import Config
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPECS_ENV = "STORECONF_SPECS_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPECS_DIR = REPO_ROOT.parent / "shared" / "reference" / "specs"
# Every spec names this server; requests are re-addressed to it whatever host the test used.
SPEC_HOST = "https://api.bigcommerce.com"
_API_PATH = re.compile(r"/stores/(?P<hash>[^/]+)/(?P<version>v[23])(?P<rest>/[^?]*)?$")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

Spec = dict[str, Any]


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


def skip_reason() -> str:
    return (
        f"BigCommerce OpenAPI specs not found in {specs_dir()} "
        f"(set {SPECS_ENV} to the directory holding the *.yml specs)"
    )


# ---------------------------------------------------------------------------------------
# Allow-list: the known defects of the vendored specs (KNOWN_DEFECTS.md), one per entry.
# Each entry rewrites the parsed spec of one file (name relative to the specs dir) before
# openapi-core sees it, so the validator checks what the real API does.
# ---------------------------------------------------------------------------------------


def _resolve(spec: Spec, node: Any) -> Any:
    """Follow a local `$ref` (`#/components/...`); every ref in these specs is local."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _operations(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def drop_accept_content_type_params(name: str, spec: Spec) -> None:
    """#1 `Accept`/`Content-Type` are declared as required header parameters. OpenAPI says
    header parameters with those names are ignored and the real API does not require them;
    media types are checked through `content` instead."""

    def keep(param: Any) -> bool:
        resolved = _resolve(spec, param)
        is_media = str(resolved.get("name", "")).lower() in ("accept", "content-type")
        return not (resolved.get("in") == "header" and is_media)

    for item in spec.get("paths", {}).values():
        for holder in [item, *(item.get(m) for m in _METHODS)]:
            if isinstance(holder, dict) and "parameters" in holder:
                holder["parameters"] = [p for p in holder["parameters"] if keep(p)]


def any_401(name: str, spec: Spec) -> None:
    """#2 Every endpoint answers 401 to a missing or wrong token, but most operations do
    not document 401, and the catalog specs give it the media type `plain/text` (not a
    media type). Where 401 is documented with JSON (webhooks) it is still validated."""
    for _path, _method, operation in _operations(spec):
        responses = operation.setdefault("responses", {})
        documented = _resolve(spec, responses.get("401", {}))
        if "application/json" not in documented.get("content", {}):
            responses["401"] = {"description": "allow-listed: KNOWN_DEFECTS.md #2"}


def empty_204(name: str, spec: Spec) -> None:
    """#3 Some DELETEs document a 204 with a JSON body. A 204 has no body; the answer is
    empty, so the documented content is dropped (`check_204_empty` flags a 204 that does
    carry a body)."""
    for _path, _method, operation in _operations(spec):
        responses = operation.get("responses", {})
        if "204" in responses:
            documented = _resolve(spec, responses["204"])
            responses["204"] = {"description": documented.get("description", "")}


def image_oneof_as_anyof(name: str, spec: Spec) -> None:
    """#4 Product image responses declare `data` as `oneOf` two overlapping object schemas
    (JSON and multipart variants of the same image), so every valid image matches both and
    `oneOf` always fails. Treat it as `anyOf`."""
    if name != "catalog/products_catalog.v3.yml":
        return
    for node in _walk(spec.get("paths", {})):
        if node.get("title") == "Product Image" and "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")


def tree_children_example(name: str, spec: Spec) -> None:
    """#5 The example for `GET /catalog/trees/{tree_id}/categories` shows
    `children: ["string"]`; children are category-node objects (the schema says so).
    openapi-core does not validate examples, so this only fixes the example in case a
    stricter checker is ever switched on."""
    if name != "catalog/category-trees_catalog.v3.yml":
        return
    responses = spec["paths"]["/catalog/trees/{tree_id}/categories"]["get"]["responses"]
    for media in responses["200"].get("content", {}).values():
        for node in media.get("example", {}).get("data", []):
            node["children"] = []


def product_post_variants(name: str, spec: Spec) -> None:
    """#6 `POST /catalog/products` with embedded `variants` uses the full variant schema,
    which requires `id` and `product_id`: unknowable before the product exists, and
    BigCommerce's own guides create products with variants without them."""
    if name != "catalog/products_catalog.v3.yml":
        return
    schemas = spec["components"]["schemas"]
    variant = copy.deepcopy(schemas["productVariant_Full"])
    variant["required"] = [r for r in variant.get("required", []) if r not in ("id", "product_id")]
    product = copy.deepcopy(schemas["product_Base_POST"])
    product["properties"]["variants"]["items"] = {"$ref": "#/components/schemas/allowlist_variant_POST"}
    schemas["allowlist_variant_POST"] = variant
    schemas["allowlist_product_POST"] = product
    body = spec["paths"]["/catalog/products"]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"$ref": "#/components/schemas/allowlist_product_POST"}


def brand_put_name(name: str, spec: Spec) -> None:
    """#7 `PUT /catalog/brands/{brand_id}` marks `name` as required; the docs do not say the
    live API enforces it. storeconf always sends `name` on brand updates (the safe side),
    but tests probing the sandbox with partial updates are not spec violations."""
    if name != "catalog/brands_catalog.v3.yml":
        return
    media = spec["paths"]["/catalog/brands/{brand_id}"]["put"]["requestBody"]["content"]
    schema = copy.deepcopy(_resolve(spec, media["application/json"]["schema"]))
    schema["required"] = [r for r in schema.get("required", []) if r != "name"]
    media["application/json"]["schema"] = schema


PLATFORM_STATUSES = ("429", "500", "502", "503", "504")


def platform_statuses(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: 429 and 5xx can come from any endpoint
    (rate limits and outages are platform-wide, BIGCOMMERCE_API.md section 2) but few
    operations document them. Where an operation does document one, it is validated."""
    for _path, _method, operation in _operations(spec):
        responses = operation.setdefault("responses", {})
        for status in PLATFORM_STATUSES:
            responses.setdefault(status, {"description": "allow-listed: platform-wide status"})


def script_consent_unknown(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: scripts.v3.yml says `consent_category`
    "defaults to `unknown` when not specified" but leaves `unknown` out of the enum, so a
    script created without a consent category fails its own response schema. Requests
    still may not send `unknown`."""
    if name != "scripts.v3.yml":
        return
    schemas = spec["components"]["schemas"]
    base = copy.deepcopy(schemas["script_Base"])
    consent = base["properties"]["consent_category"]
    consent["enum"] = [*consent["enum"], "unknown"]
    schemas["allowlist_script_Base_response"] = base
    full = schemas["script_Full"]["allOf"]
    full[1] = {"$ref": "#/components/schemas/allowlist_script_Base_response"}


def tree_category_parent_or_tree(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `POST /catalog/trees/categories`: the
    prose (and BIGCOMMERCE_API.md section 7.2) needs `tree_id` (top level) *or* `parent_id`
    (child), but the schema's `anyOf` lists both as one required set, so no ordinary create would pass."""
    if name != "catalog/category-trees_catalog.v3.yml":
        return
    items = spec["components"]["schemas"]["CreateCategories"]["items"]
    items["anyOf"] = [{"required": ["tree_id"]}, {"required": ["parent_id"]}]


def empty_webhook_list(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: the `webhooks_Resp` list schema says
    `minItems: 1`, so an API account with no webhooks (every new store) could not be
    answered at all. An empty collection is `data: []` like every other v3 list."""
    if name != "webhooks.v3.yml":
        return
    data = spec["components"]["responses"]["webhooks_Resp"]["content"]["application/json"]["schema"]
    data["properties"]["data"].pop("minItems", None)


ALLOW_LIST: tuple[Callable[[str, Spec], None], ...] = (
    empty_webhook_list,
    script_consent_unknown,
    tree_category_parent_or_tree,
    drop_accept_content_type_params,
    any_401,
    empty_204,
    image_oneof_as_anyof,
    tree_children_example,
    product_post_variants,
    brand_put_name,
    platform_statuses,
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
    for template, method, _operation in _operations(spec):
        variables = template.count("{")
        ops.append(Operation(name, app, method, template, _template_regex(template), variables))


@functools.cache
def load_specs(directory: Path, patches: tuple[Callable[[str, Spec], None], ...] = ALLOW_LIST) -> SpecIndex:
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
    result.request_errors = [describe(e) for e in operation.app.iter_request_errors(oa_request)]
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

    def _load(self, specs: Path | SpecIndex | None) -> SpecIndex | None:
        if isinstance(specs, SpecIndex):
            return specs
        directory = specs if specs is not None else specs_dir()
        if directory.is_dir() and spec_files(directory):
            return load_specs(directory.resolve())
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
            self.collector.record(result, strict_requests=self.strict_requests)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def failures_text(failures: Iterable[str]) -> str:
    """Failures as an assertion message, one per line."""
    return "\n".join(failures)
