"""Product custom fields and bulk pricing rules, and the sub-resource contract that
`products.py` uses (`embed`, `create_embedded`, `delete_for_product`)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from storeconf.sandbox.catalog.products.parts import BULK_PRICING_RULES, CUSTOM_FIELDS, IMAGES, VIDEOS
from storeconf.sandbox.core.http import STATUS_CODES_URL, ApiError
from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_product_parts_support import make_product

NOT_FOUND = {"status": 404, "title": "The resource was not found.", "type": STATUS_CODES_URL}
CF_INVALID = (
    "The custom field was not valid. This is the result of missing required fields, or of invalid data."
)
BPR_INVALID = (
    "The bulk pricing rule was not valid. This is the result of missing required fields, or of invalid data."
)
BPR_CONFLICT = (
    "The bulk pricing rule was in conflict with another bulk pricing rule. "
    "This is the result of quantity range overlapping with existing bulk pricing rules."
)


def fields_url(product_id: int) -> str:
    return f"/v3/catalog/products/{product_id}/custom-fields"


def rules_url(product_id: int) -> str:
    return f"/v3/catalog/products/{product_id}/bulk-pricing-rules"


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


# --- custom fields ---------------------------------------------------------------------


def test_custom_field_crud(store: Store) -> None:
    product = make_product(store)
    response = store.post(fields_url(product), {"name": "ISBN", "value": "1234567890123"})
    assert response.status_code == 200
    assert response.json() == {"data": {"id": 1, "name": "ISBN", "value": "1234567890123"}, "meta": {}}

    one = store.get(fields_url(product) + "/1")
    assert one.json() == {"data": {"id": 1, "name": "ISBN", "value": "1234567890123"}, "meta": {}}

    updated = store.put(fields_url(product) + "/1", {"value": "978"})
    assert updated.json()["data"] == {"id": 1, "name": "ISBN", "value": "978"}

    listing = store.get(fields_url(product)).json()
    assert listing["data"] == [{"id": 1, "name": "ISBN", "value": "978"}]
    assert listing["meta"]["pagination"] == {
        "total": 1,
        "count": 1,
        "per_page": 50,
        "current_page": 1,
        "total_pages": 1,
        "links": {"current": "?page=1&limit=50"},
    }

    deleted = store.delete(fields_url(product) + "/1")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert store.get(fields_url(product) + "/1").json() == NOT_FOUND
    assert store.get(fields_url(product)).json()["data"] == []


def test_custom_field_name_and_value_are_required_on_post(store: Store) -> None:
    product = make_product(store)
    response = store.post(fields_url(product), {})
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "title": CF_INVALID,
        "type": STATUS_CODES_URL,
        "errors": {"name": "error.path.missing", "value": "error.path.missing"},
    }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "", "value": "x"}, "name", "must be 1 to 250 characters"),
        ({"name": "n" * 251, "value": "x"}, "name", "must be 1 to 250 characters"),
        ({"name": "n", "value": ""}, "value", "must be 1 to 250 characters"),
        ({"name": "n", "value": 5}, "value", "error.expected.jsstring"),
    ],
)
def test_custom_field_lengths_and_types(store: Store, body: dict[str, Any], field: str, message: str) -> None:
    product = make_product(store)
    response = store.post(fields_url(product), body)
    assert response.status_code == 422
    assert response.json()["errors"] == {field: message}


def test_custom_field_250_characters_is_fine(store: Store) -> None:
    product = make_product(store)
    field = created(store.post(fields_url(product), {"name": "n" * 250, "value": "v" * 250}))
    assert len(field["name"]) == 250


def test_custom_field_name_value_pair_is_unique_per_product(store: Store) -> None:
    product, other = make_product(store, "Mug"), make_product(store, "Cup")
    created(store.post(fields_url(product), {"name": "Color", "value": "Red"}))
    created(store.post(fields_url(product), {"name": "Color", "value": "Blue"}))  # same name, other value
    created(store.post(fields_url(other), {"name": "Color", "value": "Red"}))  # other product

    clash = store.post(fields_url(product), {"name": "color", "value": "RED"})
    assert clash.status_code == 409
    message = "The product already has the custom field 'color' with the value 'RED' (id 1)."
    assert clash.json() == {
        "status": 409,
        "title": "The custom field was in conflict with another custom field of the product.",
        "type": STATUS_CODES_URL,
        "errors": {"name": message, "value": message},
    }
    assert [f["value"] for f in store.get(fields_url(product)).json()["data"]] == ["Red", "Blue"]


def test_custom_field_put_into_an_existing_pair_is_409_but_itself_is_fine(store: Store) -> None:
    product = make_product(store)
    created(store.post(fields_url(product), {"name": "Color", "value": "Red"}))
    created(store.post(fields_url(product), {"name": "Color", "value": "Blue"}))
    assert store.put(fields_url(product) + "/2", {"value": "Red"}).status_code == 409
    assert store.put(fields_url(product) + "/2", {"name": "Color", "value": "Blue"}).status_code == 200
    bad = store.put(fields_url(product) + "/2", {"name": ""})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"name": "must be 1 to 250 characters"}


def test_at_most_200_custom_fields_per_product(store: Store) -> None:
    product = make_product(store)
    CUSTOM_FIELDS.create_embedded(
        store.sandbox.db, product, [{"name": "F", "value": str(n)} for n in range(200)]
    )
    response = store.post(fields_url(product), {"name": "F", "value": "one too many"})
    assert response.status_code == 422
    assert response.json()["title"] == "A product can have at most 200 custom fields."
    assert store.get(fields_url(product) + "?limit=1").json()["meta"]["pagination"]["total"] == 200


def test_custom_fields_of_an_unknown_product_or_id_are_404(store: Store) -> None:
    product, other = make_product(store, "Mug"), make_product(store, "Cup")
    created(store.post(fields_url(other), {"name": "A", "value": "B"}))
    assert store.get(fields_url(999)).json() == NOT_FOUND
    assert store.post(fields_url(999), {"name": "A", "value": "B"}).status_code == 404
    for method in ("GET", "PUT", "DELETE"):
        # field 1 belongs to the other product
        response = store.request(method, fields_url(product) + "/1", json={"value": "x"})
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_custom_field_list_pages_and_selects_fields(store: Store) -> None:
    product = make_product(store)
    for n in range(5):
        created(store.post(fields_url(product), {"name": "F", "value": str(n)}))
    page = store.get(fields_url(product) + "?page=2&limit=2").json()
    assert [f["value"] for f in page["data"]] == ["2", "3"]
    assert page["meta"]["pagination"]["links"] == {
        "previous": "?page=1&limit=2",
        "current": "?page=2&limit=2",
        "next": "?page=3&limit=2",
    }
    only_names = store.get(fields_url(product) + "?include_fields=name&limit=1").json()["data"]
    assert only_names == [{"id": 1, "name": "F"}]
    no_values = store.get(fields_url(product) + "?exclude_fields=value&limit=1").json()["data"]
    assert no_values == [{"id": 1, "name": "F"}]
    too_big = store.get(fields_url(product) + "?limit=251")
    assert too_big.status_code == 413


def test_malformed_json_is_400(store: Store) -> None:
    product = make_product(store)
    response = store.post(fields_url(product), content=b"{not json")
    assert response.status_code == 400
    assert response.json()["title"] == "Input is invalid"


# --- bulk pricing rules ----------------------------------------------------------------


def rule(low: int, high: int, kind: str = "price", amount: Any = 1) -> dict[str, Any]:
    return {"quantity_min": low, "quantity_max": high, "type": kind, "amount": amount}


def test_bulk_pricing_rule_crud_and_amount_as_number(store: Store) -> None:
    product = make_product(store)
    response = store.post(rules_url(product), rule(1, 3, "percent", ".10"))
    assert response.status_code == 200
    assert response.json() == {
        "data": {"id": 1, "quantity_min": 1, "quantity_max": 3, "type": "percent", "amount": 0.1},
        "meta": {},
    }
    assert created(store.post(rules_url(product), rule(4, 0, "price", 2)))["amount"] == 2.0

    updated = store.put(rules_url(product) + "/1", {"amount": " 15.5 "})
    assert updated.json()["data"] == {
        "id": 1,
        "quantity_min": 1,
        "quantity_max": 3,
        "type": "percent",
        "amount": 15.5,
    }
    assert store.get(rules_url(product) + "/1").json()["data"]["amount"] == 15.5
    listing = store.get(rules_url(product)).json()
    assert [r["id"] for r in listing["data"]] == [1, 2]
    assert listing["meta"]["pagination"]["total"] == 2

    assert store.delete(rules_url(product) + "/1").status_code == 204
    assert store.get(rules_url(product) + "/1").json() == NOT_FOUND


def test_bulk_pricing_rule_needs_all_four_fields(store: Store) -> None:
    product = make_product(store)
    response = store.post(rules_url(product), {})
    assert response.status_code == 422
    missing = "error.path.missing"
    assert response.json() == {
        "status": 422,
        "title": BPR_INVALID,
        "type": STATUS_CODES_URL,
        "errors": {"quantity_min": missing, "quantity_max": missing, "type": missing, "amount": missing},
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (rule(-1, 5), {"quantity_min": "must be at least 0"}),
        (rule(1, -5), {"quantity_max": "must be at least 0"}),
        (rule(1, 5, "discount"), {"type": "must be one of: price, percent, fixed"}),
        (rule(5, 5), {"quantity_max": "must be greater than quantity_min, or 0 for no upper bound"}),
        (rule(6, 5), {"quantity_max": "must be greater than quantity_min, or 0 for no upper bound"}),
        (rule(1, 5, "fixed", 9), {"quantity_min": "must be at least 2 for a fixed rule"}),
        (rule(1, 5, "price", "ten"), {"amount": "must be a number, or a string holding a number"}),
        (rule(1, 5, "price", True), {"amount": "must be a number, or a string holding a number"}),
        (rule(1, 5, "price", -1), {"amount": "must be at least 0"}),
        (rule(1.5, 5), {"quantity_min": "error.expected.jsnumber"}),
    ],
)
def test_bulk_pricing_rule_validation(store: Store, body: dict[str, Any], errors: dict[str, str]) -> None:
    product = make_product(store)
    response = store.post(rules_url(product), body)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert store.get(rules_url(product)).json()["data"] == []


def test_fixed_rule_from_two_and_unbounded_max_are_valid(store: Store) -> None:
    product = make_product(store)
    assert created(store.post(rules_url(product), rule(2, 0, "fixed", "7.25")))["amount"] == 7.25


def test_overlapping_ranges_are_409(store: Store) -> None:
    product, other = make_product(store, "Mug"), make_product(store, "Cup")
    created(store.post(rules_url(product), rule(1, 5)))
    created(store.post(rules_url(product), rule(6, 10)))  # adjacent, not overlapping
    created(store.post(rules_url(product), rule(20, 0)))  # 20 and up
    created(store.post(rules_url(other), rule(1, 5)))  # another product

    clash = store.post(rules_url(product), rule(5, 8))
    assert clash.status_code == 409
    message = "The quantity range overlaps bulk pricing rule 1 (1-5)."
    assert clash.json() == {
        "status": 409,
        "title": BPR_CONFLICT,
        "type": STATUS_CODES_URL,
        "errors": {"quantity_min": message, "quantity_max": message},
    }
    unbounded = store.post(rules_url(product), rule(100, 200))
    assert unbounded.status_code == 409
    assert (
        unbounded.json()["errors"]["quantity_min"]
        == "The quantity range overlaps bulk pricing rule 3 (20 and up)."
    )
    assert store.post(rules_url(product), rule(11, 0)).status_code == 409  # reaches into 20+
    assert created(store.post(rules_url(product), rule(11, 19)))["id"] == 5


def test_put_that_would_overlap_is_409_and_a_rule_never_overlaps_itself(store: Store) -> None:
    product = make_product(store)
    created(store.post(rules_url(product), rule(1, 5)))
    created(store.post(rules_url(product), rule(10, 20)))
    assert store.put(rules_url(product) + "/2", {"quantity_min": 4}).status_code == 409
    assert store.put(rules_url(product) + "/2", {"quantity_min": 6, "quantity_max": 25}).status_code == 200
    bad = store.put(rules_url(product) + "/2", {"quantity_max": 3})
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "quantity_max": "must be greater than quantity_min, or 0 for no upper bound"
    }
    assert store.get(rules_url(product) + "/2").json()["data"]["quantity_max"] == 25


def test_bulk_pricing_rules_of_an_unknown_product_or_id_are_404(store: Store) -> None:
    product = make_product(store)
    assert store.post(rules_url(999), rule(1, 5)).json() == NOT_FOUND
    assert store.get(rules_url(999)).status_code == 404
    assert store.put(rules_url(product) + "/7", {"amount": 1}).json() == NOT_FOUND
    assert store.delete(rules_url(product) + "/7").status_code == 404


# --- the contract with products.py -----------------------------------------------------


def count_selects(db: Any) -> list[str]:
    statements: list[str] = []
    conn: sqlite3.Connection = db.conn
    conn.set_trace_callback(lambda sql: statements.append(sql) if sql.startswith("SELECT") else None)
    return statements


def test_embed_groups_items_per_product_in_one_query(store: Store) -> None:
    db = store.sandbox.db
    mug, cup, bare = make_product(store, "Mug"), make_product(store, "Cup"), make_product(store, "Bare")
    CUSTOM_FIELDS.create_embedded(db, mug, [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
    CUSTOM_FIELDS.create_embedded(db, cup, [{"name": "C", "value": "3"}])
    BULK_PRICING_RULES.create_embedded(db, cup, [rule(1, 4, "percent", "5"), rule(5, 0, "percent", 10)])

    statements = count_selects(db)
    fields = CUSTOM_FIELDS.embed(db, [mug, cup, bare])
    db.conn.set_trace_callback(None)
    assert len(statements) == 1
    assert fields == {
        mug: [{"id": 1, "name": "A", "value": "1"}, {"id": 2, "name": "B", "value": "2"}],
        cup: [{"id": 3, "name": "C", "value": "3"}],
        bare: [],
    }
    assert BULK_PRICING_RULES.embed(db, [cup, mug]) == {
        cup: [
            {"id": 1, "quantity_min": 1, "quantity_max": 4, "type": "percent", "amount": 5.0},
            {"id": 2, "quantity_min": 5, "quantity_max": 0, "type": "percent", "amount": 10.0},
        ],
        mug: [],
    }
    assert CUSTOM_FIELDS.embed(db, []) == {}


def test_create_embedded_is_all_or_nothing_with_indexed_errors(store: Store) -> None:
    db = store.sandbox.db
    product = make_product(store)
    with pytest.raises(ApiError) as invalid:
        CUSTOM_FIELDS.create_embedded(db, product, [{"name": "A", "value": "1"}, {"name": "B"}])
    assert invalid.value.status == 422
    assert invalid.value.body["errors"] == {"custom_fields[1].value": "error.path.missing"}

    with pytest.raises(ApiError) as clash:
        BULK_PRICING_RULES.create_embedded(db, product, [rule(1, 5), rule(3, 9)])
    assert clash.value.status == 409
    assert set(clash.value.body["errors"]) == {
        "bulk_pricing_rules[1].quantity_min",
        "bulk_pricing_rules[1].quantity_max",
    }

    with pytest.raises(ApiError) as not_a_list:
        CUSTOM_FIELDS.create_embedded(db, product, {"name": "A"})
    assert not_a_list.value.body["errors"] == {"custom_fields": "error.expected.jsarray"}

    assert CUSTOM_FIELDS.embed(db, [product]) == {product: []}
    assert BULK_PRICING_RULES.embed(db, [product]) == {product: []}
    made = CUSTOM_FIELDS.create_embedded(db, product, [{"name": "A", "value": "1"}])
    assert made == [{"id": made[0]["id"], "name": "A", "value": "1"}]


def test_delete_for_product_removes_only_that_products_parts(store: Store) -> None:
    db = store.sandbox.db
    mug, cup = make_product(store, "Mug"), make_product(store, "Cup")
    for product in (mug, cup):
        CUSTOM_FIELDS.create_embedded(db, product, [{"name": "A", "value": "1"}])
        BULK_PRICING_RULES.create_embedded(db, product, [rule(1, 5)])
        IMAGES.create_embedded(db, product, [{"image_url": "https://example.com/a.png"}])
        VIDEOS.create_embedded(db, product, [{"video_id": "z3fRu9pkuXE"}])
    for part in (CUSTOM_FIELDS, BULK_PRICING_RULES, IMAGES, VIDEOS):
        part.delete_for_product(db, mug)
        embedded = part.embed(db, [mug, cup])
        assert embedded[mug] == []
        assert len(embedded[cup]) == 1
