"""The sandbox keeps money as the store does: 4 decimal places, rounded half away from zero."""

from __future__ import annotations

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_support import PRODUCTS, create_product, tee_variants


def test_product_variant_and_bulk_rule_money_is_stored_at_4_decimal_places(store: Store) -> None:
    product = create_product(
        store,
        sku="TEE",
        price=10.00005,
        cost_price=7.12345,
        sale_price=9.99999,
        map_price=1.23456789,
        variants=tee_variants()[:1],
        bulk_pricing_rules=[{"quantity_min": 2, "quantity_max": 5, "type": "price", "amount": 2.33335}],
    )
    read = store.get(f"{PRODUCTS}/{product['id']}?include=variants,bulk_pricing_rules")
    data = read.json()["data"]
    assert (data["price"], data["cost_price"], data["sale_price"], data["map_price"]) == (
        10.0001,
        7.1235,
        10.0,
        1.2346,
    )
    assert data["bulk_pricing_rules"][0]["amount"] == 2.3334
    variant = data["variants"][0]
    response = store.put(f"{PRODUCTS}/{product['id']}/variants/{variant['id']}", {"cost_price": 3.00004})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["cost_price"] == 3.0
