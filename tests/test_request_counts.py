"""Request counts are behaviour: reads page at the API's maximum, writes batch at its maximum."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML

from storeconf.client import StoreClient
from storeconf.config import load_project
from storeconf.engine import apply_planned, make_plan
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from storeconf.testing import CountingTransport

N = 260  # more than one page of 250
PAGE, BATCH, CHOICES_PAGE = 250, 10, 10


def write(root: Path, *, bump: int = 0, with_options: int = 0) -> None:
    products: list[dict[str, Any]] = []
    for i in range(N):
        item: dict[str, Any] = {
            "sku": f"P{i:04d}",
            "name": f"Product {i}",
            "type": "physical",
            "price": 5 + (i < bump),
        }
        item["weight"] = 1
        if i < with_options:
            item["options"] = [{"name": "Size", "type": "rectangles", "values": ["S", "M"]}]
            item["variants"] = [{"sku": f"P{i:04d}-{s}", "options": {"Size": s}} for s in ("S", "M")]
        products.append(item)
    project = {"version": 1, "include": ["*.yaml"], "manage": {"products": {"prune": True}}}
    yaml = YAML()
    with (root / "storeconf.yaml").open("w") as fh:
        yaml.dump(project, fh)
    with (root / "products.yaml").open("w") as fh:
        yaml.dump({"products": products}, fh)


def test_read_and_update_request_counts(tmp_path: Path) -> None:
    app = create_app(SandboxConfig(tokens={"t": TokenGrant("c")}, enforce_rate_limit=False))
    counting = CountingTransport(httpx.ASGITransport(app=app))

    async def cycle(client: StoreClient) -> Counter[str]:
        planned = await make_plan(load_project(tmp_path), client)
        report = await apply_planned(planned, client, allow_deletes=True)
        assert report.ok, report.failed
        return counting.take()

    async def run() -> None:
        client = StoreClient(store_hash="sandbox", access_token="t", transport=counting)
        write(tmp_path, with_options=12)
        created = await cycle(client)
        assert created["POST /v3/catalog/products"] == N  # the API creates one product per request
        # The options the API made from the variants are read back ten products a request.
        assert created["GET /v3/catalog/products"] == 1 + math.ceil(12 / CHOICES_PAGE), created
        assert created["GET /v3/catalog/products/{id}/options"] == 0

        write(tmp_path, with_options=12)
        read = await cycle(client)  # nothing to change: this is the cost of reading
        reads = {"GET /v3/catalog/products": math.ceil(N / PAGE) + math.ceil(12 / CHOICES_PAGE)}
        assert read == reads, read
        # ≤ ceil(N / page size) + a small constant (the option pages for the 12 products with options)
        assert sum(read.values()) <= math.ceil(N / PAGE) + 2

        write(tmp_path, bump=25, with_options=12)
        update = await cycle(client)
        assert update - Counter(reads) == Counter({"PUT /v3/catalog/products": math.ceil(25 / BATCH)})

        write(tmp_path, bump=25, with_options=12)
        await cycle(client)
        (tmp_path / "products.yaml").write_text("products: []\n")
        deleted = await cycle(client)
        assert deleted["DELETE /v3/catalog/products"] == math.ceil(N / PAGE)
        await client.aclose()

    asyncio.run(run())
    app.state.sandbox.close()
