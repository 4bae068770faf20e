"""Reading products: API answers -> config shape, at a known request cost, and back via export."""

from __future__ import annotations

import asyncio
from typing import Any

from storeconf.kinds.base import Context
from storeconf.kinds.products.read import LIVE
from storeconf.model import Live
from storeconf.planner import build_plan
from tests.kinds.test_products_helpers import (
    PRODUCTS,
    FakeApi,
    context,
    desired,
    full_raw,
    live,
    modifiers,
    options,
    raw_product,
    tee,
)


def read(api: FakeApi, ctx: Context) -> list[Live]:
    async def run() -> list[Live]:
        async with api.client() as client:
            return await PRODUCTS.read(client, ctx)

    return asyncio.run(run())


def test_normalise_into_config_shape() -> None:
    (obj,) = live(full_raw()).objects["products"].values()
    fields = obj.fields
    assert (obj.key, obj.id) == ("TEE", 174)
    assert fields["brand"] == "Acme"
    assert fields["categories"] == ["Apparel/Shirts"]  # 999 is in another channel's tree
    assert fields["weight"] == 1.0 and isinstance(fields["weight"], float)
    assert fields["custom_url"] == {"url": "/classic-tee-tee/", "is_customized": False}
    assert fields["custom_fields"] == [{"name": "material", "value": "cotton", "_id": 6}]
    assert fields["bulk_pricing_rules"][0] == {
        "quantity_min": 10,
        "quantity_max": 49,
        "type": "percent",
        "amount": 5.0,
        "_id": 9,
    }
    assert [v["sku"] for v in fields["variants"]] == ["TEE-S", "TEE-M"]  # the base variant is not one
    assert fields["variants"][0]["options"] == {"Size": "S"} and fields["variants"][0]["_id"] == 201
    assert fields["variants"][0]["price"] is None  # inherits the product's
    front = fields["images"][0]
    assert (front["_identity"], front["thumbnail"], front["_id"]) == ("tee-front", True, 382)
    assert front["url"].startswith("https://cdn8.bigcommerce.com/") and "tee-front__" in front["url"]
    (size,) = fields["options"]
    assert (size["name"], size["type"], size["values"]) == ("Size", "rectangles", ["S", "M"])
    assert (size["_id"], size["_value_ids"]) == (151, {"S": 11, "M": 12})
    gift, engraving = fields["modifiers"]
    assert gift["config"]["text_max_length"] == 100 and "values" not in gift
    assert engraving["values"] == [
        {"label": "None", "is_default": True},
        {"label": "Initials", "adjusters": {"price": {"adjuster": "relative", "adjuster_value": 5.0}}},
    ]


def test_values_ordered_by_sort_order_and_checkbox_values_are_the_servers() -> None:
    opts = options(174, labels=("S", "M"))
    opts[0]["option_values"][0]["sort_order"] = 5
    checkbox = {
        "id": 210,
        "display_name": "Wrap",
        "type": "checkbox",
        "required": False,
        "config": {"checkbox_label": "Wrap it", "checked_by_default": False},
        "option_values": [{"id": 1, "label": "Yes", "sort_order": 0, "value_data": {"checked_value": True}}],
    }
    (obj,) = live(raw_product(options=opts, modifiers=[checkbox])).objects["products"].values()
    assert obj.fields["options"][0]["values"] == ["M", "S"]
    assert "values" not in obj.fields["modifiers"][0]


def test_unknown_brand_and_empty_brand() -> None:
    (obj,) = live(raw_product(brand_id=77)).objects["products"].values()
    assert obj.fields["brand"] == "#77"
    (obj,) = live(raw_product(brand_id=0)).objects["products"].values()
    assert obj.fields["brand"] is None


def test_odd_live_values_are_kept_as_sent() -> None:
    (obj,) = (
        live(raw_product(condition="Mint", weight="heavy", description=None)).objects["products"].values()
    )
    assert (obj.fields["condition"], obj.fields["weight"], obj.fields["description"]) == ("Mint", "heavy", "")


