"""Promotions in the sandbox: 201 creates, the `{"errors": [...]}` shape, write-once fields,
the rule grammar's 422s, bulk deletes with per-item errors, duplicate names allowed."""

from __future__ import annotations

from typing import Any

import pytest

from storeconf.sandbox.marketing.promotions import record_redemption
from tests.sandbox.sandbox_support import Store, StoreFactory

URL = "/v3/promotions"
TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
OVER_100 = {
    "name": "10% off orders over $100",
    "redemption_type": "AUTOMATIC",
    "currency_code": "USD",
    "rules": [
        {
            "condition": {"cart": {"minimum_spend": "100"}},
            "action": {"cart_value": {"discount": {"percentage_amount": "10"}}},
        }
    ],
}
ACME = {
    "name": "Acme 15% coupon",
    "redemption_type": "COUPON",
    "coupon_type": "SINGLE",
    "rules": [
        {"action": {"cart_items": {"discount": {"percentage_amount": "15"}, "items": {"brands": [40]}}}}
    ],
}


def create(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    response = store.post(URL, body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def titles(response: Any) -> list[str]:
    return [e["title"] for e in response.json()["errors"]]


def test_create_answers_201_with_the_defaults_filled(store: Store) -> None:
    data = create(store, OVER_100)
    assert data["id"] == 1
    assert data["rules"] == [
        {
            "apply_once": True,
            "stop": False,
            "condition": {"cart": {"minimum_spend": "100"}},
            "action": {"cart_value": {"discount": {"percentage_amount": "10"}}},
        }
    ]
    assert data["customer"] == {
        "group_ids": [],
        "minimum_order_count": 0,
        "excluded_group_ids": [],
        "segments": None,
    }
    assert (data["status"], data["max_uses"], data["end_date"], data["current_uses"]) == (
        "ENABLED",
        None,
        None,
        0,
    )
    assert data["start_date"] == "2023-11-14T22:13:20+00:00"
    assert data["can_be_used_with_other_promotions"] is True
    assert "coupon_type" not in data


def test_coupon_defaults_and_cart_items_defaults(store: Store) -> None:
    data = create(store, ACME)
    assert data["coupon_type"] == "SINGLE"
    assert data["coupon_overrides_other_promotions"] is False
    assert data["multiple_codes"] == {"has_multiple_codes": False}
    assert data["rules"][0]["action"]["cart_items"] == {
        "discount": {"percentage_amount": "15"},
        "items": {"brands": [40]},
        "strategy": "LEAST_EXPENSIVE",
        "as_total": False,
        "include_items_considered_by_condition": False,
        "exclude_items_on_sale": False,
        "add_free_item": True,
    }


def test_errors_use_the_array_shape_and_404_for_a_missing_promotion(store: Store) -> None:
    response = store.get(f"{URL}/99")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"status": 404, "title": "Promotion not found.", "type": TYPE}]}
    response = store.post(URL, {"name": "x"})
    assert response.status_code == 422
    assert titles(response) == ["redemption_type: is required", "rules: is required"]


def test_bad_json_is_a_400_with_a_string_status(store: Store) -> None:
    response = store.request("POST", URL, content=b"{nope")
    assert response.status_code == 400
    assert response.json()["status"] == "400"


def rule_with(**action: Any) -> dict[str, Any]:
    return {**OVER_100, "rules": [{"action": action}]}


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({**OVER_100, "rules": []}, "rules: at least one rule is required"),
        ({**OVER_100, "rules": OVER_100["rules"] * 11}, "rules: at most 10 rules are allowed"),
        ({**OVER_100, "status": "INVALID"}, "status: INVALID is set by the store and cannot be written"),
        ({**OVER_100, "redemption_type": "MANUAL"}, "redemption_type: must be one of AUTOMATIC, COUPON"),
        (
            {**OVER_100, "customer": {"group_ids": [1], "excluded_group_ids": [2]}},
            "customer: only one of group_ids, excluded_group_ids may be non-empty",
        ),
        (
            {**ACME, "coupon_overrides_other_promotions": True},
            "coupon_overrides_other_promotions: true needs can_be_used_with_other_promotions: false",
        ),
        (
            rule_with(cart_value={"discount": {"fixed_amount": "5"}}) | {"currency_code": "*"},
            "rules.0.action.cart_value.discount.fixed_amount: "
            'currency_code "*" allows percentage discounts only',
        ),
        (
            rule_with(fixed_price_set={"fixed_price": "5", "quantity": 2}) | {"currency_code": "*"},
            'rules.0.action.fixed_price_set.fixed_price: currency_code "*" allows percentage discounts only',
        ),
        (
            rule_with(cart_value={"discount": {"percentage_amount": "5"}}, shipping={"zone_ids": "*"}),
            "rules.0.action: must have exactly one of "
            "cart_value, cart_items, gift_item, fixed_price_set, shipping",
        ),
        (
            rule_with(cart_value={"discount": {"percentage_amount": "5", "fixed_amount": "5"}}),
            "rules.0.action.cart_value.discount: must have exactly one of percentage_amount, fixed_amount",
        ),
        (
            {
                **OVER_100,
                "rules": [{**OVER_100["rules"][0], "condition": {"cart": {"items": {"brands": [1]}}}}],
            },
            "rules.0.condition.cart: items needs minimum_quantity or minimum_spend",
        ),
        (
            rule_with(shipping={"zone_ids": [2, 2]}),
            "rules.0.action.shipping.zone_ids: zone ids must be unique",
        ),
        (rule_with(shipping={"zone_ids": [0]}), "rules.0.action.shipping.zone_ids.0: must be at least 1"),
        (
            rule_with(
                cart_items={
                    "discount": {"percentage_amount": "5"},
                    "items": {"not": {"not": {"not": {"not": {"brands": [1]}}}}},
                }
            ),
            "rules.0.action.cart_items.items.not.not.not: item matchers nest at most 3 levels of and/or/not",
        ),
        (
            rule_with(
                cart_items={
                    "discount": {"percentage_amount": "5"},
                    "items": {"or": [{"product_custom_field": {"name": "f", "values": ["v"]}}] * 11},
                }
            ),
            "rules.0.action.cart_items.items: at most 10 product_custom_field matchers are allowed",
        ),
        (
            rule_with(gift_item={"quantity": 1}),
            "rules.0.action.gift_item: exactly one of product_id, variant_id is required",
        ),
        (
            rule_with(
                cart_value={"discount": {"percentage_amount": "5"}, "maximum_allowed_discount_amount": "0.5"}
            ),
            "rules.0.action.cart_value.maximum_allowed_discount_amount: must be from 1 to 10000000",
        ),
        (
            {**OVER_100, "start_date": "2026-02-01T00:00:00+00:00", "end_date": "2026-01-01T00:00:00+00:00"},
            "end_date: must be after start_date",
        ),
        (
            {**OVER_100, "start_date": "2026-02-01T00:00:00"},
            "start_date: must be an ISO-8601 date-time with a UTC offset",
        ),
    ],
)
def test_grammar_violations_are_422_with_one_error_each(
    store: Store, body: dict[str, Any], title: str
) -> None:
    response = store.post(URL, body)
    assert response.status_code == 422
    assert title in titles(response)


