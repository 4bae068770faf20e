"""Variant option values and config follow the modifier rules (swatch colours, `is_default`
not supported for swatches, product-list products, config keys per type), and a value `id`
of the wrong JSON type in an option or modifier PUT is a 422, not a server error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_options import add, dropdown, options_url
from tests.sandbox.test_products_support import PRODUCTS, create_product


@pytest.fixture
def pid(store: Store) -> int:
    return int(create_product(store, "Tee")["id"])


def swatch(*values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"display_name": "Colour", "type": "swatch", "option_values": list(values), **extra}


@pytest.mark.parametrize(
    ("value_data", "error"),
    [
        (
            None,
            {"option_values.0.value_data": "a swatch value needs colors (up to 3 hex codes) or an image_url"},
        ),
        ({"colors": []}, {"option_values.0.value_data.colors": "must be 1 to 3 hex colors such as #0000FF"}),
        (
            {"colors": ["#000", "#111", "#222", "#333"]},
            {"option_values.0.value_data.colors": "must be 1 to 3 hex colors such as #0000FF"},
        ),
        (
            {"colors": ["red"]},
            {"option_values.0.value_data.colors": "must be 1 to 3 hex colors such as #0000FF"},
        ),
    ],
    ids=["none", "empty", "four", "not-hex"],
)
def test_swatch_values_need_one_to_three_hex_colours(
    store: Store, pid: int, value_data: Any, error: dict[str, str]
) -> None:
    response = store.post(
        options_url(pid), swatch({"label": "Red", "sort_order": 0, "value_data": value_data})
    )
    assert response.status_code == 422
    assert response.json()["errors"] == error
    assert store.get(options_url(pid)).json()["data"] == []


def test_swatch_values_take_colours_or_an_image(store: Store, pid: int) -> None:
    option = add(
        store,
        pid,
        swatch(
            {"label": "Red", "sort_order": 0, "value_data": {"colors": ["#f00", "#00FF00", "#0000ff"]}},
            {"label": "Photo", "sort_order": 1, "value_data": {"image_url": "https://x.com/a.png"}},
        ),
    )
    assert [v["value_data"] for v in option["option_values"]] == [
        {"colors": ["#f00", "#00FF00", "#0000ff"]},
        {"image_url": "https://x.com/a.png"},
    ]


def test_is_default_is_stored_false_for_swatches(store: Store, pid: int) -> None:
    red = {"label": "Red", "sort_order": 0, "value_data": {"colors": ["#f00"]}, "is_default": True}
    option = add(store, pid, swatch(red))
    assert option["option_values"][0]["is_default"] is False
    values = f"{options_url(pid)}/{option['id']}/values"
    blue = store.post(
        values, {"label": "Blue", "sort_order": 1, "value_data": {"colors": ["#00f"]}, "is_default": True}
    )
    assert (blue.status_code, blue.json()["data"]["is_default"]) == (200, False)
    red_id = option["option_values"][0]["id"]
    updated = store.put(f"{values}/{red_id}", {"label": "Red", "sort_order": 0, "is_default": True})
    assert (updated.status_code, updated.json()["data"]["is_default"]) == (200, False)
    assert [v["is_default"] for v in store.get(values).json()["data"]] == [False, False]


def test_value_endpoints_check_swatch_colours(store: Store, pid: int) -> None:
    option = add(store, pid, swatch({"label": "Red", "sort_order": 0, "value_data": {"colors": ["#f00"]}}))
    values = f"{options_url(pid)}/{option['id']}/values"
    created = store.post(values, {"label": "Blue", "sort_order": 1, "value_data": {"colors": ["blue"]}})
    assert created.status_code == 422
    assert created.json()["errors"] == {"value_data.colors": "must be 1 to 3 hex colors such as #0000FF"}
    red = option["option_values"][0]["id"]
    updated = store.put(f"{values}/{red}", {"value_data": {"colors": []}})
    assert updated.status_code == 422
    assert store.get(f"{values}/{red}").json()["data"]["value_data"] == {"colors": ["#f00"]}


def test_product_list_values_need_an_existing_product(store: Store, pid: int) -> None:
    body = {
        "display_name": "Add-on",
        "type": "product_list",
        "option_values": [{"label": "Mug", "sort_order": 0, "value_data": {"product_id": 999}}],
    }
    response = store.post(options_url(pid), body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "option_values.0.value_data.product_id": "product 999 does not exist"
    }
    body["option_values"][0]["value_data"] = {}
    missing = store.post(options_url(pid), body)
    assert missing.json()["errors"] == {"option_values.0.value_data.product_id": "error.path.missing"}
    mug = create_product(store, "Mug")
    body["option_values"][0]["value_data"] = {"product_id": mug["id"]}
    assert store.post(options_url(pid), body).status_code == 200


def test_config_keys_must_belong_to_the_option_type(store: Store, pid: int) -> None:
    red = {"label": "Red", "sort_order": 0, "value_data": {"colors": ["#f00"]}}
    response = store.post(options_url(pid), swatch(red, config={"product_list_adjusts_inventory": False}))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "config.product_list_adjusts_inventory": "is not used by swatch options"
    }
    mug = create_product(store, "Mug")
    listing = {
        "display_name": "Add-on",
        "type": "product_list",
        "config": {"product_list_shipping_calc": "volume"},
        "option_values": [{"label": "Mug", "sort_order": 0, "value_data": {"product_id": mug["id"]}}],
    }
    bad = store.post(options_url(pid), listing)
    assert bad.json()["errors"] == {
        "config.product_list_shipping_calc": "must be one of: none, weight, package"
    }
    listing["config"] = {"product_list_shipping_calc": "weight", "product_list_adjusts_pricing": True}
    option = add(store, pid, listing)
    assert option["config"] == listing["config"]
    changed = store.put(f"{options_url(pid)}/{option['id']}", {"config": {"checkbox_label": "x"}})
    assert changed.json()["errors"] == {"config.checkbox_label": "is not used by product_list options"}


@pytest.mark.parametrize("bad_id", [[], {}, "a", [1], 1.5, True, 10**20])
def test_option_put_refuses_a_value_id_of_the_wrong_type(store: Store, pid: int, bad_id: Any) -> None:
    option = add(store, pid, dropdown("Size", "S"))
    url = f"{options_url(pid)}/{option['id']}"
    response = store.put(url, {"option_values": [{"id": bad_id, "label": "X"}]})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"option_values.0.id"}
    assert [v["label"] for v in store.get(url).json()["data"]["option_values"]] == ["S"]


@pytest.mark.parametrize("bad_id", [[], {}, "a", [1], 1.5, True, 10**20])
def test_modifier_put_refuses_a_value_id_of_the_wrong_type(store: Store, pid: int, bad_id: Any) -> None:
    modifiers = f"{PRODUCTS}/{pid}/modifiers"
    body = {"display_name": "M", "type": "dropdown", "required": False}
    created = store.post(modifiers, {**body, "option_values": [{"label": "a", "sort_order": 0}]})
    assert created.status_code == 200
    url = f"{modifiers}/{created.json()['data']['id']}"
    response = store.put(url, {**body, "option_values": [{"id": bad_id, "label": "X"}]})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"option_values[0].id"}
    assert [v["label"] for v in store.get(url).json()["data"]["option_values"]] == ["a"]
