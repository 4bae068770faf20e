"""The allow-list: known defects of the vendored BigCommerce specs, one patch per defect.

Each patch rewrites the parsed spec of one file (name relative to the specs dir) before
openapi-core sees it, so the validator checks what the real API does. Its docstring says
why: `#N` for the seven defects of KNOWN_DEFECTS.md, "Project addition, not in
KNOWN_DEFECTS.md:" for the ones found since. `ALLOW_LIST` is the one list every test uses
(`tests.conformance.load_specs` applies it by default); `tests/test_conformance_hook.py`
and `tests/sandbox/test_spec_defects.py` show each entry is needed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

Spec = dict[str, Any]
Patch = Callable[[str, Spec], None]
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
PRODUCTS_SPEC = "catalog/products_catalog.v3.yml"


def resolve(spec: Spec, node: Any) -> Any:
    """Follow a local `$ref` (`#/components/...`); every ref in these specs is local."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def drop_accept_content_type_params(name: str, spec: Spec) -> None:
    """#1 `Accept`/`Content-Type` are declared as required header parameters. OpenAPI says
    header parameters with those names are ignored and the real API does not require them;
    media types are checked through `content` instead."""

    def keep(param: Any) -> bool:
        resolved = resolve(spec, param)
        is_media = str(resolved.get("name", "")).lower() in ("accept", "content-type")
        return not (resolved.get("in") == "header" and is_media)

    for item in spec.get("paths", {}).values():
        for holder in [item, *(item.get(m) for m in METHODS)]:
            if isinstance(holder, dict) and "parameters" in holder:
                holder["parameters"] = [p for p in holder["parameters"] if keep(p)]


def any_401(name: str, spec: Spec) -> None:
    """#2 Every endpoint answers 401 to a missing or wrong token, but most operations do
    not document 401, and the catalog specs give it the media type `plain/text` (not a
    media type). Where 401 is documented with JSON (webhooks) it is still validated."""
    for _path, _method, operation in operations(spec):
        responses = operation.setdefault("responses", {})
        documented = resolve(spec, responses.get("401", {}))
        if "application/json" not in documented.get("content", {}):
            responses["401"] = {"description": "allow-listed: KNOWN_DEFECTS.md #2"}


def empty_204(name: str, spec: Spec) -> None:
    """#3 Some DELETEs document a 204 with a JSON body. A 204 has no body; the answer is
    empty, so the documented content is dropped (`check_204_empty` flags a 204 that does
    carry a body)."""
    for _path, _method, operation in operations(spec):
        responses = operation.get("responses", {})
        if "204" in responses:
            documented = resolve(spec, responses["204"])
            responses["204"] = {"description": documented.get("description", "")}


def image_oneof_as_anyof(name: str, spec: Spec) -> None:
    """#4 Product image responses declare `data` as `oneOf` two overlapping object schemas
    (JSON and multipart variants of the same image), so every valid image matches both and
    `oneOf` always fails. Treat it as `anyOf`."""
    if name != PRODUCTS_SPEC:
        return
    for node in walk(spec.get("paths", {})):
        if node.get("title") == "Product Image" and "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")


def tree_children_example(name: str, spec: Spec) -> None:
    """#5 The example for `GET /catalog/trees/{tree_id}/categories` shows
    `children: ["string"]`; children are category-node objects (the schema says so).
    openapi-core does not validate examples, so this only fixes the example in case a
    stricter checker is ever switched on."""
    if name != "catalog/category-trees_catalog.v3.yml":
        return
    responses = spec["paths"]["/catalog/trees/{tree_id}/categories"]["get"]["responses"]
    for media in responses["200"].get("content", {}).values():
        for node in media.get("example", {}).get("data", []):
            node["children"] = []


