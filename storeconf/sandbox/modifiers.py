"""Product modifiers: `/v3/catalog/products/{product_id}/modifiers[/{modifier_id}]` and
their values `…/modifiers/{modifier_id}/values[/{value_id}]`.

Rules beyond the schema (spec prose and BIGCOMMERCE_API.md §6):
- `checkbox` is created without `option_values`; the server adds `Yes`/`No`
  (`value_data.checked_value` true/false), and `config.checked_by_default` picks which of
  the two is the default. A checkbox keeps exactly those two values.
- multiple-choice types need at least one value; `date`, `file` and the text types take none.
- `config` keys must belong to the modifier's type; enums and ISO-8601 ATOM dates are checked.
  A date modifier needs `config.default_value` (the live API answers a server error without it).
- `name` is generated from the display name, the creation time and the product id; the
  display name is unique per product (409).

For `products.py`: `embed`, `create_embedded` and `delete_for_product` below.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storeconf.sandbox.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.http import (
    ApiError,
    collection,
    invalid,
    no_content,
    not_found,
    page_of,
    read_object,
    sandbox_of,
    select_fields,
    single,
)
from storeconf.sandbox.product_part_kit import (
    Ctx,
    create_items,
    grouped_rows,
    int32_error,
    is_number,
    product_exists,
    rekey,
    require_product,
)
from storeconf.sandbox.query import Where, fetch_page
from storeconf.sandbox.resource import Resource
from storeconf.sandbox.validate import MISSING, Field, check

if TYPE_CHECKING:
    from storeconf.sandbox.control import Sandbox

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

MODIFIERS = "product_modifiers"
VALUES = "product_modifier_values"
ORDER = "sort_order, id"
MAX_VALUES = 250

CHOICE_TYPES = (
    "radio_buttons",
    "rectangles",
    "dropdown",
    "product_list",
    "product_list_with_images",
    "swatch",
)
FREE_TYPES = ("date", "file", "text", "multi_line_text", "numbers_only_text")
TYPES = ("date", "checkbox", "file", "text", "multi_line_text", "numbers_only_text", *CHOICE_TYPES)
_PRODUCT_LIST = ("product_list", "product_list_with_images")

_TEXT_KEYS = ("default_value", "text_characters_limited", "text_min_length", "text_max_length")
_LIST_KEYS = ("product_list_adjusts_inventory", "product_list_adjusts_pricing", "product_list_shipping_calc")
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "date": ("default_value", "date_limited", "date_limit_mode", "date_earliest_value", "date_latest_value"),
    "checkbox": ("checkbox_label", "checked_by_default"),
    "file": ("file_types_mode", "file_types_supported", "file_types_other", "file_max_size"),
    "text": _TEXT_KEYS,
    "multi_line_text": (*_TEXT_KEYS, "text_lines_limited", "text_max_lines"),
    "numbers_only_text": (
        "default_value",
        "number_limited",
        "number_limit_mode",
        "number_lowest_value",
        "number_highest_value",
        "number_integers_only",
    ),
    "product_list": _LIST_KEYS,
    "product_list_with_images": _LIST_KEYS,
}
# Filled into responses when not set.
CONFIG_DEFAULTS: dict[str, dict[str, Any]] = {
    "date": {"date_limited": False},
    "checkbox": {"checkbox_label": "", "checked_by_default": False},
    "file": {"file_types_mode": "all", "file_types_supported": [], "file_types_other": []},
    "text": {"default_value": "", "text_characters_limited": False},
    "multi_line_text": {"default_value": "", "text_characters_limited": False, "text_lines_limited": False},
    "numbers_only_text": {"default_value": "", "number_limited": False, "number_integers_only": False},
    "product_list": {
        "product_list_adjusts_inventory": False,
        "product_list_adjusts_pricing": False,
        "product_list_shipping_calc": "none",
    },
}
CONFIG_DEFAULTS["product_list_with_images"] = CONFIG_DEFAULTS["product_list"]

_ALL_CONFIG_KEYS = {key for keys in CONFIG_KEYS.values() for key in keys}
_BOOL_KEYS = {
    "date_limited",
    "checked_by_default",
    "text_characters_limited",
    "text_lines_limited",
    "number_limited",
    "number_integers_only",
    "product_list_adjusts_inventory",
    "product_list_adjusts_pricing",
}
_ENUM_KEYS = {
    "date_limit_mode": ("earliest", "range", "latest"),
    "file_types_mode": ("specific", "all"),
    "number_limit_mode": ("lowest", "highest", "range"),
    "product_list_shipping_calc": ("none", "weight", "package"),
}
_COUNT_KEYS = {"text_min_length", "text_max_length", "text_max_lines", "file_max_size"}
_MAX_FILE_KB = 524288
_FILE_GROUPS = ("images", "documents", "other")
_ATOM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$")
_HEX = re.compile(r"^#(?:[0-9A-Fa-f]{3}){1,2}$")

_MODIFIER_FIELDS = (
    Field("display_name", "string", min_length=1, max_length=255),
    Field("type", "string", enum=TYPES),
    Field("required", "boolean"),
    Field("config", "object"),
)
_VALUE_FIELDS = (
    Field("label", "string", min_length=1, max_length=255),
    Field("is_default", "boolean"),
    Field("value_data", "object", nullable=True),
    Field("adjusters", "object"),
)
MODIFIER_INVALID = (
    "The modifier was not valid. This is the result of missing required fields, or of invalid data."
)
VALUE_INVALID = (
    "The modifier value was not valid. This is the result of missing required fields, or of invalid data."
)
CONFLICT = (
    "The modifier was in conflict with another modifier or option. "
    "This is the result of duplicate unique fields, such as name."
)
CHECKBOX_VALUES = "A checkbox modifier has exactly the Yes and No values the server creates for it."


# --- reading ---------------------------------------------------------------------------


def _value_to_api(row: sqlite3.Row) -> dict[str, Any]:
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


def _values_of(db: StoreDb, modifier_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    result: dict[int, list[dict[str, Any]]] = {mid: [] for mid in modifier_ids}
    if modifier_ids:
        marks = ",".join("?" * len(modifier_ids))
        sql = f"SELECT * FROM {VALUES} WHERE modifier_id IN ({marks}) ORDER BY modifier_id, {ORDER}"
        for row in db.query(sql, list(modifier_ids)):
            result[row["modifier_id"]].append(_value_to_api(row))
    return result


def _modifiers_api(db: StoreDb, rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
    values = _values_of(db, [row["id"] for row in rows])
    return [_modifier_to_api(row, values[row["id"]]) for row in rows]


def _modifier_row(db: StoreDb, product_id: int, modifier_id: int) -> sqlite3.Row:
    row = db.query_one(
        f"SELECT * FROM {MODIFIERS} WHERE id = ? AND product_id = ?", [modifier_id, product_id]
    )
    if row is None:
        raise not_found()
    return row


def _modifier_api(db: StoreDb, product_id: int, modifier_id: int) -> dict[str, Any]:
    return _modifiers_api(db, [_modifier_row(db, product_id, modifier_id)])[0]


def _value_row(db: StoreDb, modifier_id: int, value_id: int) -> sqlite3.Row:
    row = db.query_one(f"SELECT * FROM {VALUES} WHERE id = ? AND modifier_id = ?", [value_id, modifier_id])
    if row is None:
        raise not_found()
    return row


# --- the contract with products.py -------------------------------------------------------


def embed(db: StoreDb, product_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Modifiers (with their values) per product for `include=modifiers`; every id present."""
    grouped = grouped_rows(db, MODIFIERS, product_ids, ORDER)
    values = _values_of(db, [row["id"] for rows in grouped.values() for row in rows])
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


