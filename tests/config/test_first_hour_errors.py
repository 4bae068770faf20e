"""Errors that point at the one real cause: no cascades from an invalid item, every phase at once."""

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
          brands: {prune: true}
          categories: {prune: true}
        """,
    )
    return project


def test_invalid_parent_category_is_one_error_not_one_per_child(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/categories.yaml",
        """
        categories:
          - name: Camping
            sort_order: first
            children:
              - name: Tents
              - name: Stoves
        """,
    )
    errors = catalog.errors()
    assert len(errors) == 1, errors
    assert errors[0].startswith("catalog/categories.yaml:3:17: categories[0].sort_order: Input should be")


def test_invalid_brand_still_exists_for_the_products_that_use_it(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/brands.yaml",
        """
        brands:
          - name: Northwind
            page_title: [not, text]
        """,
    )
    catalog.write(
        "catalog/products.yaml",
        """
        products:
          - {sku: A-1, name: Tent, type: physical, price: 10, weight: 1, brand: Northwind}
        """,
    )
    errors = catalog.errors()
    assert errors == ["catalog/brands.yaml:3:17: brands[0].page_title: Input should be a valid string"]


def test_duplicate_sku_does_not_hide_a_bad_category_reference(catalog: ProjectDir) -> None:
    catalog.write("catalog/categories.yaml", "categories:\n  - name: Camping\n")
    catalog.write(
        "catalog/products.yaml",
        """
        products:
          - {sku: A-1, name: Tent, type: physical, price: 10, weight: 1}
          - {sku: A-1, name: Stove, type: physical, price: 10, weight: 1}
          - {sku: B-1, name: Mat, type: physical, price: 10, weight: 1, categories: [Campign]}
        """,
    )
    errors = catalog.errors()
    assert any("duplicate products key 'A-1'" in e for e in errors), errors
    assert any(
        e.startswith("catalog/products.yaml:4:77: products: B-1 refers to category 'Campign'") for e in errors
    ), errors
