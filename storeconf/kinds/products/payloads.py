"""Request bodies, built from config-shaped fields. Pure: no I/O.

References by key become ids here (brand name -> `brand_id`, category paths
-> `categories` ids) through the ids the read and earlier creates recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from storeconf.errors import PlanError
from storeconf.kinds.base import Context
from storeconf.kinds.products.shape import PART_FIELDS, full_value

# Handled apart from the product body: channels have their own endpoint.
_NOT_IN_BODY = {*PART_FIELDS, "channels", "brand", "categories", "custom_url"}
# Fields the API requires on create; a config may leave the rest to the API's defaults.
_MODIFIER_DEFAULTS = {"required": False}


@dataclass
class Refs:
    """Ids of referenced brands and categories, by the config's keys."""

    ctx: Context

    def brand_id(self, name: str | None) -> int:
        if name is None:
            return 0  # the API's "no brand"
        found = self.ctx.ids.get(("brands", name.casefold()))
        if found is None:
            raise PlanError(f"brand {name!r} does not exist in the store")
        return int(found)

    def category_ids(self, paths: Iterable[str]) -> list[int]:
        ids = []
        for path in paths:
            found = self.ctx.ids.get(("categories", path.casefold()))
            if found is None:
                raise PlanError(f"category {path!r} does not exist in the store")
            ids.append(int(found))
        return ids


def product_body(fields: dict[str, Any], refs: Refs, keep_categories: Iterable[int] = ()) -> dict[str, Any]:
    """Top-level fields for POST or PUT. `keep_categories`: live ids outside the managed tree,
    which the config cannot name and a PUT of `categories` (a full replacement) must not drop."""
    body = {k: v for k, v in fields.items() if k not in _NOT_IN_BODY}
    if "brand" in fields:
        body["brand_id"] = refs.brand_id(fields["brand"])
    if "categories" in fields:
        body["categories"] = [*refs.category_ids(fields["categories"]), *keep_categories]
    if fields.get("custom_url") is not None:
        url = fields["custom_url"]
        body["custom_url"] = {"url": url["url"], "is_customized": url.get("is_customized", True)}
    return body


def create_body(fields: dict[str, Any], refs: Refs) -> dict[str, Any]:
    """POST /catalog/products: the product with everything the API lets a create embed."""
    body = product_body(fields, refs)
    order = [o["name"] for o in fields.get("options") or []]
    labels = {o["name"]: [_label(v) for v in o["values"]] for o in fields.get("options") or []}
    if fields.get("variants"):
        body["variants"] = [embedded_variant(v, order) for v in _in_value_order(fields["variants"], labels)]
    if fields.get("images"):
        body["images"] = [image_body(i) for i in fields["images"]]
    if fields.get("videos"):
        body["videos"] = [video_body(v) for v in fields["videos"]]
    if fields.get("custom_fields"):
        body["custom_fields"] = [custom_field_body(c) for c in fields["custom_fields"]]
    if fields.get("bulk_pricing_rules"):
        body["bulk_pricing_rules"] = [bulk_rule_body(r) for r in fields["bulk_pricing_rules"]]
    return body


