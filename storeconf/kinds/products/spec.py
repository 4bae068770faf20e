"""The config models of a product and its nested items (field names follow the API where 1:1).

Defaults are the API's own defaults for omitted fields; they only document
behaviour and fill in live objects, because the planner compares only the
fields a config sets (`exclude_unset`). Cross-field rules live in validators so
the loader reports them with the file position of the field they concern.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from storeconf.kinds.base import Spec
from storeconf.kinds.products.choices import (
    CHOICE_TYPES,
    Adjusters,
    ChoiceConfig,
    Label,
    Modifier,
    ModifierValue,
    Option,
    OptionValue,
    as_text,
    fail_at,
    no_duplicates,
)
from storeconf.kinds.products.keys import bulk_key, image_identity
from storeconf.money import store_money

# Re-exported: the whole config model of a product is importable from here.
__all__ = [
    "CHOICE_TYPES",
    "Adjusters",
    "BulkPricingRule",
    "ChoiceConfig",
    "CustomField",
    "CustomUrl",
    "Image",
    "Modifier",
    "ModifierValue",
    "Option",
    "OptionValue",
    "Product",
    "Variant",
    "Video",
]

MAX_DIMENSION = 9_999_999_999
MAX_INT32 = 2_147_483_647
MIN_INT32 = -2_147_483_648
MAX_ORDER_QUANTITY = 1_000_000_000


# Constraints first: see choices.Label.
FieldText = Annotated[str, StringConstraints(min_length=1, max_length=250), BeforeValidator(as_text)]
Int32 = Annotated[int, Field(ge=MIN_INT32, le=MAX_INT32)]
Dimension = Annotated[float, Field(ge=0, le=MAX_DIMENSION)]
# Money is compared and written as the store keeps it (4 decimal places, storeconf.money).
Money = Annotated[float, Field(ge=0), AfterValidator(store_money)]
SignedMoney = Annotated[float, AfterValidator(store_money)]
Stock = Annotated[int, Field(ge=0, le=MAX_INT32)]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# A moment in time, compared in UTC: `10:00:00+02:00` in the config is the `08:00:00Z` the API
# answers. Both sides go through this type, so both serialise as `...Z`.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]


class Variant(Spec):
    """One purchasable combination of option values. Unset prices and sizes inherit the product's."""

    sku: str = Field(min_length=1, max_length=255)
    options: dict[str, Label] = Field(default_factory=dict)
    cost_price: Money | None = None
    price: Money | None = None
    sale_price: Money | None = None
    retail_price: Money | None = None
    map_price: SignedMoney | None = None
    weight: Dimension | None = None
    width: Dimension | None = None
    height: Dimension | None = None
    depth: Dimension | None = None
    is_free_shipping: bool = False
    fixed_cost_shipping_price: Money | None = None
    purchasing_disabled: bool = False
    purchasing_disabled_message: str = Field(default="", max_length=255)
    upc: str = Field(default="", max_length=14)
    gtin: str = Field(default="", max_length=14)
    mpn: str = ""
    inventory_level: Stock | None = None
    inventory_warning_level: Stock | None = None
    bin_picking_number: str | None = Field(default=None, max_length=255)


class Image(Spec):
    """An image, downloaded by the store from `url`. Known by its file name (see keys.py)."""

    url: str = Field(min_length=1, max_length=255)
    thumbnail: bool = False
    description: str = ""
    sort_order: Int32 = 0

    @field_validator("url")
    @classmethod
    def _has_file_name(cls, url: str) -> str:
        if not image_identity(url):
            raise ValueError(f"image URL {url!r} has no file name to identify the image by")
        return url


class Video(Spec):
    """A YouTube video; `title` and `description` are filled from YouTube when left out."""

    video_id: str = Field(min_length=1, max_length=25)
    title: str = Field(default="", max_length=255)
    description: str = ""
    sort_order: Int32 = 0
    type: Literal["youtube"] = "youtube"

    @model_validator(mode="before")
    @classmethod
    def _empty_text_is_unset(cls, data: Any) -> Any:
        # The API fills an empty title or description from YouTube ("YouTube video x"), so
        # `title: ""` cannot be kept: it means the same as leaving the field out (not compared).
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (k in ("title", "description") and v == "")}
        return data


