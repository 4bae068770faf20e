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
