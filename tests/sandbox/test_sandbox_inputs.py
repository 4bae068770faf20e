"""What every endpoint refuses before its own rules: bodies that are not strict JSON
(NaN, Infinity, numbers too large for a double, lone surrogates) and integers beyond
SQLite's 64-bit range in paths, queries and bodies. None of them may be stored, and none
may answer 500 (`storeconf/sandbox/inputs.py`)."""

from __future__ import annotations

import pytest

from tests.sandbox.sandbox_support import Store
from tests.sandbox.test_products_support import PRODUCTS, create_product

PRODUCT = b'{"name": "n", "type": "physical", "weight": 1, "price": %s}'
HUGE = "99999999999999999999"  # 10**20 - 1: beyond 2**63 - 1
INT64_MAX = 2**63 - 1


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400"])
def test_non_finite_numbers_are_not_json(store: Store, number: bytes) -> None:
    response = store.post(PRODUCTS, content=PRODUCT % number)
    # The product endpoints answer unreadable JSON with a 422 without field errors.
    assert response.status_code == 422
    assert response.json()["errors"] == {}
    listed = store.get(PRODUCTS)
    assert listed.status_code == 200
    assert listed.json()["data"] == []


def test_non_finite_numbers_get_each_endpoints_invalid_json_answer(store: Store) -> None:
    brand = store.post("/v3/catalog/brands", content=b'{"name": "b", "sort_order": NaN}')
    assert (brand.status_code, brand.json()["title"]) == (400, "Input is invalid")
    hook = store.post(
        "/v3/hooks", content=b'{"scope": "store/order/*", "destination": "https://x.com/h", "x": Infinity}'
    )
    assert (hook.status_code, hook.json()["title"]) == (400, "Input is invalid.")
    assert store.get("/v3/catalog/brands").json()["data"] == []
    assert store.get("/v3/hooks").json()["data"] == []


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "sur\\ud800", "type": "physical", "weight": 1, "price": 1}',
        b'{"name": "low\\udfff", "type": "physical", "weight": 1, "price": 1}',
        b'{"name": "key", "type": "physical", "weight": 1, "price": 1, "\\ud800": 1}',
        # A surrogate encoded as UTF-8 bytes is not UTF-8 either.
        b'{"name": "raw\xed\xa0\x80", "type": "physical", "weight": 1, "price": 1}',
    ],
    ids=["high", "low", "in-a-key", "raw-bytes"],
)
def test_lone_surrogates_are_not_json(store: Store, raw: bytes) -> None:
    response = store.post(PRODUCTS, content=raw)
    assert response.status_code == 422
    assert store.get(PRODUCTS).json()["data"] == []


def test_webhook_headers_with_a_lone_surrogate_are_refused_and_the_list_still_reads(store: Store) -> None:
    raw = b'{"scope": "store/order/*", "destination": "https://x.com/h", "headers": {"k": "\\udc00"}}'
    response = store.post("/v3/hooks", content=raw)
    assert response.status_code == 400
    listed = store.get("/v3/hooks")
    assert (listed.status_code, listed.json()["data"]) == (200, [])


def test_valid_non_ascii_text_is_kept(store: Store) -> None:
    product = create_product(store, "Café 漢字 \U0001f600")
    assert store.get(f"{PRODUCTS}/{product['id']}").json()["data"]["name"] == "Café 漢字 \U0001f600"


@pytest.mark.parametrize(
    "path",
    [
        f"{PRODUCTS}/{HUGE}",
        f"{PRODUCTS}/{INT64_MAX + 1}",
        f"{PRODUCTS}/1/custom-fields/{HUGE}",
        f"{PRODUCTS}/1/options/{HUGE}/values",
        f"/v3/catalog/brands/{HUGE}",
        f"/v3/catalog/trees/{HUGE}/categories",
        f"/v3/hooks/{HUGE}",
        f"/v3/channels/{HUGE}",
    ],
)
def test_path_ids_beyond_64_bits_are_unknown(store: Store, path: str) -> None:
    create_product(store)
    for method in ("GET", "PUT", "DELETE"):
        response = store.request(method, path, json={})
        assert response.status_code in (404, 405), (method, response.text)
        if response.status_code == 404:
            assert response.json()["title"] == "The resource was not found."


def test_the_largest_64_bit_id_is_an_ordinary_unknown_id(store: Store) -> None:
    response = store.get(f"/v3/hooks/{INT64_MAX}")
    assert response.status_code == 404
    assert response.json()["title"] == f"Webhook with id [{INT64_MAX}] not found"
    assert store.get(f"{PRODUCTS}/0{INT64_MAX}").status_code == 404  # leading zeros still parse


