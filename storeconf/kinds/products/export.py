"""Live product -> config item that plans back to zero changes.

Left out: values equal to the API's defaults (an omitted field is not managed, so
it cannot show as a change), generated URLs, and the ids writes use (`_id`...).

Also left out: a variant without a SKU (made by another tool). The config keys variants by
SKU and cannot write an empty one, and one such variant must not cost the whole product its
export (an item the config model rejects is dropped with a warning). So the product is
exported without it, and the plan after the export shows it as a delete
(`- variant (no sku, id N)`): give it a SKU in the store, or delete it, before applying.
Kept although they equal a default: the fields a create requires, and
`is_visible`, whose default on create the API does not state.
"""

from __future__ import annotations

from typing import Any

from storeconf.kinds.products.keys import image_key
from storeconf.kinds.products.shape import PART_FIELDS
from storeconf.kinds.products.spec import Product, Variant

_ALWAYS = {"sku", "name", "type", "price", "weight", "is_visible"}
_DEFAULTS = {
    name: info.get_default(call_default_factory=True)
    for name, info in Product.model_fields.items()
    if not info.is_required() and name not in _ALWAYS and name not in PART_FIELDS
}
_VARIANT_DEFAULTS = {
    name: info.get_default(call_default_factory=True)
    for name, info in Variant.model_fields.items()
    if not info.is_required() and name != "options"
}
# The API answers these for a variant that does not set them.
_VARIANT_DEFAULTS.update(
    {"inventory_level": 0, "inventory_warning_level": 0, "bin_picking_number": "", "map_price": 0}
)
_NOTHING = object()


def export_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: v
        for k, v in fields.items()
        if k not in PART_FIELDS and v is not None and _DEFAULTS.get(k, _NOTHING) != v
    }
    if not (fields.get("custom_url") or {}).get("is_customized"):
        out.pop("custom_url", None)  # generated from the name; exporting it would pin it
    parts = {
        "custom_fields": _custom_fields(fields.get("custom_fields") or []),
        "images": [_image(i) for i in _first_of_each(fields.get("images") or [])],
        "videos": [_video(v) for v in fields.get("videos") or []],
        "bulk_pricing_rules": [_plain(r) for r in fields.get("bulk_pricing_rules") or []],
        "modifiers": [_choice(m) for m in fields.get("modifiers") or []],
        "options": [_choice(o) for o in fields.get("options") or []],
        # Variants name option values: without the options (not read) they would not validate.
        "variants": [_variant(v) for v in fields.get("variants") or [] if v.get("sku")]
        if "options" in fields
        else [],
    }
    out.update({k: v for k, v in parts.items() if v})
    # In the order the config model declares its fields, as a person would write them.
    return {k: out[k] for k in Product.model_fields if k in out}


def _custom_fields(items: list[dict[str, Any]]) -> dict[str, Any]:
    # A name the store holds twice was renamed by the reader ("x (duplicate id 5)"): the config
    # can hold one value per name, so only the first is exported.
    return {i["name"]: i["value"] for i in items if " (duplicate id " not in str(i["name"])}


def _first_of_each(images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One image per identity (the reader lists them by sort_order): the config can name an
    identity once, so a second image with the same file name cannot be exported."""
    seen: set[str] = set()
    out = []
    for image in images:
        if (identity := image_key(image)) not in seen:
            seen.add(identity)
            out.append(image)
    return out


def _image(image: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"url": image["url"]}
    if image.get("thumbnail"):
        out["thumbnail"] = True
    if image.get("description"):
        out["description"] = image["description"]
    out["sort_order"] = image.get("sort_order", 0)
    return out


def _video(video: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in _plain(video).items() if v not in ("", None)}
    if out.get("type") == "youtube":
        del out["type"]
    return out


def _choice(item: dict[str, Any]) -> dict[str, Any]:
    out = _plain(item)
    if not out.get("sort_order"):
        out.pop("sort_order", None)
    config = {k: v for k, v in (out.pop("config", None) or {}).items() if v not in ("", None)}
    if config:
        out["config"] = config
    return out


def _variant(variant: dict[str, Any]) -> dict[str, Any]:
    out = {"sku": variant["sku"], "options": variant.get("options") or {}}
    for name, value in _plain(variant).items():
        if name not in out and value is not None and _VARIANT_DEFAULTS.get(name, _NOTHING) != value:
            out[name] = value
    return out


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}
