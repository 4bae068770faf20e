"""Product modifiers and modifier values: types, configs, checkbox values, adjusters,
uniqueness, and the `products.py` contract (`embed`, `create_embedded`,
`delete_for_product`)."""

from __future__ import annotations

from typing import Any

import pytest

from storeconf.sandbox.catalog.products import modifier_config, modifier_values, modifiers
from storeconf.sandbox.core.http import STATUS_CODES_URL, ApiError
from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_product_parts_support import make_product

NOT_FOUND = {"status": 404, "title": "The resource was not found.", "type": STATUS_CODES_URL}
EPOCH = 1_700_000_000  # the fixture's clock
NO_ADJUSTERS = {
    "price": {},
    "weight": {},
    "image_url": "",
    "purchasing_disabled": {"status": False, "message": ""},
}
MODIFIER_INVALID = (
    "The modifier was not valid. This is the result of missing required fields, or of invalid data."
)
DATE = "2025-08-15T15:52:01+00:00"


def url(product_id: int, *rest: object) -> str:
    return "/".join([f"/v3/catalog/products/{product_id}/modifiers", *map(str, rest)])


def create(store: Store, product_id: int, **body: Any) -> dict[str, Any]:
    response = store.post(url(product_id), {"required": False, **body})
    assert response.status_code == 200, response.text
    modifier: dict[str, Any] = response.json()["data"]
    return modifier


def value(label: str, sort_order: int = 0, **extra: Any) -> dict[str, Any]:
    return {"label": label, "sort_order": sort_order, **extra}


# --- create ----------------------------------------------------------------------------


def test_checkbox_gets_yes_and_no_values_from_the_server(store: Store) -> None:
    product = make_product(store)
    body = {
        "display_name": "Insurance",
        "type": "checkbox",
        "required": True,
        "config": {"checkbox_label": "$5 for insurance"},
    }
    response = store.post(url(product), body)
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "id": 1,
            "product_id": product,
            "name": f"Insurance{EPOCH}-{product}",
            "display_name": "Insurance",
            "type": "checkbox",
            "required": True,
            "sort_order": 0,
            "config": {"checkbox_label": "$5 for insurance", "checked_by_default": False},
            "option_values": [
                {
                    "id": 1,
                    "option_id": 1,
                    "label": "Yes",
                    "sort_order": 0,
                    "value_data": {"checked_value": True},
                    "is_default": False,
                    "adjusters": NO_ADJUSTERS,
                },
                {
                    "id": 2,
                    "option_id": 1,
                    "label": "No",
                    "sort_order": 1,
                    "value_data": {"checked_value": False},
                    "is_default": True,
                    "adjusters": NO_ADJUSTERS,
                },
            ],
        },
        "meta": {},
    }


def test_checked_by_default_makes_yes_the_default(store: Store) -> None:
    product = make_product(store)
    modifier = create(
        store, product, display_name="Wrap", type="checkbox", config={"checked_by_default": True}
    )
    assert [(v["label"], v["is_default"]) for v in modifier["option_values"]] == [
        ("Yes", True),
        ("No", False),
    ]


def test_checkbox_with_option_values_is_422(store: Store) -> None:
    product = make_product(store)
    body = {"display_name": "Wrap", "type": "checkbox", "required": False, "option_values": [value("Yes")]}
    response = store.post(url(product), body)
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "title": MODIFIER_INVALID,
        "type": STATUS_CODES_URL,
        "errors": {
            "option_values": "must be left out for a checkbox modifier: "
            "the server creates its Yes and No values"
        },
    }
    assert store.get(url(product)).json()["data"] == []


def test_multiple_choice_modifier_with_adjusters(store: Store) -> None:
    product = make_product(store)
    modifier = create(
        store,
        product,
        display_name="Add a $5 Donation",
        type="radio_buttons",
        sort_order=2,
        option_values=[
            value(
                "+5",
                0,
                value_data={},
                adjusters={
                    "price": {"adjuster": "relative", "adjuster_value": 5},
                    "weight": {"adjuster": "percentage", "adjuster_value": 1.5},
                    "purchasing_disabled": {"status": True, "message": "Sold out"},
                },
            ),
            value("+10", 1, is_default=True, adjusters={"image_url": "https://example.com/x.png"}),
        ],
    )
    assert modifier["name"] == f"Add-a-$5-Donation{EPOCH}-{product}"
    assert (modifier["sort_order"], modifier["config"]) == (2, {})
    assert modifier["option_values"] == [
        {
            "id": 1,
            "option_id": modifier["id"],
            "label": "+5",
            "sort_order": 0,
            "value_data": {},
            "is_default": False,
            "adjusters": {
                "price": {"adjuster": "relative", "adjuster_value": 5},
                "weight": {"adjuster": "percentage", "adjuster_value": 1.5},
                "image_url": "",
                "purchasing_disabled": {"status": True, "message": "Sold out"},
            },
        },
        {
            "id": 2,
            "option_id": modifier["id"],
            "label": "+10",
            "sort_order": 1,
            "value_data": {},
            "is_default": True,
            "adjusters": {**NO_ADJUSTERS, "image_url": "https://example.com/x.png"},
        },
    ]


