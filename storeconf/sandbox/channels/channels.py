"""Channels (`/v3/channels`) and the v2 store information endpoints (`/v2/store`, `/v2/time`).

Channel 1, the default storefront, exists in every store and cannot be deleted.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import (
    STATUS_CODES_PATH,
    ApiError,
    collection,
    comma_list,
    invalid,
    ok,
    page_of,
    read_object,
    route,
    sandbox_of,
    single,
)
from storeconf.sandbox.core.query import Filter, Where, fetch_page, where_from
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import Field, check

SCHEMA = """
CREATE TABLE IF NOT EXISTS channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL
);
"""

STATUSES = (
    "active",
    "prelaunch",
    "inactive",
    "connected",
    "disconnected",
    "archived",
    "deleted",
    "terminated",
)
_AVAILABLE = ("prelaunch", "active", "inactive", "connected")
TYPES = ("pos", "marketplace", "storefront", "marketing")
_SEED_DATE = "2024-01-01T00:00:00Z"
_ICON = "https://storage.googleapis.com/bigcommerce-production-dev-center/images/{}_icon.svg"
_FILTERS = (
    Filter("status", "json_extract(doc, '$.status')", "str", ("in",)),
    Filter("type", "json_extract(doc, '$.type')", "str", ("in",)),
    Filter("platform", "json_extract(doc, '$.platform')", "str", ("in",)),
)
_FIELDS = (
    Field("name", "string", min_length=1, max_length=255),
    Field("type", "string", enum=TYPES),
    Field("platform", "string", min_length=1),
    Field("status", "string", enum=STATUSES[:-1]),
    Field("external_id", "string"),
    Field("is_listable_from_ui", "boolean"),
    Field("is_visible", "boolean"),
)


def seed(db: StoreDb) -> None:
    doc = _channel_doc(
        {"name": "Sandbox Storefront", "type": "storefront", "platform": "bigcommerce", "status": "active"},
        _SEED_DATE,
    )
    db.execute("INSERT INTO channels (id, doc) VALUES (1, ?)", [dump_doc(doc)])


def channel_exists(db: StoreDb, channel_id: int) -> bool:
    return db.query_one("SELECT id FROM channels WHERE id = ?", [channel_id]) is not None


async def list_channels(request: Request) -> Response:
    page = page_of(request)
    where = where_from(request, _FILTERS)
    where = _available(request, where)
    rows, total = fetch_page(sandbox_of(request).db, "channels", where, "id ASC", page)
    return collection(request, [_to_api(row) for row in rows], total, page)


def _available(request: Request, where: Where) -> Where:
    flag = comma_list(request, "available")
    if not flag:
        return where
    statuses = _AVAILABLE if flag[0].lower() in ("true", "1") else STATUSES[4:]
    marks = ",".join("?" * len(statuses))
    return where.extend(f"json_extract(doc, '$.status') IN ({marks})", *statuses)


async def get_channel(request: Request) -> Response:
    row = sandbox_of(request).db.query_one(
        "SELECT * FROM channels WHERE id = ?", [request.path_params["channel_id"]]
    )
    if row is None:
        raise ApiError(404, {"status": 404, "title": "Not found", "type": STATUS_CODES_PATH, "errors": {}})
    channel = _to_api(row)
    if "currencies" in (comma_list(request, "include") or []):
        channel["currencies"] = {
            "channel_id": row["id"],
            "enabled_currencies": ["USD"],
            "default_currency": "USD",
        }
    return single(channel)


async def create_channel(request: Request) -> Response:
    body = await read_object(request)
    errors = check(body, _FIELDS, required=("name", "type", "platform"))
    if errors:
        raise invalid(errors)
    sandbox = sandbox_of(request)
    doc = _channel_doc(body, sandbox.iso_now().replace("+00:00", "Z"))
    with sandbox.db.tx():
        cursor = sandbox.db.execute("INSERT INTO channels (doc) VALUES (?)", [dump_doc(doc)])
    row = sandbox.db.query_one("SELECT * FROM channels WHERE id = ?", [cursor.lastrowid])
    assert row is not None
    return single(_to_api(row))


def _channel_doc(body: dict[str, Any], date: str) -> dict[str, Any]:
    status = body.get("status", "connected")
    return {
        "external_id": body.get("external_id", ""),
        "is_listable_from_ui": body.get("is_listable_from_ui", True),
        "is_visible": body.get("is_visible", True),
        "is_enabled": status in ("prelaunch", "active", "connected"),
        "status": status,
        "name": body["name"],
        "type": body["type"],
        "platform": body["platform"],
        "date_created": date,
        "date_modified": date,
        "icon_url": _ICON.format(str(body["platform"]).replace(" ", "_")),
    }


def _to_api(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], **load_doc(row["doc"])}


async def store_information(request: Request) -> Response:
    """A bare v2 object with the fields storeconf and common clients read."""
    store_hash = sandbox_of(request).config.store_hash
    return ok(
        {
            "id": store_hash,
            "domain": f"{store_hash}.example.com",
            "secure_url": f"https://{store_hash}.example.com",
            "control_panel_base_url": f"https://store-{store_hash}.mybigcommerce.com",
            "status": "live",
            "name": "Sandbox Store",
            "language": "en",
            "currency": "USD",
            "currency_symbol": "$",
            "decimal_places": 2,
            "weight_units": "Ounces",
            "dimension_units": "Inches",
            "plan_name": "Sandbox",
            "plan_level": "Sandbox",
            "plan_is_trial": False,
            "is_price_entered_with_tax": False,
            "store_id": 1,
            "default_channel_id": 1,
            "default_site_id": 1000,
            "features": {
                "stencil_enabled": True,
                "checkout_type": "optimized",
                "multi_storefront_enabled": True,
                "storefront_limits": {"active": 1, "total_including_inactive": 1},
            },
        }
    )


async def system_time(request: Request) -> Response:
    return ok({"time": sandbox_of(request).epoch_now()})


RESOURCE = Resource(
    name="channels",
    schema=SCHEMA,
    seed=seed,
    routes=[
        route("/v3/channels", get=list_channels, post=create_channel),
        route("/v3/channels/{channel_id:id64}", get=get_channel),
        route("/v2/store", get=store_information),
        route("/v2/time", get=system_time),
    ],
)
