"""Options and modifiers: the choices a product offers, and their values.

A value is written as its bare label (`S`) or as a mapping (`{label: S, is_default: true}`);
both mean the same (see shape.option_value), and the JSON Schema accepts both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

from storeconf.kinds.base import Spec


def as_text(value: Any) -> Any:
    """Labels and custom-field values are text; YAML reads `10` as a number, which is harmless to accept."""
    if isinstance(value, bool | float):
        raise ValueError(
            f"write {value!r} in quotes: it is text, and YAML would read it as a number or boolean"
        )
    return str(value) if isinstance(value, int) else value


Label = Annotated[str, BeforeValidator(as_text), StringConstraints(min_length=1, max_length=255)]

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
        no_duplicates("value", (v.label for v in values))
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
            no_duplicates("value", (v.label for v in self.values))
            one_default(self.values)
        return self


def no_duplicates(what: str, values: Iterable[Any], hint: str = "") -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}" + (f": {hint}" if hint else ""))
        seen.add(value)


def one_default(values: list[OptionValue] | list[ModifierValue]) -> None:
    if sum(v.is_default for v in values) > 1:
        raise ValueError("at most one value can be the default")
