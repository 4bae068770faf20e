"""Between the API's promotion and the config's: ids <-> keys, and one canonical form.

Config and live values pass through the same models and dumps, so what the API fills
(rule defaults, money as `"10.00"`, dates as UTC) compares equal to what the config
leaves out or spells differently. Lists whose order means nothing to the API (channels,
customer groups) are sorted; rules keep their order (it decides which rule applies).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from storeconf.kinds.promotions.refs import map_rules
from storeconf.kinds.promotions.spec import Code, Promotion, Rule

# Customer group id 0: guests and customers in no group (not a group of its own in the API).
GUESTS = "(guests)"
GROUPS = "customer_groups"
# Fields copied as they are between the API and the config.
PLAIN = (
    "name",
    "redemption_type",
    "display_name",
    "max_uses",
    "status",
    "stop",
    "can_be_used_with_other_promotions",
    "currency_code",
    "schedule",
    "notifications",
    "coupon_type",
    "coupon_overrides_other_promotions",
)
# (kind, value, dotted path) -> mapped value
Resolve = Callable[[str, Any, str], Any]


def canonical_rule(rule: dict[str, Any], *, defaults: bool = True) -> dict[str, Any]:
    """A rule as the models dump it: with every API default (to compare) or without (to export)."""
    try:
        model = Rule.model_validate(rule)
    except ValidationError:
        return rule  # something our grammar rejects (set by another tool): compare it as it is
    return model.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=not defaults)


def instant(value: Any) -> Any:
    """An ISO date-time as the UTC instant the config models dump (`...+00:00`)."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(UTC).isoformat()


def config_fields(item: Promotion) -> dict[str, Any]:
    """The fields a config item sets, canonical; `codes: generated` is not managed (left out)."""
    fields: dict[str, Any] = item.model_dump(
        mode="json", by_alias=True, exclude_unset=True, exclude_none=True
    )
    fields["rules"] = [
        canonical_rule(r.model_dump(mode="json", by_alias=True, exclude_none=True)) for r in item.rules
    ]
    if "channels" in fields:
        fields["channels"] = sorted(fields["channels"])
    for name in ("groups", "excluded_groups"):
        if name in fields.get("customer", {}):
            fields["customer"][name] = sorted(fields["customer"][name])
    if isinstance(item.codes, list):
        fields["codes"] = [c.model_dump(mode="json") for c in item.codes]
    else:
        fields.pop("codes", None)
    return fields


def live_fields(raw: dict[str, Any], key_of: Resolve) -> dict[str, Any]:
    """An API promotion in the config's shape, ids turned into keys by `key_of`."""
    fields = {k: raw[k] for k in PLAIN if raw.get(k) is not None}
    for name in ("start_date", "end_date"):
        if raw.get(name) is not None:
            fields[name] = instant(raw[name])
    fields["channels"] = sorted(int(c["id"]) for c in raw.get("channels") or [] if isinstance(c, dict))
    fields["customer"] = _customer(raw.get("customer") or {}, key_of)
    rules = map_rules(raw.get("rules") or [], key_of, to_api=False)
    fields["rules"] = [canonical_rule(r) for r in rules]
    address = raw.get("shipping_address")
    if isinstance(address, dict):
        fields["shipping_address"] = _address_from_api(address)
    return fields


def _customer(customer: dict[str, Any], key_of: Resolve) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for api, name in (("group_ids", "groups"), ("excluded_group_ids", "excluded_groups")):
        ids = customer.get(api) or []
        out[name] = sorted(GUESTS if i == 0 else str(key_of(GROUPS, i, f"customer.{name}")) for i in ids)
    out["minimum_order_count"] = customer.get("minimum_order_count") or 0
    if customer.get("segments") is not None:
        out["segments"] = customer["segments"]
    return out


def _address_from_api(address: dict[str, Any]) -> dict[str, Any]:
    def countries(node: dict[str, Any]) -> list[str]:
        return [str(c.get("iso2_country_code")) for c in node.get("countries") or []]

    if isinstance(address.get("not"), dict):
        return {"not": {"countries": countries(address["not"])}}
    return {"countries": countries(address)}


def api_body(
    fields: dict[str, Any], id_of: Resolve, live_customer: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The request body for config-shaped `fields` (any subset), keys turned into ids by `id_of`."""
    body = {k: v for k, v in fields.items() if k in PLAIN or k in ("start_date", "end_date")}
    if "channels" in fields:
        body["channels"] = [{"id": c} for c in fields["channels"]]
    if "rules" in fields:
        body["rules"] = map_rules(fields["rules"], id_of, to_api=True)
    if "customer" in fields:
        body["customer"] = _customer_body(fields["customer"], id_of, live_customer or {})
    if "shipping_address" in fields:
        body["shipping_address"] = _address_body(fields["shipping_address"])
    return body


def _customer_body(customer: dict[str, Any], id_of: Resolve, live: dict[str, Any]) -> dict[str, Any]:
    # The API replaces the customer object whole: keep what the config does not set as it is.
    keep = ("group_ids", "excluded_group_ids", "minimum_order_count", "segments")
    out: dict[str, Any] = {k: live[k] for k in keep if k in live}
    pairs = {
        "groups": ("group_ids", "excluded_groups", "excluded_group_ids"),
        "excluded_groups": ("excluded_group_ids", "groups", "group_ids"),
    }
    for name, (api, other, other_api) in pairs.items():
        if name in customer:
            out[api] = [0 if g == GUESTS else id_of(GROUPS, g, f"customer.{name}") for g in customer[name]]
            if out[api] and other not in customer:
                out[other_api] = []  # the API allows one non-empty list: choosing one clears the other
    for name in ("minimum_order_count", "segments"):
        if name in customer:
            out[name] = customer[name]
    return out


def _address_body(address: dict[str, Any]) -> dict[str, Any]:
    if "not" in address:
        return {"not": {"countries": [{"iso2_country_code": c} for c in address["not"]["countries"]]}}
    return {"countries": [{"iso2_country_code": c} for c in address["countries"]]}


def live_code(raw: dict[str, Any]) -> dict[str, Any]:
    """A code as config would write it, with its id and uses for storeconf's own use."""
    fields = Code.model_validate(
        {k: raw[k] for k in ("code", "max_uses", "max_uses_per_customer") if k in raw}
    )
    return {**fields.model_dump(mode="json"), "_id": raw["id"], "_uses": raw.get("current_uses") or 0}
