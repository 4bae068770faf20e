"""`GET /catalog/products` filters `out_of_stock`, `inventory_low`, `date_last_imported` and
`date_last_imported:not` (products_catalog.v3.yml, getProducts)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_list import ids
from tests.sandbox.test_products_support import PRODUCTS, create_product, spec_breaking_requests, tee_variants

STOCK = {"inventory_tracking": "product", "inventory_warning_level": 5}


@pytest.fixture
def stocked(store: Store) -> dict[str, int]:
    """Products by what they hold: none, a little, plenty, untracked, and variant-tracked."""
    made: dict[str, Any] = {
        "empty": create_product(store, "Empty", inventory_level=0, **STOCK),
        "low": create_product(store, "Low", inventory_level=3, **STOCK),
        "plenty": create_product(store, "Plenty", inventory_level=100, **STOCK),
        "untracked": create_product(store, "Untracked", inventory_level=0),
        "no_warning": create_product(store, "No warning", inventory_level=0, inventory_tracking="product"),
        "variants": create_product(
            store, "Tee", sku="TEE", inventory_tracking="variant", variants=tee_variants()
        ),
    }
    return {name: int(product["id"]) for name, product in made.items()}


def test_out_of_stock(store: Store, stocked: dict[str, int]) -> None:
    # Every variant of the tee holds 0 by default.
    assert ids(store, "out_of_stock=1") == [stocked["empty"], stocked["no_warning"], stocked["variants"]]
    assert len(ids(store, "out_of_stock=0")) == len(stocked)  # 0 leaves the filter off
    variants = store.get(f"{PRODUCTS}/{stocked['variants']}/variants").json()["data"]
    updated = store.put(
        f"{PRODUCTS}/{stocked['variants']}/variants/{variants[0]['id']}", {"inventory_level": 2}
    )
    assert updated.status_code == 200
    assert ids(store, "out_of_stock=1") == [stocked["empty"], stocked["no_warning"]]


def test_inventory_low(store: Store, stocked: dict[str, int]) -> None:
    assert ids(store, "inventory_low=1") == [stocked["empty"], stocked["low"]]
    assert ids(store, "inventory_low=0") == [
        stocked[name] for name in ("plenty", "untracked", "no_warning", "variants")
    ]
    variants = store.get(f"{PRODUCTS}/{stocked['variants']}/variants").json()["data"]
    body = {"inventory_level": 1, "inventory_warning_level": 2}
    assert (
        store.put(f"{PRODUCTS}/{stocked['variants']}/variants/{variants[0]['id']}", body).status_code == 200
    )
    assert ids(store, "inventory_low=1") == [stocked["empty"], stocked["low"], stocked["variants"]]
    assert ids(store, "inventory_low=1&out_of_stock=1") == [stocked["empty"]]


@pytest.mark.parametrize(
    "query", ["out_of_stock=2", "out_of_stock=yes", "inventory_low=-1", "inventory_low=x"]
)
def test_stock_flags_take_1_or_0(store: Store, query: str) -> None:
    response = store.get(f"{PRODUCTS}?{query}")
    assert response.status_code == 422
    assert response.json()["title"].startswith(f'Query parameter "{query.split("=")[0]}" value must be')


def test_date_last_imported(store: Store) -> None:
    january = create_product(store, "A", date_last_imported="2020-01-01T10:00:00+00:00")["id"]
    # Stored in the catalog format whatever offset it was sent with.
    march = create_product(store, "B", date_last_imported="2020-03-01T12:00:00+02:00")
    assert march["date_last_imported"] == "2020-03-01T10:00:00+00:00"
    never = create_product(store, "C")["id"]
    assert ids(store, "date_last_imported=2020-01-01") == [january]
    assert ids(store, "date_last_imported=2099-01-01") == []
    assert ids(store, "date_last_imported:not=2020-01-01") == [march["id"], never]
    # The schema types the value as a date while its `:not` example is a date-time: the
    # date-time requests break the schema, not the spec's prose.
    with spec_breaking_requests(store):
        assert ids(store, "date_last_imported=2020-03-01T10%3A00%3A00%2B00%3A00") == [march["id"]]
        # The spec's example form, with the `+` encoded or not.
        not_at = "date_last_imported:not=2020-01-01T10"
        assert ids(store, f"{not_at}%3A00%3A00%2B00%3A00") == [march["id"], never]
        assert ids(store, f"{not_at}:00:00+00:00") == [march["id"], never]
    bad = store.get(f"{PRODUCTS}?date_last_imported:not=garbage")
    assert bad.status_code == 422


def test_date_last_imported_must_be_a_date_time(store: Store) -> None:
    response = store.post(
        PRODUCTS, {"name": "n", "type": "physical", "weight": 1, "price": 1, "date_last_imported": "garbage"}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"date_last_imported"}
