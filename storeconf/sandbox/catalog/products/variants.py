"""Variants: `/v3/catalog/products/{product_id}/variants[/{variant_id}]` and the store-wide
`/v3/catalog/variants` (list and batch create/update), plus the sub-resource contract
the product endpoints use (`embed`, `create_embedded`, `delete_for_product`).

Storage and rules (base variant, inherited values, combinations) are in
`variant_rules.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.catalog.products import option_rules, rules, variant_json
from storeconf.sandbox.catalog.products.fields import check_numbers
from storeconf.sandbox.catalog.products.part_kit import get_part, list_part
from storeconf.sandbox.catalog.products.variant_rules import (
    FIELDS,
    NUMBERS,
    ROWS,
    SCHEMA,
    VariantError,
    create,
    get_variant,
    insert,
    invalid_variant,
    new_doc,
    require,
    rows_to_api,
    sku_conflict,
    sync_base,
    update,
)
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import (
    STATUS_CODES_PATH,
    ApiError,
    RawJson,
    collection,
    error_body,
    invalid,
    no_content,
    ok,
    page_of,
    read_json,
    read_object,
    route,
    sandbox_of,
    select_fields,
    single,
    unreadable_json,
)
from storeconf.sandbox.core.query import Filter, fetch_page, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, check, int_range_error

if TYPE_CHECKING:
    from storeconf.sandbox.core.control import Sandbox

MAX_BATCH = 50
TOO_LARGE = "The request payload is too large. The maximum items allowed in the array is 50"
_FILTERS = (
    Filter("id", "id", "int", ("eq", "in")),
    Filter("sku", "sku_key", "str", ("eq", "in")),
    Filter("upc", "json_extract(doc, '$.upc')"),
    Filter("product_id", "product_id", "int", ("in",)),
)


# ----------------------------------------------------------------------------------------
# Sub-resource contract used by the product endpoints
# ----------------------------------------------------------------------------------------


def embed(db: StoreDb, product_ids: Sequence[int]) -> dict[int, RawJson]:
    """Variants per product for `include=variants`, written by SQLite (`variant_json.py`)."""
    return variant_json.embed(db, product_ids)


def create_embedded(
    db: StoreDb, product_id: int, items: list[Any], *, sandbox: Sandbox | None = None
) -> list[dict[str, Any]]:
    """Variants sent inside `POST /catalog/products`: option values are named
    (`option_display_name` + `label`), and the options (type `rectangles`) and values
    are created from those names in order of first appearance."""
    errors: dict[str, str] = {}
    named: list[list[tuple[str, str]]] = []
    for index, item in enumerate(items):
        item_errors, names = _embedded_item_errors(item)
        errors |= {f"variants.{index}.{k}": v for k, v in item_errors.items()}
        named.append(names)
    if errors:
        raise invalid(errors)
    _check_embedded_combinations(named)
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if seen.setdefault(item["sku"].lower(), index) != index or rules.sku_taken(db, item["sku"]):
            raise sku_conflict(item["sku"], f"variants.{index}.sku").api_error()
    epoch = sandbox.epoch_now() if sandbox is not None else None
    value_ids = [
        [option_rules.ensure_value(db, product_id, o, label, epoch) for o, label in names] for names in named
    ]
    created = [insert(db, product_id, new_doc(item), ids) for item, ids in zip(items, value_ids, strict=True)]
    sync_base(db, product_id)
    return [get_variant(db, variant_id) for variant_id in created]


def _embedded_item_errors(item: Any) -> tuple[dict[str, str], list[tuple[str, str]]]:
    if not isinstance(item, dict):
        return {"variant": "error.expected.jsobject"}, []
    errors = check(item, FIELDS, required=("sku", "option_values")) | check_numbers(item, NUMBERS)
    refs = item.get("option_values")
    if "option_values" in errors or refs is None:
        return errors, []
    if not isinstance(refs, list) or not refs:
        return {**errors, "option_values": "must be a non-empty array of {option_display_name, label}"}, []
    names: list[tuple[str, str]] = []
    for n, ref in enumerate(refs):
        option = ref.get("option_display_name") if isinstance(ref, dict) else None
        label = ref.get("label") if isinstance(ref, dict) else None
        if not isinstance(option, str) or not option or not isinstance(label, str) or not label:
            errors[f"option_values.{n}"] = "needs option_display_name and label (1 to 255 characters)"
        elif len(option) > 255 or len(label) > 255:
            errors[f"option_values.{n}"] = "option_display_name and label must be at most 255 characters"
        else:
            names.append((option, label))
    return errors, names


def _check_embedded_combinations(named: list[list[tuple[str, str]]]) -> None:
    """Every embedded variant names one value of every option, and no two name the same values."""
    all_options = {option.lower() for names in named for option, _ in names}
    combos: dict[frozenset[tuple[str, str]], int] = {}
    for index, names in enumerate(named):
        options_named = [option.lower() for option, _ in names]
        if len(set(options_named)) != len(options_named):
            raise invalid({f"variants.{index}.option_values": "names an option more than once"})
        if set(options_named) != all_options:
            missing = ", ".join(sorted(all_options - set(options_named)))
            raise invalid(
                {f"variants.{index}.option_values": f"must name a value for every option; missing: {missing}"}
            )
        combo = frozenset((o.lower(), label.lower()) for o, label in names)
        if combos.setdefault(combo, index) != index:
            raise invalid(
                {f"variants.{index}.option_values": f"duplicates the combination of variant {combos[combo]}"}
            )


def delete_for_product(db: StoreDb, product_id: int) -> None:
    db.execute("DELETE FROM variants WHERE product_id = ?", [product_id])


# ----------------------------------------------------------------------------------------
# Routes
# ----------------------------------------------------------------------------------------


async def list_product_variants(request: Request) -> Response:
    return await list_part(request, ROWS, "id ASC", rows_to_api)


async def create_product_variant(request: Request) -> Response:
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    rules.require_row(db, product_id)
    body = await read_object(request, unreadable_json)
    try:
        with db.tx():
            variant_id = create(db, product_id, body)
    except VariantError as error:
        raise error.api_error() from None
    return single(get_variant(db, variant_id))


async def get_product_variant(request: Request) -> Response:
    return await get_part(request, ROWS, "variant_id", rows_to_api)


async def update_product_variant(request: Request) -> Response:
    db = sandbox_of(request).db
    row = require(db, request.path_params["product_id"], request.path_params["variant_id"])
    body = await read_object(request, unreadable_json)
    try:
        with db.tx():
            update(db, row, body)
    except VariantError as error:
        raise error.api_error() from None
    return single(get_variant(db, int(row["id"])))


async def delete_product_variant(request: Request) -> Response:
    db = sandbox_of(request).db
    row = require(db, request.path_params["product_id"], request.path_params["variant_id"])
    if row["is_base"]:
        raise invalid(
            {"variant_id": "The base variant goes away by itself once the product has option variants."},
            title="The base variant of a product cannot be deleted.",
        )
    with db.tx():
        db.execute("DELETE FROM variants WHERE id = ?", [row["id"]])
        sync_base(db, int(row["product_id"]))
    return no_content()


async def list_variants(request: Request) -> Response:
    db = sandbox_of(request).db
    page = page_of(request)
    rows, total = fetch_page(db, ROWS, where_from(request, _FILTERS), "id ASC", page)
    items = [select_fields(request, item, "id") for item in rows_to_api(db, rows)]
    return collection(request, items, total, page)


async def upsert_variants(request: Request) -> Response:
    """Batch: items with `id` update, items with `product_id` + `sku` + `option_values` create.
    All or nothing: any failing item rolls the batch back and every failure is reported
    in the spec's `batch_errors` shape."""
    items = await read_json(request, unreadable_json)
    if not isinstance(items, list) or not items:
        raise invalid({"body": "error.expected.jsarray"})
    if len(items) > MAX_BATCH:
        raise ApiError.of(413, TOO_LARGE, errors={}, type_=STATUS_CODES_PATH)
    db = sandbox_of(request).db
    failures: list[dict[str, Any]] = []
    ids: list[int] = []
    try:
        with db.tx():
            for index, item in enumerate(items):
                try:
                    with db.tx():
                        ids.append(_save_batch_item(db, item))
                except VariantError as error:
                    errors = {f"{index}.{k}": v for k, v in error.errors.items()}
                    failures.append(error_body(error.status, error.title, errors=errors))
            if failures:
                raise _BatchFailed
    except _BatchFailed:
        raise ApiError(422, {"batch_errors": failures}) from None
    return ok({"data": [get_variant(db, variant_id) for variant_id in ids], "meta": {}})


