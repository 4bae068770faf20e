"""Helpers for the product sub-resource and modifier tests (no tests here).

`parts_store` wraps the shared `Store` so its spec check also carries three patches for
defects of the vendored specs on these endpoints (each says why), and `make_product`
creates the parent product through the products API, or, while that module is not
registered in the sandbox yet, as a bare row of a minimal `products` table.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.conformance import ALLOW_LIST, SpecIndex, load_specs, specs_available, specs_dir
from tests.sandbox.sandbox_support import TOKEN, Store

Spec = dict[str, Any]
PRODUCTS = "/v3/catalog/products"


def bulk_rules_list_is_an_array(name: str, spec: Spec) -> None:
    """`GET …/bulk-pricing-rules` declares `data` as one rule object; it is the list of the
    product's rules (the example's `meta.pagination` says as much)."""
    if name != "catalog/products_catalog.v3.yml":
        return
    path = spec["paths"]["/catalog/products/{product_id}/bulk-pricing-rules"]
    schema = path["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    schema["properties"]["data"] = {"type": "array", "items": schema["properties"]["data"]}


def bulk_rule_put_is_partial(name: str, spec: Spec) -> None:
    """`PUT …/bulk-pricing-rules/{id}` requires a read-only `id` (no body can satisfy both)
    and all four fields, while its prose says "Required Fields: none"."""
    if name != "catalog/products_catalog.v3.yml":
        return
    rule = copy.deepcopy(spec["components"]["schemas"]["bulkPricingRule_Full"])
    rule.pop("required", None)
    path = spec["paths"]["/catalog/products/{product_id}/bulk-pricing-rules/{bulk_pricing_rule_id}"]
    path["put"]["requestBody"]["content"]["application/json"]["schema"] = rule


def modifier_value_put_is_partial(name: str, spec: Spec) -> None:
    """`PUT …/modifiers/{id}/values/{value_id}` inherits `required: [label, sort_order]`
    from the POST model, while its prose says "Required Fields: none"."""
    if name != "catalog/product-modifiers_catalog.v3.yml":
        return
    path = spec["paths"]["/catalog/products/{product_id}/modifiers/{modifier_id}/values/{value_id}"]
    stack: list[Any] = [path["put"]["requestBody"]]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("required") == ["label", "sort_order"]:
                del node["required"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def media_include_fields(name: str, spec: Spec) -> None:
    """`GET …/images` and `GET …/videos` (list and one) reuse the products' `include_fields`
    parameter, whose enum lists product fields, so `include_fields=image_file` is refused."""
    if name != "catalog/products_catalog.v3.yml":
        return
    free = {
        "name": "include_fields",
        "in": "query",
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "items": {"type": "string"}},
    }
    for path in ("images", "images/{image_id}", "videos", "videos/{id}"):
        operation = spec["paths"][f"/catalog/products/{{product_id}}/{path}"]["get"]
        operation["parameters"] = [
            free if param.get("$ref") == "#/components/parameters/IncludeFieldsParam" else param
            for param in operation["parameters"]
        ]


PARTS_PATCHES = (
    bulk_rules_list_is_an_array,
    bulk_rule_put_is_partial,
    modifier_value_put_is_partial,
    media_include_fields,
)


def parts_specs() -> SpecIndex | None:
    if not specs_available():
        return None
    return load_specs(specs_dir(), (*ALLOW_LIST, *PARTS_PATCHES))


def parts_store(store: Store) -> Store:
    """`store`, checked against the specs with `PARTS_PATCHES` applied too."""
    store.transport.index = parts_specs()
    return store


def make_product(store: Store, name: str = "Mug") -> int:
    response = store.post(PRODUCTS, {"name": name, "type": "physical", "weight": 1, "price": 10})
    if response.status_code == 200:
        return int(response.json()["data"]["id"])
    assert response.status_code in (404, 405), response.text  # products module not registered yet
    db = store.sandbox.db
    db.execute("CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY AUTOINCREMENT)")
    return int(db.execute("INSERT INTO products DEFAULT VALUES").lastrowid or 0)


def upload(
    store: Store,
    method: str,
    path: str,
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
    data: dict[str, str] | None = None,
) -> httpx.Response:
    """A multipart/form-data request (the shared `Store` only sends JSON)."""
    headers = {"Accept": "application/json", "X-Auth-Token": TOKEN}
    call = store.client.request(method, store.prefix + path, files=files, data=data, headers=headers)
    return store.loop.run_until_complete(call)
