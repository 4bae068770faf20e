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
