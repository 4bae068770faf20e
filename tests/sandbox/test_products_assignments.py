"""Product channel assignments and category assignments."""

from __future__ import annotations

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_support import PRODUCTS, create_product

CHANNELS = f"{PRODUCTS}/channel-assignments"
CATEGORIES = f"{PRODUCTS}/category-assignments"


@pytest.fixture
def shop(store: Store) -> Store:
    return store


def channel(store: Store, name: str) -> int:
    response = store.post("/v3/channels", {"name": name, "type": "pos", "platform": "square"})
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["id"])


def category(store: Store, name: str) -> int:
    response = store.post("/v3/catalog/trees/categories", [{"name": name, "tree_id": 1}])
    assert response.status_code == 201, response.text
    return int(response.json()["data"][0]["category_id"])


def pairs(store: Store, url: str, query: str = "") -> list[tuple[int, int]]:
    response = store.get(f"{url}?{query}")
    assert response.status_code == 200, response.text
    return [
        (item["product_id"], next(v for k, v in item.items() if k != "product_id"))
        for item in response.json()["data"]
    ]


def test_channel_assignments(shop: Store) -> None:
    a, b = create_product(shop, "A")["id"], create_product(shop, "B")["id"]
    pos = channel(shop, "POS")
    assert pairs(shop, CHANNELS) == [(a, 1), (b, 1)]  # new products are on channel 1
    response = shop.put(CHANNELS, [{"product_id": a, "channel_id": pos}, {"product_id": a, "channel_id": 1}])
    assert response.status_code == 204 and response.content == b""
    assert pairs(shop, CHANNELS, f"channel_id:in={pos}") == [(a, pos)]
    assert pairs(shop, CHANNELS, f"product_id:in={a}") == [(a, 1), (a, pos)]
    body = shop.get(f"{CHANNELS}?limit=1&page=2").json()
    assert body["data"] == [{"product_id": a, "channel_id": pos}]
    assert body["meta"]["pagination"]["total"] == 3
    assert shop.delete(f"{CHANNELS}?product_id:in={a}&channel_id:in=1").status_code == 204
    assert pairs(shop, CHANNELS) == [(a, pos), (b, 1)]
    assert shop.get(f"{PRODUCTS}/{a}?include=channels").json()["data"]["channels"] == [pos]


def test_assignment_put_is_all_or_nothing_with_errors_per_item(shop: Store) -> None:
    a = create_product(shop, "A")["id"]
    pos = channel(shop, "POS")
    items = [{"product_id": a, "channel_id": pos}, {"product_id": 99, "channel_id": 98}, {"product_id": a}]
    response = shop.put(CHANNELS, items)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["title"]
    assert body["errors"] == {
        "1.product_id": "Product 99 does not exist.",
        "1.channel_id": "Channel 98 does not exist.",
        "2.channel_id": "error.path.missing",
    }
    assert pairs(shop, CHANNELS) == [(a, 1)]


@pytest.mark.parametrize(("url", "noun"), [(CHANNELS, "channel"), (CATEGORIES, "category")])
def test_assignment_delete_needs_a_filter(shop: Store, url: str, noun: str) -> None:
    create_product(shop, "A")
    response = shop.delete(url)
    assert response.status_code == 422
    assert (
        response.json()["title"]
        == f"At least one filter must be provided in order to delete {noun} assignments"
    )
    assert shop.get(CHANNELS).json()["meta"]["pagination"]["total"] == 1


def test_category_assignments_are_the_product_categories(shop: Store) -> None:
    shirts, sale = category(shop, "Shirts"), category(shop, "Sale")
    a = create_product(shop, "A", categories=[shirts])["id"]
    b = create_product(shop, "B")["id"]
    assert pairs(shop, CATEGORIES) == [(a, shirts)]
    response = shop.put(
        CATEGORIES, [{"product_id": b, "category_id": sale}, {"product_id": a, "category_id": sale}]
    )
    assert response.status_code == 204
    assert shop.get(f"{PRODUCTS}/{a}").json()["data"]["categories"] == [shirts, sale]
    assert pairs(shop, CATEGORIES, f"category_id:in={sale}") == [(a, sale), (b, sale)]
    assert shop.delete(f"{CATEGORIES}?category_id:in={shirts}").status_code == 204
    assert shop.get(f"{PRODUCTS}/{a}").json()["data"]["categories"] == [sale]
    shop.put(f"{PRODUCTS}/{b}", {"categories": [shirts]})
    assert pairs(shop, CATEGORIES, f"product_id:in={b}") == [(b, shirts)]
    response = shop.put(CATEGORIES, [{"product_id": a, "category_id": 404}])
    assert response.status_code == 422
    assert response.json()["errors"] == {"0.category_id": "Category 404 does not exist."}