class BulkPricingRule(Spec):
    """A quantity discount; `quantity_max: 0` means no upper bound."""

    quantity_min: int = Field(ge=0)
    quantity_max: int = Field(ge=0)
    type: Literal["price", "percent", "fixed"]
    amount: SignedMoney

    @model_validator(mode="after")
    def _range(self) -> BulkPricingRule:
        if self.quantity_max and self.quantity_max <= self.quantity_min:
            raise ValueError("quantity_max must be greater than quantity_min (or 0 for no upper bound)")
        return self


class CustomField(Spec):
    """One custom field as the planner compares it; the config writes them as a `name: value` mapping."""

    name: FieldText
    value: FieldText


class CustomUrl(Spec):
    url: str = Field(min_length=1, max_length=255)
    is_customized: bool = True


class Product(Spec):
    """A product, keyed by `sku`; brand by name, categories by path, nested lists by their own keys."""

    sku: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=250)
    type: Literal["physical", "digital"]
    price: Money
    weight: Dimension
    description: str = ""
    cost_price: Money = 0
    retail_price: Money = 0
    sale_price: Money = 0
    map_price: SignedMoney = 0
    width: Dimension = 0
    depth: Dimension = 0
    height: Dimension = 0
    tax_class_id: int = Field(default=0, ge=0, le=255)
    product_tax_code: str = Field(default="", max_length=255)
    brand: str | None = Field(default=None, min_length=1)
    categories: list[str] = Field(default_factory=list, max_length=1000)
    channels: list[int] = Field(default_factory=list)
    inventory_level: Stock = 0
    inventory_warning_level: Stock = 0
    inventory_tracking: Literal["none", "product", "variant"] = "none"
    fixed_cost_shipping_price: Money = 0
    is_free_shipping: bool = False
    is_visible: bool = True
    is_featured: bool = False
    related_products: list[int] = Field(default_factory=list)
    warranty: str = Field(default="", max_length=65535)
    bin_picking_number: str = Field(default="", max_length=255)
    layout_file: str = Field(default="product.html", max_length=500)
    upc: str = Field(default="", max_length=14)
    gtin: str = Field(default="", max_length=14)
    mpn: str = ""
    search_keywords: str = Field(default="", max_length=65535)
    availability: Literal["available", "disabled", "preorder"] = "available"
    availability_description: str = Field(default="", max_length=255)
    gift_wrapping_options_type: Literal["any", "none", "list"] = "any"
    gift_wrapping_options_list: list[int] = Field(default_factory=list)
    sort_order: Int32 = 0
    condition: Literal["New", "Used", "Refurbished"] = "New"
    is_condition_shown: bool = False
    order_quantity_minimum: int = Field(default=0, ge=0, le=MAX_ORDER_QUANTITY)
    order_quantity_maximum: int = Field(default=0, ge=0, le=MAX_ORDER_QUANTITY)
    page_title: str = Field(default="", max_length=255)
    meta_keywords: list[str] = Field(default_factory=list)
    meta_description: str = Field(default="", max_length=65535)
    preorder_release_date: UtcDatetime | None = None
    preorder_message: str = Field(default="", max_length=255)
    is_preorder_only: bool = False
    is_price_hidden: bool = False
    price_hidden_label: str = Field(default="", max_length=200)
    custom_url: CustomUrl | None = None
    open_graph_type: Literal[
        "product", "album", "book", "drink", "food", "game", "movie", "song", "tv_show"
    ] = "product"
    open_graph_title: str = ""
    open_graph_description: str = ""
    open_graph_use_meta_description: bool = True
    open_graph_use_product_name: bool = True
    open_graph_use_image: bool = True
    # Nested lists, each diffed item by item (see Products.parts). Declared after the scalars,
    # and options before variants, so the variants validator can see the options.
    custom_fields: dict[FieldText, FieldText] = Field(default_factory=dict, max_length=200)
    images: list[Image] = Field(default_factory=list, max_length=1000)
    videos: list[Video] = Field(default_factory=list)
    bulk_pricing_rules: list[BulkPricingRule] = Field(default_factory=list)
    modifiers: list[Modifier] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list, max_length=600)

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _named_custom_fields(cls, fields: Any) -> Any:
        if isinstance(fields, dict) and any(name in ("", None) for name in fields):
            raise ValueError("a custom field needs a name (one of the names is empty)")
        return fields

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, paths: list[str]) -> list[str]:
        no_duplicates("category", (p.casefold() for p in paths))
        return paths

    @field_validator("channels")
    @classmethod
    def _unique_channels(cls, channels: list[int]) -> list[int]:
        no_duplicates("channel", channels)
        return channels

    @field_validator("images")
    @classmethod
    def _unique_images(cls, images: list[Image]) -> list[Image]:
        no_duplicates("image file name", (image_identity(i.url) for i in images), hint=_IMAGE_HINT)
        if sum(i.thumbnail for i in images) > 1:
            raise ValueError("only one image can be the thumbnail")
        return images

    @field_validator("videos")
    @classmethod
    def _unique_videos(cls, videos: list[Video]) -> list[Video]:
        no_duplicates("video_id", (v.video_id for v in videos))
        return videos

    @field_validator("bulk_pricing_rules")
    @classmethod
    def _no_overlap(cls, rules: list[BulkPricingRule]) -> list[BulkPricingRule]:
        ordered = sorted(enumerate(rules), key=lambda r: r[1].quantity_min)
        for (i, low), (j, high) in itertools.pairwise(ordered):
            if low.quantity_max == 0 or high.quantity_min <= low.quantity_max:
                first, second = sorted((i, j))
                message = f"bulk pricing ranges {_range(rules[first])} and {_range(rules[second])} overlap"
                fail_at((second,), message)
        return rules

    @field_validator("modifiers")
    @classmethod
    def _unique_modifiers(cls, modifiers: list[Modifier]) -> list[Modifier]:
        no_duplicates("modifier name", (m.name for m in modifiers))
        return modifiers

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        no_duplicates("option name", (o.name for o in options))
        return options

    @field_validator("variants")
    @classmethod
    def _variants_match_options(cls, variants: list[Variant], info: ValidationInfo) -> list[Variant]:
        if "options" not in info.data:
            return variants  # the options have errors of their own: checking against them misleads
        options = {o.name: {v.label for v in o.values} for o in info.data["options"]}
        if variants and not options:
            fail_at((0,), _NO_OPTIONS)
        # A variant naming one declared value of each option, as nearly all do, is checked by one
        # set operation in C; _check_variant finds what is wrong with the others, and where.
        pairs = {(name, label) for name, labels in options.items() for label in labels}
        seen: dict[tuple[str, ...], str] = {}
        for i, variant in enumerate(variants):
            chosen = variant.options
            if len(chosen) != len(options) or not pairs.issuperset(chosen.items()):
                _check_variant(i, variant, options)  # raises
            combo = tuple(map(chosen.__getitem__, options))  # each option is named: checked above
            if combo in seen:
                message = f"variants {seen[combo]!r} and {variant.sku!r} have the same option values"
                fail_at((i, "options"), message)
            seen[combo] = variant.sku
        return variants

    @model_validator(mode="after")
    def _unique_skus(self) -> Product:
        no_duplicates(
            "sku", (s.casefold() for s in [self.sku, *(v.sku for v in self.variants)]), hint=_SKU_HINT
        )
        return self


_IMAGE_HINT = "two images of one product cannot share a file name (the store identifies images by it)"
_SKU_HINT = "SKUs are unique across a product and its variants, ignoring case"
_NO_OPTIONS = (
    "a product without options has only its base variant (the product itself); "
    "declare `options` to give it variants"
)


def _check_variant(index: int, variant: Variant, options: dict[str, set[str]]) -> None:
    where = f"variant {variant.sku!r}"
    for name, label in variant.options.items():
        if name not in options:
            fail_at((index, "options", name), f"{where}: option {name!r} is not declared in `options`")
        if label not in options[name]:
            message = f"{where}: {label!r} is not a declared value of option {name!r}"
            fail_at((index, "options", name), message, label)
    missing = [name for name in options if name not in variant.options]
    if missing:
        fail_at((index,), f"{where}: names no value for option(s) {', '.join(map(repr, missing))}")


def _range(rule: BulkPricingRule) -> str:
    return bulk_key({"quantity_min": rule.quantity_min, "quantity_max": rule.quantity_max})
