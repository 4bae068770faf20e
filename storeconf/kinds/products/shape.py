"""One comparable shape for config and live data: what the planner diffs and what export writes.

Both sides go through the same canonical forms, so a value the API spells
differently (`5` vs `5.0`, an omitted default, an option value `{label: S}` vs
`S`) never shows as a change:

- option and modifier values: the bare label when nothing else is set, else a
  mapping holding only non-default keys; listed in storefront order;
- custom fields: a list of `{name, value}` (the config writes a mapping);
- categories by path sorted case-insensitively, channels sorted.
"""

from __future__ import annotations

from typing import Any

from storeconf.kinds.products.spec import Modifier, Option, Product

# Lists of a product diffed item by item (Products.parts), in the order their writes happen.
PART_FIELDS = ("custom_fields", "images", "videos", "bulk_pricing_rules", "modifiers", "options", "variants")


def config_fields(product: Product) -> dict[str, Any]:
    """The fields a config item sets, in the comparable shape."""
    out = product.model_dump(mode="json", exclude_unset=True)
    if "custom_fields" in out:
        out["custom_fields"] = [{"name": k, "value": v} for k, v in product.custom_fields.items()]
    if "categories" in out:
        out["categories"] = sorted_paths(product.categories)
    if "channels" in out:
        out["channels"] = sorted(product.channels)
    if "options" in out:
        out["options"] = [_choice_fields(o, d) for o, d in zip(product.options, out["options"], strict=True)]
    if "modifiers" in out:
        out["modifiers"] = [
            _choice_fields(m, d) for m, d in zip(product.modifiers, out["modifiers"], strict=True)
        ]
    return out


def _choice_fields(item: Option | Modifier, out: dict[str, Any]) -> dict[str, Any]:
    """`out`: the item as dumped with its product (set fields only); values are canonical."""
    if item.values is None:
        return out
    if isinstance(item, Modifier):
        full = item.model_dump(mode="json")["values"]
        return {**out, "values": [modifier_value(v) for v in full]}
    # Option values have no nested defaults to fill in: read them off the models, no second dump.
    # A value that sets only its label (most) is that label, as option_value would make it.
    values = [
        option_value({"label": v.label, "is_default": v.is_default, "value_data": v.value_data})
        if v.is_default or v.value_data
        else v.label
        for v in item.values
    ]
    return {**out, "values": values}


def sorted_paths(paths: list[str]) -> list[str]:
    return sorted(paths, key=lambda p: (p.casefold(), p))


def option_value(value: dict[str, Any]) -> Any:
    """An option value from the config or the API, in canonical form."""
    out: dict[str, Any] = {"label": value["label"]}
    if value.get("is_default"):
        out["is_default"] = True
    if value.get("value_data"):
        out["value_data"] = value["value_data"]
    return out["label"] if len(out) == 1 else out


def modifier_value(value: dict[str, Any]) -> Any:
    canonical = option_value(value)
    adjusters = canonical_adjusters(value.get("adjusters"))
    if not adjusters:
        return canonical
    out = canonical if isinstance(canonical, dict) else {"label": canonical}
    return {**out, "adjusters": adjusters}


def canonical_adjusters(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Adjusters without the parts that adjust nothing (the API's default; an adjustment by 0
    of either kind is the same)."""
    raw = raw or {}
    out: dict[str, Any] = {}
    for name in ("price", "weight"):
        part = raw.get(name) or {}
        full = {"adjuster": part.get("adjuster"), "adjuster_value": float(part.get("adjuster_value") or 0)}
        if full["adjuster_value"]:
            out[name] = full
    if raw.get("image_url"):
        out["image_url"] = raw["image_url"]
    disabled = raw.get("purchasing_disabled") or {}
    full_disabled = {"status": bool(disabled.get("status")), "message": disabled.get("message") or ""}
    if full_disabled["status"] or full_disabled["message"]:
        out["purchasing_disabled"] = full_disabled
    return out


def full_value(value: Any, modifier: bool) -> dict[str, Any]:
    """A canonical value expanded back to every writable key (what a PUT or POST sends)."""
    data: dict[str, Any] = {"label": value} if isinstance(value, str) else dict(value)
    out = {
        "label": data["label"],
        "is_default": bool(data.get("is_default")),
        "value_data": data.get("value_data"),
    }
    if modifier:
        out["adjusters"] = _full_adjusters(data.get("adjusters") or {})
    return out


def _full_adjusters(adjusters: dict[str, Any]) -> dict[str, Any]:
    # "No adjustment" as the write schemas allow it (they do not accept a null `adjuster`).
    none = {"adjuster": "relative", "adjuster_value": 0}
    return {
        "price": adjusters.get("price") or none,
        "weight": adjusters.get("weight") or none,
        "image_url": adjusters.get("image_url", ""),
        "purchasing_disabled": adjusters.get("purchasing_disabled") or {"status": False, "message": ""},
    }


def value_label(value: Any) -> str:
    return value if isinstance(value, str) else str(value["label"])
