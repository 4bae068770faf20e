"""Variants: per-product CRUD, the base variant, inherited prices, store-wide listing and
the batch endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_support import (
    PRODUCTS,
    STATUS_CODES_PATH,
    VARIANTS,
    create_product,
    error_shape,
    spec_breaking_requests,
    tee_variants,
)

FOUR_KEYS = {"id", "label", "option_id", "option_display_name"}


@pytest.fixture
def shop(store: Store) -> Store:
    return store


def add_option(store: Store, product_id: int, name: str, *labels: str) -> dict[str, Any]:
    values = [{"label": label, "sort_order": n} for n, label in enumerate(labels)]
    response = store.post(
        f"{PRODUCTS}/{product_id}/options",
        {"display_name": name, "type": "dropdown", "option_values": values},
    )
    assert response.status_code == 200, response.text
    option: dict[str, Any] = response.json()["data"]
    return option


def ref(option: dict[str, Any], label: str) -> dict[str, int]:
    value = next(v for v in option["option_values"] if v["label"] == label)
    return {"id": value["id"], "option_id": option["id"]}


@pytest.fixture
def sized(shop: Store) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A product with options Size (S, M) and Color (Red), no option variants yet."""
    product = create_product(shop, "Tee", sku="TEE", price=20, sale_price=0, weight=2)
    size = add_option(shop, product["id"], "Size", "S", "M")
    color = add_option(shop, product["id"], "Color", "Red")
    return product["id"], size, color


def post_variant(store: Store, product_id: int, body: dict[str, Any]) -> Any:
    return store.post(f"{PRODUCTS}/{product_id}/variants", body)


# ----------------------------------------------------------------------------------------
# Create
# ----------------------------------------------------------------------------------------


