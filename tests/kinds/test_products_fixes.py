"""Products: replacements the API forces, renames it allows, consequences it has, and values it
spells its own way, each planned as what apply does and written so that a re-plan is empty."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from storeconf.config import load_project
from storeconf.errors import ConfigError
from storeconf.kinds.base import Context, Outcome
from storeconf.kinds.products.read import LIVE, Resolver, normalise, wanted
from storeconf.kinds.products.spec import Product
from storeconf.model import DesiredState, Live, LiveState, Manage
from storeconf.plan import Action, Change, FieldChange, Plan
from storeconf.planner import build_plan
from tests.kinds.test_products_helpers import (
    DROP,
    PRODUCTS,
    TEE_CONFIG,
    FakeApi,
    context,
    desired,
    full_raw,
    options,
    raw_product,
    tee,
)

IGNORE_STOCK = Manage(ignore=frozenset({"inventory_level"}))


def live_for(want: DesiredState, *raws: dict[str, Any]) -> LiveState:
    """Live state as `Products.read` builds it for `want` (the reader knows the config's values)."""
    found = wanted(want)
    resolver = Resolver(context(), found.spellings, found.values, found.declared)
    objs = {}
    for raw in raws:
        fields = normalise(raw, resolver)
        objs[fields["sku"].casefold()] = Live("products", fields["sku"], raw["id"], fields, raw)
    return LiveState({"products": objs})


def plan_of(
    config: dict[str, Any], raw: dict[str, Any], manage: Manage | None = None
) -> tuple[Plan, LiveState]:
    want = desired(config, manage=manage)
    state = live_for(want, raw)
    return build_plan(want, state), state


def children(plan: Plan) -> list[tuple[str, str, str]]:
    return [(c.kind, c.action.value, c.key) for p in plan.changes for c in p.children]


def child(plan: Plan, kind: str, key: str, action: Action | None = None) -> Change:
    (found,) = [
        c
        for p in plan.changes
        for c in p.children
        if c.kind == kind and c.key == key and (action is None or c.action is action)
    ]
    return found


def apply(
    api: FakeApi, plan: Plan, state: LiveState, manage: Manage | None = None
) -> tuple[list[Outcome], Context]:
    ctx = context()
    ctx.extra[LIVE] = {obj.id: obj for obj in state.objects["products"].values()}
    if manage is not None:
        ctx.manage["products"] = manage

    async def go() -> list[Outcome]:
        async with api.client() as client:
            return await PRODUCTS.apply_batch(client, plan.changes, ctx)

    return asyncio.run(go()), ctx


def requests(api: FakeApi) -> list[str]:
    return [f"{m} {p}" for m, p, _, _ in api.calls()]


def body_of(api: FakeApi, method: str, path: str) -> Any:
    (found,) = [b for m, p, _, b in api.calls(method) if p == path]
    return found


SWAPPED = [{"sku": "TEE-S", "options": {"Size": "M"}}, {"sku": "TEE-M", "options": {"Size": "S"}}]


# ---- 1. replacements: a variant's option values, a modifier's type ---------------------------------


def test_variant_option_change_plans_a_delete_and_a_create() -> None:
    plan, _ = plan_of(tee(variants=SWAPPED), full_raw())
    assert children(plan) == [
        ("variant", "delete", "TEE-S"),
        ("variant", "create", "TEE-S"),
        ("variant", "delete", "TEE-M"),
        ("variant", "create", "TEE-M"),
    ]


def test_a_variant_the_plan_deletes_shows_all_it_had() -> None:
    """The reader normalises only what the config sets of the variants it declares: a variant
    dropped, or re-created with other option values, is read whole for the plan to show."""
    raw = full_raw()
    raw["variants"][1]["inventory_level"] = 100  # TEE-S
    raw["variants"][2]["weight"] = 2.5  # TEE-M
    swapped, _ = plan_of(tee(variants=SWAPPED), raw)
    shown = {d.path: d.old for d in child(swapped, "variant", "TEE-S", Action.DELETE).diff}
    assert shown["inventory_level"] == 100 and shown["options"] == {"Size": "S"}
    dropped, _ = plan_of(tee(variants=[{"sku": "TEE-S", "options": {"Size": "S"}}]), raw)
    assert children(dropped) == [("variant", "delete", "TEE-M")]
    assert {d.path: d.old for d in child(dropped, "variant", "TEE-M").diff}["weight"] == 2.5


def test_a_field_one_variant_sets_is_compared_on_every_variant() -> None:
    raw = full_raw()
    raw["variants"][1]["price"] = 9  # TEE-S
    raw["variants"][2]["price"] = 11  # TEE-M
    config = tee(variants=[{"sku": "TEE-S", "options": {"Size": "S"}, "price": 9}, TEE_CONFIG["variants"][1]])
    assert plan_of(config, raw)[0].empty
    config["variants"][1] = {**config["variants"][1], "price": 12}
    changed = child(plan_of(config, raw)[0], "variant", "TEE-M", Action.UPDATE)
    assert [(d.path, d.old, d.new) for d in changed.diff] == [("price", 11.0, 12.0)]


def test_recreated_variant_keeps_the_live_values_of_ignored_fields() -> None:
    raw = full_raw()
    raw["variants"][1]["inventory_level"] = 100  # TEE-S: the ERP's stock
    raw["variants"][2]["inventory_level"] = 7
    config = tee(variants=[{**SWAPPED[0], "inventory_level": 10}, SWAPPED[1]])
    plan, state = plan_of(config, raw, IGNORE_STOCK)
    api = FakeApi()
    outcomes, _ = apply(api, plan, state, IGNORE_STOCK)
    assert [o.ok for o in outcomes] == [True]
    assert requests(api) == [
        "DELETE /catalog/products/174/variants/201",
        "DELETE /catalog/products/174/variants/202",
        "PUT /catalog/variants",
    ]
    items = body_of(api, "PUT", "/catalog/variants")
    assert {i["sku"]: (i["inventory_level"], i["option_values"]) for i in items} == {
        "TEE-S": (100, [{"id": 12, "option_id": 151}]),
        "TEE-M": (7, [{"id": 11, "option_id": 151}]),
    }


def test_ignored_field_prefixed_with_variants_is_kept_too() -> None:
    raw = full_raw()
    raw["variants"][1]["inventory_level"] = 100
    manage = Manage(ignore=frozenset({"variants.inventory_level"}))
    plan, state = plan_of(tee(variants=SWAPPED), raw, manage)
    api = FakeApi()
    apply(api, plan, state, manage)
    items = body_of(api, "PUT", "/catalog/variants")
    assert {i["sku"]: i.get("inventory_level") for i in items} == {"TEE-S": 100, "TEE-M": 0}


def test_modifier_type_change_is_a_delete_and_a_create() -> None:
    config = tee()
    config["modifiers"] = [{**config["modifiers"][0], "type": "multi_line_text"}, config["modifiers"][1]]
    plan, state = plan_of(config, full_raw())
    assert children(plan) == [("modifier", "delete", "Gift message"), ("modifier", "create", "Gift message")]
    api = FakeApi()
    outcomes, _ = apply(api, plan, state)
    assert [o.ok for o in outcomes] == [True]
    assert requests(api) == [
        "DELETE /catalog/products/174/modifiers/206",
        "POST /catalog/products/174/modifiers",  # not a PUT: the API cannot change the type
    ]
    assert body_of(api, "POST", "/catalog/products/174/modifiers")["type"] == "multi_line_text"


# ---- 2. a case-only rename of an option value ------------------------------------------------------


def test_case_only_value_rename_is_one_option_update_and_keeps_the_variant() -> None:
    config = tee(
        options=[{"name": "Size", "type": "rectangles", "values": ["s", "M"]}],
        variants=[{"sku": "TEE-S", "options": {"Size": "s"}}, {"sku": "TEE-M", "options": {"Size": "M"}}],
    )
    plan, state = plan_of(config, full_raw())
    assert children(plan) == [("option", "update", "Size")]
    assert child(plan, "option", "Size").diff == (FieldChange("values", ["S", "M"], ["s", "M"]),)
    api = FakeApi()
    outcomes, _ = apply(api, plan, state)
    assert [o.ok for o in outcomes] == [True]
    assert requests(api) == ["PUT /catalog/products/174/options/151"]  # no value POST, no deletes
    values = body_of(api, "PUT", "/catalog/products/174/options/151")["option_values"]
    assert [(v["label"], v["id"]) for v in values] == [("s", 11), ("M", 12)]


def test_option_values_differing_only_in_case_are_a_config_error() -> None:
    with pytest.raises(ValidationError, match="duplicate value 'small'"):
        Product.model_validate(
            tee(options=[{"name": "Size", "type": "rectangles", "values": ["Small", "small"]}])
        )


# ---- 3. variants the API deletes with their option values -------------------------------------------


def test_dropped_value_shows_the_variants_the_api_deletes_with_it() -> None:
    config = tee(options=[{"name": "Size", "type": "rectangles", "values": ["M"]}], variants=DROP)
    plan, state = plan_of(config, full_raw())
    assert children(plan) == [("option", "update", "Size"), ("variant", "delete", "TEE-S")]
    assert child(plan, "variant", "TEE-S").live_id == 201
    api = FakeApi()
    api.fail[("DELETE", r"/catalog/products/174/variants/201")] = 404  # already gone: fine
    outcomes, _ = apply(api, plan, state)
    assert [o.ok for o in outcomes] == [True]
    assert requests(api)[-1] == "DELETE /catalog/products/174/options/151/values/11"


def test_dropped_option_shows_every_variant_using_it() -> None:
    plan, _ = plan_of(tee(options=[], variants=DROP), full_raw())
    assert children(plan) == [
        ("option", "delete", "Size"),
        ("variant", "delete", "TEE-S"),
        ("variant", "delete", "TEE-M"),
    ]


def test_managed_variants_are_not_deleted_twice_and_case_renames_delete_nothing() -> None:
    config = tee(
        options=[{"name": "Size", "type": "rectangles", "values": ["M"]}],
        variants=[{"sku": "TEE-M", "options": {"Size": "M"}}],
    )
    plan, _ = plan_of(config, full_raw())
    assert children(plan) == [("option", "update", "Size"), ("variant", "delete", "TEE-S")]
    renamed = tee(options=[{"name": "Size", "type": "rectangles", "values": ["s", "m"]}], variants=DROP)
    assert children(plan_of(renamed, full_raw())[0]) == [("option", "update", "Size")]


# ---- 4. value_data is compared only where the config writes it -------------------------------------


def swatch_raw() -> dict[str, Any]:
    swatch = options(174, type_="swatch")
    for value, color in zip(swatch[0]["option_values"], ("#ff0000", "#00ff00"), strict=True):
        value["value_data"] = {"colors": [color]}
    raw = full_raw()
    raw["options"] = swatch
    return raw


def test_bare_labels_leave_value_data_unmanaged() -> None:
    plan, _ = plan_of(tee(options=[{"name": "Size", "type": "dropdown", "values": ["S", "M"]}]), swatch_raw())
    assert child(plan, "option", "Size").diff == (FieldChange("type", "swatch", "dropdown"),)
    unchanged = tee(options=[{"name": "Size", "type": "swatch", "values": ["S", "M"]}])
    assert plan_of(unchanged, swatch_raw())[0].empty


def test_value_data_the_config_writes_is_compared() -> None:
    values = [{"label": "S", "value_data": {"colors": ["#0000ff"]}}, "M"]
    plan, _ = plan_of(tee(options=[{"name": "Size", "type": "swatch", "values": values}]), swatch_raw())
    assert child(plan, "option", "Size").diff == (
        FieldChange(
            "values",
            [{"label": "S", "value_data": {"colors": ["#ff0000"]}}, "M"],
            [{"label": "S", "value_data": {"colors": ["#0000ff"]}}, "M"],
        ),
    )


# ---- 5 and 6. values the API spells its own way ----------------------------------------------------


def test_dates_compare_in_utc() -> None:
    raw = full_raw(preorder_release_date="2030-01-01T08:00:00+00:00")
    config = tee(preorder_release_date="2030-01-01T10:00:00+02:00")
    assert (
        PRODUCTS.to_fields(Product.model_validate(config))["preorder_release_date"] == "2030-01-01T08:00:00Z"
    )
    assert plan_of(config, raw)[0].empty


@pytest.mark.parametrize("blank", ["title", "description"])
def test_empty_video_text_is_unset(blank: str) -> None:
    # The API fills an empty title or description from YouTube.
    video = {"video_id": "dQw4w9WgXcQ", "title": "Fit guide", blank: ""}
    assert plan_of(tee(videos=[video]), full_raw())[0].empty


# ---- 7. products trading unique values -------------------------------------------------------------


def test_products_trading_names_move_out_of_the_way_first() -> None:
    one, two = full_raw(174, "TEE"), full_raw(175, "POLO")
    one["name"], two["name"] = "Alpha", "Beta"
    config_one = tee(name="Beta")
    config_two = tee(sku="POLO", name="Alpha", variants=DROP, options=DROP)
    want = desired(config_one, config_two)
    state = live_for(want, one, two)
    plan = build_plan(want, state)
    api = FakeApi()
    outcomes, _ = apply(api, plan, state)
    assert [o.ok for o in outcomes] == [True, True]
    puts = [b for m, p, _, b in api.calls("PUT") if p == "/catalog/products"]
    assert sorted((i["id"], i["name"]) for i in puts[0]) == [
        (174, "Alpha~storeconf-174"),
        (175, "Beta~storeconf-175"),
    ]
    assert sorted((i["id"], i["name"]) for i in puts[1]) == [(174, "Beta"), (175, "Alpha")]


# ---- 8 and 9. config errors at the right place ------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"type": "date"}, "a date modifier needs `config.default_value`"),
        ({"type": "date", "config": {"date_limited": False}}, "a date modifier needs `config.default_value`"),
        (
            {
                "type": "date",
                "config": {"default_value": "2025-02-01T00:00:00+00:00", "date_earliest_value": "2025-02-01"},
            },
            "must be an ISO-8601 ATOM date",
        ),
        (
            {"type": "date", "config": {"default_value": "2025-02-01T00:00:00Z", "date_limited": True}},
            "needs a date_limit_mode",
        ),
        (
            {
                "type": "date",
                "config": {
                    "default_value": "2025-02-01T00:00:00Z",
                    "date_limited": True,
                    "date_limit_mode": "range",
                    "date_earliest_value": "2025-03-01T00:00:00Z",
                    "date_latest_value": "2025-02-01T00:00:00Z",
                },
            },
            "must not be before date_earliest_value",
        ),
    ],
)
def test_date_modifiers_are_checked_like_the_api_does(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Product.model_validate(tee(modifiers=[{"name": "Delivery", **config}]))


def test_valid_date_modifier() -> None:
    config = {
        "default_value": "2025-02-01T00:00:00+00:00",
        "date_limited": True,
        "date_limit_mode": "earliest",
        "date_earliest_value": "2025-02-01T00:00:00Z",
    }
    Product.model_validate(tee(modifiers=[{"name": "Delivery", "type": "date", "config": config}]))


PRODUCT_HEAD = "  - sku: {sku}\n    name: {sku} product\n    type: physical\n    price: 1\n    weight: 1\n"


def problems_of(tmp_path: Path, body: str) -> list[str]:
    (tmp_path / "storeconf.yaml").write_text("version: 1\ninclude: [catalog/*.yaml]\n")
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "products.yaml").write_text("products:\n" + body)
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path, environ={})
    return [str(p) for p in info.value.problems]


