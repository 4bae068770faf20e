"""A price list of 20,000 records (10,000 variants x USD and EUR) at the request floor:
apply writes ceil(records / 1,000) upserts, a re-plan only reads, a 10 % price change
writes only the changed records. Counts are measured per request path and asserted.

Figures (kept in the README): apply = 24 requests (minimum 21: the list and 20
upserts), no-op plan = 81 (1 list read + 80 record pages of 250), 10 % change = 81
reads + 2 upserts.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from pathlib import Path

import httpx

from storeconf.client import StoreClient
from storeconf.config import load_project
from storeconf.engine import apply_planned, make_plan
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from storeconf.testing import CountingTransport

PRODUCTS, SIZES, COLORS = 500, ("S", "M", "L", "XL"), ("Red", "Blue", "Green", "Black", "White")
SKUS = PRODUCTS * len(SIZES) * len(COLORS)  # 10,000 variants
RECORDS = SKUS * 2
PAGE, UPSERT = 250, 1000
UPSERTS = "PUT /v3/pricelists/{id}/records"


def sku(product: int, size: str, color: str) -> str:
    return f"P{product:03d}-{size}-{color.upper()}"


def write_project(root: Path, *, bumped: int = 0) -> None:
    (root / "storeconf.yaml").write_text(
        "version: 1\ninclude: ['pricing/*.yaml']\nmanage:\n  price_lists: {prune: true}\n"
    )
    rows = []
    n = 0
    for p in range(PRODUCTS):
        for size in SIZES:
            for color in COLORS:
                usd = 10 + p % 50
                if n < bumped:
                    usd = round(usd * 1.1, 2)
                rows.append(f"      {sku(p, size, color)}: {{USD: {usd}, EUR: {10 + p % 40}}}")
                n += 1
    (root / "pricing").mkdir(exist_ok=True)
    (root / "pricing/lists.yaml").write_text("price_lists:\n  - name: Big\n    active: true\n")
    header = "price_lists:\n  - name: Big\n    records:\n"
    (root / "pricing/big-records.yaml").write_text(header + "\n".join(rows) + "\n")


async def seed_catalog(client: StoreClient) -> None:
    async def product(p: int) -> None:
        variants = [
            {
                "sku": sku(p, size, color),
                "option_values": [
                    {"option_display_name": "Size", "label": size},
                    {"option_display_name": "Color", "label": color},
                ],
            }
            for size in SIZES
            for color in COLORS
        ]
        body = {"name": f"Product {p}", "type": "physical", "weight": 1, "price": 20, "variants": variants}
        await client.request("POST", "/v3/catalog/products", json=body)

    for start in range(0, PRODUCTS, 50):
        await asyncio.gather(*(product(p) for p in range(start, min(start + 50, PRODUCTS))))


def test_twenty_thousand_records_at_the_request_floor(tmp_path: Path) -> None:
    app = create_app(SandboxConfig(tokens={"t": TokenGrant("c")}, enforce_rate_limit=False))
    counting = CountingTransport(httpx.ASGITransport(app=app))

    async def cycle(client: StoreClient) -> Counter[str]:
        planned = await make_plan(load_project(tmp_path), client)
        report = await apply_planned(planned, client)
        assert report.ok, report.failed
        return counting.take()

    async def run() -> None:
        client = StoreClient(store_hash="sandbox", access_token="t", transport=counting)
        await seed_catalog(client)
        counting.take()

        write_project(tmp_path)
        applied = await cycle(client)
        assert applied[UPSERTS] == math.ceil(RECORDS / UPSERT) == 20
        assert applied["POST /v3/pricelists"] == 1
        # Reads: the lists, and the catalog's SKUs (none are declared as products here):
        # one page of products with their variants per 250 products.
        assert sum(applied.values()) <= math.ceil(RECORDS / UPSERT) + 1 + 1 + math.ceil(PRODUCTS / PAGE)
        assert sum(applied.values()) == 24, applied

        noop = await cycle(client)
        assert noop == Counter(
            {"GET /v3/pricelists": 1, "GET /v3/pricelists/{id}/records": math.ceil(RECORDS / PAGE)}
        ), noop

        write_project(tmp_path, bumped=SKUS // 5)  # 10 % of the records: the USD price of 2,000 SKUs
        changed = await cycle(client)
        assert changed - noop == Counter({UPSERTS: math.ceil(RECORDS / 10 / UPSERT)}), changed
        await client.aclose()

    asyncio.run(run())
    app.state.sandbox.close()