def test_create_variant_by_option_value_ids(
    shop: Store, sized: tuple[int, dict[str, Any], dict[str, Any]]
) -> None:
    pid, size, color = sized
    base_id = shop.get(f"{PRODUCTS}/{pid}").json()["data"]["base_variant_id"]
    # Creating options keeps the base variant: options never create variants.
    assert [v["id"] for v in shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]] == [base_id]
    response = post_variant(
        shop, pid, {"sku": "TEE-S-R", "option_values": [ref(size, "S"), ref(color, "Red")]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {}
    variant = body["data"]
    assert (variant["product_id"], variant["sku"], variant["price"], variant["calculated_price"]) == (
        pid,
        "TEE-S-R",
        None,
        20,
    )
    assert variant["calculated_weight"] == 2 and isinstance(variant["sku_id"], int)
    assert [set(v) for v in variant["option_values"]] == [FOUR_KEYS, FOUR_KEYS]
    assert [(v["option_display_name"], v["label"]) for v in variant["option_values"]] == [
        ("Size", "S"),
        ("Color", "Red"),
    ]
    # The base variant is gone once the product has an option variant.
    assert shop.get(f"{PRODUCTS}/{pid}").json()["data"]["base_variant_id"] is None
    assert [v["id"] for v in shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]] == [variant["id"]]


def test_create_variant_by_option_names(
    shop: Store, sized: tuple[int, dict[str, Any], dict[str, Any]]
) -> None:
    pid, _, _ = sized
    names = [{"option_display_name": "size", "label": "m"}, {"option_display_name": "Color", "label": "Red"}]
    response = post_variant(shop, pid, {"sku": "TEE-M-R", "option_values": names})
    assert response.status_code == 200
    assert [v["label"] for v in response.json()["data"]["option_values"]] == ["M", "Red"]
    # Names only refer to existing options here; they create nothing.
    unknown = [
        {"option_display_name": "Size", "label": "XL"},
        {"option_display_name": "Color", "label": "Red"},
    ]
    assert post_variant(shop, pid, {"sku": "TEE-XL-R", "option_values": unknown}).status_code == 422


def test_sku_and_option_values_are_required(
    shop: Store, sized: tuple[int, dict[str, Any], dict[str, Any]]
) -> None:
    pid, _, _ = sized
    response = post_variant(shop, pid, {})
    assert response.status_code == 422
    error_shape(response.json(), 422)
    assert response.json()["errors"] == {"sku": "error.path.missing", "option_values": "error.path.missing"}
    assert (
        post_variant(shop, pid, {"sku": "", "option_values": []}).json()["errors"]["sku"]
        == "must be 1 to 255 characters"
    )


def test_duplicate_sku_is_409_store_wide_whatever_the_case(
    shop: Store, sized: tuple[int, dict[str, Any], dict[str, Any]]
) -> None:
    pid, size, color = sized
    create_product(shop, "Mug", sku="MUG")
    assert (
        post_variant(
            shop, pid, {"sku": "A", "option_values": [ref(size, "S"), ref(color, "Red")]}
        ).status_code
        == 200
    )
    for taken in ("mug", "a", "tee"):
        response = post_variant(
            shop, pid, {"sku": taken, "option_values": [ref(size, "M"), ref(color, "Red")]}
        )
        assert response.status_code == 409, taken
        error_shape(response.json(), 409)
        assert set(response.json()["errors"]) == {"sku"}


def test_option_values_must_name_one_value_of_every_option_of_the_product(
    shop: Store, sized: tuple[int, dict[str, Any], dict[str, Any]]
) -> None:
    pid, size, color = sized
    other = create_product(shop, "Other")
    foreign = add_option(shop, other["id"], "Size", "S")
    cases = {
        "foreign value": [ref(foreign, "S"), ref(color, "Red")],
        "missing option": [ref(size, "S")],
        "option twice": [ref(size, "S"), ref(size, "M"), ref(color, "Red")],
        "wrong option id": [
            {"id": size["option_values"][0]["id"], "option_id": color["id"]},
            ref(color, "Red"),
        ],
    }
    for case, values in cases.items():
        response = post_variant(shop, pid, {"sku": "X", "option_values": values})
        assert response.status_code == 422, case
        assert any(key.startswith("option_values") for key in response.json()["errors"]), case
    assert (
        post_variant(
            shop, pid, {"sku": "X", "option_values": [ref(size, "S"), ref(color, "Red")]}
        ).status_code
        == 200
    )
    duplicate = post_variant(shop, pid, {"sku": "Y", "option_values": [ref(color, "Red"), ref(size, "S")]})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == {
        "option_values": "A variant with these option values already exists."
    }


def test_a_product_without_options_takes_no_variant(shop: Store) -> None:
    product = create_product(shop)
    response = post_variant(shop, product["id"], {"sku": "X", "option_values": []})
    assert response.status_code == 422


def test_variants_of_unknown_products_and_other_products_are_404(shop: Store) -> None:
    a = create_product(shop, "A", variants=tee_variants())
    b = create_product(shop, "B")
    variant_id = a["variants"][0]["id"]
    assert shop.get(f"{PRODUCTS}/{b['id']}/variants/{variant_id}").status_code == 404
    assert shop.get(f"{PRODUCTS}/99/variants").status_code == 404
    assert post_variant(shop, 99, {"sku": "X", "option_values": []}).status_code == 404
    assert shop.get(f"{PRODUCTS}/{a['id']}/variants/{variant_id}").json()["data"]["sku"] == "TEE-S-R"


# ----------------------------------------------------------------------------------------
# Update, inherited values, delete
# ----------------------------------------------------------------------------------------


def test_null_overrides_inherit_the_product(shop: Store) -> None:
    product = create_product(shop, price=10, variants=tee_variants())
    pid, vid = product["id"], product["variants"][0]["id"]
    url = f"{PRODUCTS}/{pid}/variants/{vid}"
    variant = shop.put(url, {"price": 15, "weight": 3}).json()["data"]
    assert (
        variant["price"],
        variant["calculated_price"],
        variant["weight"],
        variant["calculated_weight"],
    ) == (15, 15, 3, 3)
    variant = shop.put(url, {"sale_price": 12}).json()["data"]
    assert variant["calculated_price"] == 12
    variant = shop.put(url, {"price": None, "sale_price": None, "weight": None}).json()["data"]
    assert (variant["price"], variant["calculated_price"], variant["calculated_weight"]) == (None, 10, 1)
    shop.put(f"{PRODUCTS}/{pid}", {"price": 11, "weight": 4})
    variant = shop.get(url).json()["data"]
    assert (variant["calculated_price"], variant["calculated_weight"]) == (11, 4)


def test_update_variant_fields_and_sku_conflicts(shop: Store) -> None:
    product = create_product(shop, variants=tee_variants())
    pid, first, second = product["id"], product["variants"][0]["id"], product["variants"][1]["id"]
    url = f"{PRODUCTS}/{pid}/variants/{first}"
    body = {
        "upc": "123",
        "mpn": "M1",
        "inventory_level": 3,
        "purchasing_disabled": True,
        "image_url": "https://x/y.png",
    }
    variant = shop.put(url, body).json()["data"]
    assert {k: variant[k] for k in body} == body
    assert variant["option_values"][0]["label"] == "S"  # option values stay
    response = shop.put(url, {"sku": "tee-s-b"})
    assert response.status_code == 409
    assert shop.put(url, {"sku": "TEE-s-r"}).json()["data"]["sku"] == "TEE-s-r"  # its own SKU in another case
    assert shop.put(f"{PRODUCTS}/{pid}/variants/{second}", {"price": -1}).status_code == 422
    with spec_breaking_requests(shop):
        clamped = shop.put(url, {"inventory_level": 3_000_000_000}).json()["data"]
    assert clamped["inventory_level"] == 2147483647


def test_base_variant_sku_is_the_product_sku(shop: Store) -> None:
    product = create_product(shop, sku="MUG")
    base = product["base_variant_id"]
    response = shop.put(f"{PRODUCTS}/{product['id']}/variants/{base}", {"sku": "MUG-2"})
    assert response.status_code == 200
    assert shop.get(f"{PRODUCTS}/{product['id']}").json()["data"]["sku"] == "MUG-2"
    create_product(shop, "Other", sku="TAKEN")
    assert shop.put(f"{PRODUCTS}/{product['id']}/variants/{base}", {"sku": "taken"}).status_code == 409


def test_deleting_the_last_option_variant_brings_the_base_variant_back(shop: Store) -> None:
    product = create_product(shop, sku="TEE", variants=tee_variants()[:1])
    pid, vid = product["id"], product["variants"][0]["id"]
    assert shop.delete(f"{PRODUCTS}/{pid}/variants/{vid}").status_code == 204
    assert shop.get(f"{PRODUCTS}/{pid}/variants/{vid}").status_code == 404
    (base,) = shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]
    assert (base["sku"], base["option_values"], base["sku_id"]) == ("TEE", [], None)
    assert shop.get(f"{PRODUCTS}/{pid}").json()["data"]["base_variant_id"] == base["id"]
    response = shop.delete(f"{PRODUCTS}/{pid}/variants/{base['id']}")
    assert response.status_code == 422
    assert len(shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]) == 1


