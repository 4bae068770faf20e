"""Config models of a promotion: its fields and the rule grammar (BIGCOMMERCE_API.md §16.3).

The grammar is checked offline with the API's constraints, so a bad rule is a
`FILE:LINE:COL` error instead of a 422. Either-or objects (a condition, an action, an
item matcher, a discount) take exactly one key. References are by key: matchers name
`brands` by name, `categories` by path, `products` and `variants` by SKU; a gift names
its `product` or `variant` by SKU. Defaults are the API's, so a rule read back from the
store and the same rule from YAML dump to the same data (the rule list is compared whole).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BeforeValidator, Field, PlainSerializer, field_validator, model_validator

from storeconf.kinds.base import Spec

MAX_RULES = 10
MAX_MATCHER_DEPTH = 3
MAX_CUSTOM_FIELD_MATCHERS = 10
MAX_DISCOUNT_CAP = Decimal(10_000_000)


def money_text(value: Any) -> str:
    """A non-negative amount as the canonical decimal string: 4 decimal places (the store's
    precision), trailing zeros dropped (`10`, `"10.00"` and `10.0` are all `"10"`)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError('expected an amount such as 10 or "12.50"')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f'expected an amount such as 10 or "12.50", got {value!r}') from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"expected a non-negative amount, got {value!r}")
    try:
        rounded = amount.quantize(Decimal("0.0001"))
    except InvalidOperation:  # more digits than Decimal's 28 once 4 decimal places are added
        raise ValueError(f"expected an amount below 10^24, got {value!r}") from None
    return format(rounded.normalize(), "f")


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


Money = Annotated[str, BeforeValidator(money_text)]
# Dates compare as instants: written with any offset, kept as UTC.
Instant = Annotated[AwareDatetime, PlainSerializer(_instant, return_type=str)]
Strategy = Literal["LEAST_EXPENSIVE", "LEAST_EXPENSIVE_ONLY", "MOST_EXPENSIVE", "MOST_EXPENSIVE_ONLY"]
Keys = Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]


def exactly_one(model: Spec, names: tuple[str, ...]) -> None:
    present = [n.rstrip("_") for n in names if getattr(model, n) is not None]
    if len(present) != 1:
        shown = ", ".join(n.rstrip("_") for n in names)
        raise ValueError(f"give exactly one of {shown}" + (f" (got {', '.join(present)})" if present else ""))


class OptionMatch(Spec):
    type: Literal["string_match"] = "string_match"
    name: str = Field(min_length=1)
    values: Keys


class CustomFieldMatch(Spec):
    name: str = Field(min_length=1)
    values: Keys


class Matcher(Spec):
    """Which cart items: one of brands, categories, products, variants (by key), a product
    option or custom field, or `and`/`or` of matchers, or `not` a matcher."""

    brands: Keys | None = None
    categories: Keys | None = None
    products: Keys | None = None
    variants: Keys | None = None
    product_option: OptionMatch | None = None
    product_custom_field: CustomFieldMatch | None = None
    and_: list[Matcher] | None = Field(default=None, alias="and", min_length=1)
    or_: list[Matcher] | None = Field(default=None, alias="or", min_length=1)
    not_: Matcher | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_kind(self) -> Matcher:
        exactly_one(self, MATCHER_KEYS)
        return self

    def depth(self) -> int:
        """Levels of and/or/not nesting."""
        children = [*(self.and_ or []), *(self.or_ or []), *([self.not_] if self.not_ else [])]
        return (
            0
            if not children and not (self.and_ or self.or_)
            else 1 + max((c.depth() for c in children), default=0)
        )

    def custom_fields(self) -> int:
        children = [*(self.and_ or []), *(self.or_ or []), *([self.not_] if self.not_ else [])]
        return (1 if self.product_custom_field else 0) + sum(c.custom_fields() for c in children)


MATCHER_KEYS = (
    "brands",
    "categories",
    "products",
    "variants",
    "product_option",
    "product_custom_field",
    "and_",
    "or_",
    "not_",
)


def _checked_matcher(value: Matcher | None) -> Matcher | None:
    """The API's limits on one whole matcher (reported at the matcher)."""
    if value is None:
        return None
    if value.depth() > MAX_MATCHER_DEPTH:
        raise ValueError(f"item matchers nest at most {MAX_MATCHER_DEPTH} levels of and/or/not")
    if value.custom_fields() > MAX_CUSTOM_FIELD_MATCHERS:
        raise ValueError(
            f"at most {MAX_CUSTOM_FIELD_MATCHERS} product_custom_field matchers per item matcher"
        )
    return value


class Cart(Spec):
    items: Matcher | None = None
    minimum_spend: Money | None = None
    minimum_quantity: int | None = Field(default=None, ge=1)

    _items = field_validator("items")(_checked_matcher)

    @model_validator(mode="after")
    def _threshold_with_items(self) -> Cart:
        if self.items is not None and self.minimum_spend is None and self.minimum_quantity is None:
            raise ValueError("a cart condition with items needs minimum_quantity or minimum_spend")
        return self


class CartOnly(Spec):
    cart: Cart


