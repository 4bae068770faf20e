"""Progress while waiting: the bar says when storeconf waits for the store's quota, and for
how long; its ETA counts the wait; reads report pages."""

from __future__ import annotations

import asyncio
import io

import httpx
from rich.console import Console

from storeconf.cli.progress import Display
from storeconf.client import StoreClient


def rendered(display: Display) -> str:
    console = Console(file=io.StringIO(), width=160, color_system=None)
    console.print(display.bar.make_tasks_table(display.bar.tasks))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out)


def test_a_quota_wait_is_shown_with_its_length_and_counted_in_the_eta() -> None:
    now = [100.0]
    display = Display(Console(file=io.StringIO()), "applying", 10, clock=lambda: now[0])
    for _ in range(3):
        display.advance()
    display.waiting(31.0)
    text = rendered(display)
    assert "waiting 31s for the store's rate-limit quota" in text
    assert "eta 0:31" in text
    now[0] += 20
    assert "eta 0:11" in rendered(display)
    display.waiting(0.0)
    assert "waiting" not in rendered(display)


def test_the_client_reports_quota_waits_and_pages_read() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        headers = {
            "X-Rate-Limit-Requests-Left": "0" if page == 1 else "100",
            "X-Rate-Limit-Requests-Quota": "150",
            "X-Rate-Limit-Time-Reset-Ms": "7000",
        }
        body = {"data": [{"id": page}], "meta": {"pagination": {"total_pages": 3}}}
        return httpx.Response(200, json=body, headers=headers)

    waits: list[float] = []
    pages: list[tuple[int, int]] = []
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def main() -> list[dict[str, int]]:
        async with StoreClient(
            store_hash="abc", access_token="t", transport=httpx.MockTransport(handler), sleep=sleep
        ) as client:
            client.on_wait = waits.append
            client.on_pages = lambda done, total: pages.append((done, total))
            return await client.get_all("/v3/catalog/brands")

    assert [item["id"] for item in asyncio.run(main())] == [1, 2, 3]
    assert waits == [slept[0], 0.0] and 6.9 < slept[0] <= 7.0
    assert pages == [(1, 3), (2, 3), (3, 3)]
