"""Modifier types and their `config`: which keys each type takes, the defaults responses
fill in, and the checks of a config's values (spec prose and BIGCOMMERCE_API.md §6).

`config` keys must belong to the modifier's type (variant options, whose types are the
multiple-choice ones, are checked the same way); enums and ISO-8601 ATOM dates are checked.
A date modifier needs `config.default_value` (the live API answers a server error without it).
Unknown keys are ignored, like unknown body fields.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from storeconf.sandbox.catalog.products.part_kit import is_number
from storeconf.sandbox.core.validate import int_range_error

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
PRODUCT_LIST = ("product_list", "product_list_with_images")

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

ALL_CONFIG_KEYS = {key for keys in CONFIG_KEYS.values() for key in keys}
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


def check_config(kind: str, config: dict[str, Any], errors: dict[str, str], noun: str = "modifiers") -> None:
    """Add the problems of a modifier's (or, with `noun="options"`, a variant option's) config
    to `errors`: the option types are the modifiers' multiple-choice types and take the same keys."""
    allowed = CONFIG_KEYS.get(kind, ())
    for key, value in config.items():
        where = f"config.{key}"
        if key not in ALL_CONFIG_KEYS:
            continue  # unknown keys are ignored, like unknown body fields
        if key not in allowed:
            errors[where] = f"is not used by {kind} {noun}"
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
        top = _MAX_FILE_KB if key == "file_max_size" else 2**31 - 1
        problem = int_range_error(value, 0, top)
        if problem is None or problem == "error.expected.jsnumber":
            return problem
        return f"must be between 0 and {top}"
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
