"""Helpers for the product, variant, option and assignment tests (no tests here).

`product_store` wraps the shared `Store` so its spec check also carries patches for
defects of the vendored specs on these endpoints, one per defect, each saying why.
Undocumented 4xx answers (409 on a variant POST, 422 on a filterless product DELETE,
...) are already tolerated by `sandbox_support.tolerated`; the behaviour tests pin
their bodies down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conformance import ALLOW_LIST, SpecIndex, load_specs, specs_available, specs_dir
from tests.sandbox.sandbox_support import Store

Spec = dict[str, Any]
PRODUCTS = "/v3/catalog/products"
VARIANTS = "/v3/catalog/variants"
STATUS_CODES_URL = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
STATUS_CODES_PATH = "/api-docs/getting-started/api-status-codes"


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def base_variant_id_nullable(name: str, spec: Spec) -> None:
    """`product_Full.base_variant_id` is a plain integer, yet its own description says it
    "is `null` for complex products" (products with option variants)."""
    if name != "catalog/products_catalog.v3.yml":
        return
    full = spec["components"]["schemas"]["product_Full"]["allOf"]
    for part in full:
        if "base_variant_id" in part.get("properties", {}):
            part["properties"]["base_variant_id"]["nullable"] = True


def x_nullable_is_nullable(name: str, spec: Spec) -> None:
    """`/catalog/variants` and the option-value endpoints mark nullable fields with Swagger
    2's `x-nullable`, which OpenAPI 3 ignores; the per-product variant endpoints declare the
    same fields `nullable: true` (a variant price of `null` inherits the product's)."""
    if name not in (
        "catalog/product-variants_catalog.v3.yml",
        "catalog/product-variant-options_catalog.v3.yml",
    ):
        return
    for node in _walk(spec.get("paths", {})):
        if node.get("x-nullable") is True:
            node["nullable"] = True


def option_value_data_nullable(name: str, spec: Spec) -> None:
    """Option values' `value_data` "returns `null`" when there is no data (the component
    schema says so and is nullable), but the inline copies in the option POST/PUT
    responses lost `nullable`."""
    if name != "catalog/product-variant-options_catalog.v3.yml":
        return
    for node in _walk(spec.get("paths", {})):
        value_data = node.get("properties", {}).get("value_data") if "properties" in node else None
        if isinstance(value_data, dict):
            value_data["nullable"] = True


def product_batch_id_writable(name: str, spec: Spec) -> None:
    """`PUT /catalog/products` requires each item's `id` but marks it `readOnly`, so no
    request body can be valid; the prose says "`id` is required for batch updates"."""
    if name != "catalog/products_catalog.v3.yml":
        return
    items = spec["components"]["schemas"]["product_Put_Collection"]["items"]["allOf"][0]
    items["properties"]["id"].pop("readOnly", None)


PRODUCT_PATCHES = (
    base_variant_id_nullable,
    x_nullable_is_nullable,
    option_value_data_nullable,
    product_batch_id_writable,
)


def product_specs() -> SpecIndex | None:
    if not specs_available():
        return None
    return load_specs(specs_dir(), (*ALLOW_LIST, *PRODUCT_PATCHES))


def product_store(store: Store) -> Store:
    """`store`, checked against the specs with `PRODUCT_PATCHES` applied too."""
    store.transport.index = product_specs()
    return store


@contextmanager
def unchecked(store: Store) -> Iterator[Store]:
    """Requests the spec's schema forbids but its prose describes (inventory above the
    int32 maximum is clamped, not rejected): sent without the conformance check."""
    index = store.transport.index
    store.transport.index = None
    try:
        yield store
    finally:
        store.transport.index = index


def product_body(name: str = "Classic Tee", **fields: Any) -> dict[str, Any]:
    return {"name": name, "type": "physical", "weight": 1, "price": 10, **fields}


def create_product(store: Store, name: str = "Classic Tee", **fields: Any) -> dict[str, Any]:
    response = store.post(PRODUCTS, product_body(name, **fields))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def tee_variants() -> list[dict[str, Any]]:
    """Embedded variants of a product POST: two sizes by two colours, named option values."""
    return [
        {
            "sku": f"TEE-{size}-{color[0]}",
            "option_values": [
                {"option_display_name": "Size", "label": size},
                {"option_display_name": "Color", "label": color},
            ],
        }
        for size in ("S", "M")
        for color in ("Red", "Blue")
    ]


def error_shape(body: dict[str, Any], status: int) -> None:
    """The catalog error body: status, title and type (absolute docs URL)."""
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert body["type"] == STATUS_CODES_URL
