"""Product channel and category assignments: `/v3/catalog/products/channel-assignments` and
`/v3/catalog/products/category-assignments`.

Both are views of relation tables owned by `product_rules` (`product_channels`,
`product_categories`); category assignments are the same relation as a product's
`categories` array. PUT adds the listed pairs (an existing pair is kept as is) and
answers 204; it is all or nothing, with every bad pair reported by its index. The
spec states no batch size for these PUTs, so none is enforced. DELETE needs a filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storeconf.sandbox.catalog.products import rules
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import (
    ApiError,
    Handler,
    collection,
    invalid,
    no_content,
    page_of,
    read_json,
    route,
    sandbox_of,
    unreadable_json,
)
from storeconf.sandbox.core.query import Filter, fetch_page, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import MISSING, Field, check


@dataclass(frozen=True)
class Relation:
    """One assignment kind: its table, the column next to `product_id` and what it points to."""

    noun: str
    table: str
    column: str
    target_table: str
    target_noun: str
    add: Callable[[StoreDb, Iterable[tuple[int, int]]], None]

    @property
    def filters(self) -> tuple[Filter, ...]:
        return (
            Filter("product_id", "product_id", "int", ("in",)),
            Filter(self.column, self.column, "int", ("in",)),
        )

    @property
    def fields(self) -> tuple[Field, ...]:
        return (Field("product_id", "integer"), Field(self.column, "integer"))


CHANNELS = Relation("channel", "product_channels", "channel_id", "channels", "Channel", rules.add_channels)
CATEGORIES = Relation(
    "category", "product_categories", "category_id", "categories", "Category", rules.add_categories
)


def _list(relation: Relation) -> Handler:
    async def handler(request: Request) -> Response:
        page = page_of(request)
        db = sandbox_of(request).db
        order = f"product_id ASC, {relation.column} ASC"
        rows, total = fetch_page(db, relation.table, where_from(request, relation.filters), order, page)
        items = [{"product_id": row["product_id"], relation.column: row[relation.column]} for row in rows]
        return collection(request, items, total, page)

    return handler


def _create(relation: Relation) -> Handler:
    async def handler(request: Request) -> Response:
        items = await read_json(request, unreadable_json)
        if not isinstance(items, list):
            raise invalid({"body": "error.expected.jsarray"})
        db = sandbox_of(request).db
        errors = _errors(db, relation, items)
        if errors:
            title = f"The {relation.noun} assignments were not valid."
            raise invalid(errors, title=title)
        pairs = [(int(item["product_id"]), int(item[relation.column])) for item in items]
        with db.tx():
            relation.add(db, pairs)
        return no_content()

    return handler


def _errors(db: StoreDb, relation: Relation, items: list[Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    wanted_products: set[int] = set()
    wanted_targets: set[int] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[str(index)] = "error.expected.jsobject"
            continue
        item_errors = check(item, relation.fields, required=("product_id", relation.column))
        errors |= {f"{index}.{k}": v for k, v in item_errors.items()}
        if not item_errors:
            wanted_products.add(item["product_id"])
            wanted_targets.add(item[relation.column])
    products = _existing(db, "products", wanted_products)
    targets = _existing(db, relation.target_table, wanted_targets)
    for index, item in enumerate(items):
        if isinstance(item, dict) and not any(k.startswith(f"{index}.") for k in errors):
            if item["product_id"] not in products:
                errors[f"{index}.product_id"] = f"Product {item['product_id']} does not exist."
            if item[relation.column] not in targets:
                target = item[relation.column]
                errors[f"{index}.{relation.column}"] = f"{relation.target_noun} {target} does not exist."
    return errors


def _existing(db: StoreDb, table: str, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    wanted = sorted(ids)
    rows = db.query(f"SELECT id FROM {table} WHERE id IN ({rules.id_marks(wanted)})", wanted)
    return {int(row[0]) for row in rows}


def _delete(relation: Relation) -> Handler:
    async def handler(request: Request) -> Response:
        where = where_from(request, relation.filters)
        if not where.clauses:
            title = f"At least one filter must be provided in order to delete {relation.noun} assignments"
            raise ApiError.of(422, title, errors={"product_id:in": MISSING, f"{relation.column}:in": MISSING})
        db = sandbox_of(request).db
        with db.tx():
            db.execute(f"DELETE FROM {relation.table}{where.sql()}", where.params)
        return no_content()

    return handler


def _routes(path: str, relation: Relation) -> list[Route]:
    return [route(path, get=_list(relation), put=_create(relation), delete=_delete(relation))]


RESOURCE = Resource(
    name="product-assignments",
    schema="",
    routes=[
        *_routes("/v3/catalog/products/channel-assignments", CHANNELS),
        *_routes("/v3/catalog/products/category-assignments", CATEGORIES),
    ],
)
