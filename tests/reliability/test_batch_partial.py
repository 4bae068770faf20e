"""Point 1: a batch the store rejects because of some items fails only those items; the rest
is sent again (bisected when the store does not say which item), for every batch endpoint."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import Cli, Recorder
from tests.reliability.support import PROJECT, boots, boots_project, line_of, out_of_band

PRODUCTS_PUT = "PUT /stores/local/v3/catalog/products"


def put_count(recorder: Recorder, path: str) -> int:
    return sum(1 for r in recorder.requests if f"{r.method} {r.url.path}" == path)


def test_one_taken_url_fails_only_its_product(tmp_path: Path, recorder: Recorder) -> None:
    project = boots_project(tmp_path / "shop", 9)
    cli = Cli(project, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    (project / "products.yaml").write_text(boots(9, 20, taken_by=4))  # B01..B10: one batch of 10
    before = put_count(recorder, PRODUCTS_PUT)

    result = cli("apply", "--auto-approve")

    assert result.exit_code == 1
    where = f"products.yaml:{line_of(project / 'products.yaml', 'sku: B04')}:5"
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: PUT /v3/catalog/products -> 409: The product custom_url is a duplicate - custom_url: "
        f"The URL '/taken-url/' is used by another product. [update products B04, {where}]"
    ]
    assert "Applied (9):" in result.stderr and "Failed (1):" in result.stderr
    assert f"  ~ products B04  ({where})" in result.stderr
    assert put_count(recorder, PRODUCTS_PUT) - before == 2  # the batch, then the nine others again
    replan = cli("plan")
    assert (
        "Plan for local (sandbox .storeconf/local.db): 0 to create, 1 to update, 0 to delete."
        in replan.stdout
    )
    assert "  ~ products B04" in replan.stdout


class RejectsWithoutSaying(httpx.AsyncBaseTransport):
    """A store that rejects any `endpoint` batch holding an item whose `field` is `bad`, with a
    422 naming no item."""

    def __init__(self, inner: httpx.AsyncBaseTransport, endpoint: str, field: str, bad: object) -> None:
        self.inner, self.endpoint, self.field, self.bad = inner, endpoint, field, bad

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if f"{request.method} {request.url.path}" == self.endpoint:
            import json

            if self.bad in [item[self.field] for item in json.loads(request.content)]:
                body = {
                    "status": 422,
                    "title": "The batch could not be processed.",
                    "type": "x",
                    "errors": {},
                }
                return httpx.Response(422, json=body, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def rejecting(endpoint: str, field: str, bad: object) -> Recorder:
    """A recorder whose store is RejectsWithoutSaying(endpoint, field, bad)."""

    class Picky(Recorder):
        def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            return super().wrap(RejectsWithoutSaying(inner, endpoint, field, bad))

    return Picky()


def test_bisects_when_the_store_does_not_name_the_item(tmp_path: Path, recorder: Recorder) -> None:
    project = boots_project(tmp_path / "shop", 9)
    assert Cli(project, recorder)("apply", "--auto-approve").exit_code == 0
    (project / "products.yaml").write_text(boots(9, 20))
    plan = Cli(project, recorder)("plan", "--format", "json")
    import json

    ids = {c["key"]: c["live_id"] for c in json.loads(plan.stdout)["changes"]}

    picky = rejecting(PRODUCTS_PUT, "id", ids["B04"])
    result = Cli(project, picky)("apply", "--auto-approve")

    assert result.exit_code == 1
    assert "Failed (1):\n  ~ products B04" in result.stderr
    assert "Applied (9):" in result.stderr
    # 10 items, the bad one at index 3: [0-9] [0-4] [0-1] [2-4] [2] [3-4] [3] [4] [5-9]
    assert put_count(picky, PRODUCTS_PUT) == 9
    assert not picky.failures()
    assert (
        "Plan for local (sandbox .storeconf/local.db): 0 to create, 1 to update, 0 to delete."
        in Cli(project, recorder)("plan").stdout
    )


VARIANTS = """\
products:
  - sku: P1
    name: Pack 1
    type: physical
    price: 10
    weight: 1
    options: [{name: Size, type: rectangles, values: [S, M]}]
    variants: [{sku: P1-S, options: {Size: S}}]
  - sku: P2
    name: Pack 2
    type: physical
    price: 10
    weight: 1
    options: [{name: Size, type: rectangles, values: [S, M]}]
    variants: [{sku: P2-S, options: {Size: S}}]
