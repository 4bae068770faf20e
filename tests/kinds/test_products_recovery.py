"""Products against the sandbox in the situations that used to leave a store stuck: a dropped
option, lost answers, duplicate image names, products without a SKU, a SKU change."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from storeconf.applier import ApplyReport
from storeconf.client import StoreClient
from storeconf.config import load_project
from storeconf.engine import Planned, apply_planned, make_plan
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from tests.conformance import ValidatingTransport
from tests.kinds.test_products_helpers import PRODUCTS
from tests.kinds.test_products_sandbox import PRODUCT_PUT_ID, TEE, write

TOKEN = "products-recovery"
API = "/v3/catalog"

JACKET = """\
products:
  - sku: JKT
    name: Shell Jacket
    type: physical
    price: 300
    weight: 0.5
    options:
      - {name: Color, type: rectangles, values: [Red, Blue]}
      - {name: Fit, type: radio_buttons, values: [Regular, Tall]}
    variants:
      - {sku: JKT-R-REG, options: {Color: Red, Fit: Regular}}
      - {sku: JKT-R-TALL, options: {Color: Red, Fit: Tall}, price: 310}
      - {sku: JKT-B-REG, options: {Color: Blue, Fit: Regular}}
      - {sku: JKT-B-TALL, options: {Color: Blue, Fit: Tall}, price: 310}
"""

JACKET_NO_FIT = """\
products:
  - sku: JKT
    name: Shell Jacket
    type: physical
    price: 300
    weight: 0.5
    options:
      - {name: Color, type: rectangles, values: [Red, Blue]}
    variants:
      - {sku: JKT-R-REG, options: {Color: Red}}
      - {sku: JKT-B-REG, options: {Color: Blue}, price: 305}
"""

SHIRT = """\
products:
  - sku: SHIRT
    name: Shirt
    type: physical
    price: 20
    weight: 0.2
    options:
      - {name: Size, type: rectangles, values: [S, M]}
    variants:
      - {sku: SHIRT-S, options: {Size: S}}
