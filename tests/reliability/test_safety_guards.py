"""Point 10: every safety promise has a test that fails when the promise is broken.

- a saved plan is refused when an object it touches changed in the store since, in any
  field, also one the config does not set (edited in the control panel);
- an update's new (and old) sensitive value is masked in every plan format and the plan
  file, for every kind that can carry one;
- the spec-conformance layer fails the run when the specs folder is configured but missing,
  and a sandbox answer that breaks the specs fails the test that provoked it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests import conformance, conformance_plugin
from tests.conftest import Cli
from tests.reliability.support import out_of_band
from tests.test_e2e import edit


def live_id(cli: Cli, kind: str, key: str) -> int:
    """The id of a live object, from a JSON plan that deletes nothing and changes it."""
    body = json.loads(cli("plan", "--format", "json", "--target", f"{kind}/{key}").stdout)
    return int(next(c["live_id"] for c in body["changes"] if c["key"] == key))


EDITS = {
    # kind, key, config edit (old, new) in file, out-of-band edit of a field the config does not set
    "brands": (
        "catalog/brands.yaml",
        ("page_title: RiverStone paddling gear", "page_title: RiverStone kayaks"),
        "RiverStone",
        "/v3/catalog/brands/{id}",
        {"name": "RiverStone", "search_keywords": "edited in the control panel"},
    ),
    "products": (
        "catalog/products-camping.yaml",
        ("price: 389.0", "price: 379.0"),
        "TENT-UL2",
        "/v3/catalog/products/{id}",
        {"warranty": "edited in the control panel"},
    ),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_saved_plan_refused_when_an_unmanaged_field_changed_since(
    kind: str, cli: Cli, example: Path, tmp_path: Path
) -> None:
    file, (old, new), key, path, body = EDITS[kind]
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / file, old, new)
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--out", str(plan_file)).exit_code == 0
    ident = live_id(cli, kind, key)
    # The store moves on in a field the config does not set: the planned changes stay the same.
    out_of_band(example, "PUT", path.format(id=ident), body)
    assert (
        json.loads(cli("plan", "--format", "json").stdout)["changes"][0]["diff"]
        == json.loads(plan_file.read_text())["changes"][0]["diff"]
    )

    result = cli("apply", str(plan_file))

    assert result.exit_code == 1
    assert f"changed since the plan was made ({kind}/{key})" in result.stderr
    assert cli("plan", "--detailed-exitcode").exit_code == 2  # nothing was applied


SECRETS = {
    "HOOK_SECRET": (
        "storefront/webhooks.yaml",
        "      X-Hook-Source: storeconf\n",
        "      X-Hook-Source: storeconf\n      X-Signature: ${env:HOOK_SECRET}\n",
    ),
    "BRAND_TITLE": (
        "catalog/brands.yaml",
        "page_title: Summit Peak technical outerwear",
        "page_title: ${env:BRAND_TITLE}",
    ),
    "SCRIPT_NOTE": (
        "storefront/scripts.yaml",
        "description: Page-view analytics for every storefront page",
        "description: ${env:SCRIPT_NOTE}",
    ),
    "PRODUCT_DESC": (
        "catalog/products-camping.yaml",
        "description: <p>A two-person, freestanding tent under 1.2 kg.</p>",
        "description: ${env:PRODUCT_DESC}",
    ),
    "SUPPLIER": (
        "catalog/products-camping.yaml",
        "    capacity: 2P\n",
        "    capacity: 2P\n    supplier: ${env:SUPPLIER}\n",
    ),
}


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "file"])
def test_updated_sensitive_values_are_masked_in_every_format(
    fmt: str, cli: Cli, example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, (file, old, new) in SECRETS.items():
        edit(example / file, old, new)
        monkeypatch.setenv(name, f"old-secret-{name}")
    assert cli("apply", "--auto-approve").exit_code == 0
    for name in SECRETS:
        monkeypatch.setenv(name, f"new-secret-{name}")

    plan_file = tmp_path / "plan.json"
    args = ["--out", str(plan_file)] if fmt == "file" else ["--format", fmt]
    result = cli("plan", *args)
    shown = result.output + (plan_file.read_text() if fmt == "file" else "")

    assert result.exit_code == 0, result.output
    assert "secret-" not in shown
    assert "(sensitive)" in shown
    # Every object whose secret changed is in the plan (as an update), so the masking is of updates.
    for key in ("store/product/updated", "Summit Peak", "Analytics", "TENT-UL2"):
        assert key in shown, key


def test_specs_configured_but_missing_fails_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(conformance.SPECS_ENV, str(tmp_path / "no-specs-here"))
    with pytest.raises(pytest.UsageError, match="holds no"):
        conformance_plugin.pytest_configure(None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="holds no"):
        conformance.ValidatingTransport(httpx.MockTransport(lambda r: httpx.Response(200)))


@pytest.mark.skipif(not conformance.specs_available(), reason="needs the specs")
def test_a_sandbox_answer_that_breaks_the_spec_fails_its_test() -> None:
    async def brands(_: object) -> JSONResponse:
        return JSONResponse({"data": "not a list"})

    app = Starlette(routes=[Route("/stores/s/v3/catalog/brands", brands)])
    transport = conformance.ValidatingTransport(
        httpx.ASGITransport(app=app), collector=conformance.ConformanceCollector()
    )

    async def get() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="https://x") as client:
            await client.get("/stores/s/v3/catalog/brands", headers={"X-Auth-Token": "t"})

    guard = conformance_plugin.fail_on_new_sandbox_failures()
    next(guard)
    asyncio.run(get())
    try:
        with pytest.raises(pytest.fail.Exception, match="sandbox responses that break the specs"):
            next(guard)
    finally:  # this test provoked it on purpose: keep the real guard of this test quiet
        del conformance.SANDBOX_RESPONSE_FAILURES[-len(transport.failures) :]
    assert transport.failures


def test_a_fake_transport_answer_is_not_blamed_on_the_sandbox() -> None:
    transport = conformance.ValidatingTransport(
        httpx.MockTransport(lambda r: httpx.Response(200, json={"data": "x"})),
        collector=conformance.ConformanceCollector(),
    )
    before = len(conformance.SANDBOX_RESPONSE_FAILURES)

    async def get() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="https://x") as client:
            await client.get("/stores/s/v3/catalog/brands")

    asyncio.run(get())
    assert len(conformance.SANDBOX_RESPONSE_FAILURES) == before


def test_an_undocumented_error_status_is_not_a_sandbox_fault() -> None:
    tolerated = (
        "GET /stores/s/v3/catalog/products/1/modifiers?limit=251 -> 413 [catalog/x.yml /catalog/x]: "
        "response: ResponseNotFound: Unknown response http status: 413"
    )
    body = (
        "GET /stores/s/v3/catalog/brands -> 200 [catalog/x.yml /catalog/brands]: "
        "response: 'x' is not of type 'array'"
    )
    assert not conformance.breaks_the_spec(tolerated)
    assert conformance.breaks_the_spec(body)
