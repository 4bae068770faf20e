"""Every record must name a variant SKU (or the SKU of a product without variants) that is
in the configuration or in the store: checked before any write, at the record's line.

SKUs the configuration declares, or that live records already use, cost nothing. The
rest are looked up: up to LOOKUP_MAX by `sku:in` on the variants (50 a request), more by
reading every product with its variants (one request per 250 products), which is the
cheapest way to see a whole catalog's SKUs.
"""

from __future__ import annotations

from typing import Any

from storeconf.client import StoreClient
from storeconf.errors import ConfigError, Problem
from storeconf.kinds.base import Context
from storeconf.model import Desired, DesiredState

VARIANTS = "/v3/catalog/variants"
PRODUCTS = "/v3/catalog/products"
LOOKUP_CHUNK = 50
LOOKUP_MAX = 250


async def check_skus(client: StoreClient, ctx: Context, live_lists: list[dict[str, Any]]) -> None:
    desired: DesiredState | None = ctx.extra.get("desired")
    if desired is None:
        return
    # The record's location is looked up only for a problem: it may re-read the file for
    # exact positions, which for 50,000 records took longer than the whole read.
    wanted: dict[str, tuple[Desired, str]] = {}
    for obj in desired.objects.get("price_lists", {}).values():
        for record in obj.fields.get("records") or []:
            sku = str(record["sku"])
            wanted.setdefault(sku.casefold(), (obj, sku))
    # Nearly always the config declares them all: the store's SKUs are gathered only if not.
    configured = configured_skus(desired)
    unknown = [sku for sku in wanted if sku not in configured]
    if unknown:
        await ctx.read_finished("products")  # records are read beside products: wait for their SKUs
        known = {sku for (kind, sku) in ctx.ids if kind == "variants"}
        known |= {str(r["sku"]).casefold() for raw in live_lists for r in raw.get("_records") or []}
        unknown = [sku for sku in unknown if sku not in known]
    if unknown:
        in_store = await _store_skus(client, unknown)
        unknown = [sku for sku in unknown if sku not in in_store]
    if unknown:
        problems = [
            Problem(
                obj.location_of("records", name) or obj.location,
                f"price_lists: {obj.key}: record for SKU {name!r}, which names no variant "
                "(or product without variants) in the configuration or the store",
            )
            for obj, name in (wanted[sku] for sku in unknown)
        ]
        raise ConfigError(problems)


def configured_skus(desired: DesiredState) -> set[str]:
    """Variant SKUs the config declares, and SKUs of products declared without variants."""
    out: set[str] = set()
    for obj in desired.objects.get("products", {}).values():
        variants = obj.fields.get("variants") or []
        out |= {str(v["sku"]).casefold() for v in variants if v.get("sku")}
        if not variants and obj.fields.get("sku"):
            out.add(str(obj.fields["sku"]).casefold())
    return out


async def _store_skus(client: StoreClient, skus: list[str]) -> set[str]:
    if len(skus) > LOOKUP_MAX:
        products = await client.get_all(PRODUCTS, {"include": "variants", "include_fields": "sku"})
        return {str(v.get("sku") or "").casefold() for p in products for v in p.get("variants") or []}
    found: set[str] = set()
    for start in range(0, len(skus), LOOKUP_CHUNK):
        params = {"sku:in": ",".join(skus[start : start + LOOKUP_CHUNK])}
        found |= {str(v.get("sku") or "").casefold() for v in await client.get_all(VARIANTS, params)}
    return found
