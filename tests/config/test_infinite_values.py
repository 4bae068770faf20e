"""`.inf` and `.nan` are floats to YAML but no price: refused offline, where they are written.

Before, `price: .inf` validated, planned as `Infinity` (a plan file no JSON reader takes)
and failed only at apply with the API's 422; `map_price: .nan` validated too.
"""

from __future__ import annotations

import pytest

from tests.config.conftest import ProjectDir


@pytest.fixture
def catalog(project: ProjectDir) -> ProjectDir:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        include: [catalog/*.yaml]
        manage:
          products: {prune: false}
          price_lists: {prune: false}
        """,
    )
    return project


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", ".Inf"])
def test_a_product_price_that_is_not_finite_is_a_located_error(catalog: ProjectDir, value: str) -> None:
    catalog.write(
        "catalog/products.yaml",
        f"""
        products:
          - sku: A-1
            name: Tent
            type: physical
            weight: 1
            price: {value}
        """,
    )
    assert catalog.errors() == [
        "catalog/products.yaml:6:12: products[0].price: Input should be a finite number"
    ]


def test_a_variant_map_price_that_is_not_finite_is_a_located_error(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/products.yaml",
        """
        products:
          - sku: A-1
            name: Tent
            type: physical
            weight: 1
            price: 10
            options: [{name: Size, type: dropdown, values: [S]}]
            variants:
              - {sku: A-1-S, options: {Size: S}, map_price: .nan}
        """,
    )
    errors = catalog.errors()
    assert len(errors) == 1 and "map_price: Input should be a finite number" in errors[0], errors
    assert errors[0].startswith("catalog/products.yaml:9:"), errors


def test_a_price_list_record_price_that_is_not_finite_is_a_located_error(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/prices.yaml",
        """
        price_lists:
          - name: Wholesale
            records:
              A-1: {USD: {price: 10, sale_price: .inf}}
        """,
    )
    errors = catalog.errors()
    assert errors and all(e.startswith("catalog/prices.yaml:4:") for e in errors), errors
    assert any("sale_price: Input should be a finite number" in e for e in errors), errors


# Two more record mistakes that used to pass validate.


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("TENT-UL1: {USD: 229}\n              tent-ul1: {USD: 1}", "SKU 'tent-ul1' is listed twice"),
        ("TENT-UL1: {USD: 229, usd: 1}", "TENT-UL1: currency 'usd' is listed twice"),
    ],
)
def test_a_record_written_twice_in_one_file_is_an_error(catalog: ProjectDir, rows: str, message: str) -> None:
    # Before, the last spelling won without a word.
    catalog.write(
        "catalog/prices.yaml",
        f"""
        price_lists:
          - name: Wholesale
            records:
              {rows}
        """,
    )
    errors = catalog.errors()
    assert len(errors) == 1 and errors[0].startswith("catalog/prices.yaml:"), errors
    assert message in errors[0], errors


def test_a_record_tier_whose_maximum_is_below_its_minimum_is_an_error(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/prices.yaml",
        """
        price_lists:
          - name: Wholesale
            records:
              A-1:
                USD:
                  price: 10
                  bulk_pricing_tiers: [{quantity_min: 10, quantity_max: 5, type: fixed, amount: 5}]
              A-2:
                USD:
                  price: 10
                  bulk_pricing_tiers: [{quantity_min: 5, quantity_max: 5, type: fixed, amount: 5}]
        """,
    )
    errors = catalog.errors()
    assert len(errors) == 1 and errors[0].startswith("catalog/prices.yaml:6:"), errors
    assert "quantity_max must be 0 (no maximum) or at least quantity_min" in errors[0], errors
