"""Product sub-resources as the product endpoints see them: `include=` on reads, embedded
arrays on writes, and the cascade on delete.

Each sub-resource module exposes `embed(db, product_ids)`, `create_embedded(db,
product_id, items, *, sandbox=None)` and `delete_for_product(db, product_id)`: variants
and options (here), custom fields, bulk pricing rules, images and videos
(`product_parts.py`) and modifiers (`modifiers.py`). The four that a product PUT may
carry (custom fields, bulk pricing rules, images, videos) also have `upsert_embedded`,
which updates the items given with an `id` and creates the others.

Every include costs a fixed number of queries for the whole page: `embed` receives
all product ids at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request

from storeconf.sandbox.catalog.products import modifiers, options, variants
from storeconf.sandbox.catalog.products import parts as product_parts
from storeconf.sandbox.catalog.products import rules as product_rules
from storeconf.sandbox.catalog.products.part_kit import PartStore
from storeconf.sandbox.core.db import StoreDb
from storeconf.sandbox.core.http import Page, RawJson, comma_list

if TYPE_CHECKING:
    from storeconf.sandbox.core.control import Sandbox

INCLUDES = (
    "bulk_pricing_rules",
    "channels",
    "custom_fields",
    "images",
    "modifiers",
    "options",
    "parent_relations",
    "primary_image",
    "reviews",
    "variants",
    "videos",
)
# With either of these the real API returns at most 10 products per page.
CAPPED = frozenset({"options", "modifiers"})
CAPPED_PAGE_LIMIT = 10
# Embedded on POST/PUT in this order (variants first: they create the options).
WRITE_ORDER = ("variants", "images", "videos", "custom_fields", "bulk_pricing_rules")
# Deleted before the product row, variants before the options they are built from.
DELETE_ORDER = ("variants", "options", "modifiers", "images", "videos", "custom_fields", "bulk_pricing_rules")


# An embedded array: dicts, or (variants) the JSON text SQLite wrote for it.
Embedded = list[dict[str, Any]] | RawJson


class SubResource(Protocol):
    def embed(self, db: StoreDb, product_ids: Sequence[int]) -> Mapping[int, Embedded]: ...

    def create_embedded(
        self, db: StoreDb, product_id: int, items: list[Any], *, sandbox: Sandbox | None = None
    ) -> list[dict[str, Any]]: ...

    def delete_for_product(self, db: StoreDb, product_id: int) -> None: ...


PARTS: dict[str, SubResource] = {
    "variants": variants,
    "options": options,
    "modifiers": modifiers,
    "images": product_parts.IMAGES,
    "videos": product_parts.VIDEOS,
    "custom_fields": product_parts.CUSTOM_FIELDS,
    "bulk_pricing_rules": product_parts.BULK_PRICING_RULES,
}


# The parts a product PUT may carry.
UPSERTS: dict[str, PartStore] = {
    "images": product_parts.IMAGES,
    "videos": product_parts.VIDEOS,
    "custom_fields": product_parts.CUSTOM_FIELDS,
    "bulk_pricing_rules": product_parts.BULK_PRICING_RULES,
}


def requested(request: Request) -> list[str]:
    """The known `include` values, in the order given (unknown ones are ignored)."""
    wanted = comma_list(request, "include") or []
    return [name for name in dict.fromkeys(wanted) if name in INCLUDES]


def cap_page(page: Page, includes: Sequence[str]) -> Page:
    if CAPPED.intersection(includes) and page.limit > CAPPED_PAGE_LIMIT:
        return Page(page.number, CAPPED_PAGE_LIMIT)
    return page


def attach(db: StoreDb, items: list[dict[str, Any]], includes: Sequence[str]) -> None:
    """Add the included arrays to API-shaped products (in place)."""
    ids = [int(item["id"]) for item in items]
    images: dict[int, list[dict[str, Any]]] | None = None
    found: Mapping[int, list[Any] | RawJson]
    for name in includes:
        if name == "channels":
            found = product_rules.channels_of(db, ids)
        elif name in ("parent_relations", "reviews"):
            # The sandbox has no product-list options and no reviews.
            found = {pid: [] for pid in ids}
        elif name in ("images", "primary_image"):
            images = images if images is not None else product_parts.IMAGES.embed(db, ids)
            if name == "primary_image":
                _attach_primary(items, images)
                continue
            found = images
        else:
            found = _embed(db, name, ids)
        for item in items:
            item[name] = found.get(int(item["id"]), [])


def _embed(db: StoreDb, name: str, ids: Sequence[int]) -> Mapping[int, Embedded]:
    if not ids:
        return {}
    return PARTS[name].embed(db, ids)


def _attach_primary(items: list[dict[str, Any]], images: dict[int, list[dict[str, Any]]]) -> None:
    """The thumbnail image, else the first by sort order; absent for products without images
    (the spec's `primary_image` is an object, not nullable)."""
    for item in items:
        candidates = images.get(int(item["id"]), [])
        if candidates:
            thumbnails = [image for image in candidates if image.get("is_thumbnail")]
            ordered = thumbnails or sorted(
                candidates, key=lambda image: (image.get("sort_order", 0), image["id"])
            )
            item["primary_image"] = ordered[0]


def create_embedded(
    db: StoreDb, product_id: int, body: dict[str, Any], names: Sequence[str], sandbox: Sandbox
) -> list[str]:
    """Create the sub-resources of a product body; returns the names that were present."""
    present = [name for name in names if name in body]
    for name in present:
        PARTS[name].create_embedded(db, product_id, body[name], sandbox=sandbox)
    return present


def upsert_embedded(db: StoreDb, product_id: int, body: dict[str, Any], sandbox: Sandbox) -> list[str]:
    """The sub-resources of a product PUT (variants are not part of one): items with `id`
    update, items without create (`PartStore.upsert_embedded`). Returns the names present."""
    present = [name for name in WRITE_ORDER if name in body and name in UPSERTS]
    for name in present:
        UPSERTS[name].upsert_embedded(db, product_id, body[name], sandbox=sandbox)
    return present


def delete_for_product(db: StoreDb, product_id: int) -> None:
    for name in DELETE_ORDER:
        PARTS[name].delete_for_product(db, product_id)
