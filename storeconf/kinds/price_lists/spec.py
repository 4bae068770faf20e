"""Price-list config models and the two shapes of records.

In the files records are compact, one row per SKU with a price per currency:

    records:
      TENT-UL2-SAGE: {USD: 299, EUR: 279}
      BAG-20-RL: {USD: {price: 120, sale_price: 110, bulk_pricing_tiers: [...]}, EUR: 110}

Inside storeconf (and in plans) each record is one flat item keyed by SKU + currency,
with every price field present (`None` when not set), so a price the file drops is a
change: a record is owned whole.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag, field_validator, model_validator

from storeconf.kinds.base import Spec
from storeconf.model import FlowRow
from storeconf.money import store_money

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]
Money = Annotated[float, Field(ge=0)]
PRICES = ("price", "sale_price", "retail_price", "map_price")


class Tier(Spec):
    quantity_min: int = Field(ge=1)
    quantity_max: int = Field(default=0, ge=0, description="0: no maximum")
    type: Literal["fixed", "price", "percent"]
    amount: Money

    @model_validator(mode="after")
    def _ordered(self) -> Tier:
        # The API refuses it at apply otherwise (422); a tier of one quantity is allowed.
        if self.quantity_max and self.quantity_max < self.quantity_min:
            raise ValueError("quantity_max must be 0 (no maximum) or at least quantity_min")
        return self


class RecordPrices(Spec):
    price: Money
    sale_price: Money | None = None
    retail_price: Money | None = None
    map_price: Money | None = None
    bulk_pricing_tiers: list[Tier] | None = None


class Assignment(Spec):
    """The list applies to a customer group (by name), a channel (by id), or a group on a channel."""

    customer_group: str | None = Field(default=None, min_length=1)
    channel: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _names_something(self) -> Assignment:
        if self.customer_group is None and self.channel is None:
            raise ValueError("an assignment names a customer_group, a channel, or both")
        return self


# A price, or the record's fields: told apart by shape, so a mistake in one is reported once,
# in its terms, not once per shape it could have been.
RecordValue = Annotated[
    Annotated[Money, Tag("price")] | Annotated[RecordPrices, Tag("fields")],
    Discriminator(lambda v: "fields" if isinstance(v, dict | RecordPrices) else "price"),
]


class PriceList(Spec):
    name: str = Field(min_length=1, max_length=255)
    active: bool = True
    assignments: list[Assignment] | None = None
    # SKU -> currency -> a price, or the record's fields.
    records: dict[str, dict[Currency, RecordValue]] | None = None

    @field_validator("records")
    @classmethod
    def _each_once(
        cls, records: dict[str, dict[str, float | RecordPrices]] | None
    ) -> dict[str, dict[str, float | RecordPrices]] | None:
        """SKUs and currencies are compared ignoring case (the store's records are keyed so): a
        row written twice in two spellings would otherwise keep only the last, silently."""
        skus: dict[str, str] = {}
        for sku, by_currency in (records or {}).items():
            first = skus.setdefault(sku.casefold(), sku)
            if first != sku:
                raise ValueError(f"SKU {sku!r} is listed twice (also as {first!r}; SKUs ignore case)")
            currencies: dict[str, str] = {}
            for currency in by_currency:
                seen = currencies.setdefault(currency.upper(), currency)
                if seen != currency:
                    raise ValueError(f"{sku}: currency {currency!r} is listed twice (also as {seen!r})")
        return records


class RecordItem(Spec):
    """One record as the planner compares it (the `records` part's model)."""

    sku: str
    currency: str
    price: float | None = None
    sale_price: float | None = None
    retail_price: float | None = None
    map_price: float | None = None
    bulk_pricing_tiers: list[dict[str, Any]] = Field(default_factory=list)


def record_key(item: dict[str, Any]) -> str:
    return f"{item['sku']} {item['currency']}"


def assignment_key(item: dict[str, Any]) -> str:
    group, channel = item.get("customer_group"), item.get("channel")
    if group is not None and channel is not None:
        return f"{group} on channel {channel}"
    return str(group) if group is not None else f"channel {channel}"


def flat_records(records: dict[str, dict[str, float | RecordPrices]]) -> list[dict[str, Any]]:
    out = []
    for sku, by_currency in records.items():
        for currency, value in by_currency.items():
            if isinstance(value, RecordPrices):
                out.append(flat_record(sku, currency, value.model_dump(mode="json")))
            else:
                # A bare price (most records): what flat_record makes of {"price": value}, built
                # without its lookups (with store_money's fast path, a 50,000-record list: 0.20 -> 0.11 s).
                item = {"sku": sku, "currency": currency.upper(), **_NO_PRICES, "bulk_pricing_tiers": []}
                item["price"] = None if value is None else store_money(float(value))
                out.append(item)
    return sorted(out, key=lambda r: (r["sku"].casefold(), r["currency"]))


_NO_PRICES: dict[str, Any] = dict.fromkeys(PRICES)


def flat_record(sku: str, currency: str, fields: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"sku": sku, "currency": currency.upper()}
    for name in PRICES:
        value = fields.get(name)
        item[name] = None if value is None else store_money(float(value))
    item["bulk_pricing_tiers"] = normal_tiers(fields.get("bulk_pricing_tiers") or [])
    return item


def normal_tiers(tiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = [
        {
            "quantity_min": int(t["quantity_min"]),
            "quantity_max": int(t.get("quantity_max") or 0),
            "type": t["type"],
            "amount": store_money(float(t["amount"])),
        }
        for t in tiers
    ]
    return sorted(out, key=lambda t: t["quantity_min"])


def compact_records(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Flat records back to the file's shape: a bare price where that is all a record has."""
    out: dict[str, dict[str, Any]] = {}
    for item in sorted(items, key=lambda r: (str(r["sku"]).casefold(), r["currency"])):
        fields = {k: item[k] for k in PRICES if item.get(k) is not None}
        if item.get("bulk_pricing_tiers"):  # quantity_max 0 (no maximum) is the default
            fields["bulk_pricing_tiers"] = [
                {k: v for k, v in t.items() if (k, v) != ("quantity_max", 0)}
                for t in item["bulk_pricing_tiers"]
            ]
        value: Any = fields["price"] if list(fields) == ["price"] else fields
        out.setdefault(str(item["sku"]), FlowRow())[str(item["currency"])] = value
    return out
