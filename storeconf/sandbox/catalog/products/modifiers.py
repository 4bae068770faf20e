"""Product modifiers: `/v3/catalog/products/{product_id}/modifiers[/{modifier_id}]` and
their values `…/modifiers/{modifier_id}/values[/{value_id}]`.

Rules beyond the schema (spec prose and BIGCOMMERCE_API.md §6):
- `checkbox` is created without `option_values`; the server adds `Yes`/`No`
  (`value_data.checked_value` true/false), and `config.checked_by_default` picks which of
  the two is the default.
- multiple-choice types need at least one value; `date`, `file` and the text types take none.
- `name` is generated from the display name, the creation time and the product id; the
  display name is unique per product (409).

The `config` rules are in `modifier_config.py`, the values and their routes in
`modifier_values.py`.

For `products.py`: `embed`, `create_embedded` and `delete_for_product` below.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from storeconf.sandbox.catalog.products import modifier_values
from storeconf.sandbox.catalog.products.modifier_config import (
    ALL_CONFIG_KEYS,
    CHOICE_TYPES,
    CONFIG_DEFAULTS,
    FREE_TYPES,
    TYPES,
    check_config,
)
from storeconf.sandbox.catalog.products.modifier_values import (
    MAX_VALUES,
    MODIFIERS,
    ORDER,
    VALUES,
    insert_value,
    set_checked_by_default,
    unique_label_of,
    update_value_row,
    value_errors,
    values_of,
)
from storeconf.sandbox.catalog.products.part_kit import (
    Ctx,
    create_items,
    create_part,
    get_part,
    get_row,
    grouped_rows,
    int32_error,
    list_part,
    part_of,
    rekey,
)
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import ApiError, invalid, no_content, read_object, route, single
from storeconf.sandbox.core.resource import Resource
from storeconf.sandbox.core.validate import Field, check, int_range_error

if TYPE_CHECKING:
    from storeconf.sandbox.core.control import Sandbox

SCHEMA = """
CREATE TABLE IF NOT EXISTS product_modifiers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL,
    display_name TEXT NOT NULL COLLATE NOCASE,
    sort_order INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (product_id, display_name)
);
CREATE TABLE IF NOT EXISTS product_modifier_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    modifier_id INTEGER NOT NULL REFERENCES product_modifiers (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL,
    label TEXT NOT NULL COLLATE NOCASE,
    sort_order INTEGER NOT NULL,
    is_default INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (modifier_id, label)
);
CREATE INDEX IF NOT EXISTS product_modifier_values_product ON product_modifier_values (product_id);
"""

_MODIFIER_FIELDS = (
    Field("display_name", "string", min_length=1, max_length=255),
    Field("type", "string", enum=TYPES),
    Field("required", "boolean"),
    Field("config", "object"),
)
MODIFIER_INVALID = (
    "The modifier was not valid. This is the result of missing required fields, or of invalid data."
)
CONFLICT = (
    "The modifier was in conflict with another modifier or option. "
    "This is the result of duplicate unique fields, such as name."
)


# --- reading ---------------------------------------------------------------------------


def _modifier_to_api(row: sqlite3.Row, values: list[dict[str, Any]]) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "product_id": row["product_id"],
        "name": doc["name"],
        "display_name": row["display_name"],
        "type": doc["type"],
        "required": doc["required"],
        "sort_order": row["sort_order"],
        "config": {**CONFIG_DEFAULTS.get(doc["type"], {}), **doc["config"]},
        "option_values": values,
    }


def _modifiers_api(db: StoreDb, rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
    values = values_of(db, [row["id"] for row in rows])
    return [_modifier_to_api(row, values[row["id"]]) for row in rows]


def _modifier_api(db: StoreDb, product_id: int, modifier_id: int) -> dict[str, Any]:
    return _modifiers_api(db, [get_row(db, MODIFIERS, product_id, modifier_id)])[0]


# --- the contract with products.py -------------------------------------------------------


def embed(db: StoreDb, product_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Modifiers (with their values) per product for `include=modifiers`; every id present."""
    grouped = grouped_rows(db, MODIFIERS, product_ids, ORDER)
    values = values_of(db, [row["id"] for rows in grouped.values() for row in rows])
    return {pid: [_modifier_to_api(row, values[row["id"]]) for row in rows] for pid, rows in grouped.items()}


