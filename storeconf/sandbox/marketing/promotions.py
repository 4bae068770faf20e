"""Promotions: `/v3/promotions` (list, create, bulk delete) and `/v3/promotions/{id}`.

Creates answer 201. Names need not be unique (the API does not promise it), unless the
sandbox is configured to refuse duplicates (`SandboxConfig.unique_promotion_names`).
`redemption_type` and `coupon_type` are write-once: an update may repeat them, never
change them. Deleting one promotion also deletes its codes; the bulk delete refuses
promotions that still have codes, item by item (§16.1).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from storeconf.sandbox.core import inputs
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import (
    ApiError,
    Page,
    comma_list,
    no_content,
    ok,
    pagination,
    route,
    sandbox_of,
)
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.marketing import errors
from storeconf.sandbox.marketing.fields import (
    COUPON_ONLY,
    WRITABLE,
    check_promotion,
    customer_defaults,
    defaults,
    parse_instant,
)
from storeconf.sandbox.marketing.grammar import with_defaults

SCHEMA = """
CREATE TABLE IF NOT EXISTS promotions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    redemption_type TEXT NOT NULL,
    status TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    start_date TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS promotion_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    promotion_id INTEGER NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    code_key TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS promotion_codes_promotion ON promotion_codes (promotion_id);
