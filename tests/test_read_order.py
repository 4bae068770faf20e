"""When each kind is read: after the kinds its reader needs, beside the others."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from storeconf.client import StoreClient
from storeconf.kinds import REGISTRY
from storeconf.kinds.base import Context
from storeconf.kinds.price_lists.skus import check_skus
from storeconf.live import read_live
from storeconf.model import Desired, DesiredState, Manage
from tests.conftest import Cli, Recorder


def _path(request: httpx.Request) -> str:
    # /stores/{hash}/v3/catalog/brands -> v3/catalog/brands (customer groups are a v2 API)
    return request.url.path.split("/", 3)[3]


def test_price_lists_are_read_beside_products_and_a_replan_is_empty(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    recorder.requests.clear()
    assert cli("plan", "--detailed-exitcode").exit_code == 0  # assignments still name their group
    paths = [_path(r) for r in recorder.requests if r.method == "GET"]
    first_product = paths.index("v3/catalog/products")
    # Products wait for brands and categories; price lists wait for nothing: their first
    # request goes out with the first wave, and their assignments wait for the groups' names.
    assert paths.index("v3/pricelists") < first_product
    assert paths.index("v2/customer_groups") > first_product


def _client(answer: httpx.MockTransport) -> StoreClient:
    return StoreClient(
        store_hash="s", access_token="t", base_url="http://api", transport=answer, max_retries=0
    )


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected: {request.method} {request.url}")


def _record_for(sku: str) -> DesiredState:
    wholesale = Desired("price_lists", "Wholesale", {"name": "Wholesale", "records": [{"sku": sku}]})
    return DesiredState({"price_lists": {"wholesale": wholesale}}, {"price_lists": Manage()})


def test_a_record_sku_the_config_lacks_waits_for_the_products_read_not_a_lookup() -> None:
    async def run() -> None:
        products_read = asyncio.Event()
        ctx = Context(extra={"desired": _record_for("X-1")}, reads={"products": products_read})
        async with _client(httpx.MockTransport(_refuse)) as client:
            checking = asyncio.ensure_future(check_skus(client, ctx, []))
            await asyncio.sleep(0.01)
            assert not checking.done()  # waiting for the products read, not looking X-1 up
            ctx.ids[("variants", "x-1")] = 7  # what the products read records
            products_read.set()
            await asyncio.wait_for(checking, 1)

    asyncio.run(run())


def test_without_a_products_read_the_check_goes_on_at_once() -> None:
    async def run() -> None:
        ctx = Context(extra={"desired": _record_for("X-1")})
        async with _client(httpx.MockTransport(_refuse)) as client:
            await asyncio.wait_for(check_skus(client, ctx, [{"_records": [{"sku": "X-1"}]}]), 1)

    asyncio.run(run())


def test_a_failing_read_stops_the_reads_that_wait_for_it() -> None:
    started: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        started.append(_path(request))
        if _path(request).startswith("v3/catalog/brands"):
            return httpx.Response(500, json={"status": 500, "title": "boom"})
        return httpx.Response(200, json={"data": [], "meta": {"pagination": {"total": 0, "total_pages": 1}}})

    async def run() -> None:
        async with _client(httpx.MockTransport(answer)) as client:
            with pytest.raises(Exception, match="500"):
                await read_live(client, ["brands", "products", "price_lists"], Context(), REGISTRY)

    asyncio.run(run())
    assert "v3/catalog/products" not in started  # products read after brands, which failed


def test_a_kind_that_reads_after_a_later_kind_is_refused() -> None:
    from storeconf.kinds import KINDS, Registry
    from storeconf.kinds.brands import Brands

    class Early(Brands):
        def read_after(self) -> tuple[str, ...]:
            return ("price_lists",)  # read after a kind that may wait for it: a hang

    with pytest.raises(ValueError, match="reads after"):
        Registry(tuple(Early() if isinstance(k, Brands) else k for k in KINDS))


def test_a_read_that_starts_earlier_has_its_requests_served_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # The priority each kind's requests queue with for the client's slots (storeconf.slots):
    # price lists start with the first wave, products only once brands and categories are read.
    from storeconf import live
    from storeconf.slots import PRIORITY

    seen: dict[str, int] = {}

    async def read(kind: Any, client: Any, ctx: Context) -> list[Any]:
        await asyncio.sleep(0)
        inner = asyncio.ensure_future(asyncio.sleep(0, result=PRIORITY.get()))  # a task it starts
        seen[kind.name] = await inner
        return []

    monkeypatch.setattr(live, "_read", read)

    async def run() -> None:
        async with _client(httpx.MockTransport(_refuse)) as client:
            await read_live(client, ["brands", "categories", "products", "price_lists"], Context(), REGISTRY)

    asyncio.run(run())
    assert seen["price_lists"] < seen["products"] and seen["brands"] < seen["products"]