def create_embedded(
    db: StoreDb, product_id: int, items: list[Any], *, sandbox: Sandbox | None = None
) -> list[dict[str, Any]]:
    """Validate and create the modifiers of a product body; all or none (422/409 on error)."""
    ctx = Ctx.of(sandbox)
    return create_items(db, "modifiers", items, lambda _i, item: _create_modifier(db, product_id, item, ctx))


def delete_for_product(db: StoreDb, product_id: int) -> None:
    with db.tx():
        db.execute(f"DELETE FROM {VALUES} WHERE product_id = ?", [product_id])
        db.execute(f"DELETE FROM {MODIFIERS} WHERE product_id = ?", [product_id])


# --- validation and writing ------------------------------------------------------------


def _name(display_name: str, ctx: Ctx, product_id: int) -> str:
    # Like "Add-a-$5-Donation1535039590-191": display name, creation time, product id.
    return re.sub(r"\s+", "-", display_name.strip()) + f"{ctx.epoch_now}-{product_id}"


def _unique_display_name(db: StoreDb, product_id: int, display_name: str, own_id: int | None) -> None:
    row = db.query_one(
        f"SELECT id FROM {MODIFIERS} WHERE product_id = ? AND display_name = ? AND id IS NOT ?",
        [product_id, display_name, own_id],
    )
    if row is not None:
        message = f"The product already has a modifier named '{display_name}' (id {row['id']})."
        raise ApiError.of(409, CONFLICT, errors={"display_name": message})


def _check_modifier(db: StoreDb, body: Any, current: dict[str, Any] | None) -> dict[str, Any]:
    """The modifier fields of a POST (current None) or PUT body, or the 422."""
    if not isinstance(body, dict):
        raise invalid({"body": "error.expected.jsobject"}, MODIFIER_INVALID)
    required = ("required", "display_name", "type") if current is None else ("required", "type")
    errors = check(body, _MODIFIER_FIELDS, required=required)
    if "sort_order" in body and (problem := int32_error(body["sort_order"])):
        errors["sort_order"] = problem
    values = body.get("option_values", [])
    if not isinstance(values, list):
        errors["option_values"] = "error.expected.jsarray"
        values = []
    if errors:
        raise invalid(errors, MODIFIER_INVALID)
    kind: str = body["type"]
    if current is not None and kind != current["type"]:
        message = (
            f"cannot be changed from {current['type']} to {kind}; delete the modifier and create another"
        )
        raise invalid({"type": message}, MODIFIER_INVALID)
    merged = {**(current or {}).get("config", {}), **body.get("config", {})}
    config = {key: setting for key, setting in merged.items() if key in ALL_CONFIG_KEYS}
    check_config(kind, config, errors)
    _check_option_values(db, kind, values, current, errors)
    if errors:
        raise invalid(errors, MODIFIER_INVALID)
    fields = {k: body[k] for k in ("display_name", "required", "sort_order") if k in body}
    return {**fields, "type": kind, "config": config, "option_values": values}


def _check_option_values(
    db: StoreDb, kind: str, values: list[Any], current: dict[str, Any] | None, errors: dict[str, str]
) -> None:
    new = [v for v in values if not (isinstance(v, dict) and "id" in v)]
    known = {value["id"] for value in (current or {}).get("option_values", [])}
    if kind == "checkbox" and new:
        errors["option_values"] = (
            "must be left out for a checkbox modifier: the server creates its Yes and No values"
        )
    elif kind in FREE_TYPES and new:
        errors["option_values"] = f"are not used by {kind} modifiers"
    elif kind in CHOICE_TYPES and current is None and not values:
        errors["option_values"] = f"a {kind} modifier needs at least one option value"
    elif len(new) + len(known) > MAX_VALUES:
        errors["option_values"] = f"a modifier can have at most {MAX_VALUES} values"
    if "option_values" in errors:
        return
    labels: set[str] = set()
    defaults = 0
    for index, value in enumerate(values):
        prefix = f"option_values[{index}]."
        creating = not (isinstance(value, dict) and "id" in value)
        if not creating and (problem := int_range_error(value["id"])):
            errors[f"{prefix}id"] = problem
            continue
        if not creating and value["id"] not in known:
            errors[f"{prefix}id"] = f"value {value['id']} does not belong to this modifier"
            continue
        _fields, problems = value_errors(db, kind, value, creating=creating, prefix=prefix)
        errors.update(problems)
        label = value.get("label") if isinstance(value, dict) else None
        if isinstance(label, str):
            if label.lower() in labels:
                errors[f"{prefix}label"] = f"'{label}' is used by another value of this modifier"
            labels.add(label.lower())
        defaults += bool(isinstance(value, dict) and value.get("is_default") is True)
    if defaults > 1:
        errors["option_values"] = "only one value can be the default"