"""

MAX_LIMIT = 250
MAX_BULK_DELETE = 50
_SORTS = {"id": "id", "name": "name COLLATE NOCASE", "priority": "id", "start_date": "start_date"}


async def list_promotions(request: Request) -> Response:
    page = page_param(request)
    clauses, params = _filters(request)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    db = sandbox_of(request).db
    total = int(db.scalar(f"SELECT COUNT(*) FROM promotions{where}", params))
    rows = db.query(
        f"SELECT * FROM promotions{where} ORDER BY {_order(request)} LIMIT ? OFFSET ?",
        [*params, page.limit, page.offset],
    )
    data = [to_api(db, row) for row in rows]
    return ok({"data": data, "meta": {"pagination": pagination(request, page, total, len(data))}})


async def create_promotion(request: Request) -> Response:
    body = await read_body(request)
    sandbox = sandbox_of(request)
    problems = [f"{n}: is required" for n in ("redemption_type", "name", "rules") if n not in body]
    doc = {**defaults(str(body.get("redemption_type")), sandbox.iso_now()), **_writable(body)}
    problems = problems or check_promotion(doc)
    if problems:
        raise errors.unprocessable(*problems)
    with sandbox.db.tx():
        _check_name(request, doc["name"], None)
        cursor = sandbox.db.execute(
            "INSERT INTO promotions (name, redemption_type, status, currency_code, start_date, doc) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [*_columns(_stored(doc)), dump_doc(_stored(doc) | {"current_uses": 0})],
        )
    return JSONResponse(
        {"data": to_api(sandbox.db, _row(sandbox.db, int(cursor.lastrowid or 0))), "meta": {}}, 201
    )


async def get_promotion(request: Request) -> Response:
    db = sandbox_of(request).db
    return ok({"data": to_api(db, _row(db, request.path_params["id"])), "meta": {}})


async def update_promotion(request: Request) -> Response:
    db = sandbox_of(request).db
    row = _row(db, request.path_params["id"])
    body = await read_body(request)
    current = load_doc(row["doc"])
    problems = [
        f"{n}: cannot be changed (was {current.get(n)})"
        for n in ("redemption_type", "coupon_type")
        if n in body and n in current and body[n] != current[n]
    ]
    doc = current | _writable(body)
    if isinstance(body.get("customer"), dict):  # a partial customer keeps the other keys
        doc["customer"] = {**customer_defaults(), **body["customer"]}
    problems += check_promotion(doc)
    if problems:
        raise errors.unprocessable(*problems)
    with db.tx():
        _check_name(request, doc["name"], row["id"])
        db.execute(
            "UPDATE promotions SET name = ?, redemption_type = ?, status = ?, currency_code = ?, "
            "start_date = ?, doc = ? WHERE id = ?",
            [*_columns(_stored(doc)), dump_doc(_stored(doc)), row["id"]],
        )
    return ok({"data": to_api(db, _row(db, row["id"])), "meta": {}})


async def delete_promotion(request: Request) -> Response:
    db = sandbox_of(request).db
    with db.tx():
        db.execute("DELETE FROM promotions WHERE id = ?", [request.path_params["id"]])
    return no_content()


async def delete_promotions(request: Request) -> Response:
    ids = id_list(request, MAX_BULK_DELETE)
    db = sandbox_of(request).db
    failed: dict[str, str] = {}
    with db.tx():
        for index, promotion_id in enumerate(ids):
            if db.scalar("SELECT COUNT(*) FROM promotion_codes WHERE promotion_id = ?", [promotion_id]):
                failed[f"{index}.code"] = (
                    f"Failed for id={promotion_id}. Error: some relating codes are still present."
                )
            else:
                db.execute("DELETE FROM promotions WHERE id = ?", [promotion_id])
    if failed:
        raise errors.bulk_failed(failed, len(ids), len(ids) - len(failed))
    return no_content()


def record_redemption(db: StoreDb, promotion_id: int, code: str | None = None) -> None:
    """Count one use of a promotion (and of one of its codes), as an order would."""
    with db.tx():
        row = _row(db, promotion_id)
        doc = load_doc(row["doc"])
        doc["current_uses"] = int(doc.get("current_uses", 0)) + 1
        db.execute("UPDATE promotions SET doc = ? WHERE id = ?", [dump_doc(doc), promotion_id])
        if code is not None:
            found = db.query_one("SELECT id, doc FROM promotion_codes WHERE code_key = ?", [code.casefold()])
            if found is not None:
                code_doc = load_doc(found["doc"])
                code_doc["current_uses"] = int(code_doc.get("current_uses", 0)) + 1
                db.execute(
                    "UPDATE promotion_codes SET doc = ? WHERE id = ?", [dump_doc(code_doc), found["id"]]
                )


# ---- helpers shared with codes ---------------------------------------------------------


async def read_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = inputs.loads(raw)
    except ValueError:
        raise errors.malformed() from None
    if not isinstance(body, dict):
        raise errors.unprocessable("body: must be a JSON object")
    return body


def page_param(request: Request) -> Page:
    """`page`/`limit`: the promotions API answers 422 to a limit outside 1–250 (not 413)."""
    values = {}
    for name, default, top in (("page", 1, None), ("limit", 50, MAX_LIMIT)):
        raw = request.query_params.get(name)
        try:
            value = default if raw in (None, "") else int(str(raw))
        except ValueError:
            raise errors.unprocessable(f"{name}: must be an integer") from None
        if value < 1 or (top is not None and value > top) or not inputs.fits_int64(value):
            raise errors.unprocessable(f"{name}: must be from 1" + (f" to {top}" if top else ""))
        values[name] = value
    return Page(values["page"], values["limit"])


def id_list(request: Request, maximum: int) -> list[int]:
    """The required `id:in` of a bulk delete: integers, at most `maximum`."""
    raw = comma_list(request, "id:in")
    if not raw:
        raise errors.bulk_param_missing()
    try:
        ids = [int(v) for v in raw]
    except ValueError:
        raise errors.bulk_param_missing() from None
    if len(ids) > maximum or not all(inputs.fits_int64(i) for i in ids):
        raise ApiError(
            422,
            {
                "errors": [errors.item(422, f"At most {maximum} ids can be deleted at once")],
                "meta": {"total": len(ids), "success": 0, "failed": len(ids)},
            },
        )
    return ids


def promotion_row(db: StoreDb, promotion_id: Any) -> sqlite3.Row:
    return _row(db, promotion_id)


def to_api(db: StoreDb, row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    out: dict[str, Any] = {
        "id": row["id"],
        "redemption_type": doc["redemption_type"],
        "name": doc["name"],
        "display_name": doc["display_name"],
        "created_from": "api",
        "channels": doc["channels"],
        "customer": doc["customer"],
        "rules": doc["rules"],
        "current_uses": doc.get("current_uses", 0),
        "max_uses": doc["max_uses"],
        "status": doc["status"],
        "start_date": doc["start_date"],
        "end_date": doc["end_date"],
        "stop": doc["stop"],
        "can_be_used_with_other_promotions": doc["can_be_used_with_other_promotions"],
        "currency_code": doc["currency_code"],
        "notifications": doc["notifications"],
        "shipping_address": doc["shipping_address"],
        "schedule": doc["schedule"],
    }
    if doc["redemption_type"] == "COUPON":
        out |= {name: doc[name] for name in COUPON_ONLY}
        count = int(db.scalar("SELECT COUNT(*) FROM promotion_codes WHERE promotion_id = ?", [row["id"]]))
        out["multiple_codes"] = {"has_multiple_codes": count > 1}
    return out


def _writable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in WRITABLE if k in body}


def _stored(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as kept: rule defaults filled, dates as UTC instants, customer complete."""
    out = dict(doc)
    out["rules"] = with_defaults(doc["rules"])
    out["customer"] = {**customer_defaults(), **(doc.get("customer") or {})}
    for name in ("start_date", "end_date"):
        moment = parse_instant(doc.get(name))
        if moment is not None:
            out[name] = moment.astimezone(UTC).replace(microsecond=0).isoformat()
    return out