@pytest.mark.parametrize("kind", modifier_config.CHOICE_TYPES)
def test_multiple_choice_types_need_values(store: Store, kind: str) -> None:
    product = make_product(store)
    response = store.post(url(product), {"display_name": "Pick", "type": kind, "required": True})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "option_values": f"a {kind} modifier needs at least one option value"
    }


@pytest.mark.parametrize("kind", ["file", "text", "multi_line_text", "numbers_only_text"])
def test_free_input_types_take_no_values_and_get_config_defaults(store: Store, kind: str) -> None:
    product = make_product(store)
    body = {"display_name": "Note", "type": kind, "required": False, "option_values": [value("x")]}
    refused = store.post(url(product), body)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"option_values": f"are not used by {kind} modifiers"}
    modifier = create(store, product, display_name="Note", type=kind, option_values=[])
    assert modifier["option_values"] == []
    assert modifier["config"] == modifier_config.CONFIG_DEFAULTS[kind]


def test_required_fields_are_required(store: Store) -> None:
    product = make_product(store)
    response = store.post(url(product), {"sort_order": "x"})
    assert response.status_code == 422
    missing = "error.path.missing"
    assert response.json()["errors"] == {
        "required": missing,
        "display_name": missing,
        "type": missing,
        "sort_order": "error.expected.jsnumber",
    }
    bad_type = store.post(url(product), {"display_name": "X", "type": "slider", "required": "yes"})
    assert bad_type.json()["errors"] == {
        "type": "must be one of: " + ", ".join(modifier_config.TYPES),
        "required": "error.expected.jsboolean",
    }


def test_duplicate_display_name_on_a_product_is_409(store: Store) -> None:
    product, other = make_product(store, "Mug"), make_product(store, "Cup")
    first = create(store, product, display_name="Engraving", type="text")
    create(store, other, display_name="Engraving", type="text")  # another product is fine
    clash = store.post(url(product), {"display_name": "ENGRAVING", "type": "text", "required": True})
    assert clash.status_code == 409
    assert clash.json() == {
        "status": 409,
        "title": modifiers.CONFLICT,
        "type": STATUS_CODES_URL,
        "errors": {
            "display_name": f"The product already has a modifier named 'ENGRAVING' (id {first['id']})."
        },
    }


# --- config ----------------------------------------------------------------------------


def test_date_modifier_config(store: Store) -> None:
    product = make_product(store)
    missing = store.post(url(product), {"display_name": "When", "type": "date", "required": False})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {
        "config.default_value": "is required for a date modifier (an ISO-8601 ATOM date)"
    }
    config = {
        "default_value": DATE,
        "date_limited": True,
        "date_limit_mode": "range",
        "date_earliest_value": DATE,
        "date_latest_value": "2026-08-15T15:52:01+00:00",
    }
    modifier = create(store, product, display_name="When", type="date", config=config)
    assert modifier["config"] == config