# --- validation ------------------------------------------------------------------------


def _check_config(kind: str, config: dict[str, Any], errors: dict[str, str]) -> None:
    allowed = CONFIG_KEYS.get(kind, ())
    for key, value in config.items():
        where = f"config.{key}"
        if key not in _ALL_CONFIG_KEYS:
            continue  # unknown keys are ignored, like unknown body fields
        if key not in allowed:
            errors[where] = f"is not used by {kind} modifiers"
        elif (problem := _config_value_error(kind, key, value)) is not None:
            errors[where] = problem
    if any(key.startswith("config.") for key in errors):
        return
    if kind == "date":
        _check_date_limits(config, errors)
    low_high = {
        "text": ("text_min_length", "text_max_length"),
        "multi_line_text": ("text_min_length", "text_max_length"),
        "numbers_only_text": ("number_lowest_value", "number_highest_value"),
    }.get(kind)
    if (
        low_high
        and low_high[0] in config
        and low_high[1] in config
        and config[low_high[0]] > config[low_high[1]]
    ):
        errors[f"config.{low_high[1]}"] = f"must not be less than {low_high[0]}"


def _config_value_error(kind: str, key: str, value: Any) -> str | None:
    if key in _BOOL_KEYS:
        return None if isinstance(value, bool) else "error.expected.jsboolean"
    if key in _ENUM_KEYS:
        return None if value in _ENUM_KEYS[key] else "must be one of: " + ", ".join(_ENUM_KEYS[key])
    if key in _COUNT_KEYS:
        if not isinstance(value, int) or isinstance(value, bool):
            return "error.expected.jsnumber"
        top = _MAX_FILE_KB if key == "file_max_size" else 2**31 - 1
        return None if 0 <= value <= top else f"must be between 0 and {top}"
    if key in ("number_lowest_value", "number_highest_value"):
        return None if is_number(value) else "error.expected.jsnumber"
    if key in ("file_types_supported", "file_types_other"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "error.expected.jsarray"
        bad = [v for v in value if key == "file_types_supported" and v not in _FILE_GROUPS]
        return "items must be one of: " + ", ".join(_FILE_GROUPS) if bad else None
    if not isinstance(value, str):
        return "error.expected.jsstring"
    is_date = kind == "date" and key != "checkbox_label"
    return _atom_error(value) if is_date else None


def _atom_error(value: str) -> str | None:
    try:
        valid = bool(_ATOM.match(value)) and datetime.fromisoformat(value.replace("Z", "+00:00")) is not None
    except ValueError:
        valid = False
    return None if valid else "must be an ISO-8601 ATOM date, e.g. 2025-08-15T15:52:01+00:00"


def _check_date_limits(config: dict[str, Any], errors: dict[str, str]) -> None:
    if "default_value" not in config:
        errors["config.default_value"] = "is required for a date modifier (an ISO-8601 ATOM date)"
    if not config.get("date_limited"):
        return
    mode = config.get("date_limit_mode")
    if mode is None:
        errors["config.date_limit_mode"] = "is required when date_limited is true"
        return
    needed = {"earliest": ("date_earliest_value",), "latest": ("date_latest_value",)}.get(
        mode, ("date_earliest_value", "date_latest_value")
    )
    for key in needed:
        if key not in config:
            errors[f"config.{key}"] = f"is required when date_limit_mode is {mode}"
    if len(needed) == 2 and all(key in config for key in needed):
        earliest = datetime.fromisoformat(config["date_earliest_value"].replace("Z", "+00:00"))
        latest = datetime.fromisoformat(config["date_latest_value"].replace("Z", "+00:00"))
        if earliest > latest:
            errors["config.date_latest_value"] = "must not be before date_earliest_value"


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
    elif kind in _PRODUCT_LIST:
        product = (data or {}).get("product_id")
        if not isinstance(product, int) or isinstance(product, bool):
            errors[f"{where}.product_id"] = MISSING if product is None else "error.expected.jsnumber"
        elif not product_exists(db, product):
            errors[f"{where}.product_id"] = f"product {product} does not exist"


def _value_errors(
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
    config = {key: setting for key, setting in merged.items() if key in _ALL_CONFIG_KEYS}
    _check_config(kind, config, errors)
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
        if not creating and value["id"] not in known:
            errors[f"{prefix}id"] = f"value {value['id']} does not belong to this modifier"
            continue
        _fields, problems = _value_errors(db, kind, value, creating=creating, prefix=prefix)
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
            _insert_value(db, product_id, modifier_id, {**item, "is_default": value == checked})
    for value in fields["option_values"]:
        _insert_value(db, product_id, modifier_id, value)
    return _modifier_api(db, product_id, modifier_id)


def _insert_value(db: StoreDb, product_id: int, modifier_id: int, fields: dict[str, Any]) -> int:
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


def _update_value(db: StoreDb, modifier_id: int, value_id: int, fields: dict[str, Any]) -> None:
    row = _value_row(db, modifier_id, value_id)
    current = _value_to_api(row)
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
        _set_checked_by_default(db, modifier_id, checked)
    elif kind != "swatch":
        if wanted:
            db.execute(f"UPDATE {VALUES} SET is_default = 0 WHERE modifier_id = ?", [modifier_id])
        db.execute(f"UPDATE {VALUES} SET is_default = ? WHERE id = ?", [int(wanted), value_id])


def _set_checked_by_default(db: StoreDb, modifier_id: int, checked: bool) -> None:
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


def _unique_label_of(db: StoreDb, modifier_id: int, value: dict[str, Any]) -> None:
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


# --- modifier handlers -------------------------------------------------------------------


async def list_modifiers(request: Request) -> Response:
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    require_product(db, product_id)
    page = page_of(request)
    rows, total = fetch_page(db, MODIFIERS, Where(["product_id = ?"], [product_id]), ORDER, page)
    items = [select_fields(request, item, "id") for item in _modifiers_api(db, rows)]
    return collection(request, items, total, page)


async def get_modifier(request: Request) -> Response:
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    require_product(db, product_id)
    modifier = _modifier_api(db, product_id, request.path_params["modifier_id"])
    return single(select_fields(request, modifier, "id"))


async def create_modifier(request: Request) -> Response:
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    require_product(db, product_id)
    body = await read_object(request)
    with db.tx():
        modifier = _create_modifier(db, product_id, body, Ctx.from_request(request))
    return single(modifier)


async def update_modifier(request: Request) -> Response:
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    modifier_id: int = request.path_params["modifier_id"]
    require_product(db, product_id)
    current = _modifier_api(db, product_id, modifier_id)
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
            _set_checked_by_default(db, modifier_id, bool(fields["config"]["checked_by_default"]))
        for index, value in enumerate(fields["option_values"]):
            try:
                _unique_label_of(db, modifier_id, value)
                if "id" in value:
                    _update_value(db, modifier_id, value["id"], value)
                else:
                    _insert_value(db, product_id, modifier_id, value)
            except ApiError as error:
                raise rekey(error, f"option_values[{index}]") from None
    return single(_modifier_api(db, product_id, modifier_id))


async def delete_modifier(request: Request) -> Response:
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    modifier_id: int = request.path_params["modifier_id"]
    require_product(db, product_id)
    _modifier_row(db, product_id, modifier_id)
    with db.tx():
        db.execute(f"DELETE FROM {VALUES} WHERE modifier_id = ?", [modifier_id])
        db.execute(f"DELETE FROM {MODIFIERS} WHERE id = ?", [modifier_id])
    return no_content()


# --- value handlers --------------------------------------------------------------------


def _parent(request: Request) -> tuple[StoreDb, int, int, str]:
    """Database, product id, modifier id and type; 404 when either parent is unknown."""
    db = sandbox_of(request).db
    product_id: int = request.path_params["product_id"]
    modifier_id: int = request.path_params["modifier_id"]
    require_product(db, product_id)
    row = _modifier_row(db, product_id, modifier_id)
    return db, product_id, modifier_id, str(load_doc(row["doc"])["type"])


async def list_values(request: Request) -> Response:
    db, _, modifier_id, _ = _parent(request)
    page = page_of(request)
    rows, total = fetch_page(db, VALUES, Where(["modifier_id = ?"], [modifier_id]), ORDER, page)
    items = [select_fields(request, _value_to_api(row), "id") for row in rows]
    return collection(request, items, total, page)


async def get_value(request: Request) -> Response:
    db, _, modifier_id, _ = _parent(request)
    row = _value_row(db, modifier_id, request.path_params["value_id"])
    return single(select_fields(request, _value_to_api(row), "id"))


async def create_value(request: Request) -> Response:
    db, product_id, modifier_id, kind = _parent(request)
    body = await read_object(request)
    if kind == "checkbox":
        raise invalid({"option_values": CHECKBOX_VALUES}, VALUE_INVALID)
    if kind in FREE_TYPES:
        raise invalid({"option_values": f"are not used by {kind} modifiers"}, VALUE_INVALID)
    fields, errors = _value_errors(db, kind, body, creating=True)
    if errors:
        raise invalid(errors, VALUE_INVALID)
    with db.tx():
        count = int(db.scalar(f"SELECT COUNT(*) FROM {VALUES} WHERE modifier_id = ?", [modifier_id]))
        if count >= MAX_VALUES:
            raise invalid(
                {"option_values": f"a modifier can have at most {MAX_VALUES} values"}, VALUE_INVALID
            )
        _unique_label(db, modifier_id, fields["label"], None)
        value_id = _insert_value(db, product_id, modifier_id, fields)
    return single(_value_to_api(_value_row(db, modifier_id, value_id)))


async def update_value(request: Request) -> Response:
    db, _product_id, modifier_id, kind = _parent(request)
    value_id: int = request.path_params["value_id"]
    _value_row(db, modifier_id, value_id)
    fields, errors = _value_errors(db, kind, await read_object(request), creating=False)
    if errors:
        raise invalid(errors, VALUE_INVALID)
    with db.tx():
        if "label" in fields:
            _unique_label(db, modifier_id, fields["label"], value_id)
        _update_value(db, modifier_id, value_id, fields)
    return single(_value_to_api(_value_row(db, modifier_id, value_id)))


async def delete_value(request: Request) -> Response:
    db, _product_id, modifier_id, kind = _parent(request)
    value_id: int = request.path_params["value_id"]
    _value_row(db, modifier_id, value_id)
    if kind == "checkbox":
        raise invalid({"option_values": CHECKBOX_VALUES}, VALUE_INVALID)
    with db.tx():
        db.execute(f"DELETE FROM {VALUES} WHERE id = ?", [value_id])
    return no_content()


_PATH = "/v3/catalog/products/{product_id:int}/modifiers"
_ONE = _PATH + "/{modifier_id:int}"
_VALUES_PATH = _ONE + "/values"

RESOURCE = Resource(
    name="modifiers",
    schema=SCHEMA,
    routes=[
        Route(_PATH, list_modifiers, methods=["GET"]),
        Route(_PATH, create_modifier, methods=["POST"]),
        Route(_ONE, get_modifier, methods=["GET"]),
        Route(_ONE, update_modifier, methods=["PUT"]),
        Route(_ONE, delete_modifier, methods=["DELETE"]),
        Route(_VALUES_PATH, list_values, methods=["GET"]),
        Route(_VALUES_PATH, create_value, methods=["POST"]),
        Route(_VALUES_PATH + "/{value_id:int}", get_value, methods=["GET"]),
        Route(_VALUES_PATH + "/{value_id:int}", update_value, methods=["PUT"]),
        Route(_VALUES_PATH + "/{value_id:int}", delete_value, methods=["DELETE"]),
    ],
)