def test_variant_errors_point_at_the_variant(tmp_path: Path) -> None:
    body = PRODUCT_HEAD.format(sku="A") + (
        "    options:\n"  # line 7
        "      - {name: Size, type: rectangles, values: [S, M, L]}\n"
        "    variants:\n"
        "      - {sku: A-S, options: {Size: S}}\n"  # line 10
        "      - {sku: A-M, options: {Size: M}}\n"
        "      - {sku: A-L, options: {Size: XL}}\n"  # line 12
    )
    (problem,) = problems_of(tmp_path, body)
    assert problem.startswith("catalog/products.yaml:12:"), problem
    assert "variants[2].options.Size: variant 'A-L': 'XL' is not a declared value of option 'Size'" in problem


def test_overlapping_bulk_ranges_point_at_the_second(tmp_path: Path) -> None:
    body = PRODUCT_HEAD.format(sku="A") + (
        "    bulk_pricing_rules:\n"  # line 7
        "      - {quantity_min: 1, quantity_max: 4, type: percent, amount: 1}\n"
        "      - {quantity_min: 5, quantity_max: 0, type: percent, amount: 2}\n"
        "      - {quantity_min: 3, quantity_max: 9, type: percent, amount: 3}\n"  # line 10
    )
    (problem,) = problems_of(tmp_path, body)
    assert problem.startswith("catalog/products.yaml:10:"), problem
    assert "bulk_pricing_rules[2]: bulk pricing ranges 1-4 and 3-9 overlap" in problem


