"""The planner on products: each nested list is diffed item by item by its own key."""

from __future__ import annotations

from typing import Any

from storeconf.model import Manage
from storeconf.plan import Action, Change, FieldChange, Plan
from storeconf.planner import build_plan
from tests.kinds.test_products_helpers import PRODUCTS, TEE_CONFIG, desired, full_raw, live, tee


def plan_for(config: dict[str, Any], raw: dict[str, Any] | None = None, manage: Manage | None = None) -> Plan:
    return build_plan(desired(config, manage=manage), live(raw or full_raw()))


def nested(plan: Plan) -> list[tuple[str, str, str]]:
    """(part, action, key) of every nested change, in plan order."""
    return [(c.kind, c.action.value, c.key) for p in plan.changes for c in p.children]


def child(plan: Plan, kind: str, key: str) -> Change:
    (found,) = [c for p in plan.changes for c in p.children if c.kind == kind and c.key == key]
    return found


def test_matching_config_plans_nothing() -> None:
    assert plan_for(tee()).empty


def test_create_lists_every_nested_item_as_a_create() -> None:
    plan = build_plan(desired(tee()), live())
    (change,) = plan.changes
    assert change.action is Action.CREATE
    assert "variants" not in {d.path for d in change.diff}
    assert {(k, a) for k, a, _ in nested(plan)} == {
        ("option", "create"),
        ("variant", "create"),
        ("modifier", "create"),
        ("custom_field", "create"),
        ("bulk_pricing_rule", "create"),
        ("image", "create"),
        ("video", "create"),
    }
    assert child(plan, "image", "tee-front").fields["url"] == "https://cdn.example.com/tee-front.JPG"


def test_top_level_field_change_has_no_children() -> None:
    plan = plan_for(tee(price=9.5))
    (change,) = plan.changes
    assert change.diff == (FieldChange("price", 7.95, 9.5),)
    assert change.children == ()


# ---- variants -----------------------------------------------------------------------------------


def test_variant_add_change_remove() -> None:
    config = tee(
        options=[{"name": "Size", "type": "rectangles", "values": ["S", "M", "L"]}],
        variants=[
            {"sku": "TEE-S", "options": {"Size": "S"}, "price": 26},
            {"sku": "TEE-L", "options": {"Size": "L"}},
        ],
    )
    plan = plan_for(config)
    assert sorted(k for k in nested(plan) if k[0] == "variant") == [
        ("variant", "create", "TEE-L"),
        ("variant", "delete", "TEE-M"),
        ("variant", "update", "TEE-S"),
    ]
    assert child(plan, "variant", "TEE-S").diff == (FieldChange("price", None, 26.0),)
    assert child(plan, "variant", "TEE-M").live_id == 202
    assert child(plan, "option", "Size").diff == (FieldChange("values", ["S", "M"], ["S", "M", "L"]),)


def test_variant_reorder_is_no_change_and_sku_case_is_one_variant() -> None:
    assert plan_for(tee(variants=list(reversed(TEE_CONFIG["variants"])))).empty
    config = tee(
        variants=[{"sku": "tee-s", "options": {"Size": "S"}}, {"sku": "TEE-M", "options": {"Size": "M"}}]
    )
    plan = plan_for(config)
    assert nested(plan) == [("variant", "update", "tee-s")]
    assert child(plan, "variant", "tee-s").diff == (FieldChange("sku", "TEE-S", "tee-s"),)


def test_variant_option_value_change_is_a_delete_and_create() -> None:
    # The API cannot change a variant's option values: the plan says what apply does.
    config = tee(
        variants=[{"sku": "TEE-S", "options": {"Size": "M"}}, {"sku": "TEE-M", "options": {"Size": "S"}}]
    )
    plan = plan_for(config)
    assert [k for k in nested(plan) if k[0] == "variant"] == [
        ("variant", "delete", "TEE-S"),
        ("variant", "create", "TEE-S"),
        ("variant", "delete", "TEE-M"),
        ("variant", "create", "TEE-M"),
    ]


def test_unset_variant_fields_are_not_compared() -> None:
    raw = full_raw()
    raw["variants"][1] |= {"price": 30.0, "upc": "0123", "inventory_level": 7}
    assert plan_for(tee(), raw).empty


# ---- options and modifiers ------------------------------------------------------------------


def test_option_type_and_value_order_are_changes() -> None:
    plan = plan_for(tee(options=[{"name": "Size", "type": "dropdown", "values": ["M", "S"]}]))
    assert nested(plan) == [("option", "update", "Size")]
    assert {d.path for d in child(plan, "option", "Size").diff} == {"type", "values"}


def test_option_value_written_as_mapping_equals_bare_label() -> None:
    values = [{"label": "S"}, {"label": "M", "is_default": False}]
    assert plan_for(tee(options=[{"name": "Size", "type": "rectangles", "values": values}])).empty
    values = ["S", {"label": "M", "is_default": True}]
    plan = plan_for(tee(options=[{"name": "Size", "type": "rectangles", "values": values}]))
    assert child(plan, "option", "Size").diff == (
        FieldChange("values", ["S", "M"], ["S", {"label": "M", "is_default": True}]),
    )


def test_option_removed_with_its_variants() -> None:
    plan = plan_for(tee(options=[], variants=[]))
    assert sorted(nested(plan)) == [
        ("option", "delete", "Size"),
        ("variant", "delete", "TEE-M"),
        ("variant", "delete", "TEE-S"),
    ]