def product_post_variants(name: str, spec: Spec) -> None:
    """#6 `POST /catalog/products` with embedded `variants` uses the full variant schema,
    which requires `id` and `product_id`: unknowable before the product exists, and
    BigCommerce's own guides create products with variants without them."""
    if name != PRODUCTS_SPEC:
        return
    schemas = spec["components"]["schemas"]
    variant = copy.deepcopy(schemas["productVariant_Full"])
    variant["required"] = [r for r in variant.get("required", []) if r not in ("id", "product_id")]
    product = copy.deepcopy(schemas["product_Base_POST"])
    product["properties"]["variants"]["items"] = {"$ref": "#/components/schemas/allowlist_variant_POST"}
    schemas["allowlist_variant_POST"] = variant
    schemas["allowlist_product_POST"] = product
    body = spec["paths"]["/catalog/products"]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"$ref": "#/components/schemas/allowlist_product_POST"}


def brand_put_name(name: str, spec: Spec) -> None:
    """#7 `PUT /catalog/brands/{brand_id}` marks `name` as required; the docs do not say the
    live API enforces it. storeconf always sends `name` on brand updates (the safe side),
    but tests probing the sandbox with partial updates are not spec violations."""
    if name != "catalog/brands_catalog.v3.yml":
        return
    media = spec["paths"]["/catalog/brands/{brand_id}"]["put"]["requestBody"]["content"]
    schema = copy.deepcopy(resolve(spec, media["application/json"]["schema"]))
    schema["required"] = [r for r in schema.get("required", []) if r != "name"]
    media["application/json"]["schema"] = schema


PLATFORM_STATUSES = ("401", "403", "429", "500", "502", "503", "504")


