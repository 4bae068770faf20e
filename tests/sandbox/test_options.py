"""Variant options and option values: create, validation, uniqueness, updates, and the
variants that go when an option or a value goes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_support import (
    PRODUCTS,
    create_product,
    error_shape,
    tee_variants,
)

SWATCH = {
    "display_name": "Colour",
    "type": "swatch",
    "sort_order": 2,
    "config": {},
    "option_values": [
        {"label": "Beige", "sort_order": 1, "value_data": {"colors": ["#FAFAEB"]}},
        # `is_default` is not supported for swatches: stored false.
        {"label": "Black", "sort_order": 0, "value_data": {"colors": ["#000000"]}, "is_default": True},
    ],
}


@pytest.fixture
def shop(store: Store) -> Store:
    return store


@pytest.fixture
def pid(shop: Store) -> int:
    return int(create_product(shop, "Tee")["id"])


def options_url(product_id: int) -> str:
    return f"{PRODUCTS}/{product_id}/options"


def add(store: Store, product_id: int, body: dict[str, Any]) -> dict[str, Any]:
    response = store.post(options_url(product_id), body)
    assert response.status_code == 200, response.text
    option: dict[str, Any] = response.json()["data"]
    return option


def dropdown(name: str, *labels: str) -> dict[str, Any]:
    values = [{"label": label, "sort_order": n} for n, label in enumerate(labels)]
    return {"display_name": name, "type": "dropdown", "option_values": values}


def test_create_option(shop: Store, pid: int) -> None:
    response = shop.post(options_url(pid), SWATCH)
    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {}
    option = body["data"]
    # `name` is the display name, the store's epoch seconds and the product id.
    assert option["name"] == f"Colour1700000000-{pid}"
    assert {k: option[k] for k in ("product_id", "display_name", "type", "sort_order", "config")} == {
        "product_id": pid,
        "display_name": "Colour",
        "type": "swatch",
        "sort_order": 2,
        "config": {},
    }
    values = option["option_values"]
    assert [(v["label"], v["sort_order"], v["is_default"]) for v in values] == [
        ("Black", 0, False),
        ("Beige", 1, False),
    ]
    assert values[1]["value_data"] == {"colors": ["#FAFAEB"]}
    assert shop.get(f"{options_url(pid)}/{option['id']}").json()["data"] == option
    assert shop.get(options_url(pid)).json()["data"] == [option]


def test_values_without_value_data_return_null(shop: Store, pid: int) -> None:
    option = add(shop, pid, dropdown("Size", "S"))
    assert option["option_values"][0]["value_data"] is None
    assert option["config"] == {}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"display_name", "type", "option_values"}),
        ({**dropdown("Size", "S"), "type": "checkbox"}, {"type"}),
        ({**dropdown("Size"), "option_values": []}, {"option_values"}),
        (
            {"display_name": "Size", "type": "dropdown", "option_values": [{"label": "S"}]},
            {"option_values.0.sort_order"},
        ),
        ({**dropdown("", "S")}, {"display_name"}),
        (
            {**dropdown("Size"), "option_values": [{"label": f"V{n}", "sort_order": n} for n in range(251)]},
            {"option_values"},
        ),
    ],
    ids=["missing", "bad-type", "no-values", "value-without-sort-order", "empty-name", "too-many-values"],
)
def test_invalid_options_are_422(shop: Store, pid: int, body: dict[str, Any], fields: set[str]) -> None:
    response = shop.post(options_url(pid), body)
    assert response.status_code == 422
    error_shape(response.json(), 422)
    assert set(response.json()["errors"]) == fields
    assert shop.get(options_url(pid)).json()["data"] == []


def test_display_names_are_unique_per_product_and_labels_per_option(shop: Store, pid: int) -> None:
    add(shop, pid, dropdown("Size", "S"))
    response = shop.post(options_url(pid), dropdown("SIZE", "M"))
    assert response.status_code == 409
    error_shape(response.json(), 409)
    assert set(response.json()["errors"]) == {"display_name"}
    other = create_product(shop, "Mug")
    add(shop, other["id"], dropdown("Size", "S"))  # another product may use the name
    response = shop.post(options_url(pid), dropdown("Color", "Red", "red"))
    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"label"}


def test_options_of_unknown_or_other_products_are_404(shop: Store, pid: int) -> None:
    option = add(shop, pid, dropdown("Size", "S"))
    other = create_product(shop, "Mug")
    assert shop.get(f"{options_url(other['id'])}/{option['id']}").status_code == 404
    assert shop.get(f"{options_url(other['id'])}/{option['id']}/values").status_code == 404
    assert shop.post(options_url(99), dropdown("Size", "S")).status_code == 404
    assert shop.get(f"{options_url(pid)}/{option['id']}/values/999").status_code == 404


def test_update_option(shop: Store, pid: int) -> None:
    add(shop, pid, dropdown("Color", "Red"))
    option = add(shop, pid, dropdown("Size", "S", "M"))
    url = f"{options_url(pid)}/{option['id']}"
    small = option["option_values"][0]["id"]
    body = {
        "display_name": "Sizes",
        "type": "rectangles",
        "option_values": [{"id": small, "label": "Small", "sort_order": 5}, {"label": "L", "sort_order": 9}],
    }
    response = shop.put(url, body)
    assert response.status_code == 200
    updated = response.json()["data"]
    assert (updated["display_name"], updated["type"], updated["name"]) == (
        "Sizes",
        "rectangles",
        option["name"],
    )
    assert [(v["label"], v["sort_order"]) for v in updated["option_values"]] == [
        ("M", 1),
        ("Small", 5),
        ("L", 9),
    ]
    assert shop.put(url, {"display_name": "color"}).status_code == 409
    response = shop.put(url, {"option_values": [{"id": 999, "label": "X", "sort_order": 1}]})
    assert response.status_code == 422


def test_option_values_endpoints(shop: Store, pid: int) -> None:
    option = add(shop, pid, dropdown("Size", "S"))
    url = f"{options_url(pid)}/{option['id']}/values"
    response = shop.post(url, {"label": "M", "sort_order": 1, "is_default": True})
    assert response.status_code == 200
    medium = response.json()["data"]
    assert medium == {
        "id": medium["id"],
        "label": "M",
        "sort_order": 1,
        "value_data": None,
        "is_default": True,
    }
    assert shop.post(url, {"label": "m", "sort_order": 2}).status_code == 409
    assert set(shop.post(url, {"label": "L"}).json()["errors"]) == {"sort_order"}
    listed = shop.get(url).json()
    assert [v["label"] for v in listed["data"]] == ["S", "M"]
    assert listed["meta"]["pagination"]["total"] == 2
    small = listed["data"][0]["id"]
    response = shop.put(f"{url}/{small}", {"label": "Small", "sort_order": 0, "is_default": True})
    assert response.status_code == 200
    assert response.json()["data"]["is_default"] is True
    # One default per option: marking Small cleared M.
    assert shop.get(f"{url}/{medium['id']}").json()["data"]["is_default"] is False
    assert shop.put(f"{url}/{small}", {"label": "M", "sort_order": 0}).status_code == 409
    assert shop.delete(f"{url}/{small}").status_code == 204
    assert [v["label"] for v in shop.get(url).json()["data"]] == ["M"]


def test_an_option_holds_at_most_250_values(shop: Store, pid: int) -> None:
    values = [{"label": f"V{n}", "sort_order": n} for n in range(250)]
    option = add(shop, pid, {"display_name": "Big", "type": "dropdown", "option_values": values})
    response = shop.post(f"{options_url(pid)}/{option['id']}/values", {"label": "One more", "sort_order": 0})
    assert response.status_code == 422


def test_deleting_a_value_deletes_the_variants_built_from_it(shop: Store) -> None:
    product = create_product(shop, sku="TEE", variants=tee_variants())
    pid = product["id"]
    size = shop.get(options_url(pid)).json()["data"][0]
    small = next(v for v in size["option_values"] if v["label"] == "S")
    assert shop.delete(f"{options_url(pid)}/{size['id']}/values/{small['id']}").status_code == 204
    left = shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]
    assert [v["sku"] for v in left] == ["TEE-M-R", "TEE-M-B"]
    assert shop.get(f"{PRODUCTS}/{pid}").json()["data"]["base_variant_id"] is None


def test_deleting_an_option_deletes_its_variants_and_restores_the_base_variant(shop: Store) -> None:
    product = create_product(shop, sku="TEE", variants=tee_variants())
    pid = product["id"]
    color = shop.get(options_url(pid)).json()["data"][1]
    assert color["display_name"] == "Color"
    assert shop.delete(f"{options_url(pid)}/{color['id']}").status_code == 204
    assert shop.get(f"{options_url(pid)}/{color['id']}").status_code == 404
    assert [o["display_name"] for o in shop.get(options_url(pid)).json()["data"]] == ["Size"]
    (base,) = shop.get(f"{PRODUCTS}/{pid}/variants").json()["data"]
    assert (base["sku"], base["option_values"]) == ("TEE", [])
    assert shop.get(f"{PRODUCTS}/{pid}").json()["data"]["base_variant_id"] == base["id"]
    assert (
        shop.sandbox.db.scalar(
            "SELECT COUNT(*) FROM variant_option_values WHERE option_id = ?", [color["id"]]
        )
        == 0
    )
