"""Options and modifiers: the choices a product offers, and their values.

A value is written as its bare label (`S`) or as a mapping (`{label: S, is_default: true}`);
both mean the same (see shape.option_value), and the JSON Schema accepts both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any, Literal, NoReturn, get_args

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from storeconf.kinds.base import Spec


def as_text(value: Any) -> Any:
    """Labels and custom-field values are text; YAML reads `10` as a number, which is harmless to accept."""
    if type(value) is str:
        return value  # nearly always: spared the checks below (~150,000 calls for 10k products)
    if isinstance(value, bool | float):
        raise ValueError(
            f"write {value!r} in quotes: it is text, and YAML would read it as a number or boolean"
        )
    return str(value) if isinstance(value, int) else value


# Constraints before the BeforeValidator: so they stay string constraints ("at most 255
# characters"), not the generic length check pydantic applies after a wrapped validator ("items").
Label = Annotated[str, StringConstraints(min_length=1, max_length=255), BeforeValidator(as_text)]

OptionType = Literal[
    "radio_buttons", "rectangles", "dropdown", "product_list", "product_list_with_images", "swatch"
]
ModifierType = Literal[
    "date",
    "checkbox",
    "file",
    "text",
    "multi_line_text",
    "numbers_only_text",
    "radio_buttons",
    "rectangles",
    "dropdown",
    "product_list",
    "product_list_with_images",
    "swatch",
]
# Modifier types whose values the merchant lists (the others have none, or the server's own: checkbox).
CHOICE_TYPES = frozenset(get_args(OptionType))


def _label_or_object(schema: dict[str, Any]) -> None:
    """JSON Schema: a value may be written as its bare label (`S`) or as a mapping."""
    obj = dict(schema)
    schema.clear()
    schema["anyOf"] = [{"type": "string"}, {"type": "integer"}, obj]


class _Value(Spec):
    """A value written either as a bare label or as a mapping with `label`."""

    model_config = ConfigDict(json_schema_extra=_label_or_object)

    label: Label
    is_default: bool = False
    value_data: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_label(cls, data: Any) -> Any:
        return {"label": data} if isinstance(data, str | int) and not isinstance(data, bool) else data


class OptionValue(_Value):
    """A value of a variant option: `S`, or `{label: Red, value_data: {colors: ["#f00"]}}`."""


class Adjuster(Spec):
    """Changes the price or weight when a modifier value is picked: by an amount or a percentage."""

    adjuster: Literal["relative", "percentage"] | None = None
    adjuster_value: float = 0

    @model_validator(mode="after")
    def _kind_given(self) -> Adjuster:
        if self.adjuster_value and self.adjuster is None:
            raise ValueError("an adjuster_value needs `adjuster: relative` or `adjuster: percentage`")
        return self


class PurchasingDisabled(Spec):
    status: bool = False
    message: str = ""


class Adjusters(Spec):
    price: Adjuster | None = None
    weight: Adjuster | None = None
    image_url: str = ""
    purchasing_disabled: PurchasingDisabled | None = None


class ModifierValue(_Value):
    """A value of a modifier; `adjusters` change price or weight when the shopper picks it."""

    adjusters: Adjusters | None = None


class ChoiceConfig(Spec):
    """Type-specific settings of an option or modifier (`config_Full` in the API)."""

    default_value: str | None = None
    checked_by_default: bool | None = None
    checkbox_label: str | None = None
    date_limited: bool | None = None
    date_limit_mode: Literal["earliest", "range", "latest"] | None = None
    date_earliest_value: str | None = None
    date_latest_value: str | None = None
    file_types_mode: Literal["specific", "all"] | None = None
    file_types_supported: list[str] | None = None
    file_types_other: list[str] | None = None
    file_max_size: int | None = None
    text_characters_limited: bool | None = None
    text_min_length: int | None = None
    text_max_length: int | None = None
    text_lines_limited: bool | None = None
    text_max_lines: int | None = None
    number_limited: bool | None = None
    number_limit_mode: Literal["lowest", "highest", "range"] | None = None
    number_lowest_value: float | None = None
    number_highest_value: float | None = None
    number_integers_only: bool | None = None
    product_list_adjusts_inventory: bool | None = None
    product_list_adjusts_pricing: bool | None = None
    product_list_shipping_calc: Literal["none", "weight", "package"] | None = None


def fail_at(loc: tuple[str | int, ...], message: str, value: Any = None) -> NoReturn:
    """Raise a validation error at `loc` below the field (or model) being validated, so the
    loader reports it at that item's line (`variants[2]`, not the list) rather than the list's."""
    error = PydanticCustomError("value_error", "{message}", {"message": message})
    raise ValidationError.from_exception_data(
        "storeconf", [InitErrorDetails(type=error, loc=loc, input=value)]
    )


# ISO-8601 "ATOM" dates, as the API takes them in a date modifier's config.
_ATOM = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$")
_ATOM_HINT = "an ISO-8601 ATOM date, e.g. 2025-08-15T15:52:01+00:00"
_DATE_KEYS = ("default_value", "date_earliest_value", "date_latest_value")


def _atom(value: str) -> datetime | None:
    if not _ATOM.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def check_date_config(config: ChoiceConfig | None) -> None:
    """What the API requires of a date modifier's config (it rejects the rest on apply, or,
    without `default_value`, answers a server error)."""
    if config is None or config.default_value is None:
        fail_at(("config",) if config else (), f"a date modifier needs `config.default_value`, {_ATOM_HINT}")
    dates: dict[str, datetime] = {}
    for key in _DATE_KEYS:
        if (value := getattr(config, key)) is None:
            continue
        if (parsed := _atom(value)) is None:
            fail_at(("config", key), f"must be {_ATOM_HINT}", value)
        dates[key] = parsed
    if not config.date_limited:
        return
    mode = config.date_limit_mode
    if mode is None:
        fail_at(("config",), "date_limited: true needs a date_limit_mode (earliest, range or latest)")
    needed = {"earliest": ("date_earliest_value",), "latest": ("date_latest_value",)}.get(
        mode, ("date_earliest_value", "date_latest_value")
    )
    for key in needed:
        if key not in dates:
            fail_at(("config",), f"date_limit_mode: {mode} needs `{key}`")
    earliest, latest = dates.get("date_earliest_value"), dates.get("date_latest_value")
    if mode == "range" and earliest and latest and earliest > latest:
        fail_at(
            ("config", "date_latest_value"),
            "must not be before date_earliest_value",
            config.date_latest_value,
        )


class Option(Spec):
    """A variant option (`Size`); its values are listed in storefront order."""

    name: str = Field(min_length=1, max_length=255)
    type: OptionType
    sort_order: int | None = None
    config: ChoiceConfig | None = None
    values: list[OptionValue] = Field(min_length=1, max_length=250)

    @field_validator("values")
    @classmethod
    def _unique_labels(cls, values: list[OptionValue]) -> list[OptionValue]:
        # The API compares labels ignoring case (409 "duplicate label").
        no_duplicates("value", (v.label.casefold() for v in values), spelled=[v.label for v in values])
        one_default(values)
        return values


class Modifier(Spec):
    """A modifier: a choice or input that does not make a variant (gift message, engraving)."""

    name: str = Field(min_length=1, max_length=255)
    type: ModifierType
    required: bool = False
    sort_order: int | None = None
    config: ChoiceConfig | None = None
    values: list[ModifierValue] | None = Field(default=None, max_length=250)

    @model_validator(mode="after")
    def _values_match_type(self) -> Modifier:
        if self.type in CHOICE_TYPES and not self.values:
            raise ValueError(f"modifier {self.name!r} of type {self.type} needs values")
        if self.type not in CHOICE_TYPES and self.values is not None:
            raise ValueError(f"modifier {self.name!r} of type {self.type} takes no values")
        if self.values:
            labels = [v.label for v in self.values]
            no_duplicates("value", (label.casefold() for label in labels), spelled=labels)
            one_default(self.values)
        if self.type == "date":
            check_date_config(self.config)
        return self


def no_duplicates(what: str, values: Iterable[Any], hint: str = "", spelled: list[Any] | None = None) -> None:
    """`spelled`: the values as written, when `values` are normalised (casefolded) for comparing."""
    values = list(values)
    if len(set(values)) == len(values):
        return  # the usual case, found by one set in C instead of a lookup per value
    seen: set[Any] = set()
    for n, value in enumerate(values):
        if value in seen:
            shown = spelled[n] if spelled is not None else value
            raise ValueError(f"duplicate {what} {shown!r}" + (f": {hint}" if hint else ""))
        seen.add(value)


def one_default(values: list[OptionValue] | list[ModifierValue]) -> None:
    if sum(v.is_default for v in values) > 1:
        raise ValueError("at most one value can be the default")