def _create_modifier(db: StoreDb, product_id: int, body: Any, ctx: Ctx) -> dict[str, Any]:
    fields = _check_modifier(db, body, None)
    _unique_display_name(db, product_id, fields["display_name"], None)
    doc = {
        "name": _name(fields["display_name"], ctx, product_id),
        "type": fields["type"],
        "required": fields["required"],
        "config": fields["config"],
    }
    cursor = db.execute(
        f"INSERT INTO {MODIFIERS} (product_id, display_name, sort_order, doc) VALUES (?, ?, ?, ?)",
        [product_id, fields["display_name"], fields.get("sort_order", 0), dump_doc(doc)],
    )
    modifier_id = int(cursor.lastrowid or 0)
    if fields["type"] == "checkbox":
        checked = bool(fields["config"].get("checked_by_default", False))
        for sort_order, (label, value) in enumerate((("Yes", True), ("No", False))):
            item = {"label": label, "sort_order": sort_order, "value_data": {"checked_value": value}}
            insert_value(db, product_id, modifier_id, {**item, "is_default": value == checked})
    for value in fields["option_values"]:
        insert_value(db, product_id, modifier_id, value)
    return _modifier_api(db, product_id, modifier_id)


# --- modifier handlers -------------------------------------------------------------------


async def list_modifiers(request: Request) -> Response:
    return await list_part(request, MODIFIERS, ORDER, _modifiers_api)


async def get_modifier(request: Request) -> Response:
    return await get_part(request, MODIFIERS, "modifier_id", _modifiers_api)


async def create_modifier(request: Request) -> Response:
    return await create_part(request, _create_modifier)


async def update_modifier(request: Request) -> Response:
    db, row = part_of(request, MODIFIERS, "modifier_id")
    product_id, modifier_id = row["product_id"], row["id"]
    current = _modifiers_api(db, [row])[0]
    fields = _check_modifier(db, await read_object(request), current)
    with db.tx():
        display_name = fields.get("display_name", current["display_name"])
        _unique_display_name(db, product_id, display_name, modifier_id)
        doc = {"name": current["name"], "type": current["type"], "required": fields["required"]}
        doc["config"] = fields["config"]
        db.execute(
            f"UPDATE {MODIFIERS} SET display_name = ?, sort_order = ?, doc = ? WHERE id = ?",
            [display_name, fields.get("sort_order", current["sort_order"]), dump_doc(doc), modifier_id],
        )
        if current["type"] == "checkbox" and "checked_by_default" in fields["config"]:
            set_checked_by_default(db, modifier_id, bool(fields["config"]["checked_by_default"]))
        for index, value in enumerate(fields["option_values"]):
            try:
                unique_label_of(db, modifier_id, value)
                if "id" in value:
                    update_value_row(db, modifier_id, value["id"], value)
                else:
                    insert_value(db, product_id, modifier_id, value)
            except ApiError as error:
                raise rekey(error, f"option_values[{index}]") from None
    return single(_modifier_api(db, product_id, modifier_id))


async def delete_modifier(request: Request) -> Response:
    db, row = part_of(request, MODIFIERS, "modifier_id")
    modifier_id = row["id"]
    with db.tx():
        db.execute(f"DELETE FROM {VALUES} WHERE modifier_id = ?", [modifier_id])
        db.execute(f"DELETE FROM {MODIFIERS} WHERE id = ?", [modifier_id])
    return no_content()


_PATH = "/v3/catalog/products/{product_id:id64}/modifiers"
_ONE = _PATH + "/{modifier_id:id64}"

RESOURCE = Resource(
    name="modifiers",
    schema=SCHEMA,
    routes=[
        route(_PATH, get=list_modifiers, post=create_modifier),
        route(_ONE, get=get_modifier, put=update_modifier, delete=delete_modifier),
        *modifier_values.ROUTES,
    ],
)