class _BatchFailed(Exception):
    pass


def _save_batch_item(db: StoreDb, item: Any) -> int:
    if not isinstance(item, dict):
        raise invalid_variant({"variant": "error.expected.jsobject"})
    if "id" in item:
        variant_id = item["id"]
        if problem := int_range_error(variant_id):
            raise invalid_variant({"id": problem})
        row = db.query_one("SELECT * FROM variants WHERE id = ?", [variant_id])
        if row is None:
            raise invalid_variant({"id": f"Variant {variant_id} does not exist."})
        update(db, row, item)
        return int(row["id"])
    product_id = item.get("product_id")
    if product_id is None:
        raise invalid_variant({"product_id": MISSING})
    if problem := int_range_error(product_id):
        raise invalid_variant({"product_id": problem})
    if rules.get_row(db, product_id) is None:
        raise invalid_variant({"product_id": f"Product {product_id} does not exist."})
    return create(db, product_id, item)


_PRODUCT_VARIANT = "/v3/catalog/products/{product_id:id64}/variants/{variant_id:id64}"

RESOURCE = Resource(
    name="variants",
    schema=SCHEMA,
    routes=[
        route(
            "/v3/catalog/products/{product_id:id64}/variants",
            get=list_product_variants,
            post=create_product_variant,
        ),
        route(
            _PRODUCT_VARIANT,
            get=get_product_variant,
            put=update_product_variant,
            delete=delete_product_variant,
        ),
        route("/v3/catalog/variants", get=list_variants, put=upsert_variants),
    ],
)
