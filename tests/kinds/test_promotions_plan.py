"""Promotions on plain data: golden plans per rule shape, the canonical form both sides
share (money, dates, defaults, order), ids <-> keys, and the replacement and its guard."""

from __future__ import annotations

from typing import Any

import pytest

from storeconf.kinds import REGISTRY
from storeconf.kinds.base import Context
from storeconf.kinds.promotions.checks import KeyFinder
from storeconf.kinds.promotions.shape import api_body, live_fields
from storeconf.model import Desired, DesiredState, Live, LiveState, Manage
from storeconf.planner import build_plan, unsafe_deletes
from storeconf.render.text import render_text

KIND = REGISTRY["promotions"]


def desired(*items: dict[str, Any]) -> DesiredState:
    objs = {}
    for item in items:
        fields = KIND.to_fields(KIND.spec.model_validate(item))
        objs[item["name"]] = Desired("promotions", item["name"], fields)
    return DesiredState({"promotions": objs}, {"promotions": Manage(prune=True)})


def live(*raws: dict[str, Any]) -> LiveState:
    objs = {}
    for raw in raws:
        fields = live_fields(raw, lambda kind, value, path: value)
        objs[raw["name"]] = Live("promotions", raw["name"], raw["id"], fields, raw)
    return LiveState({"promotions": objs})


def auto(name: str, rule: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "redemption_type": "AUTOMATIC", "rules": [rule], **extra}


SHAPES: dict[str, tuple[dict[str, Any], str]] = {
    "cart_value": (
        {
            "condition": {"cart": {"minimum_spend": 150}},
            "action": {"cart_value": {"discount": {"percentage_amount": 10}}},
        },
        '{"action": {"cart_value": {"discount": {"percentage_amount": "10"}}}, '
        '"condition": {"cart": {"minimum_spend": "150"}}, "apply_once": true, "stop": false}',
    ),
    "cart_items_on_a_category": (
        {
            "apply_once": False,
            "condition": {"cart": {"items": {"categories": ["Camping/Tents"]}, "minimum_quantity": 2}},
            "action": {
                "cart_items": {
                    "discount": {"percentage_amount": 100},
                    "items": {"products": ["FOOTPRINT-UL2"]},
                    "quantity": 1,
                }
            },
        },
        '{"action": {"cart_items": {"discount": {"percentage_amount": "100"}, "items": {"products": '
        '["FOOTPRINT-UL2"]}, "quantity": 1, "strategy": "LEAST_EXPENSIVE", "as_total": false, '
        '"include_items_considered_by_condition": false, "exclude_items_on_sale": false, '
        '"add_free_item": true}}, '
        '"condition": {"cart": {"items": {"categories": ["Camping/Tents"]}, "minimum_quantity": 2}}, '
        '"apply_once": false, "stop": false}',
    ),
    "gift_item": (
        {"action": {"gift_item": {"variant": "TENT-UL2-SAGE", "quantity": 1}}},
        '{"action": {"gift_item": {"quantity": 1, "variant": "TENT-UL2-SAGE"}}, '
        '"apply_once": true, "stop": false}',
    ),
    "fixed_price_set": (
        {
            "action": {
                "fixed_price_set": {
                    "fixed_price": "49.9",
                    "quantity": 3,
                    "items": {"or": [{"brands": ["A"]}, {"not": {"brands": ["B"]}}]},
                }
            }
        },
        '{"action": {"fixed_price_set": {"fixed_price": "49.9", "quantity": 3, '
        '"items": {"or": [{"brands": ["A"]}, '
        '{"not": {"brands": ["B"]}}]}, "strategy": "LEAST_EXPENSIVE", "exclude_items_on_sale": false, '
        '"include_items_considered_by_condition": true}}, "apply_once": true, "stop": false}',
    ),
    "shipping_with_and_condition": (
        {
            "condition": {
                "and": [
                    {"cart": {"minimum_spend": "75.00"}},
                    {"cart": {"items": {"brands": ["A"]}, "minimum_quantity": 1}},
                ]
            },
            "action": {"shipping": {"free_shipping": True, "zone_ids": [2, 1]}},
        },
        '{"action": {"shipping": {"zone_ids": [2, 1], "free_shipping": true}}, '
        '"condition": {"and": [{"cart": '
        '{"minimum_spend": "75"}}, {"cart": {"items": {"brands": ["A"]}, "minimum_quantity": 1}}]}, '
        '"apply_once": true, "stop": false}',
    ),
}


@pytest.mark.parametrize(("rule", "shown"), SHAPES.values(), ids=SHAPES.keys())
def test_golden_create_plan_per_rule_shape(rule: dict[str, Any], shown: str) -> None:
    plan = build_plan(desired(auto("P", rule)), live())
    assert render_text(plan) == (
        "  + promotions P\n"
        '      name: "P"\n'
        '      redemption_type: "AUTOMATIC"\n'
        f"      rules: [{shown}]\n"
        "\n"
        "Plan: 1 to create, 0 to update, 0 to delete.\n"
        "  promotions: 1 to create\n"
    )


