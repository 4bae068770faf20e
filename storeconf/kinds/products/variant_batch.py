"""One `PUT /catalog/variants` batch, sent so that a lost answer never duplicates a variant.

The client resends a failed PUT by itself (a PUT is normally idempotent), but a batch item
without an `id` creates a variant: if the first attempt went through, the resend answers
409 (duplicate SKU) and the product is reported failed although its variants exist. So a
batch that creates is sent once (`retry=False`); after a dropped connection or a 5xx the
batch's products' variants are re-read, creates found by SKU count as done, and only the
rest is sent again. Updates are resent as they are: a PUT by id is idempotent.
"""

from __future__ import annotations

from typing import Any

from storeconf.client import StoreClient
from storeconf.errors import ApiError, may_have_applied

VARIANTS = "/v3/catalog/variants"
ATTEMPTS = 3  # sends of one batch, reconciling in between


async def put_variants(client: StoreClient, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send `items`; returns the store's variants for them (the created ones' ids included).
    Raises the last error when the batch cannot be completed."""
    pending = items
    done: list[dict[str, Any]] = []
    for _ in range(ATTEMPTS - 1):
        try:
            return done + await _send(client, pending)
        except Exception as exc:
            if not may_have_applied(exc):
                raise
            found = await _created(client, pending, exc)
        done += list(found.values())
        pending = [i for i in pending if "id" in i or _sku(i) not in found]
        if not pending:
            return done
    return done + await _send(client, pending)


async def _send(client: StoreClient, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    creates = any("id" not in i for i in items)
    resp = await client.request("PUT", VARIANTS, json=items, retry=False if creates else None)
    if resp.status == 207:  # partly applied: fail the whole batch, so a re-plan shows the rest
        raise ApiError("PUT", VARIANTS, 207, resp.body)
    data = resp.body.get("data") if isinstance(resp.body, dict) else None
    return data if isinstance(data, list) else []


async def _created(
    client: StoreClient, items: list[dict[str, Any]], cause: Exception
) -> dict[str, dict[str, Any]]:
    """The variants the store holds for `items`' creates, by casefolded SKU. If the store
    cannot be read either, the batch fails with its own error (`cause`)."""
    products = sorted({int(i["product_id"]) for i in items if "id" not in i})
    if not products:
        return {}
    try:
        live = await client.get_all(VARIANTS, {"product_id:in": ",".join(map(str, products))})
    except Exception:
        raise cause from None
    wanted = {_sku(i) for i in items if "id" not in i}
    return {_sku(v): v for v in live if _sku(v) in wanted}


def _sku(item: dict[str, Any]) -> str:
    return str(item.get("sku") or "").casefold()
