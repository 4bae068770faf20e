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


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("127.0.0.1:28991", "must start with http:// or https://"),
        ("localhost:8765", "must start with http:// or https://"),
        ("ftp://example.com", "must start with http:// or https://"),
        ("http://", "needs a host"),
        ("http://127.0.0.1:99999", "needs a host and at most a valid port"),
        ("https://proxy.example.com/stores/abc/v3", "storeconf appends /stores/STORE_HASH/v3"),
    ],
)
def test_api_url_is_checked_offline(project: ProjectDir, url: str, problem: str) -> None:
    project.write(
        "storeconf.yaml",
        f"""
        version: 1
        environments:
          staging:
            store_hash: abc123
            access_token: ${{env:TOKEN}}
            api_url: {url}
        """,
    )
    errors = project.errors("staging", {"TOKEN": "secret-token"})
    assert len(errors) == 1, errors
    assert errors[0].startswith("storeconf.yaml:6:14: environments.staging.api_url: "), errors
    assert problem in errors[0]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:28991", "https://api.bigcommerce.com/", "http://[::1]:8765"]
)
def test_api_url_accepts_scheme_host_and_port(project: ProjectDir, url: str) -> None:
    project.write(
        "storeconf.yaml",
        f"version: 1\nenvironments:\n  s: {{store_hash: abc, access_token: t, api_url: '{url}'}}\n",
    )
    assert project.load("s").environment.api_url == url


def test_a_file_that_is_not_utf8_points_at_the_first_bad_byte(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "version: 1\ninclude: [catalog/*.yaml]\n")
    (project.root / "catalog").mkdir()
    (project.root / "catalog" / "brands.yaml").write_bytes(
        "brands:\n  - name: Café Outdoor\n    page_title: Caf".encode() + b"\xe9 Outdoor\n"
    )
    assert project.errors() == [
        "catalog/brands.yaml:3:20: not UTF-8 text: byte 0xe9 cannot start or continue a character "
        "(save the file as UTF-8)"
    ]


def test_an_unquoted_interpolation_in_a_flow_mapping_hints_at_quoting(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "version: 1\ninclude: [hooks.yaml]\n")
    project.write(
        "hooks.yaml",
        """
        webhooks:
          - scope: store/order/created
            destination: https://hooks.example.com/orders
            headers: {X-Signature: ${env:HOOK_SECRET}}
        """,
    )
    assert project.errors() == [
        "hooks.yaml:4:29: invalid YAML: expected ',' or '}', but got '{' (while parsing a flow mapping "
        "started at line 4, column 14); in a flow mapping or list `{` and `}` are syntax: quote the value, "
        '"${env:HOOK_SECRET}"'
    ]


def test_ignore_of_a_field_the_config_sets_warns_naming_one_item(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        include: [products.yaml]
        manage:
          products: {ignore: [price, variants.inventory_level]}
        """,
    )
    project.write(
        "products.yaml",
        """
        products:
          - {sku: A-1, name: Tent, type: physical, weight: 1, price: 10}
          - {sku: B-1, name: Mat, type: physical, weight: 1, price: 12}
          - sku: C-1
            name: Stove
            type: physical
            weight: 1
            price: 5
            options: [{name: Size, type: radio_buttons, values: [S]}]
            variants: [{sku: C-1-S, options: {Size: S}, inventory_level: 3}]
        """,
    )
    assert project.load().warnings == (
        "products.yaml:2:62: products 'A-1' (and 2 more) sets 'price', which manage.products.ignore lists: "
        "it is written only when storeconf creates the object, never compared or updated",
        "products.yaml:10:15: products 'C-1' sets 'variants.inventory_level', which manage.products.ignore "
        "lists: it is written only when storeconf creates the object, never compared or updated",
    )


@pytest.mark.parametrize(
    ("kind", "field"),
    [("products", "sku"), ("products", "variants.sku"), ("brands", "name"), ("categories", "path")],
)
def test_ignore_naming_a_key_field_is_an_error(project: ProjectDir, kind: str, field: str) -> None:
    project.write("storeconf.yaml", f"version: 1\nmanage:\n  {kind}: {{ignore: [{field}]}}\n")
    assert project.errors() == [
        f"storeconf.yaml:3:{len(kind) + 15}: manage.{kind}.ignore[0]: {field!r} is a key field of {kind} "
        "(it identifies them) and cannot be ignored"
    ]
