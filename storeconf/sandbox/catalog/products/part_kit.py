"""What the product sub-resources (custom fields, bulk pricing rules, images, videos,
modifiers, options and variants) share: the parent-product check, the per-product list,
read, create and delete handlers, the `include=` embed query, and the store facts a write
needs when it comes from a product POST.

Each sub-resource keeps its rows in its own table with a plain `product_id` column. The
`products` table belongs to `products.py`; nothing here creates it, and the cascade on
product delete goes through each part's `delete_for_product`.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from storeconf.sandbox.core.config import SandboxConfig
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import (
    ApiError,
    Handler,
    collection,
    invalid,
    no_content,
    not_found,
    page_of,
    read_object,
    route,
    sandbox_of,
    select_fields,
    single,
)
from storeconf.sandbox.core.inputs import beyond_int64
from storeconf.sandbox.core.query import Where, fetch_page
from storeconf.sandbox.core.validate import int_range_error

if TYPE_CHECKING:
    from storeconf.sandbox.core.control import Sandbox

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

ToApi = Callable[[sqlite3.Row], dict[str, Any]]
# For parts whose API shape needs more rows (a modifier's values): one page at a time.
RowsToApi = Callable[[StoreDb, Sequence[sqlite3.Row]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Ctx:
    """Store facts a write needs: the store hash (CDN URLs) and the clock."""

    store_hash: str
    iso_now: str
    epoch_now: int

    @classmethod
    def of(cls, sandbox: Sandbox | None) -> Ctx:
        if sandbox is not None:
            return cls(sandbox.config.store_hash, sandbox.iso_now(), sandbox.epoch_now())
        # Called without the store (a product POST that did not pass `sandbox=`): the
        # default store hash and the wall clock.
        moment = datetime.now(UTC).replace(microsecond=0)
        return cls(SandboxConfig().store_hash, moment.isoformat(), int(moment.timestamp()))

    @classmethod
    def from_request(cls, request: Request) -> Ctx:
        return cls.of(sandbox_of(request))


CreateOne = Callable[[StoreDb, int, Any, Ctx], dict[str, Any]]
# (db, product id, item id, body, ctx): the item after a partial update of an existing item.
UpdateOne = Callable[[StoreDb, int, int, Any, Ctx], dict[str, Any]]


def require_product(db: StoreDb, product_id: int) -> None:
    """The catalog 404 unless the product exists. The same answer as
    `product_rules.require_product`, without building the product."""
    try:
        row = db.query_one("SELECT 1 FROM products WHERE id = ?", [product_id])
    except sqlite3.OperationalError:  # a store without the products module has no products
        row = None
    if row is None:
        raise not_found()


def product_exists(db: StoreDb, product_id: int) -> bool:
    try:
        require_product(db, product_id)
    except ApiError:
        return False
    return True


def product_of(request: Request) -> tuple[StoreDb, int]:
    """The store's database and the path's product id, or the 404 when there is no such product."""
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    require_product(db, product_id)
    return db, product_id


def part_of(request: Request, table: str, id_param: str) -> tuple[StoreDb, sqlite3.Row]:
    """`product_of` plus the row of the part the path names (`id_param`), else the 404."""
    db, product_id = product_of(request)
    return db, get_row(db, table, product_id, request.path_params[id_param])


def get_row(db: StoreDb, table: str, product_id: int, item_id: int) -> sqlite3.Row:
    """The row of one sub-resource of one product, else the 404 (also for another product's id)."""
    row = db.query_one(f"SELECT * FROM {table} WHERE id = ? AND product_id = ?", [item_id, product_id])
    if row is None:
        raise not_found()
    return row


def grouped_rows(
    db: StoreDb, table: str, product_ids: Sequence[int], order: str
) -> dict[int, list[sqlite3.Row]]:
    """Rows of every listed product in one query, keyed by product id (every id present)."""
    ids = list(dict.fromkeys(int(pid) for pid in product_ids))
    result: dict[int, list[sqlite3.Row]] = {pid: [] for pid in ids}
    if not ids:
        return result
    marks = ",".join("?" * len(ids))
    rows = db.query(f"SELECT * FROM {table} WHERE product_id IN ({marks}) ORDER BY product_id, {order}", ids)
    for row in rows:
        result[row["product_id"]].append(row)
    return result


def embed_rows(
    db: StoreDb, table: str, product_ids: Sequence[int], order: str, to_api: ToApi
) -> dict[int, list[dict[str, Any]]]:
    grouped = grouped_rows(db, table, product_ids, order)
    return {pid: [to_api(row) for row in rows] for pid, rows in grouped.items()}


def each(to_api: ToApi) -> RowsToApi:
    return lambda _db, rows: [to_api(row) for row in rows]


async def list_part(request: Request, table: str, order: str, to_api: RowsToApi) -> Response:
    """`GET …/products/{product_id}/<part>`: page/limit plus include/exclude_fields."""
    db, product_id = product_of(request)
    page = page_of(request)
    rows, total = fetch_page(db, table, Where(["product_id = ?"], [product_id]), order, page)
    items = [select_fields(request, item, "id") for item in to_api(db, rows)]
    return collection(request, items, total, page)


async def get_part(request: Request, table: str, id_param: str, to_api: RowsToApi) -> Response:
    db, row = part_of(request, table, id_param)
    return single(select_fields(request, to_api(db, [row])[0], "id"))


async def create_part(request: Request, create_one: CreateOne) -> Response:
    """`POST …/products/{product_id}/<part>`: one item, as a product POST's array item."""
    db, product_id = product_of(request)
    body = await read_object(request)
    with db.tx():
        item = create_one(db, product_id, body, Ctx.from_request(request))
    return single(item)


async def update_part(request: Request, table: str, id_param: str, update_one: UpdateOne) -> Response:
    """`PUT …/products/{product_id}/<part>/{id}`: a partial update, as an item of a product PUT."""
    db, row = part_of(request, table, id_param)
    body = await read_object(request)
    with db.tx():
        item = update_one(db, int(row["product_id"]), int(row["id"]), body, Ctx.from_request(request))
    return single(item)


async def delete_part(
    request: Request, table: str, id_param: str, then: Callable[[StoreDb, int], None] | None = None
) -> Response:
    """`DELETE …/products/{product_id}/<part>/{id}`; `then(db, product_id)` runs in the same
    transaction (images pick a new thumbnail)."""
    db, row = part_of(request, table, id_param)
    with db.tx():
        db.execute(f"DELETE FROM {table} WHERE id = ?", [row["id"]])
        if then is not None:
            then(db, row["product_id"])
    return no_content()


def rekey(error: ApiError, prefix: str) -> ApiError:
    """An item error re-addressed inside a product body: `name` → `custom_fields[2].name`."""
    body = dict(error.body) if isinstance(error.body, dict) else error.body
    if isinstance(body, dict) and isinstance(body.get("errors"), dict):
        body["errors"] = {f"{prefix}.{field}": message for field, message in body["errors"].items()}
    return ApiError(error.status, body, error.headers)


def create_items(
    db: StoreDb,
    key: str,
    items: list[Any],
    create_one: Callable[[int, Any], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Create every item of a product body's `key` array in one savepoint: all or none."""
    if not isinstance(items, list):
        raise ApiError.of(422, "JSON data is missing or invalid", errors={key: "error.expected.jsarray"})
    created: list[dict[str, Any]] = []
    with db.tx():
        for index, item in enumerate(items):
            try:
                created.append(create_one(index, item))
            except ApiError as error:
                raise rekey(error, f"{key}[{index}]") from None
    return created


def is_number(value: Any) -> bool:
    """A JSON number; NaN and infinities (which Python's JSON parser lets through) are not."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def int32_error(value: Any) -> str | None:
    if beyond_int64(value):
        return f"must be between {INT32_MIN} and {INT32_MAX}"
    if not isinstance(value, int) or isinstance(value, bool):
        return "error.expected.jsnumber"
    if not INT32_MIN <= value <= INT32_MAX:
        return f"must be between {INT32_MIN} and {INT32_MAX}"
    return None


@dataclass(frozen=True)
class PartStore:
    """The contract `products.py` uses for one sub-resource: `include=` embedding, the
    arrays of a product POST, and the cascade when a product is deleted."""

    key: str
    table: str
    order: str
    to_api: ToApi
    create_one: CreateOne
    update_one: UpdateOne

    def embed(self, db: StoreDb, product_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """API-shaped items per product (every id present, possibly empty), one query."""
        return embed_rows(db, self.table, product_ids, self.order, self.to_api)

    def create_embedded(
        self, db: StoreDb, product_id: int, items: list[Any], *, sandbox: Sandbox | None = None
    ) -> list[dict[str, Any]]:
        """Validate and insert the items of a product POST; all or none. Pass `sandbox` so
        stamps and CDN URLs use the store's clock and hash."""
        ctx = Ctx.of(sandbox)
        return create_items(db, self.key, items, lambda _i, item: self.create_one(db, product_id, item, ctx))

    def upsert_embedded(
        self, db: StoreDb, product_id: int, items: list[Any], *, sandbox: Sandbox | None = None
    ) -> list[dict[str, Any]]:
        """The items of a product PUT, all or none: an item with `id` updates that item of this
        product (as the part's own PUT would), an item without one is created.

        Items the array leaves out are kept. The spec only says `id` is "required to update
        existing" items; it never says a PUT replaces the set, and deleting what a client
        did not mention would lose data it did not ask to lose."""
        ctx = Ctx.of(sandbox)
        return create_items(db, self.key, items, lambda _i, item: self._upsert_one(db, product_id, item, ctx))

    def _upsert_one(self, db: StoreDb, product_id: int, item: Any, ctx: Ctx) -> dict[str, Any]:
        if not (isinstance(item, dict) and "id" in item):
            return self.create_one(db, product_id, item, ctx)
        item_id = item["id"]
        problem = int_range_error(item_id)
        if problem is None and not db.query_one(
            f"SELECT 1 FROM {self.table} WHERE id = ? AND product_id = ?", [item_id, product_id]
        ):
            problem = f"{item_id} is not the id of one of this product's {self.key}"
        if problem is not None:
            raise invalid({"id": problem})
        return self.update_one(db, product_id, int(item_id), item, ctx)

    def delete_for_product(self, db: StoreDb, product_id: int) -> None:
        with db.tx():
            db.execute(f"DELETE FROM {self.table} WHERE product_id = ?", [product_id])


def part_routes(
    part: PartStore,
    path: str,
    id_param: str,
    *,
    update: Handler | None = None,
    create: Handler | None = None,
    delete: Handler | None = None,
) -> list[BaseRoute]:
    """The routes of `part` at `path` (`…/products/{product_id:id64}/<part>`) and
    `path/{id_param}`: list, read, create (as an item of a product POST), update (as an item
    of a product PUT) and delete are the shared ones unless the part brings its own."""

    async def list_items(request: Request) -> Response:
        return await list_part(request, part.table, part.order, each(part.to_api))

    async def get_item(request: Request) -> Response:
        return await get_part(request, part.table, id_param, each(part.to_api))

    async def create_item(request: Request) -> Response:
        return await create_part(request, part.create_one)

    async def update_item(request: Request) -> Response:
        return await update_part(request, part.table, id_param, part.update_one)

    async def delete_item(request: Request) -> Response:
        return await delete_part(request, part.table, id_param)

    one = f"{path}/{{{id_param}:id64}}"
    return [
        route(path, get=list_items, post=create or create_item),
        route(one, get=get_item, put=update or update_item, delete=delete or delete_item),
    ]