"""

SHIRT_MORE = SHIRT + "      - {sku: SHIRT-M, options: {Size: M}}\n"
SHIRT_MORE_REPRICED = SHIRT_MORE.replace("{Size: S}}", "{Size: S}, price: 21}")


class Store:
    """A sandbox store, a client for it, and the plan/apply steps of one project."""

    def __init__(self, root: Path) -> None:
        self.root = root
        config = SandboxConfig(tokens={TOKEN: TokenGrant(client_id="t")}, enforce_rate_limit=False)
        self.app = create_app(config)
        self.checks = ValidatingTransport(httpx.ASGITransport(app=self.app))
        self.client = StoreClient(store_hash="sandbox", access_token=TOKEN, transport=self.checks)

    @property
    def sandbox(self) -> Any:
        return self.app.state.sandbox

    def use(self, products: str) -> None:
        write(self.root, products)

    async def plan(self) -> Planned:
        return await make_plan(load_project(self.root, environ={}), self.client)

    async def apply(self) -> tuple[Planned, ApplyReport]:
        planned = await self.plan()
        return planned, await apply_planned(planned, self.client, allow_deletes=True)

    async def converge(self, products: str) -> Planned:
        """Apply `products`; the apply succeeds and leaves nothing to do."""
        self.use(products)
        planned, report = await self.apply()
        assert report.ok, report.failed
        again = await self.plan()
        assert again.plan.empty, [c.to_dict() for c in again.plan.changes]
        return planned

    async def product(self, sku: str) -> dict[str, Any]:
        found = await self.client.get_all(f"{API}/products", {"sku": sku, "include": "variants,images"})
        assert len(found) == 1
        return found[0]

    def sent(self, method: str, path: str) -> list[int | None]:
        """Statuses of the requests to exactly `path` (under /v3/catalog) since the log was reset."""
        log = self.sandbox.request_log
        return [r.status for r in log if r.method == method and r.path.endswith(API + path)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path)
    yield s
    asyncio.run(s.client.aclose())
    s.sandbox.close()
    requests = [f for f in s.checks.failures if ": request: " in f and PRODUCT_PUT_ID not in f]
    assert requests == []


# ---- 1. a dropped option -----------------------------------------------------------------------


@pytest.mark.parametrize("variants_lost", [False, True])
def test_dropping_an_option_deletes_it_before_the_variants_are_written(
    store: Store, variants_lost: bool
) -> None:
    async def test() -> None:
        await store.converge(JACKET)
        jacket = await store.product("JKT")
        if variants_lost:  # what an earlier, failed apply left: the variants gone, the option still there
            for v in jacket["variants"]:
                if v["option_values"]:
                    await store.client.request("DELETE", f"{API}/products/{jacket['id']}/variants/{v['id']}")
        store.sandbox.reset_log()
        await store.converge(JACKET_NO_FIT)
        log = [f"{r.method} {r.path.rsplit('/v3', 1)[-1]}" for r in store.sandbox.request_log]
        option_delete = next(i for i, r in enumerate(log) if r.startswith("DELETE") and "/options/" in r)
        assert option_delete < log.index("PUT /catalog/variants")
        after = await store.product("JKT")
        assert sorted(v["sku"] for v in after["variants"] if v["option_values"]) == ["JKT-B-REG", "JKT-R-REG"]

    asyncio.run(test())


# ---- 2. variant batches that create are not blindly resent -------------------------------------


@pytest.mark.parametrize(
    ("fault", "config", "puts"),
    [
        # Handled, answer lost: the re-read finds SHIRT-M, so nothing is sent again.
        ({"kind": "drop_after"}, SHIRT_MORE, 1),
        # Handled, answer lost, with an update in the batch: only the update is sent again.
        ({"kind": "drop_after"}, SHIRT_MORE_REPRICED, 2),
        # Not handled (500): the re-read finds nothing, so the batch is sent again.
        ({"status": 500}, SHIRT_MORE, 2),
    ],
)
def test_lost_variant_batch_answer_is_reconciled(
    store: Store, fault: dict[str, Any], config: str, puts: int
) -> None:
    async def test() -> None:
        await store.converge(SHIRT)
        store.sandbox.reset_log()
        store.sandbox.add_fault("PUT", r"/v3/catalog/variants$", **fault)
        await store.converge(config)
        assert len(store.sent("PUT", "/variants")) == puts
        assert 409 not in store.sent("PUT", "/variants")
        shirt = await store.product("SHIRT")
        assert sorted(v["sku"] for v in shirt["variants"] if v["option_values"]) == ["SHIRT-M", "SHIRT-S"]

    asyncio.run(test())


def test_lost_product_create_answer_is_finished_in_the_same_apply(store: Store) -> None:
    async def test() -> None:
        store.use(TEE)
        store.sandbox.add_fault("POST", r"/v3/catalog/products$", kind="drop_after")
        _, report = await store.apply()
        # The re-read finds the product; the follow-ups (options, modifiers, channels) run as
        # an update planned from what the store holds, in the same apply.
        assert report.ok, report.failed
        assert (await store.plan()).plan.empty
        assert len(await store.client.get_all(f"{API}/products")) == 1

    asyncio.run(test())
    assert PRODUCTS.create_is_atomic is False


# ---- 3. two live images with one identity ------------------------------------------------------


def test_second_image_with_the_same_file_name_is_deleted_and_not_exported(store: Store) -> None:
    async def test() -> None:
        await store.converge(TEE)
        tee = await store.product("TEE")
        (kept,) = tee["images"]
        body = {"image_url": "https://cdn.example.com/other/tee-front.jpg", "sort_order": 5}
        extra = (await store.client.request("POST", f"{API}/products/{tee['id']}/images", json=body)).data

        planned = await store.plan()
        live = next(o for o in planned.live.objects["products"].values() if o.key == "TEE")
        assert [i["url"] for i in PRODUCTS.export_item(live)["images"]] == [
            next(i["url"] for i in live.fields["images"] if i["_id"] == kept["id"])
        ]
        (change,) = planned.plan.changes
        assert [(c.kind, c.action.value, c.live_id) for c in change.children] == [
            ("image", "delete", extra["id"])
        ]
        await store.converge(TEE)
        assert [i["id"] for i in (await store.product("TEE"))["images"]] == [kept["id"]]

    asyncio.run(test())


# ---- 4. products without a SKU -----------------------------------------------------------------


def test_products_without_a_sku_get_their_own_keys_and_are_pruned(store: Store) -> None:
    async def test() -> None:
        await store.converge(SHIRT)
        ids = []
        for name in ("Loose one", "Loose two"):
            body = {"name": name, "type": "physical", "price": 1, "weight": 1}
            ids.append((await store.client.request("POST", f"{API}/products", json=body)).data["id"])
        planned = await store.plan()
        deletes = sorted(c.key for c in planned.plan.changes if c.action.value == "delete")
        assert deletes == sorted(f"(no sku, id {i})" for i in ids)
        loose = [o for o in planned.live.objects["products"].values() if o.id in ids]
        assert all(PRODUCTS.export_item(o)["name"].startswith("Loose") for o in loose)
        await store.converge(SHIRT)

    asyncio.run(test())


# ---- 5. a SKU change that keeps the name -------------------------------------------------------


PLAIN = "  - {sku: PLAIN, name: Plain Bag, type: physical, price: 5, weight: 1}\n"


def test_sku_change_updates_the_product_in_place(store: Store) -> None:
    renamed = TEE.replace("  - sku: TEE\n", "  - sku: TEE2\n").replace("price: 26.00}", "price: 29.00}")
    renamed += PLAIN.replace("sku: PLAIN", "sku: PLAIN2")

    async def test() -> None:
        await store.converge(TEE + PLAIN)
        before = {sku: await store.product(sku) for sku in ("TEE", "PLAIN")}
        planned = await store.converge(renamed)
        changes = {c.key: c for c in planned.plan.changes}
        assert sorted(changes) == ["PLAIN2", "TEE2"]
        for old, new in (("TEE", "TEE2"), ("PLAIN", "PLAIN2")):
            assert (changes[new].action.value, changes[new].live_id) == ("update", before[old]["id"])
            assert [(d.path, d.old, d.new) for d in changes[new].diff] == [("sku", old, new)]
        tee = changes["TEE2"].children  # computed against the live TEE: only what really changed
        assert [(c.kind, c.key, c.action.value) for c in tee] == [("variant", "TEE-M", "update")]
        plain = await store.product("PLAIN2")
        base = plain["base_variant_id"]
        assert (plain["id"], base) == (before["PLAIN"]["id"], before["PLAIN"]["base_variant_id"])
        assert [v["sku"] for v in plain["variants"]] == ["PLAIN2"]
        # Price-list records name the base variant by the product's new SKU.
        assert planned.ctx.ids[("variants", "plain2")] == base

    asyncio.run(test())
