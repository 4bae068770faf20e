"""`GET /catalog/products`: filters, sorting, paging, `include=` with its 10-per-page cap,
and a constant number of SQL queries per page whatever the page size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.sandbox.sandbox_support import Store, StoreFactory
from tests.sandbox.test_products_support import PRODUCTS, create_product, tee_variants

ALL_INCLUDES = (
    "variants,images,custom_fields,bulk_pricing_rules,primary_image,modifiers,options,videos,channels"
)


@pytest.fixture
def shop(store: Store) -> Store:
    return store


@pytest.fixture
def fast_shop(make_store: StoreFactory) -> Store:
    """A store without the rate limit, for tests that make hundreds of requests."""
    return make_store(enforce_rate_limit=False)


def ids(store: Store, query: str) -> list[int]:
    response = store.get(f"{PRODUCTS}?{query}")
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["data"]]


def category(store: Store, name: str) -> int:
    response = store.post("/v3/catalog/trees/categories", [{"name": name, "tree_id": 1}])
    assert response.status_code == 201, response.text
    return int(response.json()["data"][0]["category_id"])


@contextmanager
def counting_queries(store: Store) -> Iterator[list[str]]:
    statements: list[str] = []
    store.sandbox.db.conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        store.sandbox.db.conn.set_trace_callback(None)


# ----------------------------------------------------------------------------------------
# Filters and sorting
# ----------------------------------------------------------------------------------------


def test_id_filters(shop: Store) -> None:
    for name in "ABCDE":
        create_product(shop, name)
    assert ids(shop, "id=3") == [3]
    assert ids(shop, "id:in=1,4,9") == [1, 4]
    assert ids(shop, "id:not_in=1,2") == [3, 4, 5]
    assert ids(shop, "id:min=2&id:max=4") == [2, 3, 4]
    assert ids(shop, "id:greater=2&id:less=5") == [3, 4]


def test_field_filters(shop: Store) -> None:
    acme = shop.post("/v3/catalog/brands", {"name": "Acme"}).json()["data"]["id"]
    create_product(shop, "Red Mug", sku="MUG-R", brand_id=acme, description="ceramic")
    create_product(shop, "Blue Mug", sku="MUG-B", is_visible=False, type="digital")
    create_product(shop, "Tee", sku="TEE")
    assert ids(shop, "name=blue%20mug") == [2]
    assert ids(shop, "sku=mug-r") == [1]
    assert ids(shop, "sku:in=MUG-B,TEE") == [2, 3]
    assert ids(shop, f"brand_id={acme}") == [1]
    assert ids(shop, "is_visible=false") == [2]
    assert ids(shop, "type=physical") == [1, 3]
    assert ids(shop, "keyword=mug") == [1, 2]
    assert ids(shop, "keyword=ceramic") == [1]
    assert ids(shop, "keyword=acme") == [1]  # the brand name
    assert ids(shop, "price=10") == [1, 2, 3]


def test_category_filters(shop: Store) -> None:
    a, b = category(shop, "A"), category(shop, "B")
    create_product(shop, "Only A", categories=[a])
    create_product(shop, "A and B", categories=[a, b])
    create_product(shop, "Only B", categories=[b])
    # The spec: `categories` does not match a product that is in more than one category.
    assert ids(shop, f"categories={a}") == [1]
    # The spec: `categories:in` returns products in all the listed categories.
    assert ids(shop, f"categories:in={a},{b}") == [2]
    assert ids(shop, f"categories:in={b}") == [2, 3]


def test_channel_filter(shop: Store) -> None:
    create_product(shop, "A")
    create_product(shop, "B")
    channel = shop.post("/v3/channels", {"name": "POS", "type": "pos", "platform": "square"}).json()["data"][
        "id"
    ]
    assert (
        shop.put(
            "/v3/catalog/products/channel-assignments", [{"product_id": 2, "channel_id": channel}]
        ).status_code
        == 204
    )
    assert ids(shop, f"channel_id:in={channel}") == [2]
    assert ids(shop, f"channel_id:in=1,{channel}") == [1, 2]


def test_sort_and_direction(shop: Store) -> None:
    create_product(shop, "beta", price=5)
    create_product(shop, "Alpha", price=20, sale_price=1)
    create_product(shop, "gamma", price=10)
    assert ids(shop, "sort=name") == [2, 1, 3]
    assert ids(shop, "sort=name&direction=desc") == [3, 1, 2]
    assert ids(shop, "sort=price") == [1, 3, 2]
    assert ids(shop, "sort=calculated_price") == [2, 1, 3]
    assert ids(shop, "direction=desc") == [3, 2, 1]
    response = shop.get(f"{PRODUCTS}?sort=colour")
    assert response.status_code == 422


def test_bad_filter_value_is_422(shop: Store) -> None:
    response = shop.get(f"{PRODUCTS}?id:in=1,x")
    assert response.status_code == 422
    assert "id:in" in response.json()["title"]


# ----------------------------------------------------------------------------------------
# Paging
# ----------------------------------------------------------------------------------------


def test_pages_and_links(shop: Store) -> None:
    for n in range(5):
        create_product(shop, f"P{n}")
    body = shop.get(f"{PRODUCTS}?limit=2&page=2&is_visible=true").json()
    assert [p["id"] for p in body["data"]] == [3, 4]
    assert body["meta"]["pagination"] == {
        "total": 5,
        "count": 2,
        "per_page": 2,
        "current_page": 2,
        "total_pages": 3,
        "links": {
            "previous": "?is_visible=true&page=1&limit=2",
            "current": "?is_visible=true&page=2&limit=2",
            "next": "?is_visible=true&page=3&limit=2",
        },
    }
    assert shop.get(PRODUCTS).json()["meta"]["pagination"]["per_page"] == 50


def test_limit_over_250_is_413(shop: Store) -> None:
    response = shop.get(f"{PRODUCTS}?limit=251")
    assert response.status_code == 413
    assert response.json()["title"] == "The limit parameter exceeded the maximum of 250 items per page."


# ----------------------------------------------------------------------------------------
# include=
# ----------------------------------------------------------------------------------------


def test_no_include_means_no_sub_resource_arrays(shop: Store) -> None:
    create_product(shop, variants=tee_variants())
    (product,) = shop.get(PRODUCTS).json()["data"]
    assert not {"variants", "options", "images", "custom_fields", "channels", "modifiers"} & product.keys()


@pytest.mark.parametrize("include", ["options", "modifiers", "variants,modifiers"])
def test_include_options_or_modifiers_caps_a_page_at_10(shop: Store, include: str) -> None:
    for n in range(12):
        create_product(shop, f"P{n}")
    body = shop.get(f"{PRODUCTS}?include={include}&limit=50").json()
    assert len(body["data"]) == 10
    assert body["meta"]["pagination"]["per_page"] == 10
    assert (body["meta"]["pagination"]["total"], body["meta"]["pagination"]["total_pages"]) == (12, 2)
    second = shop.get(f"{PRODUCTS}?include={include}&page=2").json()["data"]
    assert [p["id"] for p in second] == [11, 12]
    assert len(shop.get(f"{PRODUCTS}?include=variants,images&limit=50").json()["data"]) == 12
    assert len(shop.get(f"{PRODUCTS}?include=options&limit=5").json()["data"]) == 5


def test_include_queries_do_not_grow_with_the_page(fast_shop: Store) -> None:
    for n in range(20):
        create_product(fast_shop, f"P{n}", variants=tee_variants_for(n))
    # Page through once first: both pages below then find the list's ordered ids kept.
    fast_shop.get(f"{PRODUCTS}?limit=1")
    with counting_queries(fast_shop) as small:
        assert len(fast_shop.get(f"{PRODUCTS}?include={ALL_INCLUDES}&limit=2").json()["data"]) == 2
    with counting_queries(fast_shop) as large:
        assert len(fast_shop.get(f"{PRODUCTS}?include={ALL_INCLUDES}&limit=10").json()["data"]) == 10
    assert len(large) == len(small)
    with counting_queries(fast_shop) as many:
        data = fast_shop.get(f"{PRODUCTS}?include=variants,images,channels&limit=20").json()["data"]
    assert all(len(p["variants"]) == 4 for p in data)
    assert len(many) <= len(small)


def tee_variants_for(n: int) -> list[dict[str, object]]:
    variants = tee_variants()
    for variant in variants:
        variant["sku"] = f"{variant['sku']}-{n}"
    return variants


def test_include_on_a_250_product_page(fast_shop: Store) -> None:
    for n in range(250):
        create_product(fast_shop, f"Product {n}", sku=f"SKU-{n}")
    with counting_queries(fast_shop) as statements:
        response = fast_shop.get(f"{PRODUCTS}?limit=250&include=variants,images,custom_fields,channels")
    assert response.status_code == 200
    data = response.json()["data"]
    assert len(data) == 250
    assert all(p["channels"] == [1] and p["images"] == [] and p["custom_fields"] == [] for p in data)
    assert [p["variants"][0]["sku"] for p in data] == [f"SKU-{n}" for n in range(250)]
    assert all(p["variants"][0]["id"] == p["base_variant_id"] for p in data)
    assert len(statements) < 20
