"""The sub-resources of a product PUT: an item with `id` updates that item of the product,
an item without one is created, and the items left out are kept."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_support import PRODUCTS, create_product, spec_breaking_requests

INCLUDE = "?include=custom_fields,bulk_pricing_rules,images,videos"


def product_with_parts(store: Store, name: str = "Tee") -> dict[str, Any]:
    created = create_product(
        store,
        name,
        custom_fields=[{"name": "f", "value": "v"}, {"name": "g", "value": "w"}],
        bulk_pricing_rules=[{"quantity_min": 2, "quantity_max": 5, "type": "price", "amount": 1}],
        images=[{"image_url": "https://x.com/a.jpg", "description": "one"}],
        videos=[{"video_id": "abc", "title": "first"}],
    )
    product: dict[str, Any] = store.get(f"{PRODUCTS}/{created['id']}{INCLUDE}").json()["data"]
    return product


def test_an_item_with_an_id_updates_that_item(store: Store) -> None:
    product = product_with_parts(store)
    field, other = product["custom_fields"]
    rule, image, video = product["bulk_pricing_rules"][0], product["images"][0], product["videos"][0]
    body = {
        "custom_fields": [{"id": field["id"], "name": "f", "value": "changed"}],
        "bulk_pricing_rules": [
            {"id": rule["id"], "quantity_min": 3, "quantity_max": 6, "type": "price", "amount": 2}
        ],
        "images": [{"id": image["id"], "description": "edited"}],
        "videos": [{"id": video["id"], "title": "edited"}],
    }
    # The spec's product PUT marks the bulk pricing rule `id` both required and read-only;
    # the request is right by the prose ("required to update"), so drop its request finding.
    with spec_breaking_requests(store):
        response = store.put(f"{PRODUCTS}/{product['id']}", body)
    assert response.status_code == 200, response.text
    after = store.get(f"{PRODUCTS}/{product['id']}{INCLUDE}").json()["data"]
    assert after["custom_fields"] == [{"id": field["id"], "name": "f", "value": "changed"}, other]
    assert [(r["id"], r["quantity_min"], r["amount"]) for r in after["bulk_pricing_rules"]] == [
        (rule["id"], 3, 2)
    ]
    assert [(i["id"], i["description"]) for i in after["images"]] == [(image["id"], "edited")]
    assert [(v["id"], v["title"], v["video_id"]) for v in after["videos"]] == [(video["id"], "edited", "abc")]
    # The PUT answer carries the arrays it wrote.
    assert response.json()["data"]["custom_fields"] == after["custom_fields"]


def test_items_without_an_id_are_created_and_unlisted_items_kept(store: Store) -> None:
    product = product_with_parts(store)
    body = {
        "custom_fields": [{"name": "h", "value": "x"}],
        "bulk_pricing_rules": [{"quantity_min": 10, "quantity_max": 0, "type": "percent", "amount": 5}],
    }
    assert store.put(f"{PRODUCTS}/{product['id']}", body).status_code == 200
    after = store.get(f"{PRODUCTS}/{product['id']}{INCLUDE}").json()["data"]
    assert [f["name"] for f in after["custom_fields"]] == ["f", "g", "h"]
    assert [r["quantity_min"] for r in after["bulk_pricing_rules"]] == [2, 10]
    assert len(after["images"]) == len(after["videos"]) == 1


@pytest.mark.parametrize("part", ["custom_fields", "bulk_pricing_rules", "images", "videos"])
def test_an_id_of_another_product_or_none_at_all_is_refused(store: Store, part: str) -> None:
    mine = product_with_parts(store, "Tee")
    theirs = product_with_parts(store, "Mug")
    for item_id in (theirs[part][0]["id"], 999):
        response = store.put(f"{PRODUCTS}/{mine['id']}", {part: [{"id": item_id, "description": "x"}]})
        assert response.status_code == 422
        assert set(response.json()["errors"]) == {f"{part}[0].id"}
    wrong_type = store.put(f"{PRODUCTS}/{mine['id']}", {part: [{"id": "1"}]})
    assert wrong_type.json()["errors"] == {f"{part}[0].id": "error.expected.jsnumber"}
    assert store.get(f"{PRODUCTS}/{theirs['id']}{INCLUDE}").json()["data"] == theirs
    assert store.get(f"{PRODUCTS}/{mine['id']}{INCLUDE}").json()["data"][part] == mine[part]


def test_a_failing_item_rolls_the_whole_put_back(store: Store) -> None:
    product = product_with_parts(store)
    field = product["custom_fields"][0]
    body = {
        "name": "Renamed",
        "custom_fields": [{"id": field["id"], "value": "changed"}, {"name": "", "value": "bad"}],
    }
    response = store.put(f"{PRODUCTS}/{product['id']}", body)
    assert response.status_code == 422
    assert store.get(f"{PRODUCTS}/{product['id']}{INCLUDE}").json()["data"] == product


def test_updated_items_keep_their_rules(store: Store) -> None:
    product = product_with_parts(store)
    first = product["custom_fields"][0]
    # Making field f equal to field g breaks the name+value uniqueness, as its own PUT would.
    clash = store.put(
        f"{PRODUCTS}/{product['id']}", {"custom_fields": [{"id": first["id"], "name": "g", "value": "w"}]}
    )
    assert clash.status_code == 409
    rule = product["bulk_pricing_rules"][0]
    bad = {"id": rule["id"], "quantity_min": 5, "quantity_max": 2}
    assert store.put(f"{PRODUCTS}/{product['id']}", {"bulk_pricing_rules": [bad]}).status_code == 422


def test_a_percent_rule_above_100_is_refused(store: Store) -> None:
    product = create_product(store)
    rules = f"{PRODUCTS}/{product['id']}/bulk-pricing-rules"
    body = {"quantity_min": 2, "quantity_max": 5, "type": "percent", "amount": 101}
    response = store.post(rules, body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"amount": "must be at most 100 for a percent rule"}
    created = store.post(rules, {**body, "amount": 100})
    assert created.status_code == 200
    rule_id = created.json()["data"]["id"]
    assert store.put(f"{rules}/{rule_id}", {**body, "amount": "150"}).status_code == 422
    assert store.put(f"{rules}/{rule_id}", {**body, "type": "price", "amount": 150}).status_code == 200
    # A price rule cannot become a percent rule with its amount above 100 either.
    assert store.put(f"{rules}/{rule_id}", {"type": "percent"}).status_code == 422
