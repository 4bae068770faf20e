"""Every grammar constraint of BIGCOMMERCE_API.md §16 is a config error at its FILE:LINE:COL,
found offline (no request is made by `load_project`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storeconf.config import load_project
from storeconf.errors import ConfigError

PROJECT = "version: 1\ninclude: [promotions.yaml]\nmanage:\n  promotions: {prune: false}\n"
HEAD = "promotions:\n- name: P\n  redemption_type: {kind}\n"
SIMPLE = "  rules:\n  - action: {cart_value: {discount: {percentage_amount: 10}}}\n"


def problems(tmp_path: Path, body: str) -> list[str]:
    (tmp_path / "storeconf.yaml").write_text(PROJECT)
    (tmp_path / "promotions.yaml").write_text(body)
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path, environ={})
    return [str(p) for p in caught.value.problems]


def expect(tmp_path: Path, yaml: str, message: str, kind: str = "AUTOMATIC") -> None:
    """`yaml` marks the offending line with `#!`; the error must point at it (line and column)."""
    body = HEAD.format(kind=kind) + yaml
    lines = body.splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if "#!" in text)
    found = problems(tmp_path, body.replace(" #!", ""))
    at = [p for p in found if p.startswith(f"promotions.yaml:{line}:")]
    assert at and any(message in p for p in at), found


CASES = {
    "no_rules": ("  rules: [] #!\n", "at least 1 item"),
    "eleven_rules": (
        "  rules:\n  - action: {cart_value: {discount: {percentage_amount: 10}}} #!\n"
        + "  - action: {cart_value: {discount: {percentage_amount: 10}}}\n" * 10,
        "at most 10 items",
    ),
    "action_with_two_kinds": (
        "  rules:\n  - action:\n      cart_value: {discount: {percentage_amount: 10}} #!\n"
        "      shipping: {zone_ids: '*'}\n",
        "give exactly one of cart_value, cart_items, gift_item, fixed_price_set, shipping",
    ),
    "action_missing": ("  rules:\n  - stop: true #!\n", "missing required field 'action'"),
    "discount_with_two_kinds": (
        "  rules:\n  - action:\n      cart_value:\n"
        "        discount: {percentage_amount: 5, fixed_amount: 5} #!\n",
        "give exactly one of percentage_amount, fixed_amount",
    ),
    "percentage_over_100": (
        "  rules:\n  - action:\n      cart_value:\n        discount: {percentage_amount: 120} #!\n",
        "more than 0 and at most 100",
    ),
    "money_not_a_number": (
        "  rules:\n  - action:\n      cart_value:\n        discount: {fixed_amount: ten} #!\n",
        "expected an amount",
    ),
    # 25 digits: past what 4 decimal places fit in Decimal's 28 (found by the CI loader fuzz)
    "money_too_large": (
        "  rules:\n  - action:\n      cart_value:\n"
        "        discount: {fixed_amount: 9999999999999999999999999} #!\n",
        "expected an amount below",
    ),
    "items_without_threshold": (
        "  rules:\n  - condition:\n      cart:\n        items: {brands: [Acme]} #!\n"
        "    action: {cart_value: {discount: {percentage_amount: 10}}}\n",
        "needs minimum_quantity or minimum_spend",
    ),
    "matcher_too_deep": (
        "  rules:\n  - action:\n      cart_items:\n        discount: {percentage_amount: 5}\n"
        "        items: {not: {not: {not: {not: {brands: [Acme]}}}}} #!\n",
        "nest at most 3 levels",
    ),
    "matcher_with_two_kinds": (
        "  rules:\n  - action:\n      cart_items:\n        discount: {percentage_amount: 5}\n"
        "        items: {brands: [Acme], categories: [Gear]} #!\n",
        "give exactly one of brands",
    ),
    "eleven_custom_field_matchers": (
        "  rules:\n  - action:\n      cart_items:\n        discount: {percentage_amount: 5}\n"
        "        items:\n          or: #!\n"
        + "          - product_custom_field: {name: f, values: [v]}\n"
        * 11,
        "at most 10 product_custom_field matchers",
    ),
    "option_matcher_type": (
        "  rules:\n  - action:\n      cart_items:\n        discount: {percentage_amount: 5}\n"
        "        items: {product_option: {type: regex, name: Size, values: [S]}} #!\n",
        "'string_match'",
    ),
    "zone_ids_repeat": (
        "  rules:\n  - action:\n      shipping: {free_shipping: true, zone_ids: [2, 2]} #!\n",
        "zone ids must be unique",
    ),
    "zone_id_zero": (
        "  rules:\n  - action:\n      shipping: {free_shipping: true, zone_ids: [0]} #!\n",
        "greater than or equal to 1",
    ),
    "gift_without_item": (
        "  rules:\n  - action:\n      gift_item: {quantity: 1} #!\n",
        "give exactly one of product",
    ),
    "discount_cap_below_1": (
        "  rules:\n  - action:\n      cart_value:\n        discount: {percentage_amount: 5}\n"
        "        maximum_allowed_discount_amount: 0.5 #!\n",
        "from 1 to 10000000",
    ),
    "wildcard_currency_with_fixed_amount": (
        "  currency_code: '*'\n  rules:\n  - action:\n      cart_value:\n"
        "        discount: {fixed_amount: 5} #!\n",
        'currency_code "*" allows percentage discounts only',
    ),
    "wildcard_currency_with_fixed_price": (
        "  currency_code: '*'\n  rules:\n  - action:\n      fixed_price_set:\n"
        "        fixed_price: 20 #!\n        quantity: 2\n",
        'currency_code "*" allows percentage discounts only',
    ),
    "currency_lower_case": ("  currency_code: usd #!\n" + SIMPLE, "should match pattern"),
    "status_invalid": ("  status: INVALID #!\n" + SIMPLE, "'ENABLED' or 'DISABLED'"),
    "both_customer_lists": (
        "  customer:\n    groups: [Retail] #!\n    excluded_groups: [Wholesale]\n" + SIMPLE,
        "give groups or excluded_groups, not both",
    ),
    "date_without_offset": ("  start_date: '2026-01-01T00:00:00' #!\n" + SIMPLE, "timezone"),
    "end_before_start": (
        "  start_date: '2026-02-01T00:00:00Z'\n  end_date: '2026-01-01T00:00:00Z' #!\n" + SIMPLE,
        "end_date must be after start_date",
    ),
    "schedule_time": (
        "  schedule:\n    week_frequency: 1\n    week_days: [Monday]\n"
        "    daily_start_time: '25:00:00' #!\n    daily_end_time: '23:00:00'\n" + SIMPLE,
        "should match pattern",
    ),
    "notification_type": (
        "  notifications:\n  - {type: POPUP, content: hi, locations: [CART_PAGE]} #!\n" + SIMPLE,
        "'UPSELL'",
    ),
    "shipping_country": ("  shipping_address: {countries: [usa]} #!\n" + SIMPLE, "should match pattern"),
    "coupon_type_on_automatic": ("  coupon_type: SINGLE #!\n" + SIMPLE, "only COUPON promotions have it"),
    "codes_on_automatic": ("  codes:\n  - {code: X1} #!\n" + SIMPLE, "only COUPON promotions have it"),
}


@pytest.mark.parametrize(("yaml", "message"), CASES.values(), ids=CASES.keys())
def test_grammar_constraint_is_a_located_config_error(tmp_path: Path, yaml: str, message: str) -> None:
    expect(tmp_path, yaml, message)


def test_coupon_override_needs_exclusive_promotion(tmp_path: Path) -> None:
    yaml = "  coupon_overrides_other_promotions: true #!\n" + SIMPLE
    expect(tmp_path, yaml, "needs can_be_used_with_other_promotions: false", kind="COUPON")


def test_code_grammar(tmp_path: Path) -> None:
    expect(tmp_path, SIMPLE + "  codes:\n  - {code: 'SAVE 10%'} #!\n", "should match pattern", kind="COUPON")


def test_codes_are_unique_store_wide_ignoring_case(tmp_path: Path) -> None:
    body = (
        HEAD.format(kind="COUPON") + SIMPLE + "  codes: [{code: SAVE10}]\n"
        "- name: Q\n  redemption_type: COUPON\n" + SIMPLE + "  codes: [{code: save10}]\n"
    )
    found = problems(tmp_path, body)
    assert any(
        "code 'save10' is also used by 'P'" in p and p.startswith("promotions.yaml:7:") for p in found
    ), found


def test_duplicate_names_in_config(tmp_path: Path) -> None:
    body = HEAD.format(kind="AUTOMATIC") + SIMPLE + "- name: P\n  redemption_type: AUTOMATIC\n" + SIMPLE
    found = problems(tmp_path, body)
    assert any("duplicate promotions key 'P'" in p for p in found), found


def test_a_valid_promotion_loads_in_canonical_form(tmp_path: Path) -> None:
    (tmp_path / "storeconf.yaml").write_text(PROJECT)
    (tmp_path / "promotions.yaml").write_text(
        HEAD.format(kind="COUPON") + "  channels: [2, 1]\n  start_date: 2026-01-01T00:00:00-05:00\n"
        "  rules:\n  - condition: {cart: {minimum_spend: '150.00'}}\n"
        "    action: {cart_value: {discount: {percentage_amount: 10.0}}}\n"
        "  codes: [{code: SAVE10, max_uses_per_customer: 1}]\n"
    )
    fields = load_project(tmp_path, environ={}).desired.objects["promotions"]["P"].fields
    assert fields["channels"] == [1, 2]
    assert fields["start_date"] == "2026-01-01T05:00:00+00:00"
    assert fields["rules"] == [
        {
            "action": {"cart_value": {"discount": {"percentage_amount": "10"}}},
            "condition": {"cart": {"minimum_spend": "150"}},
            "apply_once": True,
            "stop": False,
        }
    ]
    assert fields["codes"] == [{"code": "SAVE10", "max_uses": 0, "max_uses_per_customer": 1}]


def test_generated_codes_are_not_managed(tmp_path: Path) -> None:
    (tmp_path / "storeconf.yaml").write_text(PROJECT)
    (tmp_path / "promotions.yaml").write_text(
        HEAD.format(kind="COUPON") + "  coupon_type: BULK\n" + SIMPLE + "  codes: generated\n"
    )
    assert "codes" not in load_project(tmp_path, environ={}).desired.objects["promotions"]["P"].fields