def test_update_is_partial_and_write_once_fields_cannot_change(store: Store) -> None:
    pid = create(store, ACME)["id"]
    response = store.put(
        f"{URL}/{pid}", {"max_uses": 5, "coupon_type": "SINGLE", "redemption_type": "COUPON"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["max_uses"] == 5
    response = store.put(f"{URL}/{pid}", {"coupon_type": "BULK"})
    assert response.status_code == 422
    assert titles(response) == ["coupon_type: cannot be changed (was SINGLE)"]
    response = store.put(f"{URL}/{pid}", {"redemption_type": "AUTOMATIC"})
    assert titles(response)[0] == "redemption_type: cannot be changed (was COUPON)"
    assert store.put(f"{URL}/77", {"max_uses": 5}).status_code == 404


def test_dates_are_stored_as_utc_instants(store: Store) -> None:
    data = create(store, {**OVER_100, "start_date": "2026-06-01T00:00:00-05:00"})
    assert data["start_date"] == "2026-06-01T05:00:00+00:00"


def test_duplicate_names_are_allowed_unless_the_store_refuses_them(make_store: StoreFactory) -> None:
    store = make_store()
    assert create(store, OVER_100)["id"] != create(store, OVER_100)["id"]
    strict = make_store(unique_promotion_names=True)
    create(strict, OVER_100)
    assert strict.post(URL, OVER_100).status_code == 422


def test_list_filters_pages_and_limits(store: Store) -> None:
    for n in range(3):
        create(store, {**OVER_100, "name": f"p{n}"})
    create(store, ACME)
    body = store.get(f"{URL}?limit=2&page=2").json()
    assert [p["name"] for p in body["data"]] == ["p2", "Acme 15% coupon"]
    assert body["meta"]["pagination"]["total_pages"] == 2
    assert [p["name"] for p in store.get(f"{URL}?redemption_type=coupon").json()["data"]] == [
        "Acme 15% coupon"
    ]
    assert [p["id"] for p in store.get(f"{URL}?name=p1").json()["data"]] == [2]
    assert store.get(f"{URL}?limit=251").status_code == 422
    assert store.get(f"{URL}?redemption_type=COUPON").status_code == 422


def test_single_delete_is_204_also_when_missing(store: Store) -> None:
    pid = create(store, OVER_100)["id"]
    assert store.delete(f"{URL}/{pid}").status_code == 204
    assert store.delete(f"{URL}/{pid}").status_code == 204
    assert store.get(f"{URL}/{pid}").status_code == 404


def test_bulk_delete_needs_ids_and_refuses_promotions_with_codes(store: Store) -> None:
    response = store.delete(URL)
    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"status": 422, "title": "Parameter id:in is required", "type": TYPE}],
        "meta": {"total": 0, "success": 0, "failed": 0},
    }
    plain = create(store, OVER_100)["id"]
    coupon = create(store, ACME)["id"]
    assert store.post(f"{URL}/{coupon}/codes", {"code": "ACME15"}).status_code == 201
    response = store.delete(f"{URL}?id:in={plain},{coupon}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["errors"] == {
        "1.code": f"Failed for id={coupon}. Error: some relating codes are still present."
    }
    assert response.json()["meta"] == {"total": 2, "success": 1, "failed": 1}
    assert store.get(f"{URL}/{plain}").status_code == 404
    ids = ",".join(str(i) for i in range(1, 52))
    assert store.delete(f"{URL}?id:in={ids}").status_code == 422


def test_redemptions_count_uses(store: Store) -> None:
    pid = create(store, ACME)["id"]
    store.post(f"{URL}/{pid}/codes", {"code": "ACME15"})
    record_redemption(store.sandbox.db, pid, "acme15")
    assert store.get(f"{URL}/{pid}").json()["data"]["current_uses"] == 1
    assert store.get(f"{URL}/{pid}/codes").json()["data"][0]["current_uses"] == 1
