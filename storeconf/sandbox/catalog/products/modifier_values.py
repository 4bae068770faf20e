"""Modifier values: `/v3/catalog/products/{product_id}/modifiers/{modifier_id}/values[/{value_id}]`,
and the value rules `modifiers.py` applies to the `option_values` of a modifier body.

- a checkbox modifier has exactly the `Yes`/`No` values the server creates for it
  (`value_data.checked_value` true/false); one of them is always the default, and
  `config.checked_by_default` follows it;
- `date`, `file` and the text types take no values; a modifier has at most 250;
- labels are unique per modifier (any case), one value at most is the default (not
  supported for swatches);
- swatch values need colors or an image, product-list values an existing product.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.catalog.products.modifier_config import FREE_TYPES, PRODUCT_LIST
from storeconf.sandbox.catalog.products.part_kit import int32_error, is_number, part_of, product_exists
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import (
    collection,
    invalid,
    no_content,
    not_found,
    page_of,
    read_object,
    route,
    select_fields,
    single,
)
from storeconf.sandbox.core.query import Where, fetch_page
from storeconf.sandbox.core.validate import MISSING, Field, check, int_range_error

MODIFIERS = "product_modifiers"
VALUES = "product_modifier_values"
ORDER = "sort_order, id"
MAX_VALUES = 250

_HEX = re.compile(r"^#(?:[0-9A-Fa-f]{3}){1,2}$")
_VALUE_FIELDS = (
    Field("label", "string", min_length=1, max_length=255),
    Field("is_default", "boolean"),
    Field("value_data", "object", nullable=True),
    Field("adjusters", "object"),
)
VALUE_INVALID = (
    "The modifier value was not valid. This is the result of missing required fields, or of invalid data."
)
CHECKBOX_VALUES = "A checkbox modifier has exactly the Yes and No values the server creates for it."


# --- reading ---------------------------------------------------------------------------


def value_to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "option_id": row["modifier_id"],
        "label": row["label"],
        "sort_order": row["sort_order"],
        "value_data": doc["value_data"],
        "is_default": bool(row["is_default"]),
        "adjusters": doc["adjusters"],
    }


def values_of(db: StoreDb, modifier_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    result: dict[int, list[dict[str, Any]]] = {mid: [] for mid in modifier_ids}
    if modifier_ids:
        marks = ",".join("?" * len(modifier_ids))
        sql = f"SELECT * FROM {VALUES} WHERE modifier_id IN ({marks}) ORDER BY modifier_id, {ORDER}"
        for row in db.query(sql, list(modifier_ids)):
            result[row["modifier_id"]].append(value_to_api(row))
    return result


def _value_row(db: StoreDb, modifier_id: int, value_id: int) -> sqlite3.Row:
    row = db.query_one(f"SELECT * FROM {VALUES} WHERE id = ? AND modifier_id = ?", [value_id, modifier_id])
    if row is None:
        raise not_found()
    return row


# --- validation ------------------------------------------------------------------------


def _check_adjusters(raw: Any, errors: dict[str, str], prefix: str) -> None:
    for key in ("price", "weight"):
        adjuster = raw.get(key)
        where = f"{prefix}.{key}"
        if adjuster is None:
            continue
        if not isinstance(adjuster, dict):
            errors[where] = "error.expected.jsobject"
        elif adjuster.get("adjuster") not in (None, "relative", "percentage"):
            errors[f"{where}.adjuster"] = "must be one of: relative, percentage, null"
        elif "adjuster_value" in adjuster and not is_number(adjuster["adjuster_value"]):
            errors[f"{where}.adjuster_value"] = "error.expected.jsnumber"
    if "image_url" in raw and not isinstance(raw["image_url"], str):
        errors[f"{prefix}.image_url"] = "error.expected.jsstring"
    disabled = raw.get("purchasing_disabled")
    if disabled is not None:
        if not isinstance(disabled, dict):
            errors[f"{prefix}.purchasing_disabled"] = "error.expected.jsobject"
        elif not isinstance(disabled.get("status", False), bool):
            errors[f"{prefix}.purchasing_disabled.status"] = "error.expected.jsboolean"
        elif not isinstance(disabled.get("message", ""), str):
            errors[f"{prefix}.purchasing_disabled.message"] = "error.expected.jsstring"


def _check_value_data(db: StoreDb, kind: str, data: Any, errors: dict[str, str]) -> None:
    where = "value_data"
    if kind == "swatch":
        colors = (data or {}).get("colors")
        image = (data or {}).get("image_url")
        if colors is None and not isinstance(image, str):
            errors[where] = "a swatch value needs colors (up to 3 hex codes) or an image_url"
        elif colors is not None and (
            not isinstance(colors, list)
            or not 1 <= len(colors) <= 3
            or not all(isinstance(c, str) and _HEX.match(c) for c in colors)
        ):
            errors[f"{where}.colors"] = "must be 1 to 3 hex colors such as #0000FF"
    elif kind in PRODUCT_LIST:
        product: Any = (data or {}).get("product_id")
        problem = MISSING if product is None else int_range_error(product)
        if problem is not None:
            errors[f"{where}.product_id"] = problem
        elif not product_exists(db, product):
            errors[f"{where}.product_id"] = f"product {product} does not exist"


def value_errors(
    db: StoreDb, kind: str, body: Any, *, creating: bool, prefix: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """The writable fields of one value and its problems, keyed `{prefix}field`."""
    if not isinstance(body, dict):
        return {}, {prefix.rstrip(".") or "body": "error.expected.jsobject"}
    raw = check(body, _VALUE_FIELDS, required=("label", "sort_order") if creating else ())
    if "sort_order" in body and (problem := int32_error(body["sort_order"])):
        raw["sort_order"] = problem
    if isinstance(body.get("adjusters"), dict):
        _check_adjusters(body["adjusters"], raw, "adjusters")
    if "value_data" not in raw and (creating or "value_data" in body) and kind != "checkbox":
        _check_value_data(db, kind, body.get("value_data"), raw)
    fields = {
        k: body[k] for k in ("label", "sort_order", "is_default", "value_data", "adjusters") if k in body
    }
    return fields, {f"{prefix}{key}": message for key, message in raw.items()}


def _value_doc(fields: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """The stored `value_data` and `adjusters`, defaults filled as the spec's examples show."""
    adjusters = dict(current["adjusters"]) if current else _default_adjusters()
    for key, given in (fields.get("adjusters") or {}).items():
        if key in ("price", "weight"):
            adjusters[key] = _adjuster(given)
        elif key == "image_url":
            adjusters[key] = given
        elif key == "purchasing_disabled" and isinstance(given, dict):
            adjusters[key] = {**adjusters["purchasing_disabled"], **given}
    value_data = fields["value_data"] if "value_data" in fields else (current or {}).get("value_data")
    return {"value_data": value_data or {}, "adjusters": adjusters}


