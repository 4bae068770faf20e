"""Variant option storage and rules: the `variant_options` and `variant_option_values`
tables, validation, uniqueness and the cascade to variants. The HTTP side is
`options.py`.

Display names are unique within a product and labels within an option (any case,
409). `name` is generated once, like the API's `Size1533313432-134` (display name,
epoch seconds, product id). Values and `config` are checked by the modifier rules
(`modifier_values.value_errors`, `modifier_config.check_config`): the option types are
the modifiers' multiple-choice types and the spec describes their values and config in
the same words (swatch colours, product-list products, `is_default` not supported for
swatches, which is stored false like a swatch modifier's). `config` is stored as given. Creating
options never creates variants; deleting an option or a value deletes the variants
built from it (and the product gets its base variant back when none remain).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storeconf.sandbox.catalog.products import rules, variant_rules
from storeconf.sandbox.catalog.products.fields import INT32_MAX, INT32_MIN
from storeconf.sandbox.catalog.products.modifier_config import check_config
from storeconf.sandbox.catalog.products.modifier_values import value_errors
from storeconf.sandbox.catalog.products.part_kit import get_row
from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc
from storeconf.sandbox.core.http import ApiError, invalid, not_found
from storeconf.sandbox.core.validate import Field, check, int_range_error

SCHEMA = """
CREATE TABLE IF NOT EXISTS variant_options (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    display_key TEXT NOT NULL,
    display_name TEXT NOT NULL,
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (product_id, display_key)
);
CREATE TABLE IF NOT EXISTS variant_option_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    option_id INTEGER NOT NULL REFERENCES variant_options (id) ON DELETE CASCADE,
    label_key TEXT NOT NULL,
    label TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (option_id, label_key)
);
"""

TYPES = ("radio_buttons", "rectangles", "dropdown", "product_list", "product_list_with_images", "swatch")
EMBEDDED_TYPE = "rectangles"
MAX_VALUES = 250

OPTION_FIELDS = (
    Field("display_name", "string", min_length=1, max_length=255),
    Field("type", "string", enum=TYPES),
    Field("sort_order", "integer", minimum=INT32_MIN, maximum=INT32_MAX),
    Field("config", "object"),
    Field("image_url", "string"),
)
_OPTION_CONFLICT = "The option display name is a duplicate"
_VALUE_CONFLICT = "The option value label is a duplicate"


# ----------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------


def option_errors(db: StoreDb, body: dict[str, Any], current_type: str | None = None) -> dict[str, str]:
    """The problems of an option POST body (`current_type` None) or PUT body."""
    creating = current_type is None
    required = ("display_name", "type", "option_values") if creating else ()
    errors = check(body, OPTION_FIELDS, required=required)
    kind = str(body.get("type", current_type)) if "type" not in errors else ""
    if isinstance(body.get("config"), dict) and kind:
        check_config(kind, body["config"], errors, noun="options")
    if "option_values" in body:
        errors |= _values_errors(db, kind, body["option_values"], creating)
    return errors


def _values_errors(db: StoreDb, kind: str, values: Any, creating: bool) -> dict[str, str]:
    if not isinstance(values, list):
        return {"option_values": "error.expected.jsarray"}
    if creating and not values:
        return {"option_values": "must have at least 1 item"}
    if len(values) > MAX_VALUES:
        return {"option_values": f"must have at most {MAX_VALUES} items"}
    errors: dict[str, str] = {}
    for n, value in enumerate(values):
        prefix = f"option_values.{n}."
        # On PUT an item with `id` updates that value (a POST creates every item).
        updating = not creating and isinstance(value, dict) and "id" in value
        if updating and (problem := int_range_error(value["id"])):
            errors[f"{prefix}id"] = problem
        errors |= value_body_errors(db, kind, value, creating=not updating, prefix=prefix)
    return errors


def value_body_errors(
    db: StoreDb, kind: str, body: Any, *, creating: bool, prefix: str = ""
) -> dict[str, str]:
    """The problems of one option value, by the modifier value rules. Option values have no
    `adjusters`; like any unknown field they are ignored."""
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k != "adjusters"}
    return value_errors(db, kind, body, creating=creating, prefix=prefix)[1]


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise invalid(errors)


def duplicate_labels(values: Sequence[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for value in values:
        label = value.get("label")
        if isinstance(label, str):
            if label.lower() in seen:
                raise ApiError.of(
                    409, _VALUE_CONFLICT, errors={"label": f"The label '{label}' is used twice."}
                )
            seen.add(label.lower())


# ----------------------------------------------------------------------------------------
# Rows
# ----------------------------------------------------------------------------------------


def option_name(display_name: str, epoch: int, product_id: int) -> str:
    return f"{display_name}{epoch}-{product_id}"


def insert_option(db: StoreDb, product_id: int, body: dict[str, Any], epoch: int) -> int:
    display_name = body["display_name"]
    if _display_owner(db, product_id, display_name) is not None:
        raise _display_conflict(display_name)
    doc = {"type": body["type"], "config": body.get("config", {})}
    if "image_url" in body:
        doc["image_url"] = body["image_url"]
    cursor = db.execute(
        "INSERT INTO variant_options (product_id, display_key, display_name, name, sort_order, doc) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            product_id,
            display_name.lower(),
            display_name,
            option_name(display_name, epoch, product_id),
            body.get("sort_order", _next_sort(db, "variant_options", "product_id", product_id)),
            dump_doc(doc),
        ],
    )
    option_id = int(cursor.lastrowid or 0)
    for value in body["option_values"]:
        insert_value(db, option_id, value)
    return option_id


def _next_sort(db: StoreDb, table: str, parent: str, parent_id: int) -> int:
    return int(
        db.scalar(f"SELECT COALESCE(MAX(sort_order) + 1, 0) FROM {table} WHERE {parent} = ?", [parent_id])
    )


def _owner(db: StoreDb, table: str, parent: str, parent_id: int, key: str, name: str) -> int | None:
    """The row under `parent_id` whose `key` column holds `name` in any case: display names
    and labels are unique regardless of case."""
    owner = db.scalar(f"SELECT id FROM {table} WHERE {parent} = ? AND {key} = ?", [parent_id, name.lower()])
    return None if owner is None else int(owner)


def _display_owner(db: StoreDb, product_id: int, display_name: str) -> int | None:
    return _owner(db, "variant_options", "product_id", product_id, "display_key", display_name)


def _display_conflict(display_name: str) -> ApiError:
    message = f"The product already has an option named '{display_name}'."
    return ApiError.of(409, _OPTION_CONFLICT, errors={"display_name": message})


def insert_value(db: StoreDb, option_id: int, value: dict[str, Any]) -> int:
    label = value["label"]
    if _label_owner(db, option_id, label) is not None:
        raise _label_conflict(label)
    count = int(db.scalar("SELECT COUNT(*) FROM variant_option_values WHERE option_id = ?", [option_id]))
    if count >= MAX_VALUES:
        raise invalid({"option_values": f"An option can have at most {MAX_VALUES} values."})
    is_default = bool(value.get("is_default", False)) and option_type(db, option_id) != "swatch"
    doc = {"is_default": is_default, "value_data": value.get("value_data")}
    cursor = db.execute(
        "INSERT INTO variant_option_values (option_id, label_key, label, sort_order, doc) "
        "VALUES (?, ?, ?, ?, ?)",
        [option_id, label.lower(), label, value["sort_order"], dump_doc(doc)],
    )
    value_id = int(cursor.lastrowid or 0)
    if doc["is_default"]:
        _only_default(db, option_id, value_id)
    return value_id


def option_type(db: StoreDb, option_id: int) -> str:
    return str(db.scalar("SELECT json_extract(doc, '$.type') FROM variant_options WHERE id = ?", [option_id]))


def _label_owner(db: StoreDb, option_id: int, label: str) -> int | None:
    return _owner(db, "variant_option_values", "option_id", option_id, "label_key", label)


def _label_conflict(label: str) -> ApiError:
    return ApiError.of(
        409, _VALUE_CONFLICT, errors={"label": f"The option already has a value labelled '{label}'."}
    )


def _only_default(db: StoreDb, option_id: int, value_id: int) -> None:
    """One pre-selected value per option: marking one clears the others."""
    db.execute(
        "UPDATE variant_option_values SET doc = json_set(doc, '$.is_default', json('false')) "
        "WHERE option_id = ? AND id != ?",
        [option_id, value_id],
    )


def update_value_row(db: StoreDb, row: sqlite3.Row, body: dict[str, Any]) -> None:
    label = body.get("label", row["label"])
    owner = _label_owner(db, row["option_id"], label)
    if owner is not None and owner != row["id"]:
        raise _label_conflict(label)
    doc = load_doc(row["doc"])
    doc |= {k: body[k] for k in ("is_default", "value_data") if k in body}
    # Not supported for swatches: stored false whatever was sent.
    doc["is_default"] = bool(doc["is_default"]) and option_type(db, row["option_id"]) != "swatch"
    db.execute(
        "UPDATE variant_option_values SET label_key = ?, label = ?, sort_order = ?, doc = ? WHERE id = ?",
        [label.lower(), label, body.get("sort_order", row["sort_order"]), dump_doc(doc), row["id"]],
    )
    if doc["is_default"]:
        _only_default(db, row["option_id"], row["id"])


def value_to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    return {
        "id": row["id"],
        "label": row["label"],
        "sort_order": row["sort_order"],
        "value_data": doc["value_data"],
        "is_default": doc["is_default"],
    }


def stored_value(db: StoreDb, value_id: int) -> dict[str, Any]:
    """A value just written, as the API shows it."""
    row = db.query_one("SELECT * FROM variant_option_values WHERE id = ?", [value_id])
    assert row is not None
    return value_to_api(row)


def option_to_api(row: sqlite3.Row, values: list[dict[str, Any]]) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    item: dict[str, Any] = {
        "id": row["id"],
        "product_id": row["product_id"],
        "name": row["name"],
        "display_name": row["display_name"],
        "type": doc["type"],
        "sort_order": row["sort_order"],
        "option_values": values,
        "config": doc["config"],
    }
    if "image_url" in doc:
        item["image_url"] = doc["image_url"]
    return item


def values_of(db: StoreDb, where: str, params: Sequence[Any]) -> dict[int, list[dict[str, Any]]]:
    rows = db.query(f"SELECT * FROM variant_option_values WHERE {where} ORDER BY sort_order, id", params)
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["option_id"], []).append(value_to_api(row))
    return found


def options_to_api(db: StoreDb, rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
    ids = [int(row["id"]) for row in rows]
    values = values_of(db, f"option_id IN ({rules.id_marks(ids)})", ids) if ids else {}
    return [option_to_api(row, values.get(row["id"], [])) for row in rows]


def get_option(db: StoreDb, option_id: int) -> dict[str, Any]:
    row = db.query_one("SELECT * FROM variant_options WHERE id = ?", [option_id])
    if row is None:
        raise not_found()
    return options_to_api(db, [row])[0]


def require_option(db: StoreDb, product_id: int, option_id: int) -> sqlite3.Row:
    rules.require_row(db, product_id)
    return get_row(db, "variant_options", product_id, option_id)


def require_value(db: StoreDb, product_id: int, option_id: int, value_id: int) -> sqlite3.Row:
    require_option(db, product_id, option_id)
    row = db.query_one(
        "SELECT * FROM variant_option_values WHERE id = ? AND option_id = ?", [value_id, option_id]
    )
    if row is None:
        raise not_found()
    return row


def delete_values(db: StoreDb, value_ids: Sequence[int]) -> None:
    """Delete values and the variants built from them; products left without variants
    get their base variant back."""
    for product_id in variant_rules.delete_using_values(db, value_ids):
        variant_rules.sync_base(db, product_id)
    if value_ids:
        db.execute(f"DELETE FROM variant_option_values WHERE id IN ({rules.id_marks(value_ids)})", value_ids)


def ensure_value(
    db: StoreDb, product_id: int, display_name: str, label: str, epoch: int | None = None
) -> int:
    """The id of value `label` of option `display_name` (any case), creating a `rectangles`
    option and/or the value when absent: how `POST /catalog/products` treats named
    variant option values."""
    option_id = _display_owner(db, product_id, display_name)
    if option_id is None:
        body = {"display_name": display_name, "type": EMBEDDED_TYPE, "option_values": []}
        option_id = insert_option(db, product_id, body, epoch or product_epoch(db, product_id))
    value_id = _label_owner(db, option_id, label)
    if value_id is None:
        sort_order = _next_sort(db, "variant_option_values", "option_id", option_id)
        value_id = insert_value(db, option_id, {"label": label, "sort_order": sort_order})
    return value_id


def product_epoch(db: StoreDb, product_id: int) -> int:
    # Without the store's clock, embedded options take the product's creation time.
    created = load_doc(db.scalar("SELECT doc FROM products WHERE id = ?", [product_id]))["date_created"]
    return int(datetime.fromisoformat(created).timestamp())


def update_option_row(db: StoreDb, row: sqlite3.Row, body: dict[str, Any]) -> None:
    display_name = body.get("display_name", row["display_name"])
    owner = _display_owner(db, row["product_id"], display_name)
    if owner is not None and owner != row["id"]:
        raise _display_conflict(display_name)
    doc = load_doc(row["doc"])
    doc |= {k: body[k] for k in ("type", "config", "image_url") if k in body}
    db.execute(
        "UPDATE variant_options SET display_key = ?, display_name = ?, sort_order = ?, doc = ? WHERE id = ?",
        [
            display_name.lower(),
            display_name,
            body.get("sort_order", row["sort_order"]),
            dump_doc(doc),
            row["id"],
        ],
    )
