"""The client against the sandbox's per-endpoint concurrency caps, which answer 429 past the cap
whatever the quota has left (the sandbox holds a slot for its injected latency too)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from starlette.applications import Starlette

from storeconf.client import StoreClient
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app

TOKEN = "caps-token"
RECORDS = "/v3/pricelists/{}/records"


def sandbox(tmp_path: Path) -> Starlette:
    return create_app(
        SandboxConfig(
            db_path=str(tmp_path / "caps.db"),
            store_hash="abc123",
            tokens={TOKEN: TokenGrant(client_id="caps")},
            enforce_rate_limit=False,
            latency_ms=20,
        )
    )


def test_thirty_record_pages_at_once_stay_under_the_cap(tmp_path: Path) -> None:
    app = sandbox(tmp_path)

    async def main() -> tuple[int, int, list[str]]:
        transport = httpx.ASGITransport(app=app)
        async with StoreClient(
            store_hash="abc123", access_token=TOKEN, base_url="http://sandbox", transport=transport
        ) as client:
            created = await client.request("POST", "/v3/pricelists", json={"name": "Trade", "active": True})
            path = RECORDS.format(created.data["id"])
            # The same 11 at once from a plain HTTP client: the 11th is refused with quota left.
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as raw:
                answers = await asyncio.gather(
                    *(raw.get(f"/stores/abc123{path}", headers={"X-Auth-Token": TOKEN}) for _ in range(11))
                )
            refused = [a.headers["X-Rate-Limit-Requests-Left"] for a in answers if a.status_code == 429]
            await asyncio.gather(*(client.request("GET", path, params={"page": 1}) for _ in range(30)))
            return client.stats.total, client.stats.rate_limited, refused

    try:
        total, rate_limited, refused = asyncio.run(main())
    finally:
        app.state.sandbox.close()
    assert len(refused) == 1 and int(refused[0]) > 0
    assert (total, rate_limited) == (31, 0)  # 16 in flight, but never more than 10 on records
