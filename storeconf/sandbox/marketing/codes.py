"""Coupon codes: `/v3/promotions/{promotion_id}/codes[/{code_id}]`, `/codegen`, and the
store-wide `/v3/promotions/codes?code=` (§16.1, §16.4).

Codes are immutable (no read or update of one code). A code is unique store-wide,
compared case-insensitively (the `code_key` column). The code list pages by cursor
(`before`/`after`, base64 of `{"id": "<id>"}`) or, deprecated, by `page`; its meta holds
`cursor_pagination`, `pagination` or, with neither asked for, both.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sqlite3
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import no_content, ok, pagination, route, sandbox_of
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.marketing import errors
from storeconf.sandbox.marketing.promotions import id_list, page_param, promotion_row, read_body

CODE = re.compile(r"^[A-Za-z0-9 _-]{1,50}$")
AFFIX = re.compile(r"^[A-Z0-9_-]{1,20}$")
MAX_BULK_DELETE = 250
MAX_CODE_LENGTH = 50
MAX_USES = 100_000
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


async def list_codes(request: Request) -> Response:
    db = sandbox_of(request).db
    promotion = promotion_row(db, request.path_params["promotion_id"])
    q = request.query_params
    if (q.get("before") and q.get("after")) or (q.get("page") and (q.get("before") or q.get("after"))):
        raise errors.unprocessable("page, before and after cannot be combined")
    page = page_param(request)
    where, params = "promotion_id = ?", [promotion["id"]]
    if q.get("code"):
        where, params = where + " AND code_key = ?", [*params, q["code"].casefold()]
    total = int(db.scalar(f"SELECT COUNT(*) FROM promotion_codes WHERE {where}", params))
    cursor = _cursor(q.get("before") or q.get("after"))
    if cursor is not None:
        forward = bool(q.get("after"))
        op, order = (">", "ASC") if forward else ("<", "DESC")
        rows = db.query(
            f"SELECT * FROM promotion_codes WHERE {where} AND id {op} ? ORDER BY id {order} LIMIT ?",
            [*params, cursor, page.limit],
        )
        rows = rows if forward else rows[::-1]
    else:
        rows = db.query(
            f"SELECT * FROM promotion_codes WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        )
    data = [to_api(row) for row in rows]
    meta: dict[str, Any] = {}
    if not q.get("page"):
        meta["cursor_pagination"] = _cursor_meta(request, rows, page.limit, total)
    if cursor is None:
        meta["pagination"] = pagination(request, page, total, len(data))
    return ok({"data": data, "meta": meta})


async def create_code(request: Request) -> Response:
    db = sandbox_of(request).db
    promotion = promotion_row(db, request.path_params["promotion_id"])
    body = await read_body(request)
    problems = _code_problems(body)
    if load_doc(promotion["doc"])["redemption_type"] != "COUPON":
        problems.append("code: only COUPON promotions have codes")
    if problems:
        raise errors.unprocessable(*problems)
    doc = {
        "code": body["code"],
        "current_uses": 0,
        "max_uses": body.get("max_uses", 0),
        "max_uses_per_customer": body.get("max_uses_per_customer", 0),
        "created": sandbox_of(request).iso_now(),
    }
    with db.tx():
        code_id = _insert(db, promotion["id"], doc)
    return JSONResponse({"data": to_api(_code_row(db, code_id)), "meta": {}}, 201)


async def delete_codes(request: Request) -> Response:
    db = sandbox_of(request).db
    promotion = promotion_row(db, request.path_params["promotion_id"])
    ids = id_list(request, MAX_BULK_DELETE)
    with db.tx():
        marks = ",".join("?" * len(ids))
        db.execute(
            f"DELETE FROM promotion_codes WHERE promotion_id = ? AND id IN ({marks})", [promotion["id"], *ids]
        )
    return no_content()


async def delete_code(request: Request) -> Response:
    db = sandbox_of(request).db
    with db.tx():
        db.execute(
            "DELETE FROM promotion_codes WHERE promotion_id = ? AND id = ?",
            [request.path_params["promotion_id"], request.path_params["code_id"]],
        )
    return no_content()


async def generate_codes(request: Request) -> Response:
    db = sandbox_of(request).db
    promotion = promotion_row(db, request.path_params["promotion_id"])
    doc = load_doc(promotion["doc"])
    if doc["redemption_type"] != "COUPON" or doc.get("coupon_type") != "BULK":
        raise errors.not_allowed(
            "Bulk code generation is only supported for promotions with redemption_type of "
            "'COUPON' and coupon_type of 'BULK'."
        )
    body = await read_body(request)
    problems = _codegen_problems(body)
    if problems:
        raise errors.unprocessable(*problems)
    now = sandbox_of(request).iso_now()
    limits = {k: body.get(k, 1) for k in ("max_uses", "max_uses_per_customer")}
    made = []
    with db.tx():
        for _ in range(body["batch_size"]):
            code = _unique_code(db, body)
            _insert(db, promotion["id"], {"code": code, "current_uses": 0, **limits, "created": now})
            made.append({"code": code})
    data = {"created": now, **limits, "batch_size": body["batch_size"], "codes": made}
    return JSONResponse({"data": data, "meta": {}}, 201)


async def find_code(request: Request) -> Response:
    code = _required_code(request)
    db = sandbox_of(request).db
    rows = db.query("SELECT * FROM promotion_codes WHERE code_key = ?", [code.casefold()])
    data = [to_api(row) for row in rows]
    meta = {
        "pagination": {
            "total": len(data),
            "count": len(data),
            "per_page": 50,
            "current_page": 1,
            "total_pages": 1,
            "links": {"current": "?page=1&limit=50"},
        }
    }
    return ok({"data": data, "meta": meta})


async def delete_code_by_code(request: Request) -> Response:
    code = _required_code(request)
    db = sandbox_of(request).db
    with db.tx():
        db.execute("DELETE FROM promotion_codes WHERE code_key = ?", [code.casefold()])
    return no_content()


def to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    keys = ("code", "current_uses", "max_uses", "max_uses_per_customer", "created")
    return {"id": row["id"], **{k: doc[k] for k in keys}}


def _insert(db: StoreDb, promotion_id: int, doc: dict[str, Any]) -> int:
    try:
        cursor = db.execute(
            "INSERT INTO promotion_codes (promotion_id, code, code_key, doc) VALUES (?, ?, ?, ?)",
            [promotion_id, doc["code"], doc["code"].casefold(), dump_doc(doc)],
        )
    except sqlite3.IntegrityError:
        raise errors.unprocessable(f"code: {doc['code']!r} is already in use in this store") from None
    return int(cursor.lastrowid or 0)


def _code_row(db: StoreDb, code_id: int) -> sqlite3.Row:
    row = db.query_one("SELECT * FROM promotion_codes WHERE id = ?", [code_id])
    assert row is not None  # just inserted in this request
    return row


def _code_problems(body: dict[str, Any]) -> list[str]:
    code = body.get("code")
    out = (
        []
        if isinstance(code, str) and CODE.match(code)
        else ["code: 1 to 50 letters, digits, spaces, underscores or hyphens are required"]
    )
    for name in ("max_uses", "max_uses_per_customer"):
        value = body.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_USES:
            out.append(f"{name}: must be an integer from 0 to {MAX_USES}")
    return out


def _codegen_problems(body: dict[str, Any]) -> list[str]:
    out = []
    for name, low, high, default in (
        ("batch_size", 1, 250, None),
        ("max_uses", 0, MAX_USES, 1),
        ("max_uses_per_customer", 0, MAX_USES, 1),
        ("code_length", 6, 16, 16),
    ):
        value = body.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            out.append(f"{name}: must be an integer from {low} to {high}")
    for name in ("prefix", "suffix"):
        if name in body and not (isinstance(body[name], str) and AFFIX.match(body[name])):
            out.append(f"{name}: 1 to 20 of A-Z, 0-9, _ and -")
    if body.get("delimiter", "-") not in ("-", "_"):
        out.append("delimiter: must be - or _")
    excluded = body.get("exclude_characters", [])
    if not isinstance(excluded, list) or not all(
        isinstance(c, str) and len(c) == 1 and c in ALPHABET for c in excluded
    ):
        out.append("exclude_characters: single characters of A-Z and 0-9")
    elif not set(ALPHABET) - set(excluded):
        out.append("exclude_characters: leaves nothing to generate codes from")
    if not out and _length(body) > MAX_CODE_LENGTH:
        out.append(f"code_length: the whole code would be longer than {MAX_CODE_LENGTH} characters")
    return out


def _length(body: dict[str, Any]) -> int:
    affixes = [body[n] for n in ("prefix", "suffix") if body.get(n)]
    delimiter = 1 if body.get("delimiter") else 0
    return int(body.get("code_length", 16)) + sum(len(a) + delimiter for a in affixes)


def _unique_code(db: StoreDb, body: dict[str, Any]) -> str:
    alphabet = [c for c in ALPHABET if c not in body.get("exclude_characters", [])]
    delimiter = body.get("delimiter", "") if (body.get("prefix") or body.get("suffix")) else ""
    while True:
        middle = "".join(secrets.choice(alphabet) for _ in range(int(body.get("code_length", 16))))
        parts = [p for p in (body.get("prefix"), middle, body.get("suffix")) if p]
        code = str(delimiter).join(parts)
        if db.scalar("SELECT 1 FROM promotion_codes WHERE code_key = ?", [code.casefold()]) is None:
            return code


def _required_code(request: Request) -> str:
    code = request.query_params.get("code")
    if not code:
        raise errors.unprocessable("code: the code query parameter is required")
    return code


def _cursor(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(json.loads(base64.b64decode(raw, validate=True))["id"])
    except (ValueError, KeyError, TypeError):
        raise errors.unprocessable("before/after: not a cursor this API returned") from None


def _encode(code_id: int) -> str:
    return base64.b64encode(json.dumps({"id": str(code_id)}).encode()).decode()


def _cursor_meta(request: Request, rows: list[sqlite3.Row], limit: int, total: int) -> dict[str, Any]:
    meta: dict[str, Any] = {"count": len(rows), "per_page": limit, "links": {}}
    if rows:
        first, last = rows[0]["id"], rows[-1]["id"]
        meta |= {"start_cursor": _encode(first), "end_cursor": _encode(last)}
        keep = [(k, v) for k, v in request.query_params.multi_items() if k not in ("before", "after", "page")]
        db = sandbox_of(request).db
        promotion_id = rows[0]["promotion_id"]
        if db.scalar("SELECT 1 FROM promotion_codes WHERE promotion_id = ? AND id > ?", [promotion_id, last]):
            meta["links"]["next"] = "?" + urlencode([*keep, ("after", _encode(last))])
        if db.scalar(
            "SELECT 1 FROM promotion_codes WHERE promotion_id = ? AND id < ?", [promotion_id, first]
        ):
            meta["links"]["previous"] = "?" + urlencode([*keep, ("before", _encode(first))])
    return meta


ROUTES = [
    route("/v3/promotions/codes", get=find_code, delete=delete_code_by_code),
    route("/v3/promotions/{promotion_id:id64}/codes", get=list_codes, post=create_code, delete=delete_codes),
    route("/v3/promotions/{promotion_id:id64}/codes/{code_id:id64}", delete=delete_code),
    route("/v3/promotions/{promotion_id:id64}/codegen", post=generate_codes),
]

RESOURCE = Resource(name="promotion_codes", schema="", routes=ROUTES)