def api_promotion(**overrides: Any) -> dict[str, Any]:
    """A promotion as the API answers it: defaults filled, money as strings, UTC dates."""
    rule = {
        "apply_once": True,
        "stop": False,
        "condition": {"cart": {"minimum_spend": "150.00"}},
        "action": {"cart_value": {"discount": {"percentage_amount": "10.0000"}}},
    }
    return {
        "id": 7,
        "name": "P",
        "redemption_type": "AUTOMATIC",
        "display_name": "",
        "channels": [{"id": 2}, {"id": 1}],
        "customer": {"group_ids": [], "minimum_order_count": 0, "excluded_group_ids": [], "segments": None},
        "rules": [rule],
        "current_uses": 0,
        "max_uses": None,
        "status": "ENABLED",
        "start_date": "2026-01-01T05:00:00+00:00",
        "end_date": None,
        "stop": False,
        "can_be_used_with_other_promotions": True,
        "currency_code": "USD",
        "notifications": [],
        "shipping_address": None,
        "schedule": None,
        **overrides,
    }


def test_what_the_api_fills_or_spells_differently_is_no_change() -> None:
    config = auto(
        "P",
        {
            "condition": {"cart": {"minimum_spend": 150}},
            "action": {"cart_value": {"discount": {"percentage_amount": "10"}}},
        },
        channels=[1, 2],
        start_date="2025-12-31T23:00:00-06:00",
        customer={"minimum_order_count": 0},
    )
    assert build_plan(desired(config), live(api_promotion())).empty


def test_rule_order_is_a_change() -> None:
    free = {"action": {"shipping": {"zone_ids": "*"}}}
    ten = {"action": {"cart_value": {"discount": {"percentage_amount": 10}}}}
    two_rules = api_promotion(
        rules=[
            {
                "apply_once": True,
                "stop": False,
                "action": {"cart_value": {"discount": {"percentage_amount": "10"}}},
            },
            {
                "apply_once": True,
                "stop": False,
                "action": {"shipping": {"zone_ids": "*", "free_shipping": False}},
            },
        ]
    )
    same = {"name": "P", "redemption_type": "AUTOMATIC", "rules": [ten, free]}
    assert build_plan(desired(same), live(two_rules)).empty
    plan = build_plan(desired({**same, "rules": [free, ten]}), live(two_rules))
    assert [d.path for d in plan.changes[0].diff] == ["rules.0.action", "rules.1.action"]


def test_threshold_change_is_shown_leaf_by_leaf() -> None:
    config = auto(
        "P",
        {
            "condition": {"cart": {"minimum_spend": 200}},
            "action": {"cart_value": {"discount": {"percentage_amount": 10}}},
        },
    )
    (change,) = build_plan(desired(config), live(api_promotion())).changes
    assert [(d.path, d.old, d.new) for d in change.diff] == [
        ("rules.0.condition.cart.minimum_spend", "150", "200")
    ]


def test_write_once_change_is_a_replacement_and_guarded_when_used() -> None:
    config = {
        "name": "P",
        "redemption_type": "COUPON",
        "coupon_type": "BULK",
        "rules": [{"action": {"cart_value": {"discount": {"percentage_amount": 10}}}}],
    }
    used = api_promotion(redemption_type="COUPON", coupon_type="SINGLE", current_uses=2)
    want, have = desired(config), live(used)
    plan = build_plan(want, have)
    assert [(c.action.value, c.replaces) for c in plan.changes] == [
        ("delete", "coupon_type cannot change in place"),
        ("create", "coupon_type cannot change in place"),
    ]
    (problem,) = unsafe_deletes(plan.changes, have, want.manage)
    assert "replacing it deletes a coupon promotion used 2 times" in str(problem)
    unused = live(api_promotion(redemption_type="COUPON", coupon_type="SINGLE"))
    assert unsafe_deletes(build_plan(want, unused).changes, unused, want.manage) == []


def test_invalid_status_is_a_warning() -> None:
    config = auto("P", {"action": {"cart_value": {"discount": {"percentage_amount": 10}}}})
    plan = build_plan(desired(config), live(api_promotion(status="INVALID")))
    assert any("marked it INVALID" in w for w in plan.warnings)


def test_ids_become_keys_on_read_and_keys_ids_on_write() -> None:
    ctx = Context()
    ctx.keys |= {
        ("brands", 40): "Summit Peak",
        ("categories", 21): "Camping/Tents",
        ("products", 9): "FOOTPRINT-UL2",
    }
    raw = api_promotion(
        rules=[
            {
                "apply_once": True,
                "stop": False,
                "condition": {
                    "cart": {
                        "items": {"or": [{"categories": [21]}, {"brands": [40, 41]}]},
                        "minimum_quantity": 2,
                    }
                },
                "action": {"gift_item": {"product_id": 9, "quantity": 1}},
            }
        ]
    )
    fields = live_fields(raw, KeyFinder(ctx))
    rule = fields["rules"][0]
    assert rule["condition"]["cart"]["items"] == {
        "or": [{"categories": ["Camping/Tents"]}, {"brands": ["Summit Peak", "(unknown brand id 41)"]}]
    }
    assert rule["action"] == {"gift_item": {"quantity": 1, "product": "FOOTPRINT-UL2"}}
    ids = {
        ("categories", "Camping/Tents"): 21,
        ("brands", "Summit Peak"): 40,
        ("products", "FOOTPRINT-UL2"): 9,
    }
    body = api_body(
        {
            "rules": [
                {
                    **rule,
                    "condition": {
                        "cart": {"items": {"categories": ["Camping/Tents"]}, "minimum_quantity": 2}
                    },
                }
            ]
        },
        lambda kind, key, path: ids[(kind, key)],
    )
    assert body["rules"][0]["condition"]["cart"]["items"] == {"categories": [21]}
    assert body["rules"][0]["action"] == {"gift_item": {"quantity": 1, "product_id": 9}}