def test_export_then_plan_is_empty() -> None:
    raws = [
        full_raw(),
        raw_product(
            175, "MUG", brand_id=0, categories=[], variants=[], images=[], videos=[], custom_fields=[]
        ),
        raw_product(
            176,
            "CAP",
            custom_url={"url": "/caps/cap/", "is_customized": True},
            preorder_release_date="2030-01-01T00:00:00+00:00",
        ),
    ]
    state = live(*raws)
    exported = [PRODUCTS.export_item(obj) for obj in state.objects["products"].values()]
    assert "custom_url" not in exported[0] and exported[2]["custom_url"] == {
        "url": "/caps/cap/",
        "is_customized": True,
    }
    assert "tax_class_id" not in exported[0] and exported[0]["is_visible"] is True
    assert all("'_id'" not in str(item) for item in exported)
    assert "variants" not in exported[2]  # its options were not read
    assert build_plan(desired(*exported), state).empty


def test_read_costs_one_request_per_250_products_plus_options_pages_for_managed_ones() -> None:
    raws = [
        raw_product(1000 + i, f"SKU{i}", options=options(1000 + i), modifiers=modifiers(1000 + i))
        for i in range(600)
    ]
    api = FakeApi(raws)
    managing = [tee(sku=f"sku{i}", name=f"P{i}") for i in range(25)]  # SKUs match case-insensitively
    plain = {"sku": "SKU30", "name": "P30", "type": "physical", "price": 1, "weight": 1}
    ctx = context(desired=desired(*managing, plain))
    found = read(api, ctx)
    assert len(found) == 600
    lists = [c for c in api.calls("GET", "/catalog/products") if "id:in" not in c[2]]
    choices = [c for c in api.calls("GET", "/catalog/products") if "id:in" in c[2]]
    assert len(lists) == 3 and len(choices) == 3 and len(api.requests) == 6
    assert {c[2]["include"] for c in lists} == {
        "variants,images,custom_fields,bulk_pricing_rules,videos,channels"
    }
    assert {c[2]["limit"] for c in lists} == {"250"}
    assert choices[0][2] | {"id:in": ""} == {
        "id:in": "",
        "include": "options,modifiers",
        "include_fields": "sku",
        "limit": "10",
    }
    by_sku = {obj.key: obj for obj in found}
    assert by_sku["SKU3"].fields["options"][0]["name"] == "Size"
    assert "options" not in by_sku["SKU30"].fields  # not managed: not fetched, never compared
    assert ctx.extra[LIVE][1003] is by_sku["SKU3"]
    assert ctx.ids[("variants", "sku3-s")] == 201


def test_channels_are_read_only_when_managed() -> None:
    api = FakeApi([raw_product()])
    config = {k: v for k, v in tee().items() if k not in ("channels", "options", "variants", "modifiers")}
    read(api, context(desired=desired(config)))
    ((_, _, params, _),) = api.calls()
    assert params["include"] == "variants,images,custom_fields,bulk_pricing_rules,videos"


def test_without_desired_state_everything_is_read() -> None:
    raws = [raw_product(1000 + i, f"SKU{i}") for i in range(25)]
    api = FakeApi(raws)
    found = read(api, context())
    assert len(api.calls("GET")) == 1 + 3
    assert all("options" in obj.fields and "channels" in obj.fields for obj in found)


def test_live_of_managed_options_plans_empty_after_read() -> None:
    api = FakeApi([full_raw(), full_raw(175, "MUG")])
    mug = {"sku": "MUG", "name": "Classic Tee MUG", "type": "physical", "price": 7.95, "weight": 1}
    state = desired(tee(), mug)
    ctx = context(desired=state)
    found = read(api, ctx)
    from storeconf.model import LiveState

    store = LiveState({"products": {obj.key.casefold(): obj for obj in found}})
    assert build_plan(state, store).empty


def spelled(config: dict[str, Any]) -> dict[str, Any]:
    return {**config, "brand": "ACME", "categories": ["apparel/shirts"]}


def test_reference_case_follows_the_config_when_the_store_ignores_case() -> None:
    api = FakeApi([full_raw()])
    state = desired(spelled(tee()))
    found = read(api, context(desired=state))
    assert (found[0].fields["brand"], found[0].fields["categories"]) == ("ACME", ["apparel/shirts"])
