"""Variant options and their values:
`/v3/catalog/products/{product_id}/options[/{option_id}[/values[/{value_id}]]]`, plus the
sub-resource contract the product endpoints use (`embed`, `create_embedded`,
`delete_for_product`). Storage and rules are in `option_rules.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.catalog.products import rules
from storeconf.sandbox.catalog.products.option_rules import (
    SCHEMA,
    delete_values,
    duplicate_labels,
    get_option,
    insert_option,
    insert_value,
    option_errors,
    option_to_api,
    option_type,
    options_to_api,
    product_epoch,
    raise_if,
    require_option,
    require_value,
    stored_value,
    update_option_row,
    update_value_row,
    value_body_errors,
    value_to_api,
    values_of,
)
from storeconf.sandbox.catalog.products.part_kit import get_part, grouped_rows, list_part
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import (
    collection,
    invalid,
    no_content,
    page_of,
    read_object,
    route,
    sandbox_of,
    select_fields,
    single,
    unreadable_json,
)
from storeconf.sandbox.core.query import Where, fetch_page
from storeconf.sandbox.core.resource import Resource

if TYPE_CHECKING:
    from storeconf.sandbox.core.control import Sandbox

# ----------------------------------------------------------------------------------------
# Sub-resource contract used by the product endpoints
# ----------------------------------------------------------------------------------------


def embed(db: StoreDb, product_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Options per product for `include=options`: two queries for the whole page."""
    grouped = grouped_rows(db, "variant_options", product_ids, "sort_order, id")
    ids = list(grouped)
    owned = f"option_id IN (SELECT id FROM variant_options WHERE product_id IN ({rules.id_marks(ids)}))"
    values = values_of(db, owned, ids) if ids else {}
    return {
        pid: [option_to_api(row, values.get(row["id"], [])) for row in rows] for pid, rows in grouped.items()
    }


def create_embedded(
    db: StoreDb, product_id: int, items: list[Any], *, sandbox: Sandbox | None = None
) -> list[dict[str, Any]]:
    """Options given as full option bodies (as for `POST .../options`)."""
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"options.{index}"] = "error.expected.jsobject"
        else:
            errors |= {f"options.{index}.{k}": v for k, v in option_errors(db, item).items()}
    raise_if(errors)
    epoch = sandbox.epoch_now() if sandbox is not None else product_epoch(db, product_id)
    created = []
    for item in items:
        duplicate_labels(item["option_values"])
        created.append(insert_option(db, product_id, item, epoch))
    return [get_option(db, option_id) for option_id in created]


def delete_for_product(db: StoreDb, product_id: int) -> None:
    db.execute("DELETE FROM variant_options WHERE product_id = ?", [product_id])


# ----------------------------------------------------------------------------------------
# Routes
# ----------------------------------------------------------------------------------------


async def list_options(request: Request) -> Response:
    return await list_part(request, "variant_options", "sort_order ASC, id ASC", options_to_api)


async def create_option(request: Request) -> Response:
    sandbox = sandbox_of(request)
    product_id: int = request.path_params["product_id"]
    rules.require_row(sandbox.db, product_id)
    body = await read_object(request, unreadable_json)
    raise_if(option_errors(sandbox.db, body))
    duplicate_labels(body["option_values"])
    with sandbox.db.tx():
        option_id = insert_option(sandbox.db, product_id, body, sandbox.epoch_now())
    return single(get_option(sandbox.db, option_id))


async def get_product_option(request: Request) -> Response:
    return await get_part(request, "variant_options", "option_id", options_to_api)


async def update_option(request: Request) -> Response:
    """Partial update. `option_values` items with an `id` update that value, items without
    one add a value; values left out are kept (the spec does not say they are removed)."""
    db = sandbox_of(request).db
    row = require_option(db, request.path_params["product_id"], request.path_params["option_id"])
    body = await read_object(request, unreadable_json)
    raise_if(option_errors(db, body, option_type(db, int(row["id"]))))
    values = body.get("option_values", [])
    duplicate_labels(values)
    with db.tx():
        update_option_row(db, row, body)
        for n, value in enumerate(values):
            if "id" in value:
                value_row = db.query_one(
                    "SELECT * FROM variant_option_values WHERE id = ? AND option_id = ?",
                    [value["id"], row["id"]],
                )
                if value_row is None:
                    raise invalid(
                        {f"option_values.{n}.id": f"Value {value['id']} is not a value of this option."}
                    )
                update_value_row(db, value_row, value)
            else:
                insert_value(db, int(row["id"]), value)
    return single(get_option(db, int(row["id"])))


async def delete_option(request: Request) -> Response:
    db = sandbox_of(request).db
    row = require_option(db, request.path_params["product_id"], request.path_params["option_id"])
    with db.tx():
        value_ids = [
            int(r[0])
            for r in db.query("SELECT id FROM variant_option_values WHERE option_id = ?", [row["id"]])
        ]
        delete_values(db, value_ids)
        db.execute("DELETE FROM variant_options WHERE id = ?", [row["id"]])
    return no_content()


async def list_values(request: Request) -> Response:
    db = sandbox_of(request).db
    option = require_option(db, request.path_params["product_id"], request.path_params["option_id"])
    page = page_of(request)
    where = Where(["option_id = ?"], [option["id"]])
    rows, total = fetch_page(db, "variant_option_values", where, "sort_order ASC, id ASC", page)
    items = [select_fields(request, value_to_api(row), "id") for row in rows]
    return collection(request, items, total, page)


async def create_value(request: Request) -> Response:
    db = sandbox_of(request).db
    option = require_option(db, request.path_params["product_id"], request.path_params["option_id"])
    body = await read_object(request, unreadable_json)
    raise_if(value_body_errors(db, option_type(db, int(option["id"])), body, creating=True))
    with db.tx():
        value_id = insert_value(db, int(option["id"]), body)
    return single(stored_value(db, value_id))


async def get_value(request: Request) -> Response:
    db = sandbox_of(request).db
    params = request.path_params
    row = require_value(db, params["product_id"], params["option_id"], params["value_id"])
    return single(select_fields(request, value_to_api(row), "id"))


async def update_value(request: Request) -> Response:
    db = sandbox_of(request).db
    params = request.path_params
    row = require_value(db, params["product_id"], params["option_id"], params["value_id"])
    body = await read_object(request, unreadable_json)
    raise_if(value_body_errors(db, option_type(db, int(row["option_id"])), body, creating=False))
    with db.tx():
        update_value_row(db, row, body)
    return single(stored_value(db, int(row["id"])))


async def delete_value(request: Request) -> Response:
    db = sandbox_of(request).db
    params = request.path_params
    row = require_value(db, params["product_id"], params["option_id"], params["value_id"])
    with db.tx():
        delete_values(db, [int(row["id"])])
    return no_content()


_OPTIONS = "/v3/catalog/products/{product_id:id64}/options"
_OPTION = _OPTIONS + "/{option_id:id64}"
_VALUES = _OPTION + "/values"
_VALUE = _VALUES + "/{value_id:id64}"

RESOURCE = Resource(
    name="options",
    schema=SCHEMA,
    routes=[
        route(_OPTIONS, get=list_options, post=create_option),
        route(_OPTION, get=get_product_option, put=update_option, delete=delete_option),
        route(_VALUES, get=list_values, post=create_value),
        route(_VALUE, get=get_value, put=update_value, delete=delete_value),
    ],
)