def test_modifier_add_change_remove_reorder() -> None:
    gift, engraving = TEE_CONFIG["modifiers"]
    assert plan_for(tee(modifiers=[engraving, gift])).empty
    wrap = {"name": "Gift wrap", "type": "checkbox", "required": False}
    plan = plan_for(tee(modifiers=[{**engraving, "required": True}, wrap]))
    assert sorted(nested(plan)) == [
        ("modifier", "create", "Gift wrap"),
        ("modifier", "delete", "Gift message"),
        ("modifier", "update", "Engraving"),
    ]
    assert child(plan, "modifier", "Engraving").diff == (FieldChange("required", False, True),)


def test_modifier_config_compares_only_configured_keys() -> None:
    gift, engraving = TEE_CONFIG["modifiers"]
    plan = plan_for(tee(modifiers=[{**gift, "config": {"text_max_length": 50}}, engraving]))
    assert child(plan, "modifier", "Gift message").diff == (FieldChange("config.text_max_length", 100, 50),)


def test_modifier_adjuster_change() -> None:
    gift, engraving = TEE_CONFIG["modifiers"]
    values = [
        {"label": "None", "is_default": True},
        {"label": "Initials", "adjusters": {"price": {"adjuster": "relative", "adjuster_value": 7}}},
    ]
    plan = plan_for(tee(modifiers=[gift, {**engraving, "values": values}]))
    (diff,) = child(plan, "modifier", "Engraving").diff
    assert diff.path == "values" and diff.new[1]["adjusters"]["price"]["adjuster_value"] == 7


# ---- simple keyed lists -------------------------------------------------------------------------


def test_custom_fields_add_change_remove_reorder() -> None:
    assert plan_for(tee(custom_fields={"material": "cotton"})).empty
    plan = plan_for(tee(custom_fields={"fit": "slim", "material": "linen"}))
    assert sorted(nested(plan)) == [("custom_field", "create", "fit"), ("custom_field", "update", "material")]
    assert child(plan, "custom_field", "material").live_id == 6
    assert nested(plan_for(tee(custom_fields={}))) == [("custom_field", "delete", "material")]


def test_images_by_file_name_url_not_compared() -> None:
    moved = [
        {"url": "https://other-cdn.example.com/x/TEE-BACK.jpg", "sort_order": 1},
        {"url": "https://cdn.example.com/tee-front.png?v=2", "thumbnail": True},
    ]
    assert plan_for(tee(images=moved)).empty
    images = [{"url": "https://cdn.example.com/tee-front.jpg", "thumbnail": True, "description": "Front"}]
    images.append({"url": "https://cdn.example.com/tee-side.jpg"})
    plan = plan_for(tee(images=images))
    assert sorted(nested(plan)) == [
        ("image", "create", "tee-side"),
        ("image", "delete", "tee-back"),
        ("image", "update", "tee-front"),
    ]
    assert child(plan, "image", "tee-front").diff == (FieldChange("description", "", "Front"),)


def test_bulk_rules_by_range() -> None:
    rule = {"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5}
    more = {"quantity_min": 50, "quantity_max": 0, "type": "percent", "amount": 10}
    assert nested(plan_for(tee(bulk_pricing_rules=[more, rule]))) == [("bulk_pricing_rule", "create", "50+")]
    plan = plan_for(tee(bulk_pricing_rules=[{**rule, "amount": 6}, more]))
    assert sorted(nested(plan)) == [
        ("bulk_pricing_rule", "create", "50+"),
        ("bulk_pricing_rule", "update", "10-49"),
    ]
    # A new range is a different rule: the old one goes, the new one comes.
    plan = plan_for(tee(bulk_pricing_rules=[{**rule, "quantity_max": 19}]))
    assert sorted(nested(plan)) == [
        ("bulk_pricing_rule", "create", "10-19"),
        ("bulk_pricing_rule", "delete", "10-49"),
    ]


def test_videos_by_video_id() -> None:
    plan = plan_for(
        tee(videos=[{"video_id": "abc123", "title": "Care"}, {"video_id": "dQw4w9WgXcQ", "title": "Fit"}])
    )
    assert sorted(nested(plan)) == [("video", "create", "abc123"), ("video", "update", "dQw4w9WgXcQ")]
    assert nested(plan_for(tee(videos=[]))) == [("video", "delete", "dQw4w9WgXcQ")]


# ---- what is not managed ------------------------------------------------------------------------


def test_part_absent_from_config_is_not_managed() -> None:
    config = {k: v for k, v in tee().items() if k not in ("images", "variants", "custom_fields", "modifiers")}
    assert plan_for(config).empty


def test_ignored_parts_and_fields_never_change() -> None:
    config = tee(
        images=[], variants=[{"sku": "TEE-S", "options": {"Size": "S"}, "price": 1}], inventory_level=5
    )
    manage = Manage(ignore=frozenset({"images", "variants", "inventory_level"}))
    assert plan_for(config, manage=manage).empty


def test_brand_and_categories_by_key_case_and_order_insensitive_where_the_store_is() -> None:
    raw = full_raw(categories=[21, 23])
    assert plan_for(tee(categories=["Apparel/Shirts", "Apparel"]), raw).empty
    plan = plan_for(tee(brand=None, categories=["Apparel"]))
    assert {d.path: (d.old, d.new) for d in plan.changes[0].diff} == {
        "brand": ("Acme", None),
        "categories": (["Apparel/Shirts"], ["Apparel"]),
    }


def test_references_and_second_identity() -> None:
    fields = {"sku": "TEE", "name": "Classic Tee", "brand": "Acme", "categories": ["Apparel/Shirts"]}
    assert PRODUCTS.refs(fields) == [("brands", "Acme"), ("categories", "Apparel/Shirts")]
    assert PRODUCTS.refs({"sku": "TEE"}) == []
    assert PRODUCTS.rename_identity(fields) == "classic tee"
    assert PRODUCTS.rename_identity({"sku": "TEE"}) is None