def _default_adjusters() -> dict[str, Any]:
    return {
        "price": {},
        "weight": {},
        "image_url": "",
        "purchasing_disabled": {"status": False, "message": ""},
    }


def _adjuster(given: Any) -> dict[str, Any]:
    if not given or (given.get("adjuster") is None and not given.get("adjuster_value")):
        return {}
    return {"adjuster": given.get("adjuster"), "adjuster_value": given.get("adjuster_value", 0)}


# --- writing ---------------------------------------------------------------------------


def insert_value(db: StoreDb, product_id: int, modifier_id: int, fields: dict[str, Any]) -> int:
    kind = _kind(db, modifier_id)
    is_default = bool(fields.get("is_default", False)) and kind != "swatch"  # not supported for swatch
    if is_default:
        db.execute(f"UPDATE {VALUES} SET is_default = 0 WHERE modifier_id = ?", [modifier_id])
    cursor = db.execute(
        f"INSERT INTO {VALUES} (modifier_id, product_id, label, sort_order, is_default, doc) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            modifier_id,
            product_id,
            fields["label"],
            fields["sort_order"],
            int(is_default),
            dump_doc(_value_doc(fields, None)),
        ],
    )
    return int(cursor.lastrowid or 0)


def update_value_row(db: StoreDb, modifier_id: int, value_id: int, fields: dict[str, Any]) -> None:
    row = _value_row(db, modifier_id, value_id)
    current = value_to_api(row)
    kind = _kind(db, modifier_id)
    if kind == "checkbox":
        fields = {k: v for k, v in fields.items() if k != "value_data"}  # checked_value is fixed
    doc = _value_doc(fields, current)
    db.execute(
        f"UPDATE {VALUES} SET label = ?, sort_order = ?, doc = ? WHERE id = ?",
        [
            fields.get("label", row["label"]),
            fields.get("sort_order", row["sort_order"]),
            dump_doc(doc),
            value_id,
        ],
    )
    if "is_default" not in fields:
        return
    wanted = bool(fields["is_default"])
    if kind == "checkbox":
        # One of Yes/No is always the default; config.checked_by_default follows it.
        checked = wanted == bool((current["value_data"] or {}).get("checked_value"))
        set_checked_by_default(db, modifier_id, checked)
    elif kind != "swatch":
        if wanted:
            db.execute(f"UPDATE {VALUES} SET is_default = 0 WHERE modifier_id = ?", [modifier_id])
        db.execute(f"UPDATE {VALUES} SET is_default = ? WHERE id = ?", [int(wanted), value_id])


