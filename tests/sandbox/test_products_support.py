"""Helpers for the product, variant, option and assignment tests (no tests here).

The spec defects on these endpoints are patched out by the shared allow-list
(`tests/spec_defects.py`). Undocumented 4xx answers (409 on a variant POST, 422 on a
filterless product DELETE, ...) are tolerated by `sandbox_support.tolerated`; the
behaviour tests pin their bodies down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.sandbox.sandbox_support import Store, finding

PRODUCTS = "/v3/catalog/products"
VARIANTS = "/v3/catalog/variants"
STATUS_CODES_URL = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
STATUS_CODES_PATH = "/api-docs/getting-started/api-status-codes"


@contextmanager
def spec_breaking_requests(store: Store) -> Iterator[Store]:
    """Requests the spec's schema forbids but its prose describes (inventory above the
    int32 maximum is clamped, not rejected): their request findings are dropped, while the
    answers are still checked against the response schema."""
    failures = store.transport.failures
    before = len(failures)
    try:
        yield store
    finally:
        failures[before:] = [
            f for f in failures[before:] if (found := finding(f)) is None or found.side != "request"
        ]


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
