"""Price records: every endpoint of the reference's table (BIGCOMMERCE_API.md 9.2).

- `GET|POST|PUT|DELETE /v3/pricelists/{id}/records`: list, create (fails on an existing
  record), upsert, delete by filter. POST takes at most 100 items, PUT 1,000 (413
  beyond). A batch with invalid items saves the valid ones and answers 422 with
  `batch_errors` (partial success). A DELETE without filters deletes every record of
  the list (the spec makes the filters optional).
- `GET /v3/pricelists/{id}/records/{variant_id}`: a variant's records in every currency.
- `GET|PUT|DELETE /v3/pricelists/{id}/records/{variant_id}/{currency}`: one record.
- `POST|PUT /v3/pricelists/records`: batches across lists (items carry `price_list_id`).

Concurrency caps follow the spec, except the per-list upsert: the docs allow one bulk
upsert at a time per store where the spec says two; the sandbox holds to the stricter.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.concurrency import Cap
from storeconf.sandbox.core.http import (
    ApiError,
    comma_list,
    invalid,
    invalid_query,
    no_content,
    not_found,
    ok,
    read_json,
    read_object,
    route,
    sandbox_of,
    single,
)
from storeconf.sandbox.core.query import Filter, Where, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.pricing import paging
from storeconf.sandbox.pricing.lists import get_row, iso_z
from storeconf.sandbox.pricing.record_store import (
    PRICES,
    SCHEMA,
    VIEW,
    RecordError,
    currency_of,
    identifiers,
    price_fields,
    save,
    to_api,
    write,
)

MAX_CREATE = 100
MAX_UPSERT = 1000
INCLUDES = ("bulk_pricing_tiers", "sku")
_FILTERS = (
    Filter("variant_id", "variant_id", "int", ("in",)),
    Filter("product_id", "product_id", "int", ("in",)),
    Filter("sku", "sku", "str", ("eq", "in")),
    Filter("currency", "currency", "str", ("eq", "in")),
    Filter("date_created", "json_extract(doc, '$.date_created')", "str", ("eq", "min", "max")),
    Filter("date_modified", "json_extract(doc, '$.date_modified')", "str", ("eq", "min", "max")),
)
_DELETE_FILTERS = (
    Filter("currency", "currency", "str"),
    Filter("variant_id", "variant_id", "int", ("in",)),
    Filter("sku", "sku", "str", ("in",)),
)
_PRICE_COLUMNS = {
    **{name: f"json_extract(doc, '$.{name}')" for name in PRICES},
    "calculated_price": "coalesce(json_extract(doc, '$.sale_price'), json_extract(doc, '$.price'))",
}


async def list_records(request: Request) -> Response:
    db = sandbox_of(request).db
    list_id = request.path_params["price_list_id"]
    get_row(db, list_id)
    where = _price_filters(request, where_from(request, _FILTERS).extend("price_list_id = ?", list_id))
    rows, meta = paging.fetch(request, db, VIEW, where, rows_from=_rows_from(request))
    includes = _includes(request)
    return ok({"data": [to_api(row, includes) for row in rows], "meta": meta})


async def create_records(request: Request) -> Response:
    return await _batch(request, request.path_params["price_list_id"], MAX_CREATE, create_only=True)


async def upsert_records(request: Request) -> Response:
    return await _batch(request, request.path_params["price_list_id"], MAX_UPSERT, create_only=False)


async def create_cross_list(request: Request) -> Response:
    return await _batch(request, None, MAX_CREATE, create_only=True)


async def upsert_cross_list(request: Request) -> Response:
    return await _batch(request, None, MAX_UPSERT, create_only=False)


async def delete_records(request: Request) -> Response:
    db = sandbox_of(request).db
    list_id = request.path_params["price_list_id"]
    get_row(db, list_id)
    where = where_from(request, _DELETE_FILTERS).extend("price_list_id = ?", list_id)
    with db.tx():
        db.execute(
            f"DELETE FROM price_records WHERE id IN (SELECT id FROM {VIEW}{where.sql()})", where.params
        )
    return no_content()


async def variant_records(request: Request) -> Response:
    db = sandbox_of(request).db
    list_id, variant_id = request.path_params["price_list_id"], request.path_params["variant_id"]
    get_row(db, list_id)
    where = Where(["price_list_id = ?", "variant_id = ?"], [list_id, variant_id])
    rows, meta = paging.fetch(request, db, VIEW, where)
    includes = _includes(request)
    return ok({"data": [to_api(row, includes) for row in rows], "meta": meta})


async def get_record(request: Request) -> Response:
    return single(to_api(_one(request), _includes(request)))


async def put_record(request: Request) -> Response:
    sandbox = sandbox_of(request)
    db = sandbox.db
    list_id, variant_id = request.path_params["price_list_id"], request.path_params["variant_id"]
    get_row(db, list_id)
    variant = db.query_one("SELECT id, product_id FROM variants WHERE id = ?", [variant_id])
    if variant is None:
        raise not_found()
    body = await read_object(request)
    try:
        currency = currency_of(request.path_params["currency"])
        prices = price_fields(body, price_required=True)
    except RecordError as error:
        raise invalid(error.fields, title="The price record is not valid.") from None
    with db.tx():
        write(db, list_id, variant, currency, prices, iso_z(sandbox.config.now()), create_only=False)
    return single(to_api(_one(request), {"bulk_pricing_tiers"}))


async def delete_record(request: Request) -> Response:
    row = _one(request)
    db = sandbox_of(request).db
    with db.tx():
        db.execute("DELETE FROM price_records WHERE id = ?", [row["id"]])
    return no_content()


async def _batch(request: Request, list_id: int | None, limit: int, *, create_only: bool) -> Response:
    sandbox = sandbox_of(request)
    db = sandbox.db
    if list_id is not None:
        get_row(db, list_id)
    items = await read_json(request)
    if not isinstance(items, list):
        raise invalid({"body": "error.expected.jsarray"})
    if len(items) > limit:
        title = f"The request payload is too large. The maximum items allowed in the array is {limit}."
        raise ApiError.of(413, title, errors={})
    now = iso_z(sandbox.config.now())
    errors: list[dict[str, Any]] = []
    with db.tx():
        for item in items:
            try:
                with db.tx():  # a savepoint: one bad item fails alone
                    target = list_id if list_id is not None else _item_list(db, item)
                    if not isinstance(item, dict):
                        raise RecordError({"item": "error.expected.jsobject"})
                    save(db, target, item, now, create_only=create_only)
            except RecordError as error:
                errors.append({"data": identifiers(list_id, item), "field_errors": error.fields})
    if not errors:
        return ok({"data": {}, "meta": {}})
    if list_id is None:  # the cross-list endpoints document one error object
        return ok(errors[0], status=422)
    return ok({"batch_errors": errors}, status=422)


def _item_list(db: Any, item: Any) -> int:
    list_id = item.get("price_list_id") if isinstance(item, dict) else None
    if not isinstance(list_id, int) or isinstance(list_id, bool):
        raise RecordError({"price_list_id": "error.path.missing"})
    if db.query_one("SELECT id FROM price_lists WHERE id = ?", [list_id]) is None:
        raise RecordError({"price_list_id": f"Price list {list_id} does not exist."})
    return list_id


def _one(request: Request) -> Any:
    db = sandbox_of(request).db
    list_id = request.path_params["price_list_id"]
    get_row(db, list_id)
    row = db.query_one(
        f"SELECT * FROM {VIEW} WHERE price_list_id = ? AND variant_id = ? AND currency = ?",
        [list_id, request.path_params["variant_id"], request.path_params["currency"].lower()],
    )
    if row is None:
        raise not_found()
    return row


def _rows_from(request: Request) -> str:
    # Only `include=sku` reads the variant's SKU: without it, reading the page's records from
    # their table spares a variant lookup and a JSON parse per record.
    return VIEW if "sku" in (comma_list(request, "include") or []) else "price_records"


def _includes(request: Request) -> set[str]:
    wanted = set(comma_list(request, "include") or [])
    unknown = wanted - set(INCLUDES)
    if unknown:
        raise invalid_query("include", "one of " + ", ".join(INCLUDES), ",".join(sorted(unknown)))
    return wanted


def _price_filters(request: Request, where: Where) -> Where:
    for name, column in _PRICE_COLUMNS.items():
        for op, sql in (("", "="), (":min", ">="), (":max", "<=")):
            raw = request.query_params.get(name + op)
            if raw:
                try:
                    value = float(raw)
                except ValueError:
                    raise invalid_query(name + op, "a number", raw) from None
                where = where.extend(f"{column} {sql} ?", value)
    return where


_LIST = r"/v3/pricelists/\d+/records"
RESOURCE = Resource(
    name="price_records",
    schema=SCHEMA,
    routes=[
        route("/v3/pricelists/records", post=create_cross_list, put=upsert_cross_list),
        route(
            "/v3/pricelists/{price_list_id:id64}/records",
            get=list_records,
            post=create_records,
            put=upsert_records,
            delete=delete_records,
        ),
        route("/v3/pricelists/{price_list_id:id64}/records/{variant_id:id64}", get=variant_records),
        route(
            "/v3/pricelists/{price_list_id:id64}/records/{variant_id:id64}/{currency}",
            get=get_record,
            put=put_record,
            delete=delete_record,
        ),
    ],
    caps=(
        Cap("GET", _LIST, 10),
        Cap("POST", _LIST, 10),
        Cap("PUT", _LIST, 1),
        Cap("GET", _LIST + r"/\d+", 40),
        Cap("GET", _LIST + r"/\d+/[^/]+", 50),
        Cap("PUT", _LIST + r"/\d+/[^/]+", 40),
        Cap("DELETE", _LIST + r"/\d+/[^/]+", 25),
        Cap("POST", r"/v3/pricelists/records", 10),
        Cap("PUT", r"/v3/pricelists/records", 1),
    ),
)
