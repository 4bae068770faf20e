"""Metafields on brands, categories, products and channels: uniqueness per app, app_only
privacy, batch endpoints, and deletion with the resource."""

from __future__ import annotations

from typing import Any

import pytest

from storeconf.sandbox import TokenGrant
from tests.sandbox.sandbox_support import Store, StoreFactory

MARK = {"namespace": "storeconf", "key": "owned", "value": "1", "permission_set": "app_only"}


def _brand(store: Store, name: str = "Acme", token: str | None = None) -> int:
    response = store.post("/v3/catalog/brands", {"name": name}, **({"token": token} if token else {}))
    assert response.status_code == 200, response.text
    brand_id: int = response.json()["data"]["id"]
    return brand_id


def _two_apps(make_store: StoreFactory) -> Store:
    return make_store(tokens={"a": TokenGrant("app-a"), "b": TokenGrant("app-b")})


def test_create_read_update_delete_one(store: Store) -> None:
    brand = _brand(store)
    created = store.post(f"/v3/catalog/brands/{brand}/metafields", {**MARK, "description": "by storeconf"})
    assert created.status_code == 200, created.text
    data = created.json()["data"]
    assert {k: data[k] for k in ("namespace", "key", "value", "resource_type", "resource_id")} == {
        "namespace": "storeconf",
        "key": "owned",
        "value": "1",
        "resource_type": "brand",
        "resource_id": brand,
    }
    path = f"/v3/catalog/brands/{brand}/metafields/{data['id']}"
    assert store.put(path, {"value": "2"}).json()["data"]["value"] == "2"
    listed = store.get(f"/v3/catalog/brands/{brand}/metafields?namespace=storeconf").json()
    assert [m["value"] for m in listed["data"]] == ["2"]
    assert listed["meta"]["pagination"]["total"] == 1
    assert store.delete(path).status_code == 204
    assert store.get(path).status_code == 404


def test_duplicate_namespace_and_key_per_app_and_resource_is_409(make_store: StoreFactory) -> None:
    store = _two_apps(make_store)
    brand = _brand(store, token="a")
    url = f"/v3/catalog/brands/{brand}/metafields"
    assert store.post(url, MARK, token="a").status_code == 200
    again = store.post(url, MARK, token="a")
    assert again.status_code == 409
    assert again.json()["status"] == 409
    # Another app may use the same namespace and key: uniqueness includes the client id.
    assert store.post(url, MARK, token="b").status_code == 200


def test_app_only_metafields_exist_only_for_their_app(make_store: StoreFactory) -> None:
    store = _two_apps(make_store)
    brand = _brand(store, token="a")
    url = f"/v3/catalog/brands/{brand}/metafields"
    private = store.post(url, MARK, token="a").json()["data"]
    shared = store.post(url, {**MARK, "key": "note", "permission_set": "read"}, token="a").json()["data"]
    assert [m["key"] for m in store.get(url, token="b").json()["data"]] == ["note"]
    assert store.get(f"{url}/{private['id']}", token="b").status_code == 404
    assert store.delete(f"{url}/{private['id']}", token="b").status_code == 404
    # Visible but read-only to another app.
    assert store.put(f"{url}/{shared['id']}", {"value": "x"}, token="b").status_code == 403
    assert store.get(f"{url}/{shared['id']}", token="b").json()["data"]["value"] == "1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in MARK.items() if k != "namespace"}, "namespace"),
        ({**MARK, "key": "k" * 65}, "key"),
        ({**MARK, "permission_set": "private"}, "permission_set"),
        ({**MARK, "value": ""}, "value"),
    ],
)
def test_invalid_metafield_is_422_naming_the_field(store: Store, body: dict[str, Any], field: str) -> None:
    brand = _brand(store)
    response = store.post(f"/v3/catalog/brands/{brand}/metafields", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_batch_create_list_and_delete_across_resources(store: Store) -> None:
    ids = [_brand(store, f"Brand {n}") for n in range(3)]
    created = store.post("/v3/catalog/brands/metafields", [{**MARK, "resource_id": i} for i in ids])
    assert created.status_code == 200, created.text
    assert created.json()["meta"] == {"total": 3, "success": 3, "failed": 0}
    listed = store.get("/v3/catalog/brands/metafields?namespace=storeconf&key=owned").json()
    assert sorted(m["resource_id"] for m in listed["data"]) == ids
    partial = store.post(
        "/v3/catalog/brands/metafields", [{**MARK, "resource_id": ids[0]}, {**MARK, "resource_id": 999}]
    )
    assert partial.status_code == 422
    assert partial.json()["meta"] == {"total": 2, "success": 0, "failed": 2}
    gone = store.request("DELETE", "/v3/catalog/brands/metafields", json=[m["id"] for m in listed["data"]])
    assert gone.status_code == 200, gone.text
    assert store.get("/v3/catalog/brands/metafields").json()["data"] == []


def test_metafields_go_with_their_resource(store: Store) -> None:
    brand = _brand(store)
    assert store.post(f"/v3/catalog/brands/{brand}/metafields", MARK).status_code == 200
    assert store.delete(f"/v3/catalog/brands/{brand}").status_code == 204
    assert store.get("/v3/catalog/brands/metafields").json()["data"] == []
    assert store.get(f"/v3/catalog/brands/{brand}/metafields").status_code == 404


def test_products_categories_and_channels_have_metafields(store: Store) -> None:
    product = store.post(
        "/v3/catalog/products", {"name": "Tent", "type": "physical", "weight": 1, "price": 10, "sku": "T"}
    ).json()["data"]["id"]
    assert store.post(f"/v3/catalog/products/{product}/metafields", MARK).status_code == 200
    assert store.get("/v3/catalog/products/metafields").json()["data"][0]["resource_type"] == "product"
    tree = store.get("/v3/catalog/trees").json()["data"][0]["id"]
    category = store.post(
        "/v3/catalog/trees/categories", [{"name": "Camping", "tree_id": tree, "parent_id": 0}]
    )
    category_id = category.json()["data"][0]["category_id"]
    assert store.post(f"/v3/catalog/categories/{category_id}/metafields", MARK).status_code == 200
    assert store.post("/v3/channels/1/metafields", MARK).status_code == 200
    assert store.post("/v3/channels/1/metafields", MARK).status_code == 409
    assert store.get("/v3/channels/1/metafields?key=owned").json()["data"][0]["resource_type"] == "channel"
