"""`include=variants` is written by SQLite (`variant_json.py`); it must give the same JSON
values as the Python rendering the variant endpoints use (`variant_rules.rows_to_api`)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from storeconf.sandbox.catalog.products import variant_json, variant_rules
from storeconf.sandbox.core.http import RawJson, ok
from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_support import PRODUCTS, create_product

AWKWARD_LABEL = 'Rot "dunkel" \\ é 🎨\n\t\x01'


def python_rendering(store: Store, product_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    db = store.sandbox.db
    marks = ",".join("?" * len(product_ids))
    rows = db.query(
        f"SELECT * FROM {variant_rules.ROWS} WHERE product_id IN ({marks}) ORDER BY id", product_ids
    )
    found: dict[int, list[dict[str, Any]]] = {pid: [] for pid in product_ids}
    for item in variant_rules.rows_to_api(db, rows):
        found[item["product_id"]].append(item)
    return found


def sql_rendering(store: Store, product_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found = variant_json.embed(store.sandbox.db, product_ids)
    return {pid: json.loads(found[pid].text) for pid in product_ids}


def option(store: Store, product_id: int, name: str, sort_order: int, *labels: str) -> dict[str, Any]:
    values = [{"label": label, "sort_order": len(labels) - n} for n, label in enumerate(labels)]
    body = {"display_name": name, "type": "dropdown", "sort_order": sort_order, "option_values": values}
    response = store.post(f"{PRODUCTS}/{product_id}/options", body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.fixture
def awkward(store: Store) -> list[int]:
    """Products whose variants inherit, override and carry unusual values."""
    plain = create_product(store, "Plain", sku="PLAIN", price=19.99, weight=0.1)
    on_sale = create_product(store, "On sale", sku="SALE", price=30, sale_price=25.5, weight=1e-07)
    tee = create_product(store, "Tee", sku="TEE", price=19.99, sale_price=0, weight=2)
    # Colour sorts before Size although created after it; values sort against their ids too.
    size = option(store, tee["id"], "Size", 2, "S", "M")
    colour = option(store, tee["id"], "Färbe", 1, AWKWARD_LABEL, "Blue")
    bodies: list[dict[str, Any]] = [
        {"sku": "TEE-Ä-ß-😀", "price": None, "weight": None},
        {"sku": "TEE-2", "price": 0.1, "sale_price": 19.99, "weight": 1.2345678901234567},
        {"sku": "TEE-3", "inventory_level": 2147483647, "cost_price": 123456789.1234, "upc": "0012"},
        {"sku": 'TEE-"4"\\', "sale_price": 0, "mpn": None, "bin_picking_number": "ü\u2028"},
    ]
    pairs = [(s, c) for s in size["option_values"] for c in colour["option_values"]]
    for body, (s, c) in zip(bodies, pairs, strict=True):
        refs = [{"id": s["id"], "option_id": size["id"]}, {"id": c["id"], "option_id": colour["id"]}]
        response = store.post(f"{PRODUCTS}/{tee['id']}/variants", {**body, "option_values": refs})
        assert response.status_code == 200, response.text
    return [plain["id"], on_sale["id"], tee["id"]]


def test_sql_rendering_gives_the_python_values(store: Store, awkward: list[int]) -> None:
    python, sql = python_rendering(store, awkward), sql_rendering(store, awkward)
    assert sql == python
    tee = sql[awkward[2]]
    assert [v["option_values"][0]["label"] for v in tee] == ["Blue", AWKWARD_LABEL] * 2
    assert (tee[0]["price"], tee[0]["calculated_price"], tee[0]["calculated_weight"]) == (None, 19.99, 2)
    assert (tee[1]["calculated_price"], tee[1]["calculated_weight"]) == (19.99, 1.2345678901234567)
    assert sql[awkward[1]][0]["calculated_price"] == 25.5
    assert sql[awkward[0]][0]["sku_id"] is None


def test_numbers_keep_their_stored_text(store: Store, awkward: list[int]) -> None:
    """A document written by SQL may hold `19.990`: the value is still 19.99."""
    db = store.sandbox.db
    with db.tx():
        db.execute(
            "UPDATE variants SET doc = json_set(doc, '$.price', json('19.990'), '$.weight', json('1e2'))"
        )
        db.execute("UPDATE products SET doc = json_set(doc, '$.weight', json('0.50'))")
    assert sql_rendering(store, awkward) == python_rendering(store, awkward)


def test_the_document_holds_exactly_the_api_fields() -> None:
    """The SQL copies the stored document as it is, so it must hold the API fields and no more."""
    derived = {"calculated_price", "calculated_weight"}
    assert set(variant_rules.DEFAULTS) | {"sku"} == set(variant_rules._ORDER) - derived | {"sku"}
    assert set(variant_rules.new_doc({"sku": "X", "price": 1, "unknown": 2})) == set(
        variant_rules.DEFAULTS
    ) | {"sku"}


def test_the_product_list_embeds_the_variants_endpoint_answers(store: Store, awkward: list[int]) -> None:
    listed = store.get(f"{PRODUCTS}?include=variants,images&include_fields=sku")
    assert listed.status_code == 200, listed.text
    for product in listed.json()["data"]:
        own = store.get(f"{PRODUCTS}/{product['id']}/variants").json()["data"]
        assert product["variants"] == own
        assert set(product) == {
            "id",
            "sku",
            "variants",
            "images",
            "gift_wrapping_options_type",
            "gift_wrapping_options_list",
        }
    one = store.get(f"{PRODUCTS}/{awkward[2]}?include=variants,primary_image").json()["data"]
    assert len(one["variants"]) == 4


def test_ints_beyond_64_bits_still_render_beside_raw_json() -> None:
    """orjson refuses such ints; the Python fallback must then read the raw parts back."""
    big = 2**70
    body = bytes(ok({"n": big, "v": RawJson('[{"x":123456789012345678901234567890,"y":0.1}]')}).body)
    assert orjson.loads(body.replace(str(big).encode(), b"0"))["v"][0]["y"] == 0.1
    assert json.loads(body) == {"n": big, "v": [{"x": 123456789012345678901234567890, "y": 0.1}]}
