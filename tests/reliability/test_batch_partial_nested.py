"""Point 1 for nested batches: price-list records and assignments, promotion codes. An item
the store refuses fails alone, named by its key and config line; the object's other items
are written, and a re-plan shows only what failed."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import Cli, Recorder
from tests.reliability.support import PROJECT, WritesFirst, boots, line_of, out_of_band, with_fault

PRICED = PROJECT + "  price_lists: {prune: false}\n"
TRADE = """\
price_lists:
  - name: Trade
    records:
      B01: {USD: 9}
      B02: {USD: 8}
      B03: {USD: 7}
"""


def priced_project(root: Path) -> Path:
    """Products B01..B04 (no variants: a record names the product's SKU) in the store, and a
    price list Trade with a record for B01..B03 in the config only."""
    root.mkdir(parents=True)
    (root / "storeconf.yaml").write_text(PRICED.replace("[*.yaml]", "[products.yaml, pricing.yaml]"))
    (root / "products.yaml").write_text(boots(3, 10))
    (root / "pricing.yaml").write_text("price_lists: []\n")
    assert Cli(root, Recorder())("apply", "--auto-approve").exit_code == 0
    (root / "pricing.yaml").write_text(TRADE)
    return root


def product_id(project: Path, sku: str) -> int:
    found = out_of_band(project, "GET", f"/v3/catalog/products?sku={sku}", None)
    return int(found["data"][0]["id"])  # type: ignore[index]


def stored_records(project: Path) -> dict[str, float]:
    lists = out_of_band(project, "GET", "/v3/pricelists?name=Trade", None)["data"]
    list_id = lists[0]["id"]  # type: ignore[index]
    records = out_of_band(project, "GET", f"/v3/pricelists/{list_id}/records?include=sku", None)
    return {r["sku"]: r["price"] for r in records["data"]}  # type: ignore[attr-defined]


def the_error(stderr: str) -> str:
    """The report's one `Error:` line, unwrapped (the terminal wraps long lines)."""
    assert sum(line.startswith("Error: ") for line in stderr.splitlines()) == 1, stderr
    flat = " ".join(stderr.split())
    return flat[flat.index("Error: ") : flat.index(" Applied (")]


def test_a_record_the_store_refuses_fails_alone_at_its_line(tmp_path: Path) -> None:
    project = priced_project(tmp_path / "shop")
    gone = product_id(project, "B02")
    # Another app deletes product B02 after the plan, just before the records are written.
    recorder = with_fault(
        lambda inner: WritesFirst(inner, "PUT /records", "DELETE", f"/v3/catalog/products/{gone}")
    )

    result = Cli(project, recorder)("apply", "--auto-approve")

    assert result.exit_code == 1
    record = f"pricing.yaml:{line_of(project / 'pricing.yaml', 'B02:')}"
    price_list = f"pricing.yaml:{line_of(project / 'pricing.yaml', 'name: Trade')}:5"
    error = the_error(result.stderr)
    assert error.startswith(f"Error: record B02 USD ({record}:"), error
    assert "-> 422: sku: No variant or product without variants has the SKU 'B02'." in error
    assert error.endswith(f"[create price_lists Trade, {price_list}]"), error
    assert "Failed (1):\n  + price_lists Trade" in result.stderr
    assert stored_records(project) == {"B01": 9, "B03": 7}
    assert not recorder.failures()


class StrictRecords(httpx.AsyncBaseTransport):
    """A store in strict mode: a records upsert holding SKU `bad` is refused as a whole (422
    with that item's `batch_errors` entry) and saves nothing."""

    def __init__(self, inner: httpx.AsyncBaseTransport, bad: str) -> None:
        self.inner, self.bad = inner, bad

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and request.url.path.endswith("/records"):
            items = json.loads(request.content)
            for item in items:
                if item["sku"] == self.bad:
                    list_id = int(request.url.path.split("/")[-2])
                    data = {"price_list_id": list_id, "sku": item["sku"], "currency": item["currency"]}
                    entry = {"data": data, "field_errors": {"price": "refused by the store"}}
                    return httpx.Response(422, json={"batch_errors": [entry]}, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_whole_batch_refusal_resends_the_other_records(tmp_path: Path) -> None:
    project = priced_project(tmp_path / "shop")
    recorder = with_fault(lambda inner: StrictRecords(inner, "B02"))

    result = Cli(project, recorder)("apply", "--auto-approve")

    assert result.exit_code == 1
    error = the_error(result.stderr)
    assert error.startswith("Error: record B02 USD (pricing.yaml:") and "price: refused by the store" in error
    puts = [r for r in recorder.requests if r.method == "PUT" and r.url.path.endswith("/records")]
    assert [len(json.loads(r.content)) for r in puts] == [3, 2]  # the batch, then the two others
    assert stored_records(project) == {"B01": 9, "B03": 7}
    replan = Cli(project, Recorder())("plan")
    assert "1 to create, 0 to update, 0 to delete.\n  record: 1 to create\n" in replan.stdout
    assert "+ record B02 USD" in replan.stdout and "B01" not in replan.stdout


GROUPS = """\
version: 1
include: [groups.yaml, pricing.yaml]
environments:
  local: {sandbox: .storeconf/local.db}
manage:
  customer_groups: {prune: false}
  price_lists: {prune: false}
"""


def test_an_assignment_the_store_refuses_fails_alone(tmp_path: Path, recorder: Recorder) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "storeconf.yaml").write_text(GROUPS)
    (project / "groups.yaml").write_text("customer_groups:\n  - name: Trade A\n  - name: Trade B\n")
    (project / "pricing.yaml").write_text("price_lists:\n  - name: Trade\n")
    assert Cli(project, recorder)("apply", "--auto-approve").exit_code == 0
    (project / "pricing.yaml").write_text(
        "price_lists:\n  - name: Trade\n    assignments:\n"
        "      - {customer_group: Trade A}\n      - {customer_group: Trade B}\n"
    )
    groups = out_of_band(project, "GET", "/v2/customer_groups?name=Trade%20B", None)
    group_b = groups[0]["id"]  # type: ignore[index]
    # Another app gives Trade B group discounts just before the assignments are written: the
    # store then refuses that assignment and saves the other (a 422 counting it as saved).
    discounts = {"discount_rules": [{"type": "all", "method": "percent", "amount": "5"}]}
    faulty = with_fault(
        lambda inner: WritesFirst(
            inner, "POST /pricelists/assignments", "PUT", f"/v2/customer_groups/{group_b}", discounts
        )
    )

    result = Cli(project, faulty)("apply", "--auto-approve")

    assert result.exit_code == 1
    error = the_error(result.stderr)
    assert error.startswith(
        "Error: assignment Trade B (pricing.yaml:4:7): POST /v3/pricelists/assignments -> 422:"
    )
    assert "customer_group_id: A price list cannot be assigned to a customer group that has" in error
    posts = [r for r in faulty.requests if r.method == "POST" and r.url.path.endswith("/assignments")]
    assert len(posts) == 1  # the answer counts Trade A as saved: nothing is resent
    assigned = out_of_band(project, "GET", "/v3/pricelists/assignments", None)["data"]
    assert [a.get("customer_group_id") for a in assigned] == [group_b - 1]  # type: ignore[attr-defined]
    assert not faulty.failures()


CODES = """\
promotions:
  - name: Crew coupon
    redemption_type: COUPON
    rules:
      - action: {cart_value: {discount: {percentage_amount: 10}}}
    codes:
"""


CONSTRAINT = "Error: constraint reference error."


class RefusesCodeDelete(httpx.AsyncBaseTransport):
    """A store that cannot delete code `bad` (the spec's "constraint reference error"): a bulk
    delete naming it deletes the others and answers the spec's 422 naming its index."""

    def __init__(self, inner: httpx.AsyncBaseTransport, bad: int) -> None:
        self.inner, self.bad = inner, bad

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        ids = [int(i) for i in (request.url.params.get("id:in") or "").split(",") if i]
        if request.method != "DELETE" or not request.url.path.endswith("/codes") or self.bad not in ids:
            return await self.inner.handle_async_request(request)
        others = [i for i in ids if i != self.bad]
        if others:
            params = {"id:in": ",".join(map(str, others))}
            rest = request.url.copy_with(params=params)
            answer = await self.inner.handle_async_request(
                httpx.Request("DELETE", rest, headers=request.headers)
            )
            await answer.aread()
        error = {
            "status": 422,
            "title": "Errors occurred in bulk delete action.",
            "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
            "errors": {f"{ids.index(self.bad)}.constraint": f"Failed for id={self.bad}. {CONSTRAINT}"},
        }
        meta = {"total": len(ids), "success": len(others), "failed": 1}
        return httpx.Response(422, json={"errors": [error], "meta": meta}, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_code_the_bulk_delete_refuses_fails_alone(tmp_path: Path, recorder: Recorder) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "storeconf.yaml").write_text(
        PROJECT.replace("products:", "promotions:").replace("[*.yaml]", "[promotions.yaml]")
    )
    codes = "".join(f"      - {{code: CREW-{c}}}\n" for c in "ABC")
    (project / "promotions.yaml").write_text(CODES + codes)
    assert Cli(project, recorder)("apply", "--auto-approve").exit_code == 0
    promotion = out_of_band(project, "GET", "/v3/promotions", None)["data"][0]["id"]  # type: ignore[index]
    stored = out_of_band(project, "GET", f"/v3/promotions/{promotion}/codes", None)["data"]
    ids = {c["code"]: c["id"] for c in stored}  # type: ignore[attr-defined]
    (project / "promotions.yaml").write_text(CODES + "      - {code: CREW-C}\n      - {code: CREW-D}\n")
    faulty = with_fault(lambda inner: RefusesCodeDelete(inner, ids["CREW-A"]))

    result = Cli(project, faulty)("apply", "--auto-approve")

    assert result.exit_code == 1
    error = the_error(result.stderr)
    assert error == (
        f"Error: code CREW-A: DELETE /v3/promotions/{promotion}/codes -> 422: Errors occurred in bulk delete "
        f"action. - constraint: Failed for id={ids['CREW-A']}. Error: constraint reference error. "
        "[update promotions Crew coupon, promotions.yaml:2:5]"
    )
    deletes = [r for r in faulty.requests if r.method == "DELETE" and r.url.path.endswith("/codes")]
    assert len(deletes) == 1  # the answer counts CREW-B as deleted: nothing is resent
    left = out_of_band(project, "GET", f"/v3/promotions/{promotion}/codes", None)["data"]
    assert sorted(c["code"] for c in left) == ["CREW-A", "CREW-C", "CREW-D"]  # type: ignore[attr-defined]
    replan = Cli(project, Recorder())("plan")
    assert (
        "- code CREW-A" in replan.stdout and "CREW-B" not in replan.stdout and "CREW-D" not in replan.stdout
    )
    assert not faulty.failures()