def set_checked_by_default(db: StoreDb, modifier_id: int, checked: bool) -> None:
    row = db.query_one(f"SELECT doc FROM {MODIFIERS} WHERE id = ?", [modifier_id])
    assert row is not None
    doc = load_doc(row["doc"])
    doc["config"]["checked_by_default"] = checked
    db.execute(f"UPDATE {MODIFIERS} SET doc = ? WHERE id = ?", [dump_doc(doc), modifier_id])
    db.execute(
        f"UPDATE {VALUES} SET is_default = (json_extract(doc, '$.value_data.checked_value') = ?) "
        "WHERE modifier_id = ?",
        [int(checked), modifier_id],
    )


def _kind(db: StoreDb, modifier_id: int) -> str:
    kind: str = db.scalar(f"SELECT json_extract(doc, '$.type') FROM {MODIFIERS} WHERE id = ?", [modifier_id])
    return kind


def unique_label_of(db: StoreDb, modifier_id: int, value: dict[str, Any]) -> None:
    if "label" in value:
        _unique_label(db, modifier_id, value["label"], value.get("id"))


def _unique_label(db: StoreDb, modifier_id: int, label: str, own_id: int | None) -> None:
    row = db.query_one(
        f"SELECT id FROM {VALUES} WHERE modifier_id = ? AND label = ? AND id IS NOT ?",
        [modifier_id, label, own_id],
    )
    if row is not None:
        message = f"'{label}' is used by value {row['id']} of this modifier"
        raise invalid({"label": message}, VALUE_INVALID)


# --- handlers --------------------------------------------------------------------------


def _parent(request: Request) -> tuple[StoreDb, int, int, str]:
    """Database, product id, modifier id and type; 404 when either parent is unknown."""
    db, row = part_of(request, MODIFIERS, "modifier_id")
    return db, row["product_id"], row["id"], str(load_doc(row["doc"])["type"])


async def list_values(request: Request) -> Response:
    db, _, modifier_id, _ = _parent(request)
    page = page_of(request)
    rows, total = fetch_page(db, VALUES, Where(["modifier_id = ?"], [modifier_id]), ORDER, page)
    items = [select_fields(request, value_to_api(row), "id") for row in rows]
    return collection(request, items, total, page)


async def get_value(request: Request) -> Response:
    db, _, modifier_id, _ = _parent(request)
    row = _value_row(db, modifier_id, request.path_params["value_id"])
    return single(select_fields(request, value_to_api(row), "id"))


async def create_value(request: Request) -> Response:
    db, product_id, modifier_id, kind = _parent(request)
    body = await read_object(request)
    if kind == "checkbox":
        raise invalid({"option_values": CHECKBOX_VALUES}, VALUE_INVALID)
    if kind in FREE_TYPES:
        raise invalid({"option_values": f"are not used by {kind} modifiers"}, VALUE_INVALID)
    fields, errors = value_errors(db, kind, body, creating=True)
    if errors:
        raise invalid(errors, VALUE_INVALID)
    with db.tx():
        count = int(db.scalar(f"SELECT COUNT(*) FROM {VALUES} WHERE modifier_id = ?", [modifier_id]))
        if count >= MAX_VALUES:
            raise invalid(
                {"option_values": f"a modifier can have at most {MAX_VALUES} values"}, VALUE_INVALID
            )
        _unique_label(db, modifier_id, fields["label"], None)
        value_id = insert_value(db, product_id, modifier_id, fields)
    return single(value_to_api(_value_row(db, modifier_id, value_id)))


async def update_value(request: Request) -> Response:
    db, _product_id, modifier_id, kind = _parent(request)
    value_id: int = request.path_params["value_id"]
    _value_row(db, modifier_id, value_id)
    fields, errors = value_errors(db, kind, await read_object(request), creating=False)
    if errors:
        raise invalid(errors, VALUE_INVALID)
    with db.tx():
        if "label" in fields:
            _unique_label(db, modifier_id, fields["label"], value_id)
        update_value_row(db, modifier_id, value_id, fields)
    return single(value_to_api(_value_row(db, modifier_id, value_id)))


async def delete_value(request: Request) -> Response:
    db, _product_id, modifier_id, kind = _parent(request)
    value_id: int = request.path_params["value_id"]
    _value_row(db, modifier_id, value_id)
    if kind == "checkbox":
        raise invalid({"option_values": CHECKBOX_VALUES}, VALUE_INVALID)
    with db.tx():
        db.execute(f"DELETE FROM {VALUES} WHERE id = ?", [value_id])
    return no_content()


_PATH = "/v3/catalog/products/{product_id:id64}/modifiers/{modifier_id:id64}/values"
ROUTES = [
    route(_PATH, get=list_values, post=create_value),
    route(_PATH + "/{value_id:id64}", get=get_value, put=update_value, delete=delete_value),
]
