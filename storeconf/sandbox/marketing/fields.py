"""Top-level promotion fields (§16.2): validation of a create or a merged update, and the
defaults the store fills. The rule grammar itself is in `grammar`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from storeconf.sandbox.marketing.grammar import Problems, check_rules

REDEMPTION_TYPES = ("AUTOMATIC", "COUPON")
COUPON_TYPES = ("SINGLE", "BULK")
WRITABLE_STATUSES = ("ENABLED", "DISABLED")
NOTIFICATION_TYPES = ("UPSELL", "ELIGIBLE", "APPLIED", "PROMOTION")
LOCATIONS = ("HOME_PAGE", "PRODUCT_PAGE", "CART_PAGE", "CHECKOUT_PAGE")
WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COUPON_ONLY = (
    "coupon_type",
    "coupon_overrides_other_promotions",
    "coupon_overrides_automatic_when_offering_higher_discounts",
)
WRITABLE = (
    "redemption_type",
    "name",
    "display_name",
    "channels",
    "customer",
    "rules",
    "notifications",
    "max_uses",
    "status",
    "start_date",
    "end_date",
    "stop",
    "can_be_used_with_other_promotions",
    "currency_code",
    "shipping_address",
    "schedule",
    *COUPON_ONLY,
)
CURRENCY = re.compile(r"^[A-Z]{3}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
TIME = re.compile(r"^([0-1][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$")
BOOLEANS = (
    "stop",
    "can_be_used_with_other_promotions",
    "coupon_overrides_other_promotions",
    "coupon_overrides_automatic_when_offering_higher_discounts",
)


def defaults(redemption_type: str, now: str) -> dict[str, Any]:
    """What the store fills for fields a create leaves out (docs' response examples)."""
    base: dict[str, Any] = {
        "display_name": "",
        "channels": [],
        "customer": customer_defaults(),
        "notifications": [],
        "max_uses": None,
        "status": "ENABLED",
        "start_date": now,
        "end_date": None,
        "stop": False,
        "can_be_used_with_other_promotions": True,
        "currency_code": "USD",
        "shipping_address": None,
        "schedule": None,
    }
    if redemption_type == "COUPON":
        base |= {
            "coupon_type": "SINGLE",
            "coupon_overrides_other_promotions": False,
            "coupon_overrides_automatic_when_offering_higher_discounts": False,
        }
    return base


def customer_defaults() -> dict[str, Any]:
    return {"group_ids": [], "minimum_order_count": 0, "excluded_group_ids": [], "segments": None}


def check_promotion(doc: dict[str, Any]) -> Problems:
    """Every problem with a whole promotion (a create, or an update merged onto the stored one)."""
    out: Problems = []
    if doc.get("redemption_type") not in REDEMPTION_TYPES:
        out.append("redemption_type: must be one of " + ", ".join(REDEMPTION_TYPES))
    if not isinstance(doc.get("name"), str) or not doc["name"].strip():
        out.append("name: must be a non-empty string")
    if not isinstance(doc.get("display_name", ""), str):
        out.append("display_name: must be a string")
    out += [f"{n}: must be a boolean" for n in BOOLEANS if n in doc and not isinstance(doc[n], bool)]
    out += _status(doc.get("status", "ENABLED"))
    out += _channels(doc.get("channels", []))
    out += _customer(doc.get("customer"))
    out += _notifications(doc.get("notifications", []))
    out += _max_uses(doc.get("max_uses"))
    out += _dates(doc.get("start_date"), doc.get("end_date"))
    out += _currency(doc.get("currency_code", "USD"))
    out += _address(doc.get("shipping_address"))
    out += _schedule(doc.get("schedule"))
    out += _coupon(doc)
    out += check_rules(doc.get("rules"), doc.get("currency_code") == "*")
    return out


def _status(status: Any) -> Problems:
    if status == "INVALID":
        return ["status: INVALID is set by the store and cannot be written"]
    return [] if status in WRITABLE_STATUSES else ["status: must be one of ENABLED, DISABLED"]


def _channels(channels: Any) -> Problems:
    if not isinstance(channels, list):
        return ["channels: must be an array of {id} objects"]
    return [
        f"channels.{i}: must be an object with an integer id"
        for i, c in enumerate(channels)
        if not (isinstance(c, dict) and _is_int(c.get("id")) and c["id"] >= 1)
    ]


def _customer(customer: Any) -> Problems:
    if customer is None:
        return []
    if not isinstance(customer, dict):
        return ["customer: must be an object"]
    out: Problems = []
    for name in ("group_ids", "excluded_group_ids"):
        ids = customer.get(name, [])
        if not isinstance(ids, list) or not all(_is_int(i) and i >= 0 for i in ids):
            out.append(f"customer.{name}: must be an array of group ids")
    if customer.get("group_ids") and customer.get("excluded_group_ids"):
        out.append("customer: only one of group_ids, excluded_group_ids may be non-empty")
    count = customer.get("minimum_order_count", 0)
    if not _is_int(count) or count < 0:
        out.append("customer.minimum_order_count: must be an integer of at least 0")
    segments = customer.get("segments")
    if segments is not None and not isinstance(segments, dict):
        out.append("customer.segments: must be an object")
    return out


def _notifications(notes: Any) -> Problems:
    if not isinstance(notes, list):
        return ["notifications: must be an array"]
    out: Problems = []
    for i, note in enumerate(notes):
        at = f"notifications.{i}"
        if not isinstance(note, dict):
            out.append(f"{at}: must be an object")
            continue
        if note.get("type") not in NOTIFICATION_TYPES:
            out.append(f"{at}.type: must be one of " + ", ".join(NOTIFICATION_TYPES))
        if not isinstance(note.get("content"), str):
            out.append(f"{at}.content: must be a string")
        places = note.get("locations")
        if not isinstance(places, list) or not places or not all(p in LOCATIONS for p in places):
            out.append(f"{at}.locations: must be a non-empty array of " + ", ".join(LOCATIONS))
    return out


def _max_uses(value: Any) -> Problems:
    return (
        [] if value is None or (_is_int(value) and value >= 1) else ["max_uses: must be null or at least 1"]
    )


def _dates(start: Any, end: Any) -> Problems:
    out: Problems = []
    moments = {}
    for name, value in (("start_date", start), ("end_date", end)):
        if value is None and name == "end_date":
            continue
        moment = parse_instant(value)
        if moment is None:
            out.append(f"{name}: must be an ISO-8601 date-time with a UTC offset")
        moments[name] = moment
    first, last = moments.get("start_date"), moments.get("end_date")
    if first is not None and last is not None and last <= first:
        out.append("end_date: must be after start_date")
    return out


def parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _currency(code: Any) -> Problems:
    ok = code == "*" or (isinstance(code, str) and bool(CURRENCY.match(code)))
    return [] if ok else ['currency_code: must be an upper-case ISO-4217 code or "*"']


def _address(address: Any) -> Problems:
    if address is None:
        return []
    inner = address.get("not") if isinstance(address, dict) and set(address) == {"not"} else address
    countries = inner.get("countries") if isinstance(inner, dict) and set(inner) == {"countries"} else None
    if not isinstance(countries, list) or not countries:
        return ["shipping_address: must be {countries: [...]} or {not: {countries: [...]}}"]
    return [
        f"shipping_address.countries.{i}: must be {{iso2_country_code: XX}}"
        for i, c in enumerate(countries)
        if not (isinstance(c, dict) and isinstance(c.get("iso2_country_code"), str))
        or not COUNTRY.match(c["iso2_country_code"])
    ]


def _schedule(schedule: Any) -> Problems:
    if schedule is None:
        return []
    if not isinstance(schedule, dict):
        return ["schedule: must be an object"]
    out = [f"schedule.{n}: is required" for n in _SCHEDULE if n not in schedule]
    freq = schedule.get("week_frequency", 1)
    if not _is_int(freq) or freq < 1:
        out.append("schedule.week_frequency: must be an integer of at least 1")
    days = schedule.get("week_days", [])
    if not isinstance(days, list) or not days or not all(d in WEEK_DAYS for d in days):
        out.append("schedule.week_days: must be a non-empty array of week day names")
    for name in ("daily_start_time", "daily_end_time"):
        value = schedule.get(name, "00:00:00")
        if not isinstance(value, str) or not TIME.match(value):
            out.append(f"schedule.{name}: must be HH:MM:SS")
    return out


_SCHEDULE = ("week_frequency", "week_days", "daily_start_time", "daily_end_time")


def _coupon(doc: dict[str, Any]) -> Problems:
    out: Problems = []
    is_coupon = doc.get("redemption_type") == "COUPON"
    if not is_coupon:
        out += [f"{n}: is for COUPON promotions only" for n in COUPON_ONLY if doc.get(n)]
    elif doc.get("coupon_type", "SINGLE") not in COUPON_TYPES:
        out.append("coupon_type: must be one of SINGLE, BULK")
    stacks = doc.get("can_be_used_with_other_promotions", True)
    for name in COUPON_ONLY[1:]:
        if doc.get(name) is True and stacks is not False:
            out.append(f"{name}: true needs can_be_used_with_other_promotions: false")
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
