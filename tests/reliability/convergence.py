"""Apply under random faults until the store matches, and what it took (point 5).

Used by `test_convergence.py` at a small size; the full-size figures come from
`python -m tests.reliability.convergence --products 1000`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from storeconf.client import StoreClient
from storeconf.config import load_project
from storeconf.engine import apply_planned, make_plan
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from storeconf.testing import FaultyTransport

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOKEN = "faults"
UNMANAGED = [f"OTHER-{i}" for i in range(3)]  # products another system owns (prune is off)


@dataclass
class Figures:
    objects: int = 0
    applies: int = 0
    requests: int = 0
    retries: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    unmanaged_changed: int = 0
    replan_changes: int = -1
    failures: list[str] = field(default_factory=list)


def generated(count: int) -> str:
    lines = ["products:"]
    for i in range(count):
        lines += [f"  - sku: GEN-{i:04d}", f"    name: Generated {i:04d}", "    type: physical"]
        lines += [f"    price: {10 + i % 40}", "    weight: 1", "    brand: Summit Peak"]
        if i % 4 == 0:
            lines += ["    options: [{name: Size, type: rectangles, values: [S, M]}]"]
            variants = [f"{{sku: GEN-{i:04d}-{s}, options: {{Size: {s}}}}}" for s in ("S", "M")]
            lines += [f"    variants: [{', '.join(variants)}]"]
    return "\n".join(lines) + "\n"


def project(root: Path, products: int) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".storeconf"))
    text = (root / "storeconf.yaml").read_text().replace("products: {prune: true", "products: {prune: false")
    (root / "storeconf.yaml").write_text(text)
    (root / "catalog/products-generated.yaml").write_text(generated(products))
    return root


async def _unmanaged(client: StoreClient, ids: list[int]) -> list[Any]:
    include = {"include": "variants,images,custom_fields,bulk_pricing_rules,videos"}
    return [(await client.request("GET", f"/v3/catalog/products/{i}", params=include)).body for i in ids]


async def _duplicates(client: StoreClient) -> int:
    count = 0
    for path, key in (
        ("/v3/catalog/brands", lambda o: o["name"].casefold()),
        ("/v3/catalog/products", lambda o: o["sku"].casefold()),
        ("/v3/catalog/variants", lambda o: o["sku"].casefold()),
        ("/v3/content/scripts", lambda o: o["name"]),
        ("/v3/hooks", lambda o: (o["scope"], o["destination"])),
        ("/v3/catalog/trees/categories", lambda o: (o["parent_id"], o["name"].casefold())),
    ):
        seen = Counter(key(o) for o in await client.get_all(path))
        count += sum(n - 1 for n in seen.values())
    return count


async def converge(root: Path, *, rate: float = 0.1, seed: int = 1, max_applies: int = 3) -> Figures:
    app = create_app(SandboxConfig(tokens={TOKEN: TokenGrant(client_id="f")}, enforce_rate_limit=False))
    figures = Figures()

    async def nap(_: float) -> None:
        await asyncio.sleep(0)

    def client(transport: httpx.AsyncBaseTransport) -> StoreClient:
        return StoreClient(store_hash="sandbox", access_token=TOKEN, transport=transport, sleep=nap)

    clean = client(httpx.ASGITransport(app=app))
    ids = []
    for sku in UNMANAGED:
        body = {"sku": sku, "name": f"Other {sku}", "type": "physical", "price": 5, "weight": 1}
        ids.append((await clean.request("POST", "/v3/catalog/products", json=body)).data["id"])
    before = json.dumps(await _unmanaged(clean, ids), sort_keys=True)
    faulty = FaultyTransport(httpx.ASGITransport(app=app), rate, seed)
    store = client(faulty)
    loaded = load_project(root)
    figures.objects = sum(len(v) for v in loaded.desired.objects.values())
    while figures.applies < max_applies:
        figures.applies += 1
        planned = await make_plan(loaded, store)
        report = await apply_planned(planned, store, allow_deletes=True)
        figures.failures += [f"{c.kind} {c.key}: {e}" for c, e in report.failed]
        if report.ok:
            break
    replan = await make_plan(loaded, clean)
    figures.replan_changes = len(replan.plan.changes)
    figures.requests, figures.retries, figures.faults = faulty.requests, store.stats.retries, faulty.faults
    figures.duplicates = await _duplicates(clean)
    after = json.dumps(await _unmanaged(clean, ids), sort_keys=True)
    figures.unmanaged_changed = int(before != after)
    await store.aclose()
    await clean.aclose()
    app.state.sandbox.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/storeconf-convergence"))
    args = parser.parse_args()
    figures = asyncio.run(converge(project(args.dir, args.products), rate=args.rate, seed=args.seed))
    print(json.dumps({**figures.__dict__, "faults": dict(figures.faults)}, indent=2))


if __name__ == "__main__":
    main()