def test_bad_option_is_reported_without_follow_on_errors(tmp_path: Path) -> None:
    body = PRODUCT_HEAD.format(sku="A") + (
        "    options:\n      - {name: Size, type: bogus, values: [S]}\n"
        "    variants:\n      - {sku: A-S, options: {Size: S}}\n"
    )
    (problem,) = problems_of(tmp_path, body)
    assert "options[0].type: Input should be" in problem


def test_custom_field_errors_speak_of_text(tmp_path: Path) -> None:
    body = PRODUCT_HEAD.format(sku="A") + "    custom_fields:\n      long: " + "x" * 251 + "\n"
    body += PRODUCT_HEAD.format(sku="B") + "    custom_fields:\n      '': empty\n"
    long, empty = problems_of(tmp_path, body)
    assert "products[0].custom_fields.long: String should have at most 250 characters" in long
    assert empty.startswith("catalog/products.yaml:15:"), empty
    assert "products[1].custom_fields: a custom field needs a name" in empty


def test_variants_without_options_say_why(tmp_path: Path) -> None:
    body = PRODUCT_HEAD.format(sku="A") + "    variants:\n      - {sku: A-1}\n      - {sku: A-2}\n"
    (problem,) = problems_of(tmp_path, body)
    assert "a product without options has only its base variant" in problem
    assert "same option values" not in problem


