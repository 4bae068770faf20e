"""Products: create (defaults, validation, conflicts, embedded variants), read, update,
batch update, delete and the cascade to sub-resources."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.sandbox.sandbox_support import Store, StoreFactory
from tests.sandbox.test_products_support import (
    PRODUCTS,
    STATUS_CODES_PATH,
    VARIANTS,
    create_product,
    error_shape,
    product_body,
    spec_breaking_requests,
    tee_variants,
)

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
INCLUDABLE = ("variants", "images", "custom_fields", "bulk_pricing_rules", "modifiers", "options", "videos")


@pytest.fixture
def shop(store: Store) -> Store:
    return store


def category(store: Store, name: str) -> int:
    response = store.post("/v3/catalog/trees/categories", [{"name": name, "tree_id": 1}])
    assert response.status_code == 201, response.text
    return int(response.json()["data"][0]["category_id"])


def brand(store: Store, name: str) -> int:
    response = store.post("/v3/catalog/brands", {"name": name})
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["id"])


# ----------------------------------------------------------------------------------------
# Create
# ----------------------------------------------------------------------------------------


def test_create_returns_the_spec_defaults(shop: Store) -> None:
    response = shop.post(PRODUCTS, product_body())
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {}
    product = body["data"]
    expected = {
        "id": 1,
        "name": "Classic Tee",
        "type": "physical",
        "sku": "",
        "weight": 1,
        "price": 10,
        "calculated_price": 10,
        "categories": [],
        "brand_id": 0,
        "inventory_tracking": "none",
        "availability": "available",
        "condition": "New",
        "open_graph_type": "product",
        "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True,
        "open_graph_use_image": True,
        "layout_file": "product.html",
        "custom_url": {"url": "/classic-tee/", "is_customized": False},
        "is_visible": True,
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "related_products": [-1],
        "preorder_release_date": None,
    }
    assert {k: product[k] for k in expected} == expected
    assert DATE.match(product["date_created"]) and product["date_modified"] == product["date_created"]
    assert product["date_created"] == "2023-11-14T22:13:20+00:00"  # the store's clock
    assert isinstance(product["base_variant_id"], int)
    assert not {*INCLUDABLE, "channels", "primary_image"} & product.keys()


def test_calculated_price_is_the_sale_price_when_set(shop: Store) -> None:
    assert create_product(shop, "On Sale", sale_price=7.5)["calculated_price"] == 7.5
    assert create_product(shop, "Full Price", sale_price=0)["calculated_price"] == 10


def test_inventory_above_the_int32_maximum_is_clamped(shop: Store) -> None:
    with spec_breaking_requests(shop):
        product = create_product(shop, inventory_level=5_000_000_000, inventory_tracking="product")
    assert product["inventory_level"] == 2147483647


def test_missing_required_fields_are_422_per_field(shop: Store) -> None:
    response = shop.post(PRODUCTS, {"sku": "X"})
    assert response.status_code == 422
    body = response.json()
    error_shape(body, 422)
    missing = "error.path.missing"
    assert body["errors"] == {"name": missing, "type": missing, "weight": missing, "price": missing}


def test_invalid_values_are_422_per_field(shop: Store) -> None:
    body = product_body(type="boxy", weight=-1, price="10", condition="new", upc="x" * 15, categories=["a"])
    response = shop.post(PRODUCTS, body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"type", "weight", "price", "condition", "upc", "categories"}
    assert errors["price"] == "error.expected.jsnumber"
    assert errors["weight"] == "must be at least 0"
    assert shop.get(PRODUCTS).json()["meta"]["pagination"]["total"] == 0


def test_malformed_json_is_422(shop: Store) -> None:
    response = shop.request("POST", PRODUCTS, content=b"{not json")
    assert response.status_code == 422
    assert response.json()["title"] == "JSON data is missing or invalid"


def test_duplicate_name_is_409_whatever_the_case(shop: Store) -> None:
    create_product(shop, "Classic Tee")
    response = shop.post(PRODUCTS, product_body("CLASSIC tee"))
    assert response.status_code == 409
    body = response.json()
    error_shape(body, 409)
    assert set(body["errors"]) == {"name"}


def test_sku_is_unique_across_products_and_variants_whatever_the_case(shop: Store) -> None:
    create_product(shop, "Mug", sku="MUG-1")
    create_product(shop, "Tee", variants=tee_variants())
    for taken in ("mug-1", "tee-s-r"):
        response = shop.post(PRODUCTS, product_body("Other", sku=taken))
        assert response.status_code == 409, taken
        assert set(response.json()["errors"]) == {"sku"}
    # An empty SKU is no SKU: any number of products may have one.
    create_product(shop, "No SKU 1")
    create_product(shop, "No SKU 2")


def test_brand_must_exist_and_brand_name_finds_or_creates_it(shop: Store) -> None:
    response = shop.post(PRODUCTS, product_body(brand_id=999))
    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"brand_id"}
    acme = brand(shop, "Acme")
    assert create_product(shop, "A", brand_id=acme)["brand_id"] == acme
    assert create_product(shop, "B", brand_name="acme")["brand_id"] == acme
    created = create_product(shop, "C", brand_name="Globex")["brand_id"]
    assert created != acme
    assert shop.get(f"/v3/catalog/brands/{created}").json()["data"]["name"] == "Globex"


def test_categories_must_exist(shop: Store) -> None:
    shirts = category(shop, "Shirts")
    response = shop.post(PRODUCTS, product_body(categories=[shirts, 404]))
    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"categories"}
    assert "404" in response.json()["title"]
    assert create_product(shop, categories=[shirts])["categories"] == [shirts]


def test_custom_url_is_generated_unique_and_explicit_ones_conflict(shop: Store) -> None:
    assert create_product(shop, "Classic Tee")["custom_url"]["url"] == "/classic-tee/"
    assert create_product(shop, "Classic-Tee!")["custom_url"]["url"] == "/classic-tee-2/"
    custom = create_product(shop, "Mug", custom_url={"url": "/mugs/big/", "is_customized": True})
    assert custom["custom_url"] == {"url": "/mugs/big/", "is_customized": True}
    response = shop.post(PRODUCTS, product_body("Cup", custom_url={"url": "/Mugs/Big/"}))
    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"custom_url"}


def test_new_products_are_assigned_to_channel_1(shop: Store) -> None:
    product = create_product(shop)
    response = shop.get(f"{PRODUCTS}/{product['id']}?include=channels")
    assert response.json()["data"]["channels"] == [1]


def test_a_simple_product_has_a_base_variant_carrying_its_sku(shop: Store) -> None:
    product = create_product(shop, sku="TEE")
    (base,) = shop.get(f"{PRODUCTS}/{product['id']}/variants").json()["data"]
    assert base["id"] == product["base_variant_id"]
    assert (base["sku"], base["sku_id"], base["option_values"]) == ("TEE", None, [])
    assert base["calculated_price"] == 10 and base["price"] is None
    shop.put(f"{PRODUCTS}/{product['id']}", {"sku": "TEE-2"})
    assert shop.get(f"{VARIANTS}?id={base['id']}").json()["data"][0]["sku"] == "TEE-2"


def test_embedded_variants_create_rectangle_options_from_names(shop: Store) -> None:
    response = shop.post(PRODUCTS, product_body(sku="TEE", variants=tee_variants()))
    assert response.status_code == 200
    product = response.json()["data"]
    assert product["base_variant_id"] is None
    assert [v["sku"] for v in product["variants"]] == ["TEE-S-R", "TEE-S-B", "TEE-M-R", "TEE-M-B"]
    assert all(v["sku_id"] is not None for v in product["variants"])
    options = shop.get(f"{PRODUCTS}/{product['id']}/options").json()["data"]
    assert [(o["display_name"], o["type"]) for o in options] == [
        ("Size", "rectangles"),
        ("Color", "rectangles"),
    ]
    assert [v["label"] for v in options[0]["option_values"]] == ["S", "M"]
    assert [v["label"] for v in options[1]["option_values"]] == ["Red", "Blue"]
    size, color = options
    first = product["variants"][0]["option_values"]
    assert first == [
        {
            "id": size["option_values"][0]["id"],
            "label": "S",
            "option_id": size["id"],
            "option_display_name": "Size",
        },
        {
            "id": color["option_values"][0]["id"],
            "label": "Red",
            "option_id": color["id"],
            "option_display_name": "Color",
        },
    ]
    variants = shop.get(f"{PRODUCTS}/{product['id']}/variants").json()["data"]
    assert len(variants) == 4 and all(v["option_values"] for v in variants)


@pytest.mark.parametrize(
    ("variants", "status", "field"),
    [
        (
            [{"sku": "A", "option_values": [{"option_display_name": "Size", "label": "S"}]}, {"sku": "B"}],
            422,
            "variants.1.option_values",
        ),
        (
            [
                {"sku": "A", "option_values": [{"option_display_name": "Size", "label": "S"}]},
                {"sku": "B", "option_values": [{"option_display_name": "Color", "label": "Red"}]},
            ],
            422,
            "variants.0.option_values",
        ),
        (
            [
                {"sku": "A", "option_values": [{"option_display_name": "Size", "label": "S"}]},
                {"sku": "B", "option_values": [{"option_display_name": "size", "label": "s"}]},
            ],
            422,
            "variants.1.option_values",
        ),
        (
            [
                {"sku": "A", "option_values": [{"option_display_name": "Size", "label": "S"}]},
                {"sku": "a", "option_values": [{"option_display_name": "Size", "label": "M"}]},
            ],
            409,
            "variants.1.sku",
        ),
        ([{"option_values": [{"option_display_name": "Size", "label": "S"}]}], 422, "variants.0.sku"),
    ],
    ids=[
        "missing-option-values",
        "not-every-option",
        "duplicate-combination",
        "duplicate-sku",
        "missing-sku",
    ],
)
def test_bad_embedded_variants_fail_the_whole_product(
    shop: Store, variants: list[dict[str, Any]], status: int, field: str
) -> None:
    response = shop.post(PRODUCTS, product_body(variants=variants))
    assert response.status_code == status, response.text
    assert field in response.json()["errors"]
    assert shop.get(PRODUCTS).json()["data"] == []
    assert shop.get(VARIANTS).json()["data"] == []


def test_embedded_parts_go_to_their_modules_and_come_back_with_include(shop: Store) -> None:
    body = product_body(
        custom_fields=[{"name": "ISBN", "value": "123"}],
        bulk_pricing_rules=[{"quantity_min": 2, "quantity_max": 5, "type": "price", "amount": 1}],
        images=[{"image_url": "https://example.com/tee.jpg", "is_thumbnail": True}],
        videos=[{"video_id": "z3fRu9pkuXE"}],
    )
    created = shop.post(PRODUCTS, body).json()["data"]
    assert created["custom_fields"][0]["name"] == "ISBN"  # sent embedded, returned with ids
    include = "custom_fields,bulk_pricing_rules,images,primary_image,videos"
    product = shop.get(f"{PRODUCTS}/{created['id']}?include={include}").json()["data"]
    assert [(f["name"], f["value"]) for f in product["custom_fields"]] == [("ISBN", "123")]
    assert product["bulk_pricing_rules"][0]["quantity_min"] == 2
    assert len(product["images"]) == 1 and product["primary_image"]["id"] == product["images"][0]["id"]
    assert product["videos"][0]["video_id"] == "z3fRu9pkuXE"


def test_an_invalid_embedded_part_rolls_the_product_back(shop: Store) -> None:
    response = shop.post(PRODUCTS, product_body(custom_fields=[{"name": "ISBN"}]))
    assert response.status_code == 422
    assert shop.get(PRODUCTS).json()["meta"]["pagination"]["total"] == 0


# ----------------------------------------------------------------------------------------
# Read
# ----------------------------------------------------------------------------------------


def test_unknown_product_is_the_catalog_404(shop: Store) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = shop.request(method, f"{PRODUCTS}/99", json={} if method == "PUT" else None)
        assert response.status_code == 404, method
        assert response.json() == {
            "status": 404,
            "title": "The resource was not found.",
            "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
        }


def test_include_fields_and_exclude_fields(shop: Store) -> None:
    product = create_product(shop, sku="TEE")
    data = shop.get(f"{PRODUCTS}/{product['id']}?include_fields=name,sku").json()["data"]
    # id always; gift wrapping fields ignore include/exclude_fields (docs).
    assert data == {
        "id": product["id"],
        "name": "Classic Tee",
        "sku": "TEE",
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
    }
    data = shop.get(f"{PRODUCTS}/{product['id']}?exclude_fields=id,description,price").json()["data"]
    assert "id" in data and "description" not in data and "price" not in data and "sku" in data


def test_include_adds_each_requested_array(shop: Store) -> None:
    product = create_product(shop, variants=tee_variants())
    include = "variants,options,modifiers,custom_fields,channels,parent_relations"
    data = shop.get(f"{PRODUCTS}/{product['id']}?include={include}").json()["data"]
    assert len(data["variants"]) == 4 and [o["display_name"] for o in data["options"]] == ["Size", "Color"]
    assert (data["modifiers"], data["custom_fields"], data["channels"], data["parent_relations"]) == (
        [],
        [],
        [1],
        [],
    )
    assert "images" not in data and "primary_image" not in data


# ----------------------------------------------------------------------------------------
# Update
# ----------------------------------------------------------------------------------------


def test_put_is_a_partial_update(make_store: StoreFactory) -> None:
    moment = [1_700_000_000.0]
    shop = make_store(now=lambda: moment[0])
    product = create_product(shop, sku="TEE", description="Soft")
    moment[0] += 100
    response = shop.put(f"{PRODUCTS}/{product['id']}", {"price": 12, "sale_price": 9})
    assert response.status_code == 200
    updated = response.json()["data"]
    assert (updated["price"], updated["calculated_price"], updated["description"]) == (12, 9, "Soft")
    assert updated["date_modified"] == "2023-11-14T22:15:00+00:00"
    assert updated["date_created"] == product["date_created"]
    unchanged = {
        k: v
        for k, v in product.items()
        if k not in ("price", "sale_price", "calculated_price", "date_modified")
    }
    assert {k: updated[k] for k in unchanged} == unchanged


def test_put_categories_replaces_the_set(shop: Store) -> None:
    a, b, c = category(shop, "A"), category(shop, "B"), category(shop, "C")
    product = create_product(shop, categories=[a, b])
    response = shop.put(f"{PRODUCTS}/{product['id']}", {"categories": [c]})
    assert response.json()["data"]["categories"] == [c]
    assert shop.put(f"{PRODUCTS}/{product['id']}", {"name": "Renamed"}).json()["data"]["categories"] == [c]
    assert shop.put(f"{PRODUCTS}/{product['id']}", {"categories": []}).json()["data"]["categories"] == []


def test_put_conflicts_and_validation(shop: Store) -> None:
    create_product(shop, "Mug", sku="MUG")
    tee = create_product(shop, "Tee")
    for body, field in (({"name": "mug"}, "name"), ({"sku": "mug"}, "sku"), ({"brand_id": 5}, "brand_id")):
        response = shop.put(f"{PRODUCTS}/{tee['id']}", body)
        assert response.status_code == 409, body
        assert set(response.json()["errors"]) == {field}
    response = shop.put(f"{PRODUCTS}/{tee['id']}", {"type": "service"})
    assert response.status_code == 422 and set(response.json()["errors"]) == {"type"}
    # Its own name and SKU are no conflict.
    assert shop.put(f"{PRODUCTS}/{tee['id']}", {"name": "TEE"}).status_code == 200


def test_batch_update(shop: Store) -> None:
    a, b = create_product(shop, "A"), create_product(shop, "B")
    response = shop.put(PRODUCTS, [{"id": a["id"], "price": 1}, {"id": b["id"], "name": "Bee"}])
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {}
    assert [(p["id"], p["name"], p["price"]) for p in body["data"]] == [
        (a["id"], "A", 1),
        (b["id"], "Bee", 10),
    ]


def test_batch_update_over_10_items_is_413_verbatim(shop: Store) -> None:
    product = create_product(shop)
    response = shop.put(PRODUCTS, [{"id": product["id"]}] * 11)
    assert response.status_code == 413
    assert response.json() == {
        "errors": {},
        "status": 413,
        "title": "The request payload is too large. The maximum items allowed in the array is 10.",
        "type": STATUS_CODES_PATH,
    }


def test_batch_update_is_all_or_nothing(shop: Store) -> None:
    a, b = create_product(shop, "A"), create_product(shop, "B")
    response = shop.put(PRODUCTS, [{"id": a["id"], "price": 1}, {"price": 2}])
    assert response.status_code == 422
    assert response.json()["errors"] == {"1.id": "error.path.missing"}
    response = shop.put(PRODUCTS, [{"id": a["id"], "price": 1}, {"id": 999, "price": 2}])
    assert response.status_code == 404
    assert "999" in response.json()["title"]
    response = shop.put(PRODUCTS, [{"id": a["id"], "price": 1}, {"id": b["id"], "name": "a"}])
    assert response.status_code == 409
    assert response.json()["errors"] == {"1.name": "A product named 'a' already exists."}
    assert shop.get(f"{PRODUCTS}/{a['id']}").json()["data"]["price"] == 10


# ----------------------------------------------------------------------------------------
# Delete
# ----------------------------------------------------------------------------------------


def test_bulk_delete_needs_a_filter(shop: Store) -> None:
    create_product(shop)
    response = shop.delete(PRODUCTS)
    assert response.status_code == 422
    error_shape(response.json(), 422)
    assert shop.get(PRODUCTS).json()["meta"]["pagination"]["total"] == 1


def test_bulk_delete_by_id_and_its_250_cap(shop: Store) -> None:
    ids = [create_product(shop, name)["id"] for name in ("A", "B", "C")]
    response = shop.delete(f"{PRODUCTS}?id:in={ids[0]},{ids[2]}")
    assert response.status_code == 204 and response.content == b""
    assert [p["id"] for p in shop.get(PRODUCTS).json()["data"]] == [ids[1]]
    too_many = ",".join(str(n) for n in range(1, 252))
    response = shop.delete(f"{PRODUCTS}?id:in={too_many}")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"id:in"}
    assert shop.delete(f"{PRODUCTS}?name=B").status_code == 204
    assert shop.get(PRODUCTS).json()["data"] == []


def test_delete_cascades_to_variants_options_and_parts(shop: Store) -> None:
    shirts = category(shop, "Shirts")
    body = product_body(
        variants=tee_variants(), categories=[shirts], custom_fields=[{"name": "Fit", "value": "Slim"}]
    )
    product = shop.post(PRODUCTS, body).json()["data"]
    keep = create_product(shop, "Mug", categories=[shirts])
    pid = product["id"]
    assert shop.delete(f"{PRODUCTS}/{pid}").status_code == 204
    assert shop.get(f"{PRODUCTS}/{pid}").status_code == 404
    assert shop.get(f"{VARIANTS}?product_id:in={pid}").json()["data"] == []
    db = shop.sandbox.db
    for table in (
        "variant_options",
        "variants",
        "product_categories",
        "product_channels",
        "product_custom_fields",
    ):
        assert db.scalar(f"SELECT COUNT(*) FROM {table} WHERE product_id = ?", [pid]) == 0, table
    assert db.scalar("SELECT COUNT(*) FROM variant_option_values") == 0
    assert db.scalar("SELECT COUNT(*) FROM variant_values") == 0
    # The other product keeps its base variant and its category.
    assert len(shop.get(f"{VARIANTS}?product_id:in={keep['id']}").json()["data"]) == 1
    assert shop.get(f"{PRODUCTS}/{keep['id']}").json()["data"]["categories"] == [shirts]


def test_deleting_a_category_or_brand_updates_its_products(shop: Store) -> None:
    shirts, sale = category(shop, "Shirts"), category(shop, "Sale")
    acme = brand(shop, "Acme")
    product = create_product(shop, categories=[shirts, sale], brand_id=acme)
    assert shop.delete(f"/v3/catalog/trees/categories?category_id:in={sale}").status_code == 202
    assert shop.delete(f"/v3/catalog/brands/{acme}").status_code == 204
    data = shop.get(f"{PRODUCTS}/{product['id']}").json()["data"]
    assert (data["categories"], data["brand_id"]) == ([shirts], 0)
