"""The spec conformance hook itself: it must catch what breaks the specs and nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from storeconf.client import StoreClient
from tests import conformance, conformance_plugin, spec_defects
from tests.conformance import (
    ALLOW_LIST,
    ConformanceCollector,
    SpecIndex,
    ValidatingTransport,
    load_specs,
    skip_reason,
    specs_available,
    specs_dir,
)

requires_specs = pytest.mark.skipif(not specs_available(), reason=skip_reason())

Handler = Callable[[httpx.Request], httpx.Response]
HEADERS = {"X-Auth-Token": "t0k3n", "Accept": "application/json"}
SCRIPT_UUID = "095be615-a8ad-4c33-8e9c-c7612fbf6c9f"

BRAND = {
    "id": 7,
    "name": "Common Good",
    "page_title": "Common Good",
    "meta_keywords": ["modern"],
    "meta_description": "",
    "search_keywords": "",
    "image_url": "",
    "custom_url": {"url": "/common-good/", "is_customized": False},
}
PAGINATION = {
    "total": 1,
    "count": 1,
    "per_page": 50,
    "current_page": 1,
    "total_pages": 1,
    "links": {"current": "?page=1&limit=50"},
}
HOOK = {
    "id": 11,
    "client_id": "abc",
    "store_hash": "store1",
    "created_at": 1700000000,
    "updated_at": 1700000000,
    "scope": "store/product/updated",
    "destination": "https://example.com/hook",
    "is_active": True,
    "headers": None,
}
IMAGE = {
    "id": 3,
    "product_id": 1,
    "image_file": "a/b/c.jpg",
    "url_zoom": "https://cdn/z.jpg",
    "url_standard": "https://cdn/s.jpg",
    "url_thumbnail": "https://cdn/t.jpg",
    "url_tiny": "https://cdn/y.jpg",
    "date_modified": "2024-01-01T00:00:00+00:00",
    "is_thumbnail": True,
    "sort_order": 0,
}


def respond(status: int, body: Any = None, **headers: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if body is None:
            return httpx.Response(status, headers=headers)
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def exchange(
    handler: Handler,
    method: str,
    path: str,
    *,
    json: Any = None,
    headers: dict[str, str] | None = None,
    specs: Path | SpecIndex | None = None,
    strict_requests: bool = False,
) -> ValidatingTransport:
    """Send one request through a ValidatingTransport with its own collector."""
    transport = ValidatingTransport(
        httpx.MockTransport(handler),
        collector=ConformanceCollector(),
        specs=specs,
        strict_requests=strict_requests,
    )

    async def run() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/stores/store1") as http:
            await http.request(method, path, json=json, headers=HEADERS if headers is None else headers)

    asyncio.run(run())
    return transport


def assert_clean(transport: ValidatingTransport) -> None:
    assert transport.failures == []
    assert transport.unmatched == []
    assert transport.pairs_validated == 1


def unpatched() -> SpecIndex:
    return load_specs(specs_dir(), ())


# --- loading -------------------------------------------------------------------------------


@requires_specs
def test_specs_load_once_in_reasonable_time() -> None:
    index = load_specs(specs_dir())
    assert load_specs(specs_dir()) is index  # cached per process
    assert index.load_seconds < 10
    files = {op.spec_name for ops in index.operations.values() for op in ops}
    assert "catalog/products_catalog.v3.yml" in files
    assert "customers.v2.yml" in files
    assert len(files) == len(conformance.spec_files(specs_dir()))


# --- brands: GET ---------------------------------------------------------------------------


@requires_specs
def test_valid_brand_collection_passes() -> None:
    body = {"data": [BRAND], "meta": {"pagination": PAGINATION}}
    assert_clean(exchange(respond(200, body), "GET", "/v3/catalog/brands?page=1&limit=50&name=x"))


@requires_specs
def test_wrong_field_type_in_response_is_caught() -> None:
    body = {"data": [{**BRAND, "name": 5}], "meta": {"pagination": PAGINATION}}
    transport = exchange(respond(200, body), "GET", "/v3/catalog/brands")
    assert transport.pairs_validated == 1
    [failure] = transport.failures
    assert failure.startswith("GET /stores/store1/v3/catalog/brands -> 200")
    assert "response" in failure
    assert "data/0/name" in failure
    assert "not of type 'string'" in failure


@requires_specs
def test_invalid_query_parameter_type_is_caught() -> None:
    body = {"data": [BRAND], "meta": {"pagination": PAGINATION}}
    transport = exchange(respond(200, body), "GET", "/v3/catalog/brands?page=first")
    [failure] = transport.failures
    assert "request" in failure
    assert "page" in failure


# --- webhooks: POST ------------------------------------------------------------------------


@requires_specs
def test_valid_webhook_create_passes() -> None:
    request = {"scope": "store/product/updated", "destination": "https://example.com/hook"}
    assert_clean(exchange(respond(200, {"data": HOOK, "meta": {}}), "POST", "/v3/hooks", json=request))


@requires_specs
def test_invalid_request_body_is_caught() -> None:
    request = {"scope": ["store/product/updated"]}  # wrong type, destination missing
    transport = exchange(respond(200, {"data": HOOK, "meta": {}}), "POST", "/v3/hooks", json=request)
    [failure] = transport.failures
    assert failure.startswith("POST /stores/store1/v3/hooks -> 200 [webhooks.v3.yml /hooks]: request:")
    assert "scope" in failure
    assert "'destination' is a required property" in failure


@requires_specs
def test_invalid_request_answered_with_4xx_is_not_a_failure_unless_strict() -> None:
    error = {"status": 422, "title": "Invalid scope", "type": "https://example.com"}
    request = {"scope": 5}
    lenient = exchange(respond(422, error), "POST", "/v3/hooks", json=request)
    assert lenient.failures == []
    assert lenient.own.rejected_invalid_requests == 1
    strict = exchange(respond(422, error), "POST", "/v3/hooks", json=request, strict_requests=True)
    assert any(": request: " in f for f in strict.failures)


@requires_specs
def test_invalid_webhook_response_is_caught() -> None:
    request = {"scope": "store/product/updated", "destination": "https://example.com/hook"}
    body = {"data": {**HOOK, "created_at": "yesterday"}, "meta": {}}
    transport = exchange(respond(200, body), "POST", "/v3/hooks", json=request)
    [failure] = transport.failures
    assert "data/created_at" in failure


@requires_specs
def test_undocumented_status_is_caught() -> None:
    transport = exchange(respond(418, {"title": "teapot"}), "GET", "/v3/catalog/brands/7")
    [failure] = transport.failures
    assert "418" in failure


# --- unmatched -----------------------------------------------------------------------------


@requires_specs
def test_unknown_paths_are_counted_as_unmatched_not_failures() -> None:
    transport = exchange(respond(200, {"ok": True}), "GET", "/v3/no/such/thing")
    assert transport.pairs_validated == 0
    assert transport.failures == []
    assert transport.unmatched == ["GET /stores/store1/v3/no/such/thing -> 200: path in no spec"]
    other = exchange(respond(200, {}), "PATCH", "/v3/catalog/brands")
    assert other.unmatched == [
        "PATCH /stores/store1/v3/catalog/brands -> 200: method not documented for this path"
    ]


# --- allow-list: each entry is needed, and works -------------------------------------------


@requires_specs
def test_allow_1_accept_and_content_type_header_params() -> None:
    headers = {"X-Auth-Token": "t0k3n"}  # no Accept, no Content-Type
    handler = respond(200, {"data": BRAND, "meta": {}})
    assert_clean(exchange(handler, "GET", "/v3/catalog/brands/7", headers=headers))
    # openapi-core fills in the declared `default` of a missing required header today, so
    # the entry is what keeps this true regardless: the parameters are gone after patching.
    spec = yaml.load((specs_dir() / "catalog/brands_catalog.v3.yml").read_bytes(), Loader=yaml.CSafeLoader)
    spec_defects.drop_accept_content_type_params("catalog/brands_catalog.v3.yml", spec)
    for item in spec["paths"].values():
        for operation in [item, *(v for v in item.values() if isinstance(v, dict))]:
            for param in operation.get("parameters", []):
                resolved = spec_defects.resolve(spec, param)
                assert resolved["name"].lower() not in ("accept", "content-type"), resolved


@requires_specs
@pytest.mark.parametrize("path", ["/v3/catalog/brands/7", "/v3/pricelists/1", "/v2/customer_groups"])
def test_allow_2_plain_text_or_undocumented_401(path: str) -> None:
    handler = respond(401, "Unauthorized", **{"Content-Type": "text/plain"})
    assert_clean(exchange(handler, "GET", path))
    assert exchange(handler, "GET", path, specs=unpatched()).failures


@requires_specs
def test_401_is_still_validated_where_documented_as_json() -> None:
    transport = exchange(respond(401, {"status": "unauthorized"}), "GET", "/v3/hooks")
    assert transport.failures, "webhooks document 401 as JSON with an integer status"


@requires_specs
@pytest.mark.parametrize("path", [f"/v3/content/scripts/{SCRIPT_UUID}", "/v3/catalog/brands/7"])
def test_allow_3_empty_204_on_delete(path: str) -> None:
    assert_clean(exchange(respond(204), "DELETE", path))


@requires_specs
def test_allow_3_delete_204_documented_with_body_needs_the_entry() -> None:
    path = f"/v3/content/scripts/{SCRIPT_UUID}"
    assert exchange(respond(204), "DELETE", path, specs=unpatched()).failures


@requires_specs
def test_204_with_a_body_is_flagged() -> None:
    transport = exchange(respond(204, {"data": {}}), "DELETE", "/v3/catalog/brands/7")
    assert any("204 must have an empty body" in f for f in transport.failures)


@requires_specs
def test_allow_4_product_image_oneof_as_anyof() -> None:
    request = {"image_url": "https://example.com/a.jpg", "is_thumbnail": True}
    handler = respond(200, {"data": IMAGE, "meta": {}})
    assert_clean(exchange(handler, "POST", "/v3/catalog/products/1/images", json=request))
    raw = exchange(handler, "POST", "/v3/catalog/products/1/images", json=request, specs=unpatched())
    assert any("oneOf" in f or "valid under each of" in f for f in raw.failures), raw.failures


@requires_specs
def test_allow_5_tree_category_example_children() -> None:
    name = "catalog/category-trees_catalog.v3.yml"
    spec = yaml.load((specs_dir() / name).read_bytes(), Loader=yaml.CSafeLoader)
    example = spec["paths"]["/catalog/trees/{tree_id}/categories"]["get"]["responses"]["200"]
    assert example["content"]["application/json"]["example"]["data"][0]["children"] == ["string"]
    spec_defects.tree_children_example(name, spec)
    assert example["content"]["application/json"]["example"]["data"][0]["children"] == []


@requires_specs
def test_allow_6_product_post_with_embedded_variants() -> None:
    request = {
        "name": "Mug",
        "type": "physical",
        "weight": 1,
        "price": 10,
        "variants": [{"sku": "MUG-B", "option_values": [{"option_display_name": "Color", "label": "Blue"}]}],
    }
    handler = respond(200, {"data": {"id": 1, "name": "Mug", "type": "physical", "price": 10}, "meta": {}})
    transport = exchange(handler, "POST", "/v3/catalog/products", json=request)
    assert_clean(transport)
    raw = exchange(handler, "POST", "/v3/catalog/products", json=request, specs=unpatched())
    assert any("'id' is a required property" in f for f in raw.failures), raw.failures
    bad = exchange(handler, "POST", "/v3/catalog/products", json={**request, "variants": [{"price": 1}]})
    assert any("'sku' is a required property" in f for f in bad.failures), "sku stays required"


@requires_specs
def test_allow_7_brand_put_without_name() -> None:
    handler = respond(200, {"data": BRAND, "meta": {}})
    request = {"page_title": "Common Good"}
    assert_clean(exchange(handler, "PUT", "/v3/catalog/brands/7", json=request))
    assert exchange(handler, "PUT", "/v3/catalog/brands/7", json=request, specs=unpatched()).failures


@requires_specs
@pytest.mark.parametrize("status", [429, 503])
def test_platform_wide_statuses_are_accepted_where_undocumented(status: int) -> None:
    body = {"status": status, "title": "Too many requests", "type": "/api-docs", "errors": {}}
    assert_clean(exchange(respond(status, body), "GET", "/v3/catalog/brands"))


def test_allow_list_has_one_documented_entry_per_known_defect() -> None:
    for entry in ALLOW_LIST:
        assert entry.__doc__ and len(entry.__doc__) > 80, entry.__name__
    numbered = [e for e in ALLOW_LIST if (e.__doc__ or "").startswith("#")]
    assert [(e.__doc__ or "")[:2] for e in numbered] == [f"#{n}" for n in range(1, 8)]
    for entry in set(ALLOW_LIST) - set(numbered):
        assert (entry.__doc__ or "").startswith("Project addition, not in KNOWN_DEFECTS.md:"), entry.__name__
    assert len(set(ALLOW_LIST)) == len(ALLOW_LIST)
    assert ALLOW_LIST is spec_defects.ALLOW_LIST  # one list, re-exported by conformance


# --- the real client through the hook ------------------------------------------------------


@requires_specs
def test_store_client_requests_conform() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"data": HOOK, "meta": {}})
        page = int(request.url.params["page"])
        meta = {**PAGINATION, "total": 2, "per_page": 1, "current_page": page, "total_pages": 2}
        return httpx.Response(200, json={"data": [{**BRAND, "id": page}], "meta": {"pagination": meta}})

    transport = ValidatingTransport(httpx.MockTransport(handler))  # session collector: all valid

    async def run() -> None:
        async with StoreClient(store_hash="store1", access_token="t0k3n", transport=transport) as client:
            assert [b["id"] for b in await client.get_all("/v3/catalog/brands", {"name": "x"})] == [1, 2]
            await client.request(
                "POST", "/v3/hooks", json={"scope": "store/product/updated", "destination": "x"}
            )

    asyncio.run(run())
    assert transport.failures == []
    assert transport.pairs_validated == 3


# --- no specs: skip path -------------------------------------------------------------------


def test_missing_specs_dir_skips_with_a_clear_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    monkeypatch.setenv(conformance.SPECS_ENV, str(missing))
    assert conformance.specs_dir() == missing.resolve()
    assert not specs_available()
    assert str(missing) in skip_reason()
    assert conformance.SPECS_ENV in skip_reason()

    collector = ConformanceCollector()
    # Configured through the environment but missing: the run must fail, not pass traffic through.
    with pytest.raises(RuntimeError, match="holds no"):
        ValidatingTransport(httpx.MockTransport(respond(200, {"data": []})), collector=collector)
    # Named explicitly (a test of the skip path itself): traffic passes through unchecked.
    transport = ValidatingTransport(
        httpx.MockTransport(respond(200, {"data": []})), collector=collector, specs=missing
    )
    assert transport.index is None

    async def run() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/stores/s") as http:
            response = await http.get("/v3/catalog/brands")
            assert response.json() == {"data": []}  # passes through untouched

    asyncio.run(run())
    assert transport.pairs_validated == 0
    assert collector.summary() == f"spec conformance: skipped ({skip_reason()})"


def test_default_specs_dir_is_next_to_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Path(__file__).resolve().parent.parent
    expected = (repo.parent / "shared" / "reference" / "specs").resolve()
    monkeypatch.delenv(conformance.SPECS_ENV, raising=False)
    assert specs_dir() == expected
    monkeypatch.setenv(conformance.SPECS_ENV, "../shared/reference/specs")  # as CI sets it
    monkeypatch.chdir(repo / "tests")  # relative to the repo root, not to where pytest runs
    assert specs_dir() == expected


# --- summary and plugin --------------------------------------------------------------------


def test_summary_line() -> None:
    collector = ConformanceCollector(pairs_validated=12, failures=["a", "b"], unmatched=["c"])
    assert (
        collector.summary()
        == "spec conformance: 12 request/response pairs validated, 2 failures, 1 unmatched"
    )


class FakeReporter:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write_sep(self, sep: str, title: str) -> None:
        self.lines.append(f"{sep * 3} {title}")

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def test_plugin_prints_summary_and_distinct_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    collector = ConformanceCollector(pairs_validated=3, failures=["x", "x", "y"], unmatched=["u"])
    monkeypatch.setattr(conformance_plugin, "COLLECTOR", collector)
    monkeypatch.setattr(conformance_plugin, "specs_available", lambda: True)
    reporter = FakeReporter()
    conformance_plugin.pytest_terminal_summary(reporter)  # type: ignore[arg-type]
    assert reporter.lines == [
        "--- spec conformance",
        "spec conformance: 3 request/response pairs validated, 3 failures, 1 unmatched",
        "  failure: x (x2)",
        "  failure: y",
        "  unmatched: u",
    ]


@requires_specs
def test_path_parameter_format_is_checked() -> None:
    transport = exchange(respond(204), "DELETE", "/v3/content/scripts/not-a-uuid")
    [failure] = transport.failures
    assert "request" in failure
    assert "is not a 'uuid'" in failure


@requires_specs
def test_json_with_charset_is_json() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        content = b'{"data": {"id": 7, "name": "Common Good"}, "meta": {}}'
        return httpx.Response(
            200, content=content, headers={"Content-Type": "application/json; charset=utf-8"}
        )

    assert_clean(exchange(handler, "GET", "/v3/catalog/brands/7"))