class Condition(Spec):
    """When the rule applies: one cart condition, or `and` of several."""

    cart: Cart | None = None
    and_: list[CartOnly] | None = Field(default=None, alias="and", min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        exactly_one(self, ("cart", "and_"))
        return self


class Discount(Spec):
    percentage_amount: Money | None = None
    fixed_amount: Money | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Discount:
        exactly_one(self, ("percentage_amount", "fixed_amount"))
        if self.percentage_amount is not None and not 0 < Decimal(self.percentage_amount) <= 100:
            raise ValueError("percentage_amount must be more than 0 and at most 100")
        return self


def _cap(value: str | None) -> str | None:
    if value is not None and not 1 <= Decimal(value) <= MAX_DISCOUNT_CAP:
        raise ValueError(f"maximum_allowed_discount_amount must be from 1 to {MAX_DISCOUNT_CAP}")
    return value


class CartValue(Spec):
    discount: Discount
    maximum_allowed_discount_amount: Money | None = None

    _cap = field_validator("maximum_allowed_discount_amount")(_cap)


class CartItems(Spec):
    discount: Discount
    items: Matcher | None = None
    quantity: int | None = Field(default=None, ge=1)
    strategy: Strategy = "LEAST_EXPENSIVE"
    as_total: bool = False
    include_items_considered_by_condition: bool = False
    exclude_items_on_sale: bool = False
    add_free_item: bool = True
    maximum_allowed_discount_amount: Money | None = None

    _items = field_validator("items")(_checked_matcher)
    _cap = field_validator("maximum_allowed_discount_amount")(_cap)


class GiftItem(Spec):
    """A free item: `product` or `variant`, by SKU (a product with options needs `variant`)."""

    quantity: int = Field(ge=1)
    product: str | None = Field(default=None, min_length=1)
    variant: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> GiftItem:
        exactly_one(self, ("product", "variant"))
        return self


class FixedPriceSet(Spec):
    fixed_price: Money
    quantity: int = Field(ge=1)
    items: Matcher | None = None
    strategy: Strategy = "LEAST_EXPENSIVE"
    exclude_items_on_sale: bool = False
    include_items_considered_by_condition: bool = True

    _items = field_validator("items")(_checked_matcher)


class Shipping(Spec):
    """Free shipping adds a free method in the listed zones (`"*"` = all)."""

    zone_ids: Literal["*"] | Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1)]
    free_shipping: bool = False

    @field_validator("zone_ids")
    @classmethod
    def _unique(cls, value: Any) -> Any:
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError("zone ids must be unique")
        return value


class Action(Spec):
    cart_value: CartValue | None = None
    cart_items: CartItems | None = None
    gift_item: GiftItem | None = None
    fixed_price_set: FixedPriceSet | None = None
    shipping: Shipping | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Action:
        exactly_one(self, ("cart_value", "cart_items", "gift_item", "fixed_price_set", "shipping"))
        return self


class Rule(Spec):
    """One rule: when `condition` holds (always, without one), do `action`."""

    action: Action
    condition: Condition | None = None
    apply_once: bool = True
    stop: bool = False


class Customer(Spec):
    """Who may use it: customer groups by name (`(guests)` = guests and customers in no group)."""

    groups: list[str] | None = None
    excluded_groups: list[str] | None = None
    minimum_order_count: int | None = Field(default=None, ge=0)
    segments: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_list(self) -> Customer:
        if self.groups and self.excluded_groups:
            raise ValueError("give groups or excluded_groups, not both")
        return self


class Notification(Spec):
    type: Literal["UPSELL", "ELIGIBLE", "APPLIED", "PROMOTION"]
    content: str
    locations: Annotated[
        list[Literal["HOME_PAGE", "PRODUCT_PAGE", "CART_PAGE", "CHECKOUT_PAGE"]], Field(min_length=1)
    ]


Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class Countries(Spec):
    countries: Annotated[list[Country], Field(min_length=1)]


class ShippingAddress(Spec):
    """Shipping destinations: `countries: [US, CA]` or `not: {countries: [...]}` (ISO 3166-1 alpha-2)."""

    countries: Annotated[list[Country], Field(min_length=1)] | None = None
    not_: Countries | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_kind(self) -> ShippingAddress:
        exactly_one(self, ("countries", "not_"))
        return self


TimeOfDay = Annotated[str, Field(pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")]
WeekDay = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Schedule(Spec):
    week_frequency: int = Field(ge=1)
    week_days: Annotated[list[WeekDay], Field(min_length=1)]
    daily_start_time: TimeOfDay
    daily_end_time: TimeOfDay


class Code(Spec):
    """A coupon code; `0` = unlimited. Codes cannot be updated: a changed limit re-creates it."""

    code: str = Field(pattern=r"^[A-Za-z0-9 _-]{1,50}$")
    max_uses: int = Field(default=0, ge=0, le=100_000)
    max_uses_per_customer: int = Field(default=0, ge=0, le=100_000)


class Promotion(Spec):
    """A promotion, keyed by `name` (unique in config; storeconf refuses duplicate live names)."""

    # Rules are ordered: compared as a whole list, but a changed rule is shown leaf by leaf.
    itemwise_lists: ClassVar[frozenset[str]] = frozenset({"rules"})

    name: str = Field(min_length=1)
    redemption_type: Literal["AUTOMATIC", "COUPON"]
    rules: Annotated[list[Rule], Field(min_length=1, max_length=MAX_RULES)]
    display_name: str | None = None
    channels: list[Annotated[int, Field(ge=1)]] | None = None
    customer: Customer | None = None
    notifications: list[Notification] | None = None
    max_uses: int | None = Field(default=None, ge=1)
    status: Literal["ENABLED", "DISABLED"] | None = None
    start_date: Instant | None = None
    end_date: Instant | None = None
    stop: bool | None = None
    can_be_used_with_other_promotions: bool | None = None
    currency_code: str | None = Field(default=None, pattern=r"^([A-Z]{3}|\*)$")
    shipping_address: ShippingAddress | None = None
    schedule: Schedule | None = None
    coupon_type: Literal["SINGLE", "BULK"] | None = None
    coupon_overrides_other_promotions: bool | None = None
    # A list manages the codes; `generated` leaves them to codegen (not config).
    codes: list[Code] | Literal["generated"] | None = None
