"""Request counts and timings for a large catalog against the sandbox.

    python bench/bench_catalog.py [--products 1000] [--latency-ms 0]

Builds a project with N products (a third with options and variants, some
with modifiers, custom fields, images and bulk pricing rules), applies it to
an in-memory sandbox, re-plans, updates 10 products, and prints the number
of requests each step cost next to the minimum the API's page and batch
sizes allow. Figures are printed, never asserted: tests assert behaviour.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML

from storeconf.client import StoreClient
from storeconf.config import load_project
from storeconf.engine import apply_planned, make_plan
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from storeconf.testing import CountingTransport

PAGE = 250  # products per page (the API's maximum)
PRODUCT_BATCH = 10  # products per PUT /catalog/products (the API's maximum)
CHOICES_PAGE = 10  # products per page with include=options,modifiers (the API's cap)


def product(i: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "sku": f"SKU-{i:05d}",
        "name": f"Product {i:05d}",
        "type": "physical",
        "price": 10 + i % 50,
        "weight": 1.5,
        "brand": f"Brand {i % 10}",
        "categories": [f"Dept {i % 5}"],
    }
    if i % 3 == 0:
        item["options"] = [{"name": "Size", "type": "rectangles", "values": ["S", "M", "L"]}]
        item["variants"] = [{"sku": f"SKU-{i:05d}-{s}", "options": {"Size": s}} for s in ("S", "M", "L")]
    if i % 4 == 0:
        item["custom_fields"] = {"material": "cotton", "origin": "PT"}
    if i % 5 == 0:
        item["images"] = [{"url": f"https://cdn.example.com/p/{i}/front.jpg", "thumbnail": True}]
    if i % 7 == 0:
        item["bulk_pricing_rules"] = [
            {"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5}
        ]
    if i % 11 == 0:
        item["modifiers"] = [{"name": "Gift note", "type": "text", "required": False}]
    return item


def write_project(root: Path, count: int, price_bump: int = 0) -> None:
    yaml = YAML()
    (root / "catalog").mkdir(parents=True, exist_ok=True)
    project = {
        "version": 1,
        "include": ["catalog/*.yaml"],
        "environments": {"local": {"sandbox": "unused.db"}},
        "manage": {"brands": {"prune": True}, "categories": {"prune": True}, "products": {"prune": True}},
    }
    with (root / "storeconf.yaml").open("w") as fh:
        yaml.dump(project, fh)
    products = [product(i) for i in range(count)]
    for p in products[:price_bump]:
        p["price"] += 1
    docs = {
        "brands.yaml": {"brands": [{"name": f"Brand {b}"} for b in range(10)]},
        "categories.yaml": {"categories": [{"path": f"Dept {d}"} for d in range(5)]},
        "products.yaml": {"products": products},
    }
    for name, doc in docs.items():
        with (root / "catalog" / name).open("w") as fh:
            yaml.dump(doc, fh)


async def step(client: StoreClient, root: Path, *, apply: bool) -> tuple[int, float, int]:
    before = client.stats.total
    started = time.perf_counter()
    project = load_project(root)
    planned = await make_plan(project, client)
    if apply and not planned.plan.empty:
        report = await apply_planned(planned, client, allow_deletes=True)
        assert report.ok, report.failed[:3]
    return client.stats.total - before, time.perf_counter() - started, len(planned.plan.changes)


async def main(count: int, latency_ms: float) -> None:
    app = create_app(
        SandboxConfig(
            tokens={"bench": TokenGrant(client_id="bench")},
            enforce_rate_limit=False,
            latency_ms=latency_ms,
        )
    )
    transport = CountingTransport(httpx.ASGITransport(app=app))
    client = StoreClient(store_hash="sandbox", access_token="bench", transport=transport)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, count)
        full = await step(client, root, apply=True)
        full_breakdown = dict(transport.counts)
        read = await step(client, root, apply=False)
        write_project(root, count, price_bump=10)
        update = await step(client, root, apply=True)
    await client.aclose()
    with_choices = sum(1 for i in range(count) if i % 3 == 0 or i % 11 == 0)
    modifiers = sum(1 for i in range(count) if i % 11 == 0)
    # Reading: brands, the channel's tree, its categories (one page each), products in pages
    # of 250, and options/modifiers for the products that manage them (the API caps such pages at 10).
    read_min = 3 + math.ceil(count / PAGE) + math.ceil(with_choices / CHOICES_PAGE)
    # Creating: one POST per brand and product (no batch create exists), one batch for the
    # categories, one POST per modifier (modifiers cannot be embedded in a product POST).
    create_min = 3 + 1 + 10 + 1 + count + modifiers
    print(f"catalog: {count} products ({with_choices} with options or modifiers), latency {latency_ms} ms")
    print(f"{'step':<22}{'requests':>10}{'minimum':>10}{'seconds':>10}{'changes':>9}")
    rows = [
        ("full apply", full, create_min),
        ("read (plan, no diff)", read, read_min),
        ("10-product update", update, read_min + math.ceil(10 / PRODUCT_BATCH)),
    ]
    for name, (requests, seconds, changes), minimum in rows:
        print(f"{name:<22}{requests:>10}{minimum:>10}{seconds:>10.2f}{changes:>9}")
    print("\nfull apply, requests by endpoint:")
    for endpoint, n in sorted(full_breakdown.items(), key=lambda kv: -kv[1]):
        print(f"  {n:>6}  {endpoint}")
    app.state.sandbox.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(main(args.products, args.latency_ms))