def platform_statuses(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: 401/403 (bad token, missing scope), 429 and
    5xx can come from any endpoint (credentials, scopes, rate limits and outages are
    platform-wide, BIGCOMMERCE_API.md section 2) but few
    operations document them. Where an operation does document one, it is validated."""
    for _path, _method, operation in operations(spec):
        responses = operation.setdefault("responses", {})
        for status in PLATFORM_STATUSES:
            responses.setdefault(status, {"description": "allow-listed: platform-wide status"})


def script_consent_unknown(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: scripts.v3.yml says `consent_category`
    "defaults to `unknown` when not specified" but leaves `unknown` out of the enum, so a
    script created without a consent category fails its own response schema. Requests
    still may not send `unknown`."""
    if name != "scripts.v3.yml":
        return
    schemas = spec["components"]["schemas"]
    base = copy.deepcopy(schemas["script_Base"])
    consent = base["properties"]["consent_category"]
    consent["enum"] = [*consent["enum"], "unknown"]
    schemas["allowlist_script_Base_response"] = base
    full = schemas["script_Full"]["allOf"]
    full[1] = {"$ref": "#/components/schemas/allowlist_script_Base_response"}


def tree_category_parent_or_tree(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `POST /catalog/trees/categories`: the
    prose (and BIGCOMMERCE_API.md section 7.2) needs `tree_id` (top level) *or* `parent_id`
    (child), but the schema's `anyOf` lists both as one required set, so no ordinary create would pass."""
    if name != "catalog/category-trees_catalog.v3.yml":
        return
    items = spec["components"]["schemas"]["CreateCategories"]["items"]
    items["anyOf"] = [{"required": ["tree_id"]}, {"required": ["parent_id"]}]


def empty_webhook_list(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: the `webhooks_Resp` list schema says
    `minItems: 1`, so an API account with no webhooks (every new store) could not be
    answered at all. An empty collection is `data: []` like every other v3 list."""
    if name != "webhooks.v3.yml":
        return
    data = spec["components"]["responses"]["webhooks_Resp"]["content"]["application/json"]["schema"]
    data["properties"]["data"].pop("minItems", None)


def base_variant_id_nullable(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `product_Full.base_variant_id` is a plain
    integer, yet its own description says it "is `null` for complex products" (products
    with option variants)."""
    if name != PRODUCTS_SPEC:
        return
    for part in spec["components"]["schemas"]["product_Full"]["allOf"]:
        if "base_variant_id" in part.get("properties", {}):
            part["properties"]["base_variant_id"]["nullable"] = True


def x_nullable_is_nullable(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `/catalog/variants` and the option-value
    endpoints mark nullable fields with Swagger 2's `x-nullable`, which OpenAPI 3 ignores;
    the per-product variant endpoints declare the same fields `nullable: true` (a variant
    price of `null` inherits the product's)."""
    if name not in (
        "catalog/product-variants_catalog.v3.yml",
        "catalog/product-variant-options_catalog.v3.yml",
    ):
        return
    for node in walk(spec.get("paths", {})):
        if node.get("x-nullable") is True:
            node["nullable"] = True


def option_value_data_nullable(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: option values' `value_data` "returns
    `null`" when there is no data (the component schema says so and is nullable), but the
    inline copies in the option POST/PUT responses lost `nullable`."""
    if name != "catalog/product-variant-options_catalog.v3.yml":
        return
    for node in walk(spec.get("paths", {})):
        value_data = node["properties"].get("value_data") if "properties" in node else None
        if isinstance(value_data, dict):
            value_data["nullable"] = True


def product_batch_id_writable(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `PUT /catalog/products` requires each
    item's `id` but marks it `readOnly`, so no request body can be valid; the prose says
    "`id` is required for batch updates"."""
    if name != PRODUCTS_SPEC:
        return
    items = spec["components"]["schemas"]["product_Put_Collection"]["items"]["allOf"][0]
    items["properties"]["id"].pop("readOnly", None)


def bulk_rules_list_is_an_array(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `GET …/bulk-pricing-rules` declares
    `data` as one rule object; it is the list of the product's rules (the example's
    `meta.pagination` says as much)."""
    if name != PRODUCTS_SPEC:
        return
    path = spec["paths"]["/catalog/products/{product_id}/bulk-pricing-rules"]
    schema = path["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    schema["properties"]["data"] = {"type": "array", "items": schema["properties"]["data"]}


def bulk_rule_put_is_partial(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `PUT …/bulk-pricing-rules/{id}` requires
    a read-only `id` (no body can satisfy both) and all four fields, while its prose says
    "Required Fields: none"."""
    if name != PRODUCTS_SPEC:
        return
    rule = copy.deepcopy(spec["components"]["schemas"]["bulkPricingRule_Full"])
    rule.pop("required", None)
    path = spec["paths"]["/catalog/products/{product_id}/bulk-pricing-rules/{bulk_pricing_rule_id}"]
    path["put"]["requestBody"]["content"]["application/json"]["schema"] = rule


def modifier_value_put_is_partial(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `PUT …/modifiers/{id}/values/{value_id}`
    inherits `required: [label, sort_order]` from the POST model, while its prose says
    "Required Fields: none"."""
    if name != "catalog/product-modifiers_catalog.v3.yml":
        return
    path = spec["paths"]["/catalog/products/{product_id}/modifiers/{modifier_id}/values/{value_id}"]
    for node in walk(path["put"]["requestBody"]):
        if node.get("required") == ["label", "sort_order"]:
            del node["required"]


def media_include_fields(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: `GET …/images` and `GET …/videos` (list
    and one) reuse the products' `include_fields` parameter, whose enum lists product
    fields, so `include_fields=image_file` is refused."""
    if name != PRODUCTS_SPEC:
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


PROMOTIONS_SPEC = "promotions.v3.yml"


def promotion_redemption_type_writable(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: BIGCOMMERCE_API.md §16.7 #1.
    `redemption_type` is `readOnly` in `PromotionBase` yet `required` in the `Draft*`
    create bodies, so no create can pass. It is write-once:
    sent on create (and repeated, unchanged, on update)."""
    if name != PROMOTIONS_SPEC:
        return
    spec["components"]["schemas"]["PromotionBase"]["properties"]["redemption_type"].pop("readOnly", None)


PROMOTION_EITHER_OR = ("Condition", "ItemMatcher", "ItemMatcher2", "ItemMatcher3", "SimpleItemMatcher")


def promotion_oneof_as_anyof(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: BIGCOMMERCE_API.md §16.7 #2. The
    condition and item-matcher `oneOf`s list object schemas without required keys
    (`{"cart": ...}` matches `AndCondition` too), and the update body's
    `PatchAutomaticPromotion` is `PromotionBase` itself, which every coupon patch also
    matches. Treat them as `anyOf`; the sandbox checks "exactly one key" itself."""
    if name != PROMOTIONS_SPEC:
        return
    schemas = spec["components"]["schemas"]
    for schema in PROMOTION_EITHER_OR:
        schemas[schema]["anyOf"] = schemas[schema].pop("oneOf")
    body = spec["paths"]["/promotions/{id}"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    body["anyOf"] = body.pop("oneOf")


def promotion_nullable_fields(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: BIGCOMMERCE_API.md §16.7 #6.
    `end_date` ("left null" = never ends), `max_uses` (unlimited), `shipping_address`,
    `schedule` and `customer.segments` are `null` when unset in the docs'
    responses, but the spec does not mark them `nullable`."""
    if name != PROMOTIONS_SPEC:
        return
    schemas = spec["components"]["schemas"]
    base = schemas["PromotionBase"]["properties"]
    for field in ("end_date", "max_uses"):
        base[field]["nullable"] = True
    customer = schemas["Customer"]["properties"]
    # openapi-core ignores `nullable` next to a `$ref` or a `oneOf`: offer `null` as a branch.
    for holder, field in ((base, "shipping_address"), (base, "schedule"), (customer, "segments")):
        holder[field] = {"anyOf": [holder[field], NULL]}


NULL = {"type": "object", "nullable": True, "enum": [None]}


def promotion_generated_code_shape(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: BIGCOMMERCE_API.md §16.7 #4.
    `BulkCouponCode.code` is `^[A-Z0-9]{16}$`, contradicting the
    codegen request's own `prefix`, `suffix`, `delimiter` and `code_length` 6–16. A generated
    code is up to 50 characters of `A-Z`, `0-9`, `_` and `-`."""
    if name != PROMOTIONS_SPEC:
        return
    code = spec["components"]["schemas"]["BulkCouponCode"]["properties"]["code"]
    code.update({"pattern": "^[A-Z0-9_-]{6,50}$", "minLength": 6, "maxLength": 50})


def customer_group_rules_any_of(name: str, spec: Spec) -> None:
    """Project addition, not in KNOWN_DEFECTS.md: customer groups declare `discount_rules` as
    `oneOf` several array schemas that overlap (an empty list, the answer for every group
    without discounts, matches all of them), so `oneOf` always fails: treat it as `anyOf`.
    The request's price-list branch also requires a `price_list` property that does not
    exist; the rule's field is `price_list_id`."""
    if name != "customers.v2.yml":
        return
    schemas = spec["components"]["schemas"]
    for schema in (schemas["customerGroup_Full"], schemas["customerGroup_Post_Put"]):
        rules = schema["properties"]["discount_rules"]
        rules["anyOf"] = rules.pop("oneOf")
    price_list = schemas["customerGroup_Post_Put"]["properties"]["discount_rules"]["anyOf"][0]["items"]
    price_list["required"] = ["type", "price_list_id"]


ALLOW_LIST: tuple[Patch, ...] = (
    empty_webhook_list,
    script_consent_unknown,
    tree_category_parent_or_tree,
    drop_accept_content_type_params,
    any_401,
    empty_204,
    image_oneof_as_anyof,
    tree_children_example,
    product_post_variants,
    brand_put_name,
    platform_statuses,
    base_variant_id_nullable,
    x_nullable_is_nullable,
    option_value_data_nullable,
    product_batch_id_writable,
    bulk_rules_list_is_an_array,
    bulk_rule_put_is_partial,
    modifier_value_put_is_partial,
    media_include_fields,
    promotion_redemption_type_writable,
    promotion_oneof_as_anyof,
    promotion_nullable_fields,
    promotion_generated_code_shape,
    customer_group_rules_any_of,
)