def _in_value_order(variants: list[dict[str, Any]], labels: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Variants sorted by their values' positions, so the server, which creates options and values
    in the order it first sees them, creates them in the config's order."""

    def position(variant: dict[str, Any]) -> tuple[int, ...]:
        chosen = variant.get("options") or {}
        return tuple(labels[name].index(chosen[name]) for name in labels if chosen.get(name) in labels[name])

    return sorted(variants, key=position)


def embedded_variant(variant: dict[str, Any], option_order: list[str]) -> dict[str, Any]:
    chosen = variant.get("options") or {}
    values = [{"option_display_name": name, "label": chosen[name]} for name in option_order if name in chosen]
    return {**variant_fields(variant), "sku": variant["sku"], "option_values": values}


def variant_fields(variant: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in variant.items() if k not in ("options", "sku") and not k.startswith("_")}


def variant_create(product_id: int, variant: dict[str, Any], choices: dict[str, Choice]) -> dict[str, Any]:
    """A batch-PUT item that creates a variant: option values by id."""
    values = []
    for name, label in (variant.get("options") or {}).items():
        choice = choices.get(name)
        value_id = choice.value_id(label) if choice else None
        if choice is None or value_id is None:
            raise PlanError(f"variant {variant['sku']!r}: option value {name}={label!r} does not exist")
        values.append({"id": value_id, "option_id": choice.id})
    return {
        "product_id": product_id,
        "sku": variant["sku"],
        "option_values": values,
        **variant_fields(variant),
    }


@dataclass
class Choice:
    """A live option or modifier: its id and its values' ids by label."""

    id: int
    values: dict[str, int]

    def value_id(self, label: str) -> int | None:
        """Labels are unique ignoring case (the API's rule), so they are looked up that way."""
        return fold(self.values).get(label.casefold())


def fold(ids: dict[str, int]) -> dict[str, int]:
    """Value ids by casefolded label."""
    return {str(label).casefold(): value_id for label, value_id in ids.items()}


def image_body(image: dict[str, Any], create: bool = True) -> dict[str, Any]:
    names = {"thumbnail": "is_thumbnail", "description": "description", "sort_order": "sort_order"}
    body = {names[k]: v for k, v in image.items() if k in names}
    if create:
        body["image_url"] = image["url"]
    return body


def video_body(video: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in video.items() if not k.startswith("_")}
    body.setdefault("type", "youtube")
    return body


def custom_field_body(field: dict[str, Any]) -> dict[str, Any]:
    return {"name": field["name"], "value": field["value"]}


def bulk_rule_body(rule: dict[str, Any]) -> dict[str, Any]:
    return {k: rule[k] for k in ("quantity_min", "quantity_max", "type", "amount")}


def option_body(
    product_id: int, option: dict[str, Any], value_ids: dict[str, int], extra: Sequence[Any] = ()
) -> dict[str, Any]:
    """POST or PUT of a variant option: the API requires display_name, type and every value.
    `extra`: live values about to be deleted, kept in the PUT in case it replaces the whole set."""
    body: dict[str, Any] = {"product_id": product_id, "display_name": option["name"], "type": option["type"]}
    body.update({k: option[k] for k in ("sort_order", "config") if k in option})
    body["option_values"] = values_body([*option["values"], *extra], value_ids, modifier=False)
    return body


def modifier_body(
    modifier: dict[str, Any],
    value_ids: dict[str, int],
    extra: Sequence[Any] = (),
    live: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """POST or PUT of a modifier. The API requires `required` and `type` on both: an unset
    `required` keeps the live value (or the API default on create)."""
    body: dict[str, Any] = {"display_name": modifier["name"], "type": modifier["type"]}
    body["required"] = modifier.get("required", (live or _MODIFIER_DEFAULTS)["required"])
    body.update({k: modifier[k] for k in ("sort_order", "config") if k in modifier})
    if modifier.get("values") is not None:
        body["option_values"] = values_body([*modifier["values"], *extra], value_ids, modifier=True)
    return body


def values_body(values: list[Any], value_ids: dict[str, int], *, modifier: bool) -> list[dict[str, Any]]:
    """Every value in config order (`sort_order` = position), with ids for those that exist."""
    out = []
    folded = fold(value_ids)
    for position, value in enumerate(values):
        body = value_body(value, position, modifier)
        # By label ignoring case, as the API compares them: a case-only change renames in place.
        if (value_id := folded.get(body["label"].casefold())) is not None:
            body["id"] = value_id
        out.append(body)
    return out


def value_body(value: Any, position: int, modifier: bool) -> dict[str, Any]:
    body = {**full_value(value, modifier), "sort_order": position}
    if body["value_data"] is None:
        del body["value_data"]
    return body


def _label(value: Any) -> str:
    return value if isinstance(value, str) else str(value["label"])
