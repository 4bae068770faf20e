"""The products config: validation rules, the comparable shape, references, the JSON Schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from storeconf.config import json_schemas, load_project
from storeconf.errors import ConfigError
from storeconf.kinds.products.keys import image_identity
from storeconf.kinds.products.spec import Product
from storeconf.model import Live, LiveState
from tests.kinds.test_products_helpers import PRODUCTS, TEE_CONFIG, desired, tee

RULE = {"quantity_min": 10, "quantity_max": 0, "type": "price", "amount": 1}


def error_of(config: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        Product.model_validate(config)
    return str(info.value)


def test_example_config_is_valid_and_shaped_for_comparison() -> None:
    fields = PRODUCTS.to_fields(Product.model_validate(tee(categories=["b/x", "A/y"], channels=[2, 1])))
    assert fields["custom_fields"] == [{"name": "material", "value": "cotton"}]
    assert fields["categories"] == ["A/y", "b/x"]
    assert fields["channels"] == [1, 2]
    assert fields["options"] == [{"name": "Size", "type": "rectangles", "values": ["S", "M"]}]
    assert fields["modifiers"][1]["values"] == [
        {"label": "None", "is_default": True},
        {"label": "Initials", "adjusters": {"price": {"adjuster": "relative", "adjuster_value": 5.0}}},
    ]
    assert "description" not in fields["images"][0]  # only what the config sets


def test_minimal_product_sets_only_its_fields() -> None:
    item = Product.model_validate(
        {"sku": "MUG", "name": "Mug", "type": "physical", "price": 8, "weight": 0.5}
    )
    assert PRODUCTS.to_fields(item) == {
        "sku": "MUG",
        "name": "Mug",
        "type": "physical",
        "price": 8.0,
        "weight": 0.5,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variants": [{"sku": "TEE-S", "options": {"Colour": "Red"}}]}, "option 'Colour' is not declared"),
        (
            {"variants": [{"sku": "TEE-S", "options": {"Size": "XL"}}]},
            "'XL' is not a declared value of option 'Size'",
        ),
        ({"variants": [{"sku": "TEE-S", "options": {}}]}, "names no value for option(s) 'Size'"),
        (
            {"variants": [{"sku": "A", "options": {"Size": "S"}}, {"sku": "B", "options": {"Size": "S"}}]},
            "variants 'A' and 'B' have the same option values",
        ),
        ({"variants": [{"sku": "tee", "options": {"Size": "S"}}]}, "duplicate sku 'tee'"),
        ({"options": [{"name": "Size", "type": "rectangles", "values": ["S", "S"]}]}, "duplicate value 'S'"),
        (
            {"options": [{"name": "Size", "type": "swatch", "values": ["S"]}] * 2, "variants": []},
            "duplicate option name 'Size'",
        ),
        (
            {"options": [{"name": "Size", "type": "radio", "values": ["S"]}]},
            "Input should be 'radio_buttons'",
        ),
        ({"modifiers": [{"name": "Gift", "type": "text"}] * 2}, "duplicate modifier name 'Gift'"),
        ({"modifiers": [{"name": "Wrap", "type": "checkbox", "values": ["Yes"]}]}, "takes no values"),
        ({"modifiers": [{"name": "Pick", "type": "dropdown"}]}, "needs values"),
        (
            {"images": [{"url": "https://a.example/x/Tee.jpg"}, {"url": "https://b.example/tee.png"}]},
            "duplicate image file name 'tee'",
        ),
        ({"images": [{"url": "https://a.example/"}]}, "has no file name"),
        ({"videos": [{"video_id": "abc"}, {"video_id": "abc"}]}, "duplicate video_id 'abc'"),
        (
            {
                "bulk_pricing_rules": [
                    {**RULE, "quantity_max": 49},
                    {**RULE, "quantity_min": 40, "quantity_max": 0},
                ]
            },
            "bulk pricing ranges 10-49 and 40+ overlap",
        ),
        ({"bulk_pricing_rules": [{**RULE, "quantity_max": 5}]}, "greater"),
        ({"categories": ["Apparel", "apparel"]}, "duplicate category 'apparel'"),
        ({"custom_fields": {"weight": 1.5}}, "write 1.5 in quotes"),
        ({"condition": "new"}, "Input should be 'New'"),
        ({"price": -1}, "greater than or equal to 0"),
        ({"upc": "123456789012345"}, "at most 14 characters"),
    ],
)
def test_invalid_config(change: dict[str, Any], message: str) -> None:
    assert message in error_of(tee(**change))


def test_variants_need_declared_options() -> None:
    config = {k: v for k, v in tee().items() if k != "options"}
    assert "declare `options` to give it variants" in error_of(config)


def test_integer_labels_and_values_are_text() -> None:
    config = tee(
        custom_fields={"pieces": 2}, options=[{"name": "Size", "type": "rectangles", "values": [10, 12]}]
    )
    config["variants"] = [{"sku": "TEE-10", "options": {"Size": 10}}]
    fields = PRODUCTS.to_fields(Product.model_validate(config))
    assert fields["custom_fields"] == [{"name": "pieces", "value": "2"}]
    assert fields["options"][0]["values"] == ["10", "12"]
    assert fields["variants"][0]["options"] == {"Size": "10"}


def test_image_identity() -> None:
    assert image_identity("https://cdn.x/a/tee-front.JPG") == "tee-front"
    assert image_identity("t/123/tee-front__12345__67890.jpg") == "tee-front"
    url = "https://cdn8.bigcommerce.com/s-1/products/158/images/382/towel_1024x1024__83011__60806.1534.1280.1280.jpg?c=2"
    assert image_identity(url) == "towel_1024x1024"
    assert image_identity("https://cdn.x/My%20Photo.v2.png") == "my-photo-v2"
    assert image_identity("a/1/my photo.v2__1__2.png") == "my-photo-v2"


def test_skus_and_names_unique_across_products() -> None:
    mug = {"sku": "MUG", "name": "Classic Tee TEE", "type": "physical", "price": 8, "weight": 1}
    mug["options"] = [{"name": "Size", "type": "rectangles", "values": ["S"]}]
    mug["variants"] = [{"sku": "tee-s", "options": {"Size": "S"}}]
    items = [(Product.model_validate(c), None) for c in (tee(), mug)]
    messages = [p.message for p in PRODUCTS.check(items)]
    assert messages == [
        "products: MUG: SKU 'tee-s' is also used by product 'TEE'",
        "products: MUG: name 'Classic Tee TEE' is also used by 'TEE'",
    ]


def test_references_resolve_in_config_or_store() -> None:
    config = tee(brand="Nope", categories=["Apparel/Shirts", "Apparel/Hats"])
    state = desired(config)
    store = LiveState(
        {"brands": {}, "categories": {"apparel/shirts": Live("categories", "Apparel/Shirts", 23, {})}}
    )
    tail = "which is neither in the configuration nor in the store"
    assert [p.message for p in PRODUCTS.check_references(state, store)] == [
        f"products: TEE refers to brand 'Nope', {tail}",
        f"products: TEE refers to category 'Apparel/Hats', {tail}",
    ]
    managed = desired(
        config, brands=[{"name": "NOPE"}], categories=[{"path": "Apparel"}, {"path": "Apparel/Hats"}]
    )
    assert PRODUCTS.check_references(managed, store) == []


def test_loader_reports_problems_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "storeconf.yaml").write_text("version: 1\ninclude: [catalog/*.yaml]\n")
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "products.yaml").write_text(
        "products:\n"
        "  - sku: TEE\n"
        "    name: Tee\n"
        "    type: physical\n"
        "    price: 25\n"
        "    weight: 0.3\n"
        "    options:\n"
        "      - {name: Size, type: rectangles, values: [S, M]}\n"
        "    variants:\n"
        "      - {sku: TEE-S, options: {Size: XL}}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path, environ={})
    (problem,) = info.value.problems
    assert str(problem).startswith("catalog/products.yaml:10:")
    assert "'XL' is not a declared value of option 'Size'" in problem.message


def test_json_schema_accepts_bare_labels() -> None:
    schema = json_schemas()["resources.schema.json"]
    value = schema["$defs"]["OptionValue"]
    assert {"type": "string"} in value["anyOf"]
    assert "products" in schema["properties"]


def test_example_keys_are_the_models_fields() -> None:
    assert set(TEE_CONFIG) <= set(Product.model_fields)