def _columns(doc: dict[str, Any]) -> list[Any]:
    return [doc["name"], doc["redemption_type"], doc["status"], doc["currency_code"], doc["start_date"]]


def _check_name(request: Request, name: str, own_id: int | None) -> None:
    if not sandbox_of(request).config.unique_promotion_names:
        return
    db = sandbox_of(request).db
    clash = db.scalar("SELECT id FROM promotions WHERE name = ? AND id IS NOT ?", [name, own_id])
    if clash is not None:
        raise errors.unprocessable(f"name: a promotion named {name!r} already exists (id {clash})")


def _row(db: StoreDb, promotion_id: Any) -> sqlite3.Row:
    try:
        key = int(promotion_id)
    except (TypeError, ValueError):
        raise errors.promotion_not_found() from None
    row = db.query_one("SELECT * FROM promotions WHERE id = ?", [key]) if inputs.fits_int64(key) else None
    if row is None:
        raise errors.promotion_not_found()
    return row


def _filters(request: Request) -> tuple[list[str], list[Any]]:
    q = request.query_params
    clauses: list[str] = []
    params: list[Any] = []
    for name, column in (("name", "name"), ("currency_code", "currency_code"), ("status", "status")):
        if q.get(name):
            clauses.append(f"{column} = ?")
            params.append(q[name])
    if q.get("id"):
        clauses.append("id = ?")
        params.append(_int_query("id", q["id"]))
    if q.get("redemption_type"):
        if q["redemption_type"] not in ("automatic", "coupon"):
            raise errors.unprocessable("redemption_type: must be one of automatic, coupon")
        clauses.append("redemption_type = ?")
        params.append(q["redemption_type"].upper())
    if q.get("code"):
        clauses.append("id IN (SELECT promotion_id FROM promotion_codes WHERE code_key = ?)")
        params.append(q["code"].casefold())
    if q.get("query"):
        clauses.append(
            "(name LIKE ? OR id IN (SELECT promotion_id FROM promotion_codes WHERE code_key LIKE ?))"
        )
        params += [f"%{q['query']}%", f"%{q['query'].casefold()}%"]
    channels = comma_list(request, "channels")
    if channels:
        ids = [_int_query("channels", c) for c in channels]
        marks = ",".join("?" * len(ids))
        clauses.append(
            "(json_array_length(json_extract(doc, '$.channels')) = 0 OR EXISTS (SELECT 1 FROM "
            f"json_each(json_extract(doc, '$.channels')) WHERE json_extract(value, '$.id') IN ({marks})))"
        )
        params += ids
    return clauses, params


def _int_query(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise errors.unprocessable(f"{name}: must be an integer") from None
    if not inputs.fits_int64(value):
        raise errors.unprocessable(f"{name}: must be an integer")
    return value


def _order(request: Request) -> str:
    sort = request.query_params.get("sort") or "id"
    direction = (request.query_params.get("direction") or "asc").lower()
    if sort not in _SORTS or direction not in ("asc", "desc"):
        raise errors.unprocessable(
            "sort/direction: sort must be id, name, priority or start_date; direction asc or desc"
        )
    return f"{_SORTS[sort]} {direction.upper()}, id ASC"


ROUTES = [
    route("/v3/promotions", get=list_promotions, post=create_promotion, delete=delete_promotions),
    route(
        "/v3/promotions/{id:id64}",
        get=get_promotion,
        put=update_promotion,
        delete=delete_promotion,
    ),
]

RESOURCE = Resource(name="promotions", schema=SCHEMA, routes=ROUTES)
