"""Options and modifiers are read ten products a request across pages of the product
listing: a page's last few products wait for the next page's, the last page sends what is
left, and a product the listing shows on two pages is answered on both."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from storeconf.client import ApiResponse
from storeconf.errors import ApiError
from storeconf.kinds.products.read import _Choices


class FakeClient:
    def __init__(self, fail_on: int | None = None) -> None:
        self.requests: list[list[int]] = []
        self.fail_on = fail_on

    async def request(self, method: str, path: str, params: dict[str, Any]) -> ApiResponse:
        ids = [int(i) for i in str(params["id:in"]).split(",")]
        self.requests.append(ids)
        await asyncio.sleep(0)
        if self.fail_on in ids:
            raise ApiError("GET", path, 500, {"title": "boom"})
        data = [{"id": i, "options": [{"display_name": f"opt {i}"}], "modifiers": []} for i in ids]
        return ApiResponse(200, httpx.Headers(), {"data": data})


def run_pages(client: FakeClient, pages: list[list[int]]) -> list[dict[int, Any]]:
    async def go() -> list[dict[int, Any]]:
        choices = _Choices(client)  # type: ignore[arg-type]
        return list(await asyncio.gather(*(choices.of(ids, len(pages)) for ids in pages)))

    return asyncio.run(go())


def test_ten_a_request_across_pages() -> None:
    client = FakeClient()
    pages = [list(range(1, 14)), list(range(14, 22)), [22, 23]]  # 13 + 8 + 2 = 23 products
    found = run_pages(client, pages)
    assert len(client.requests) == 3  # ceil(23 / 10), not 2 + 1 + 1
    assert sorted(i for r in client.requests for i in r) == list(range(1, 24))
    for ids, got in zip(pages, found, strict=True):
        assert sorted(got) == ids
        assert all(got[i]["options"][0]["display_name"] == f"opt {i}" for i in ids)


def test_a_product_on_two_pages_is_answered_on_both() -> None:
    client = FakeClient()
    found = run_pages(client, [[1, 2, 3], [3, 4]])
    assert 3 in found[0] and 3 in found[1]


def test_a_failed_request_fails_the_pages_waiting_on_it() -> None:
    client = FakeClient(fail_on=12)
    with pytest.raises(ApiError):
        run_pages(client, [list(range(1, 14)), [14, 15]])


def test_a_failed_page_fails_the_read_instead_of_leaving_earlier_pages_waiting() -> None:
    """Page 1's last products wait for page 2's to fill a request of ten; when page 2 cannot be
    read, the read must fail with page 2's error, not wait for it forever."""
    from storeconf.client import StoreClient
    from storeconf.kinds.products.read import Wanted, fetch_each

    def handler(request: httpx.Request) -> httpx.Response:
        if "options" in request.url.params.get("include", ""):
            return httpx.Response(200, json={"data": [], "meta": {}})
        if request.url.params.get("page") == "2":
            return httpx.Response(404, json={"status": 404, "title": "The page is gone"})
        data = [{"id": i, "sku": f"S{i}", "name": f"P{i}"} for i in (1, 2, 3)]
        pagination = {"total": 6, "count": 3, "per_page": 3, "current_page": 1, "total_pages": 2}
        return httpx.Response(200, json={"data": data, "meta": {"pagination": pagination}})

    async def go() -> None:
        async with StoreClient(
            store_hash="s", access_token="t", transport=httpx.MockTransport(handler), max_retries=0
        ) as client:
            await asyncio.wait_for(fetch_each(client, Wanted(), lambda raws: raws), timeout=10)

    with pytest.raises(ApiError, match="404"):
        asyncio.run(go())