# ----------------------------------------------------------------------------------------
# /catalog/variants
# ----------------------------------------------------------------------------------------


def test_store_wide_list_and_filters(shop: Store) -> None:
    tee = create_product(shop, "Tee", variants=tee_variants())
    mug = create_product(shop, "Mug", sku="MUG")
    everything = shop.get(VARIANTS).json()
    assert [v["sku"] for v in everything["data"]] == ["TEE-S-R", "TEE-S-B", "TEE-M-R", "TEE-M-B", "MUG"]
    first = everything["data"][0]["id"]

    def skus(query: str) -> list[str]:
        response = shop.get(f"{VARIANTS}?{query}")
        assert response.status_code == 200, response.text
        return [v["sku"] for v in response.json()["data"]]

    assert skus(f"id={first}") == ["TEE-S-R"]
    assert skus(f"id:in={first},{mug['base_variant_id']}") == ["TEE-S-R", "MUG"]
    assert skus("sku=tee-m-b") == ["TEE-M-B"]
    assert skus("sku:in=MUG,TEE-S-B") == ["TEE-S-B", "MUG"]
    assert skus(f"product_id:in={mug['id']}") == ["MUG"]
    page = shop.get(f"{VARIANTS}?product_id:in={tee['id']}&limit=3&page=2").json()
    assert [v["sku"] for v in page["data"]] == ["TEE-M-B"]
    assert page["meta"]["pagination"]["total"] == 4
    assert shop.get(f"{VARIANTS}?include_fields=sku&limit=1").json()["data"] == [
        {"id": first, "sku": "TEE-S-R"}
    ]


def test_batch_updates_and_creates(shop: Store, sized: tuple[int, dict[str, Any], dict[str, Any]]) -> None:
    pid, size, color = sized
    mug = create_product(shop, "Mug", sku="MUG")
    items = [
        {"id": mug["base_variant_id"], "price": 3},
        {"product_id": pid, "sku": "TEE-S-R", "option_values": [ref(size, "S"), ref(color, "Red")]},
        {
            "product_id": pid,
            "sku": "TEE-M-R",
            "option_values": [ref(size, "M"), ref(color, "Red")],
            "price": 25,
        },
    ]
    response = shop.put(VARIANTS, items)
    assert response.status_code == 200
    data = response.json()["data"]
    assert [(v["sku"], v["calculated_price"]) for v in data] == [("MUG", 3), ("TEE-S-R", 20), ("TEE-M-R", 25)]
    assert all(set(ov) == FOUR_KEYS for v in data for ov in v["option_values"])
    assert len(shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]) == 2


def test_batch_over_50_items_is_413_verbatim(shop: Store) -> None:
    mug = create_product(shop, "Mug")
    response = shop.put(VARIANTS, [{"id": mug["base_variant_id"], "price": 1}] * 51)
    assert response.status_code == 413
    assert response.json() == {
        "errors": {},
        "status": 413,
        "title": "The request payload is too large. The maximum items allowed in the array is 50",
        "type": STATUS_CODES_PATH,
    }


def test_batch_is_all_or_nothing_with_batch_errors(
    shop: Store, sized: tuple[int, dict[str, Any], dict[str, Any]]
) -> None:
    pid, size, color = sized
    mug = create_product(shop, "Mug", sku="MUG")
    items = [
        {"id": mug["base_variant_id"], "price": 3},
        {"product_id": pid, "sku": "mug", "option_values": [ref(size, "S"), ref(color, "Red")]},
        {"id": 999, "price": 1},
        {"product_id": pid, "option_values": []},
    ]
    response = shop.put(VARIANTS, items)
    assert response.status_code == 422
    errors = response.json()["batch_errors"]
    assert [(e["status"], set(e["errors"])) for e in errors] == [
        (409, {"1.sku"}),
        (422, {"2.id"}),
        (422, {"3.sku"}),
    ]
    assert shop.get(f"{VARIANTS}?id={mug['base_variant_id']}").json()["data"][0]["price"] is None
    assert len(shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]) == 1