# ---- 10. open-ended bulk rules ------------------------------------------------------------------------


def test_open_ended_bulk_rule_is_shown_as_n_plus() -> None:
    rule = {"quantity_min": 50, "quantity_max": 0, "type": "percent", "amount": 9}
    config = tee(bulk_pricing_rules=[*tee()["bulk_pricing_rules"], rule])
    plan, _ = plan_of(config, full_raw())
    assert children(plan) == [("bulk_pricing_rule", "create", "50+")]
    raw = full_raw()
    raw["bulk_pricing_rules"].append({"id": 10, **rule})
    assert plan_of(config, raw)[0].empty


# ---- 11. export of a variant without a SKU ---------------------------------------------------------


def test_export_leaves_out_a_variant_without_sku_but_keeps_the_product() -> None:
    raw = full_raw()
    raw["variants"][1]["sku"] = ""  # TEE-S, made by another tool
    state = live_for(desired(tee()), raw)
    exported = PRODUCTS.export_item(state.objects["products"]["tee"])
    assert [v["sku"] for v in exported["variants"]] == ["TEE-M"]
    Product.model_validate(exported)  # the whole product exports
    plan = build_plan(desired(exported), state)
    assert children(plan) == [("variant", "delete", "(no sku, id 201)")]


def test_raw_product_helper_is_unchanged() -> None:
    # The fixes above rely on these ids: variant TEE-S is 201 with Size S = value 11.
    raw = raw_product()
    assert [(v["id"], v["sku"]) for v in raw["variants"][1:]] == [(201, "TEE-S"), (202, "TEE-M")]