"""


def test_variant_batch_errors_fail_only_their_product(tmp_path: Path, recorder: Recorder) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "storeconf.yaml").write_text(PROJECT.replace("[*.yaml]", "[products.yaml]"))
    (project / "products.yaml").write_text(VARIANTS)
    cli = Cli(project, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    # Another app holds the SKU one of the new variants wants.
    out_of_band(
        project,
        "POST",
        "/v3/catalog/products",
        {"name": "Other", "type": "physical", "sku": "TAKEN", "weight": 1, "price": 1},
    )
    text = VARIANTS.replace(
        "[{sku: P1-S, options: {Size: S}}]",
        "[{sku: P1-S, options: {Size: S}}, {sku: TAKEN, options: {Size: M}}]",
    )
    text = text.replace(
        "[{sku: P2-S, options: {Size: S}}]",
        "[{sku: P2-S, options: {Size: S}}, {sku: P2-M, options: {Size: M}}]",
    )
    (project / "products.yaml").write_text(text)

    result = cli("apply", "--auto-approve")

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "PUT /v3/catalog/variants -> 422" in errors[0], result.stderr
    assert "TAKEN" in errors[0] and "[update products P1, products.yaml:2:5]" in errors[0]
    assert "Applied (1):\n  ~ products P2" in result.stderr
    replan = cli("plan")
    assert "~ products P1" in replan.stdout and "products P2" not in replan.stdout


CATEGORIES = """\
version: 1
include: [categories.yaml]
environments:
  local: {sandbox: .storeconf/local.db}
manage:
  categories: {prune: false}
"""


def test_category_207_names_each_failed_item(tmp_path: Path, recorder: Recorder) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "storeconf.yaml").write_text(CATEGORIES)
    (project / "categories.yaml").write_text("categories:\n  - name: Tents\n  - name: Stoves\n")
    cli = Cli(project, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    out_of_band(
        project,
        "POST",
        "/v3/catalog/trees/categories",
        [{"name": "Other", "parent_id": 0, "tree_id": 1, "url": {"path": "/taken/", "is_customized": True}}],
    )
    (project / "categories.yaml").write_text(
        "categories:\n  - name: Tents\n    url: /taken/\n  - name: Stoves\n    description: <p>hot</p>\n"
    )

    result = cli("apply", "--auto-approve")

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert (
        len(errors) == 1
        and "url" in errors[0]
        and "[update categories Tents, categories.yaml:2:5]" in errors[0]
    )
    assert "Applied (1):\n  ~ categories Stoves" in result.stderr
    assert (
        "Plan for local (sandbox .storeconf/local.db): 0 to create, 1 to update, 0 to delete."
        in cli("plan").stdout
    )


CATEGORIES_POST = "POST /stores/local/v3/catalog/trees/categories"


def test_category_batch_bisects_when_the_store_does_not_name_the_item(
    tmp_path: Path, recorder: Recorder
) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "storeconf.yaml").write_text(CATEGORIES)
    names = ["Tents", "Stoves", "Packs", "Boots", "Lamps"]
    (project / "categories.yaml").write_text("categories:\n" + "".join(f"  - name: {n}\n" for n in names))

    picky = rejecting(CATEGORIES_POST, "name", "Packs")
    result = Cli(project, picky)("apply", "--auto-approve")

    assert result.exit_code == 1
    assert "Failed (1):\n  + categories Packs  (categories.yaml:4:5)" in result.stderr
    assert "Applied (4):" in result.stderr
    # 5 items, the bad one at index 2: [0-4] [0-1] [2-4] [2] [3-4]
    assert put_count(picky, CATEGORIES_POST) == 5
    replan = Cli(project, recorder)("plan")
    assert "1 to create, 0 to update, 0 to delete." in replan.stdout
    assert "+ categories Packs" in replan.stdout