@pytest.mark.parametrize(
    "query",
    [
        f"{PRODUCTS}?id={HUGE}",
        f"{PRODUCTS}?id:in=1,{HUGE}",
        f"{PRODUCTS}?brand_id=-{HUGE}",
        f"{PRODUCTS}?channel_id:in={HUGE}",
        f"{PRODUCTS}?categories={HUGE}",
        f"{PRODUCTS}?page={HUGE}",
        f"/v3/catalog/variants?product_id:in={HUGE}",
        f"/v3/catalog/trees/categories?tree_id:in={HUGE}",
        f"/v3/catalog/products/channel-assignments?channel_id:in={HUGE}",
        f"/v3/content/scripts?channel_id:in={HUGE}",
        f"/v3/hooks?page={HUGE}",
    ],
)
def test_query_integers_beyond_64_bits_are_invalid_values(store: Store, query: str) -> None:
    response = store.get(query)
    assert response.status_code == 422
    body = response.json()
    error = body["errors"] if "meta" in body else body  # the category endpoints nest it
    name = query.split("?")[1].split("=")[0]
    assert error["title"].startswith(f'Query parameter "{name}" value must be integer.')


def test_deletes_refuse_query_integers_beyond_64_bits(store: Store) -> None:
    create_product(store)
    for path in (f"{PRODUCTS}?id:in={HUGE}", f"/v3/catalog/trees?id:in={HUGE}"):
        assert store.delete(path).status_code == 422
    assert len(store.get(PRODUCTS).json()["data"]) == 1


def test_a_page_far_past_the_end_is_empty(store: Store) -> None:
    create_product(store)
    response = store.get(f"{PRODUCTS}?page={INT64_MAX}&limit=250")
    assert response.status_code == 200
    assert response.json()["data"] == []


def test_body_integers_beyond_64_bits_are_field_errors(store: Store) -> None:
    tee = create_product(store)
    big = 10**20
    cases = [
        ("POST", PRODUCTS, {"name": "n", "type": "physical", "weight": 1, "price": 1, "categories": [big]}),
        ("PUT", f"{PRODUCTS}/{tee['id']}", {"brand_id": big}),
        ("PUT", PRODUCTS, [{"id": big, "name": "x"}]),
        ("PUT", "/v3/catalog/trees", [{"name": "T", "channels": [-big]}]),
        ("PUT", "/v3/catalog/products/category-assignments", [{"product_id": big, "category_id": 1}]),
        ("POST", "/v3/content/scripts", {"name": "s", "src": "https://x.com/a.js", "channel_id": big}),
        ("POST", f"{PRODUCTS}/{tee['id']}/custom-fields", {"name": "a", "value": "b", "id": big}),
    ]
    expected = [
        {"categories": "items must be between -9223372036854775808 and 9223372036854775807"},
        {"brand_id": "must be between 0 and 1000000000"},
        {"0.id": "must be between -9223372036854775808 and 9223372036854775807"},
        {"0.channels": "items must be between -9223372036854775808 and 9223372036854775807"},
        {"0.product_id": "must be between -9223372036854775808 and 9223372036854775807"},
        {"channel_id": "must be between 1 and 9223372036854775807"},
        None,  # a read-only id is ignored like any unknown field
    ]
    for (method, path, body), errors in zip(cases, expected, strict=True):
        response = store.request(method, path, json=body)
        if errors is None:
            assert response.status_code == 200, response.text
            continue
        assert response.status_code == 422, (path, response.text)
        assert response.json()["errors"] == errors
    assert [p["id"] for p in store.get(PRODUCTS).json()["data"]] == [tee["id"]]
    assert store.get(f"{PRODUCTS}/{tee['id']}").json()["data"]["brand_id"] == 0


def test_tree_category_references_beyond_64_bits_are_field_errors(store: Store) -> None:
    big = 10**20
    for item in ({"name": "x", "tree_id": big}, {"name": "x", "parent_id": big}):
        response = store.post("/v3/catalog/trees/categories", [item])
        assert response.status_code == 422
        field = next(iter(item.keys() - {"name"}))
        assert response.json()["errors"]["errors"] == {
            f"0.{field}": f"must be between {0 if field == 'parent_id' else 1} and {INT64_MAX}"
        }
    assert store.get("/v3/catalog/trees/categories").json()["data"] == []


def test_a_large_float_price_is_still_a_number(store: Store) -> None:
    # 1e20 is a valid JSON number for a float field; only integer fields have the 64-bit range.
    body = {"name": "n", "type": "physical", "weight": 1, "price": int(HUGE)}
    response = store.post(PRODUCTS, json=body)
    assert response.status_code == 200
    assert response.json()["data"]["price"] == float(HUGE)


def test_variant_batch_ids_beyond_64_bits_or_of_another_type_are_item_errors(store: Store) -> None:
    create_product(store, sku="TEE")
    for bad_id in (10**20, "1", True):
        response = store.put("/v3/catalog/variants", [{"id": bad_id, "price": 5}])
        assert response.status_code == 422
        (failure,) = response.json()["batch_errors"]
        expected = (
            "error.expected.jsnumber" if bad_id != 10**20 else f"must be between {-(2**63)} and {INT64_MAX}"
        )
        assert failure["errors"] == {"0.id": expected}
    # `true` is not variant 1: the base variant kept its inherited price.
    assert store.get("/v3/catalog/variants").json()["data"][0]["price"] is None