@pytest.mark.parametrize(
    ("kind", "config", "errors"),
    [
        (
            "date",
            {"default_value": "15/08/2025"},
            {"config.default_value": "must be an ISO-8601 ATOM date, e.g. 2025-08-15T15:52:01+00:00"},
        ),
        (
            "date",
            {"default_value": "2025-13-45T00:00:00+00:00"},
            {"config.default_value": "must be an ISO-8601 ATOM date, e.g. 2025-08-15T15:52:01+00:00"},
        ),
        (
            "date",
            {"default_value": DATE, "date_limited": True, "date_limit_mode": "soon"},
            {"config.date_limit_mode": "must be one of: earliest, range, latest"},
        ),
        (
            "date",
            {"default_value": DATE, "date_limited": True},
            {"config.date_limit_mode": "is required when date_limited is true"},
        ),
        (
            "date",
            {"default_value": DATE, "date_limited": True, "date_limit_mode": "earliest"},
            {"config.date_earliest_value": "is required when date_limit_mode is earliest"},
        ),
        (
            "date",
            {
                "default_value": DATE,
                "date_limited": True,
                "date_limit_mode": "range",
                "date_earliest_value": DATE,
                "date_latest_value": "2020-01-01T00:00:00Z",
            },
            {"config.date_latest_value": "must not be before date_earliest_value"},
        ),
        (
            "numbers_only_text",
            {"number_limited": True, "number_limit_mode": "between"},
            {"config.number_limit_mode": "must be one of: lowest, highest, range"},
        ),
        (
            "numbers_only_text",
            {"number_lowest_value": 10, "number_highest_value": 5},
            {"config.number_highest_value": "must not be less than number_lowest_value"},
        ),
        (
            "numbers_only_text",
            {"number_lowest_value": "ten"},
            {"config.number_lowest_value": "error.expected.jsnumber"},
        ),
        ("numbers_only_text", {"default_value": 30}, {"config.default_value": "error.expected.jsstring"}),
        ("file", {"file_types_mode": "some"}, {"config.file_types_mode": "must be one of: specific, all"}),
        (
            "file",
            {"file_types_supported": ["videos"]},
            {"config.file_types_supported": "items must be one of: images, documents, other"},
        ),
        ("file", {"file_max_size": 524289}, {"config.file_max_size": "must be between 0 and 524288"}),
        (
            "text",
            {"text_min_length": 10, "text_max_length": 2},
            {"config.text_max_length": "must not be less than text_min_length"},
        ),
        (
            "text",
            {"text_characters_limited": "yes"},
            {"config.text_characters_limited": "error.expected.jsboolean"},
        ),
        ("text", {"checkbox_label": "Tick"}, {"config.checkbox_label": "is not used by text modifiers"}),
        (
            "text",
            {"text_lines_limited": True},
            {"config.text_lines_limited": "is not used by text modifiers"},
        ),
        ("checkbox", {"default_value": "x"}, {"config.default_value": "is not used by checkbox modifiers"}),
        (
            "product_list",
            {"product_list_shipping_calc": "volume"},
            {"config.product_list_shipping_calc": "must be one of: none, weight, package"},
        ),
        (
            "radio_buttons",
            {"product_list_adjusts_pricing": True},
            {"config.product_list_adjusts_pricing": "is not used by radio_buttons modifiers"},
        ),
    ],
)
def test_config_is_checked_per_type(
    store: Store, kind: str, config: dict[str, Any], errors: dict[str, str]
) -> None:
    product = make_product(store)
    needed = value("a", value_data={"product_id": product}) if kind.startswith("product_list") else value("a")
    body = {"display_name": "M", "type": kind, "required": False, "config": config}
    if kind in modifier_config.CHOICE_TYPES:
        body["option_values"] = [needed]
    response = store.post(url(product), body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_unknown_config_keys_are_ignored_and_valid_configs_echoed(store: Store) -> None:
    product = make_product(store)
    config = {
        "file_types_mode": "specific",
        "file_types_supported": ["images", "documents"],
        "file_types_other": ["stl"],
        "file_max_size": 1024,
        "colour": "red",
    }
    modifier = create(store, product, display_name="Artwork", type="file", config=config)
    assert modifier["config"] == {k: v for k, v in config.items() if k != "colour"}
    numbers = create(
        store,
        product,
        display_name="Inseam",
        type="numbers_only_text",
        config={
            "default_value": "30",
            "number_limited": True,
            "number_limit_mode": "range",
            "number_lowest_value": 26,
            "number_highest_value": 38.5,
        },
    )
    assert numbers["config"]["default_value"] == "30"
    assert numbers["config"]["number_integers_only"] is False


# --- values in a modifier POST --------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ([{"label": "A"}], {"option_values[0].sort_order": "error.path.missing"}),
        ([{"sort_order": 0}], {"option_values[0].label": "error.path.missing"}),
        (
            [value("A"), value("a", 1)],
            {"option_values[1].label": "'a' is used by another value of this modifier"},
        ),
        (
            [value("A", is_default=True), value("B", 1, is_default=True)],
            {"option_values": "only one value can be the default"},
        ),
        (
            [value("A", adjusters={"price": {"adjuster": "fixed", "adjuster_value": 1}})],
            {"option_values[0].adjusters.price.adjuster": "must be one of: relative, percentage, null"},
        ),
        (
            [value("A", adjusters={"weight": {"adjuster": "relative", "adjuster_value": "1"}})],
            {"option_values[0].adjusters.weight.adjuster_value": "error.expected.jsnumber"},
        ),
        (
            [value("A", adjusters={"purchasing_disabled": {"status": "no"}})],
            {"option_values[0].adjusters.purchasing_disabled.status": "error.expected.jsboolean"},
        ),
        (["A"], {"option_values[0]": "error.expected.jsobject"}),
    ],
)
def test_values_inside_a_modifier_post_are_checked(
    store: Store, values: list[Any], errors: dict[str, str]
) -> None:
    product = make_product(store)
    body = {"display_name": "Size", "type": "dropdown", "required": True, "option_values": values}
    response = store.post(url(product), body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors


def test_swatch_and_product_list_value_data(store: Store) -> None:
    product, listed = make_product(store, "Mug"), make_product(store, "Coaster")
    bad_swatch = store.post(
        url(product),
        {
            "display_name": "Color",
            "type": "swatch",
            "required": True,
            "option_values": [value("Red", value_data={"colors": ["red"]}), value("Plain", 1)],
        },
    )
    assert bad_swatch.json()["errors"] == {
        "option_values[0].value_data.colors": "must be 1 to 3 hex colors such as #0000FF",
        "option_values[1].value_data": "a swatch value needs colors (up to 3 hex codes) or an image_url",
    }
    swatch = create(
        store,
        product,
        display_name="Color",
        type="swatch",
        option_values=[
            value("Red", value_data={"colors": ["#FF0000", "#fff"]}, is_default=True),
            value("Wood", 1, value_data={"image_url": "https://example.com/wood.png"}),
        ],
    )
    assert [v["value_data"] for v in swatch["option_values"]] == [
        {"colors": ["#FF0000", "#fff"]},
        {"image_url": "https://example.com/wood.png"},
    ]
    assert swatch["option_values"][0]["is_default"] is False  # not supported for swatches

    bad_list = store.post(
        url(product),
        {
            "display_name": "Extras",
            "type": "product_list",
            "required": False,
            "option_values": [value("Ghost", value_data={"product_id": 999}), value("None", 1)],
        },
    )
    assert bad_list.json()["errors"] == {
        "option_values[0].value_data.product_id": "product 999 does not exist",
        "option_values[1].value_data.product_id": "error.path.missing",
    }
    extras = create(
        store,
        product,
        display_name="Extras",
        type="product_list_with_images",
        option_values=[value("Coaster", value_data={"product_id": listed})],
    )
    assert extras["config"] == modifier_config.CONFIG_DEFAULTS["product_list_with_images"]
    assert extras["option_values"][0]["value_data"] == {"product_id": listed}


# --- read, update, delete ---------------------------------------------------------------


def test_get_list_and_field_selection(store: Store) -> None:
    product = make_product(store)
    late = create(store, product, display_name="Note", type="text", sort_order=5)
    early = create(
        store, product, display_name="Size", type="dropdown", sort_order=1, option_values=[value("S")]
    )
    listing = store.get(url(product)).json()
    assert [m["id"] for m in listing["data"]] == [early["id"], late["id"]]
    assert listing["data"][0] == early
    assert listing["meta"]["pagination"]["total"] == 2
    assert store.get(url(product, late["id"])).json() == {"data": late, "meta": {}}
    # (`type` and `required` are included because the response schema requires them)
    selected = store.get(url(product) + "?include_fields=display_name,type,required&limit=1").json()["data"]
    assert selected == [{"id": early["id"], "display_name": "Size", "type": "dropdown", "required": False}]
    assert store.get(url(product) + "?limit=251").status_code == 413


def test_put_updates_and_keeps_the_generated_name(store: Store) -> None:
    product = make_product(store)
    modifier = create(
        store, product, display_name="Size", type="dropdown", option_values=[value("S"), value("M", 1)]
    )
    create(store, product, display_name="Color", type="text")
    small, medium = (v["id"] for v in modifier["option_values"])
    response = store.put(
        url(product, modifier["id"]),
        {
            "type": "dropdown",
            "required": True,
            "display_name": "Shirt size",
            "sort_order": 3,
            "option_values": [
                {
                    "id": medium,
                    "is_default": True,
                    "adjusters": {"price": {"adjuster": "relative", "adjuster_value": 2}},
                },
                value("L", 2),
            ],
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert (updated["name"], updated["display_name"], updated["required"], updated["sort_order"]) == (
        modifier["name"],
        "Shirt size",
        True,
        3,
    )
    assert [(v["label"], v["is_default"]) for v in updated["option_values"]] == [
        ("S", False),
        ("M", True),
        ("L", False),
    ]
    assert updated["option_values"][1]["adjusters"]["price"] == {"adjuster": "relative", "adjuster_value": 2}
    assert updated["option_values"][0]["id"] == small


def test_put_rules(store: Store) -> None:
    product = make_product(store)
    modifier = create(
        store, product, display_name="Size", type="dropdown", option_values=[value("S"), value("M", 1)]
    )
    create(store, product, display_name="Color", type="text")
    path = url(product, modifier["id"])
    needs = store.put(path, {"display_name": "Sizes"})
    assert needs.status_code == 422
    assert needs.json()["errors"] == {"required": "error.path.missing", "type": "error.path.missing"}
    retyped = store.put(path, {"type": "radio_buttons", "required": True})
    assert retyped.json()["errors"] == {
        "type": "cannot be changed from dropdown to radio_buttons; delete the modifier and create another"
    }
    assert store.put(path, {"type": "dropdown", "required": True, "display_name": "color"}).status_code == 409
    foreign = store.put(
        path, {"type": "dropdown", "required": True, "option_values": [{"id": 999, "label": "X"}]}
    )
    assert foreign.json()["errors"] == {"option_values[0].id": "value 999 does not belong to this modifier"}
    relabel = store.put(path, {"type": "dropdown", "required": True, "option_values": [value("m", 5)]})
    assert relabel.status_code == 422
    assert relabel.json()["errors"] == {"option_values[0].label": "'m' is used by value 2 of this modifier"}
    assert store.get(path).json()["data"] == modifier


def test_checkbox_put_moves_the_default_with_checked_by_default(store: Store) -> None:
    product = make_product(store)
    modifier = create(store, product, display_name="Wrap", type="checkbox")
    path = url(product, modifier["id"])
    updated = store.put(
        path, {"type": "checkbox", "required": True, "config": {"checked_by_default": True}}
    ).json()["data"]
    assert [(v["label"], v["is_default"]) for v in updated["option_values"]] == [("Yes", True), ("No", False)]
    adding = store.put(path, {"type": "checkbox", "required": True, "option_values": [value("Maybe", 2)]})
    assert adding.status_code == 422
    yes = updated["option_values"][0]["id"]
    priced = store.put(
        path,
        {
            "type": "checkbox",
            "required": True,
            "option_values": [
                {"id": yes, "adjusters": {"price": {"adjuster": "relative", "adjuster_value": 5}}}
            ],
        },
    ).json()["data"]
    assert priced["option_values"][0]["adjusters"]["price"] == {"adjuster": "relative", "adjuster_value": 5}


def test_delete_modifier(store: Store) -> None:
    product = make_product(store)
    modifier = create(store, product, display_name="Size", type="dropdown", option_values=[value("S")])
    response = store.delete(url(product, modifier["id"]))
    assert response.status_code == 204
    assert response.content == b""
    assert store.get(url(product, modifier["id"])).json() == NOT_FOUND
    assert store.get(url(product, modifier["id"], "values")).json() == NOT_FOUND
    assert store.sandbox.db.scalar("SELECT COUNT(*) FROM product_modifier_values") == 0


def test_unknown_product_modifier_or_value_is_404(store: Store) -> None:
    product, other = make_product(store, "Mug"), make_product(store, "Cup")
    theirs = create(store, other, display_name="Size", type="dropdown", option_values=[value("S")])
    mine = create(store, product, display_name="Size", type="dropdown", option_values=[value("S")])
    assert store.get(url(999)).json() == NOT_FOUND
    assert store.post(url(999), {"display_name": "X", "type": "text", "required": True}).json() == NOT_FOUND
    for method in ("GET", "PUT", "DELETE"):
        response = store.request(
            method, url(product, theirs["id"]), json={"type": "dropdown", "required": True}
        )
        assert response.json() == NOT_FOUND
    their_value = theirs["option_values"][0]["id"]
    assert store.get(url(product, mine["id"], "values", their_value)).json() == NOT_FOUND
    assert store.post(url(product, theirs["id"], "values"), value("M", 1)).status_code == 404


# --- the values endpoints -----------------------------------------------------------------


def test_value_crud_and_default_exclusivity(store: Store) -> None:
    product = make_product(store)
    modifier = create(
        store, product, display_name="Size", type="rectangles", option_values=[value("S", is_default=True)]
    )
    values = url(product, modifier["id"], "values")
    small = modifier["option_values"][0]["id"]
    response = store.post(values, value("M", 1, is_default=True))
    assert response.status_code == 200
    medium = response.json()["data"]
    assert medium == {
        "id": medium["id"],
        "option_id": modifier["id"],
        "label": "M",
        "sort_order": 1,
        "value_data": {},
        "is_default": True,
        "adjusters": NO_ADJUSTERS,
    }
    listing = store.get(values).json()
    assert [(v["label"], v["is_default"]) for v in listing["data"]] == [("S", False), ("M", True)]

    updated = store.put(
        f"{values}/{small}",
        {"is_default": True, "adjusters": {"weight": {"adjuster": "relative", "adjuster_value": 0.5}}},
    )
    assert updated.json()["data"]["is_default"] is True
    assert updated.json()["data"]["adjusters"]["weight"] == {"adjuster": "relative", "adjuster_value": 0.5}
    assert store.get(f"{values}/{medium['id']}").json()["data"]["is_default"] is False

    cleared = store.put(f"{values}/{small}", {"adjusters": {"weight": {}}}).json()["data"]
    assert cleared["adjusters"]["weight"] == {}

    assert store.delete(f"{values}/{medium['id']}").status_code == 204
    assert store.get(f"{values}/{medium['id']}").json() == NOT_FOUND
    assert [v["label"] for v in store.get(url(product, modifier["id"])).json()["data"]["option_values"]] == [
        "S"
    ]


def test_value_post_and_put_validation(store: Store) -> None:
    product = make_product(store)
    modifier = create(store, product, display_name="Size", type="dropdown", option_values=[value("S")])
    values = url(product, modifier["id"], "values")
    missing = store.post(values, {})
    assert missing.status_code == 422
    assert missing.json() == {
        "status": 422,
        "title": modifier_values.VALUE_INVALID,
        "type": STATUS_CODES_URL,
        "errors": {"label": "error.path.missing", "sort_order": "error.path.missing"},
    }
    duplicate = store.post(values, value("s", 1))
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == {
        "label": f"'s' is used by value {modifier['option_values'][0]['id']} of this modifier"
    }
    other = store.post(values, value("M", 1)).json()["data"]
    assert store.put(f"{values}/{other['id']}", {"label": "S"}).status_code == 422
    assert store.put(f"{values}/{other['id']}", {"sort_order": 2**31}).json()["errors"] == {
        "sort_order": "must be between -2147483648 and 2147483647"
    }


def test_checkbox_values_cannot_be_added_or_removed_and_default_follows_config(store: Store) -> None:
    product = make_product(store)
    modifier = create(store, product, display_name="Wrap", type="checkbox")
    values = url(product, modifier["id"], "values")
    yes, no = (v["id"] for v in modifier["option_values"])
    added = store.post(values, value("Maybe", 2))
    assert added.status_code == 422
    assert added.json()["errors"] == {"option_values": modifier_values.CHECKBOX_VALUES}
    removed = store.delete(f"{values}/{yes}")
    assert removed.status_code == 422

    store.put(f"{values}/{yes}", {"is_default": True, "value_data": {"checked_value": False}})
    after = store.get(url(product, modifier["id"])).json()["data"]
    assert after["config"]["checked_by_default"] is True
    assert [(v["label"], v["value_data"], v["is_default"]) for v in after["option_values"]] == [
        ("Yes", {"checked_value": True}, True),
        ("No", {"checked_value": False}, False),
    ]
    store.put(f"{values}/{no}", {"is_default": True})
    assert store.get(url(product, modifier["id"])).json()["data"]["config"]["checked_by_default"] is False


def test_values_of_free_input_modifiers_are_refused(store: Store) -> None:
    product = make_product(store)
    modifier = create(store, product, display_name="Note", type="text")
    response = store.post(url(product, modifier["id"], "values"), value("x"))
    assert response.status_code == 422
    assert response.json()["errors"] == {"option_values": "are not used by text modifiers"}


def test_value_list_pages(store: Store) -> None:
    product = make_product(store)
    labels = [value(f"V{n}", n) for n in range(5)]
    modifier = create(store, product, display_name="Pick", type="dropdown", option_values=labels)
    page = store.get(url(product, modifier["id"], "values") + "?page=3&limit=2").json()
    assert [v["label"] for v in page["data"]] == ["V4"]
    assert page["meta"]["pagination"]["links"] == {
        "previous": "?page=2&limit=2",
        "current": "?page=3&limit=2",
    }


# --- the contract with products.py -----------------------------------------------------


def test_embed_in_two_queries_for_any_number_of_products(store: Store) -> None:
    db = store.sandbox.db
    mug, cup, bare = make_product(store, "Mug"), make_product(store, "Cup"), make_product(store, "Bare")
    size = create(store, mug, display_name="Size", type="dropdown", option_values=[value("S"), value("M", 1)])
    note = create(store, mug, display_name="Note", type="text", sort_order=-1)
    wrap = create(store, cup, display_name="Wrap", type="checkbox")
    statements: list[str] = []
    db.conn.set_trace_callback(lambda sql: statements.append(sql) if sql.startswith("SELECT") else None)
    embedded = modifiers.embed(db, [mug, cup, bare])
    db.conn.set_trace_callback(None)
    assert len(statements) == 2
    assert embedded == {mug: [note, size], cup: [wrap], bare: []}


def test_create_embedded_and_delete_for_product(store: Store) -> None:
    db = store.sandbox.db
    mug, cup = make_product(store, "Mug"), make_product(store, "Cup")
    made = modifiers.create_embedded(
        db,
        mug,
        [
            {"display_name": "Wrap", "type": "checkbox", "required": False},
            {"display_name": "Note", "type": "text", "required": True},
        ],
        sandbox=store.sandbox,
    )
    assert [m["name"] for m in made] == [f"Wrap{EPOCH}-{mug}", f"Note{EPOCH}-{mug}"]
    unpriced = modifiers.create_embedded(
        db,
        mug,
        [
            {
                "display_name": "Size",
                "type": "dropdown",
                "required": True,
                "option_values": [value("S", adjusters={"price": {"adjuster": None, "adjuster_value": 0}})],
            }
        ],
    )
    assert unpriced[0]["option_values"][0]["adjusters"] == NO_ADJUSTERS  # a null adjuster is no adjuster
    assert len(made[0]["option_values"]) == 2
    create(store, cup, display_name="Note", type="text")

    with pytest.raises(ApiError) as failed:
        modifiers.create_embedded(
            db,
            cup,
            [
                {
                    "display_name": "Size",
                    "type": "dropdown",
                    "required": True,
                    "option_values": [{"label": "S"}],
                }
            ],
        )
    assert failed.value.status == 422
    assert failed.value.body["errors"] == {"modifiers[0].option_values[0].sort_order": "error.path.missing"}
    with pytest.raises(ApiError) as clash:
        modifiers.create_embedded(
            db,
            cup,
            [
                {"display_name": "Gift", "type": "text", "required": True},
                {"display_name": "note", "type": "text", "required": True},
            ],
        )
    assert clash.value.status == 409
    assert [m["display_name"] for m in modifiers.embed(db, [cup])[cup]] == ["Note"]  # all or nothing

    modifiers.delete_for_product(db, mug)
    assert modifiers.embed(db, [mug, cup])[mug] == []
    assert store.get(url(mug)).json()["data"] == []
    assert len(store.get(url(cup)).json()["data"]) == 1
    assert db.scalar("SELECT COUNT(*) FROM product_modifier_values WHERE product_id = ?", [mug]) == 0


def test_non_finite_numbers_are_refused(store: Store) -> None:
    product = make_product(store)
    modifier = create(store, product, display_name="Size", type="dropdown", option_values=[value("S")])
    price = b'{"adjuster": "relative", "adjuster_value": NaN}'
    raw = b'{"label": "M", "sort_order": 1, "adjusters": {"price": ' + price + b"}}"
    response = store.post(url(product, modifier["id"], "values"), content=raw)
    # NaN is not JSON: the body is refused as unparsable, before any field is looked at.
    assert response.status_code == 400
    assert response.json()["title"] == "Input is invalid"
    assert [v["label"] for v in store.get(url(product, modifier["id"], "values")).json()["data"]] == ["S"]
