"""Reading products from the API and normalising them into the config's shape.

Cost: one request per 250 products (`include=variants,images,custom_fields,
bulk_pricing_rules,videos`, plus `channels` when the config manages channels),
then options and modifiers, which the API serves at most 10 products per page:
only for the products whose config manages them (`ctx.extra["desired"]`), or
for every product when no desired state is known (export).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from storeconf.client import StoreClient
from storeconf.kinds.base import Context
from storeconf.kinds.products.coercion import coerce
from storeconf.kinds.products.keys import image_identity
from storeconf.kinds.products.shape import (
    PART_FIELDS,
    modifier_value,
    option_value,
    sorted_paths,
    value_label,
)
from storeconf.kinds.products.spec import CHOICE_TYPES, ChoiceConfig, CustomUrl, Product, Variant
from storeconf.model import DesiredState

T = TypeVar("T")
PRODUCTS = "/v3/catalog/products"
BASE_INCLUDE = "variants,images,custom_fields,bulk_pricing_rules,videos"
CHOICES_PAGE = 10  # the API's page cap when options or modifiers are included
KIND = "products"
# ctx.extra key: normalised live products by id, for writes that need live ids (option values).
LIVE = "products.live"
# Key of a live product's kept API data: its variants' (id, SKU) pairs.
VARIANT_SKUS = "variant_skus"

_REFERENCES = {"brand", "categories", "channels", "custom_url"}
SCALARS = tuple(f for f in Product.model_fields if f not in _REFERENCES and f not in PART_FIELDS)
_IMAGE_URLS = ("url_zoom", "url_standard", "url_thumbnail", "url_tiny")
_UNDECLARED = object()


@dataclass
class Wanted:
    """What the config needs read beyond the base include."""

    channels: bool = True
    # Identities (casefolded SKUs) whose options/modifiers are managed; None: every product.
    choices: set[str] | None = None
    # Their casefolded names: a product whose SKU the config changes is found by its name
    # (Products.rename_identity), and its options are diffed like any other's.
    choice_names: set[str] = field(default_factory=set)
    # Casefolded reference -> the config's spelling, so a case-only difference is no change.
    spellings: dict[str, str] = field(default_factory=dict)
    # The config's option and modifier values of each product (by casefolded SKU, and by
    # "name:" + casefolded name for a product whose SKU the config changes): see ChoiceValues.
    values: dict[str, ChoiceValues] = field(default_factory=dict)
    # What the diff compares of a declared product, whose fields nobody reads beyond what its
    # config sets (see Fields); products and variants the config omits are read whole, for
    # the plan's deletes. Empty: every product is read whole (export).
    declared: dict[str, Fields] = field(default_factory=dict)


@dataclass(frozen=True)
class Fields:
    """A declared product's fields to normalise: the scalars any declared product sets, and
    for those of its live variants that its config lists with the same option values, the
    fields any declared variant sets plus ignored ones (a re-created variant keeps their live
    values). A variant the plan deletes (dropped, or re-created with other option values) is
    normalised whole, so the plan shows all it had. Coercing only these fields halves a
    10k-product read's normalisation."""

    scalars: tuple[str, ...]
    variant_fields: tuple[str, ...]
    # The config's variants: casefolded SKU -> their option values (None when not set).
    variants: dict[str, Any]


def wanted(desired: DesiredState | None) -> Wanted:
    if desired is None:
        return Wanted()
    objects = desired.objects.get(KIND, {}).values()
    spellings: dict[str, str] = {}
    scalars: set[str] = {"sku", "name"}  # the live key, and a SKU change's match (rename_identity)
    variant_fields: set[str] = {"sku"}
    for obj in objects:
        scalars.update(obj.fields)
        variant_fields.update(*(obj.fields.get("variants") or ()))
        for ref in [obj.fields.get("brand"), *(obj.fields.get("categories") or [])]:
            if isinstance(ref, str):
                spellings[ref.casefold()] = ref
    manage = desired.manage.get(KIND)
    ignore = manage.ignore if manage is not None else frozenset()
    variant_fields.update(i.removeprefix("variants.") for i in ignore)
    names = tuple(f for f in SCALARS if f in scalars)
    inside = tuple(f for f in Variant.model_fields if f in variant_fields and f != "options")
    declared = {
        obj.key.casefold(): Fields(names, inside, _variant_options(obj.fields.get("variants") or []))
        for obj in objects
    }
    managed = [o for o in objects if "options" in o.fields or "modifiers" in o.fields]
    values: dict[str, ChoiceValues] = {}
    for obj in managed:
        found = ChoiceValues.of(obj.fields)
        values[obj.key.casefold()] = found
        values.setdefault(f"name:{str(obj.fields.get('name') or '').casefold()}", found)
    return Wanted(
        channels=any("channels" in o.fields for o in objects),
        choices={o.key.casefold() for o in managed},
        choice_names={str(o.fields.get("name") or "").casefold() for o in managed},
        spellings=spellings,
        values=values,
        declared=declared,
    )


def _variant_options(variants: list[dict[str, Any]]) -> dict[str, Any]:
    return {str(v.get("sku") or "").casefold(): v.get("options") for v in variants}


@dataclass
class ChoiceValues:
    """What a product's config says about its option and modifier values, which the reader
    needs to put live values in the config's terms (the live store is read for this config):

    - a variant names an option value by label, and labels are unique ignoring case: a live
      variant's label is spelled as the config spells that value, so renaming `Small` to
      `small` is one change of the option's values (a rename in place), not of its variants;
    - `value_data` (swatch colours, ...) is compared only where the config writes it: a value
      written as a bare label leaves it unmanaged (after a swatch becomes a dropdown, the API
      keeps the colours, unused).
    """

    # option or modifier name -> casefolded label -> the config's canonical value
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    modifiers: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, fields: dict[str, Any]) -> ChoiceValues:
        def index(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return {
                str(item.get("name")): {value_label(v).casefold(): v for v in item.get("values") or []}
                for item in items
            }

        return cls(index(fields.get("options") or []), index(fields.get("modifiers") or []))


def _wants_choices(raw: dict[str, Any], want: Wanted) -> bool:
    if want.choices is None:
        return True
    sku, name = (str(raw.get(k) or "").casefold() for k in ("sku", "name"))
    return sku in want.choices or name in want.choice_names


async def fetch_each(
    client: StoreClient,
    want: Wanted,
    each: Callable[[list[dict[str, Any]]], list[T]],
    params: dict[str, str] | None = None,
) -> list[T]:
    """`each` applied to every page of raw products (options and modifiers merged in where
    wanted) as soon as the page is complete, the results in page order: at 10k products the
    reader never holds the API's whole catalog at once. `params`: a filter (`sku:in`)."""
    include = BASE_INCLUDE + (",channels" if want.channels else "")
    choices = _Choices(client)

    async def complete(raws: list[dict[str, Any]], pages: int) -> list[T]:
        extra = await choices.of([r["id"] for r in raws if _wants_choices(r, want)], pages)
        for raw in raws:
            raw.update(extra.get(raw["id"], {}))
        return each(raws)

    return await client.get_each(PRODUCTS, complete, {**(params or {}), "include": include})


async def fetch_some(
    client: StoreClient,
    want: Wanted,
    each: Callable[[list[dict[str, Any]]], list[T]],
    skus: list[str],
    names: Callable[[set[str]], list[str]],
    product_ids: Sequence[int] = (),
) -> list[T]:
    """Only the products with these SKUs (a targeted plan), by `sku:in`, and with these ids
    (products without SKU); then, by name, those whose SKU the store does not know:
    `names(found)` gives the names of the targeted products whose SKU is not in `found`
    (casefolded), so a SKU the config changes is still an update."""
    seen: set[str] = set()
    ids: set[Any] = set()

    def noting(raws: list[dict[str, Any]]) -> list[T]:
        raws = [r for r in raws if r.get("id") not in ids]  # one product found twice is one
        ids.update(r.get("id") for r in raws)
        seen.update(str(r.get("sku") or "").casefold() for r in raws)
        return each(raws)

    rounds = [fetch_each(client, want, noting, {"sku:in": ",".join(chunk)}) for chunk in _sku_chunks(skus)]
    # `sku:in` splits at commas: a SKU holding one is asked for on its own.
    rounds += [fetch_each(client, want, noting, {"sku": sku}) for sku in skus if "," in sku]
    if product_ids:
        rounds.append(fetch_each(client, want, noting, {"id:in": ",".join(map(str, product_ids))}))
    found = [item for part in await asyncio.gather(*rounds) for item in part]
    by_name = [fetch_each(client, want, noting, {"name": name}) for name in names(set(seen))]
    return found + [item for part in await asyncio.gather(*by_name) for item in part]


# A query string stays well below the lengths servers and proxies refuse (8 KB is common).
_SKUS_PER_REQUEST, _SKU_CHARS_PER_REQUEST = 250, 2000


def _sku_chunks(skus: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    size = 0
    for sku in (s for s in skus if "," not in s):
        # Counted as sent: percent-encoded (a CJK character is 9 characters), comma included.
        length = len(quote(sku, safe="")) + 3
        if not chunks or len(chunks[-1]) >= _SKUS_PER_REQUEST or size + length > _SKU_CHARS_PER_REQUEST:
            chunks.append([])
            size = 0
        chunks[-1].append(sku)
        size += length
    return chunks


class _Choices:
    """Options and modifiers for the products of each page, ten products a request across
    pages (a page's last few wait for the next page's), so the whole read costs
    ceil(products wanted / 10) requests however the pages divide them."""

    def __init__(self, client: StoreClient) -> None:
        self.client = client
        self.pending: list[tuple[int, asyncio.Future[dict[str, Any] | None]]] = []
        self.arrived = 0
        self.sent: list[asyncio.Future[None]] = []

    async def of(self, ids: list[int], pages: int) -> dict[int, dict[str, Any]]:
        loop = asyncio.get_running_loop()
        # One future per id of this page: a product that shifts into a second page (offset
        # pagination while the store changes) is asked for by both, each answered.
        mine = [(i, loop.create_future()) for i in ids]
        self.pending += mine
        self.arrived += 1
        last = self.arrived >= pages  # every page is in: send what is left, however few
        while len(self.pending) >= CHOICES_PAGE or (last and self.pending):
            chunk, self.pending = self.pending[:CHOICES_PAGE], self.pending[CHOICES_PAGE:]
            self.sent.append(asyncio.ensure_future(self._send(chunk)))
        found = await asyncio.gather(*(future for _, future in mine))
        return {i: item for (i, _), item in zip(mine, found, strict=True) if item is not None}

    async def _send(self, chunk: list[tuple[int, asyncio.Future[dict[str, Any] | None]]]) -> None:
        try:
            page = await choices_page(self.client, [i for i, _ in chunk])
        except asyncio.CancelledError:
            for _, future in chunk:
                future.cancel()
            raise
        except Exception as exc:  # every page waiting on this chunk fails with it
            for _, future in chunk:
                if not future.done():
                    future.set_exception(exc)
            return
        by_id = {item["id"]: item for item in page}
        for i, future in chunk:
            if not future.done():
                future.set_result(by_id.get(i))


async def choices_page(client: StoreClient, ids: list[int]) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {
        "id:in": ",".join(map(str, ids)),
        "include": "options,modifiers",
        # The smallest product the spec allows: `id` is always returned but is not a valid value here.
        "include_fields": "sku",
        "limit": CHOICES_PAGE,
    }
    resp = await client.request("GET", PRODUCTS, params=params)
    return [
        {"id": p["id"], "options": p.get("options") or [], "modifiers": p.get("modifiers") or []}
        for p in resp.data or []
    ]


# ---- normalisation ------------------------------------------------------------------------


@dataclass
class Resolver:
    """Turns the API's ids into the config's keys."""

    ctx: Context = field(default_factory=Context)
    spellings: dict[str, str] = field(default_factory=dict)
    values: dict[str, ChoiceValues] = field(default_factory=dict)
    declared: dict[str, Fields] = field(default_factory=dict)

    def choice_values(self, raw: dict[str, Any]) -> ChoiceValues:
        """The config's values for this live product: the config item with its SKU, else the
        one with its name (a SKU change), else none (export, or a product the config omits)."""
        sku, name = (str(raw.get(k) or "").casefold() for k in ("sku", "name"))
        return self.values.get(sku) or self.values.get(f"name:{name}") or ChoiceValues()

    def brand(self, brand_id: Any) -> str | None:
        if not brand_id:
            return None
        name = self.ctx.keys.get(("brands", brand_id))
        return self._spelled(name) if name is not None else f"#{brand_id}"

    def category(self, category_id: Any) -> str | None:
        """The path of a category of the managed tree; None for categories of other trees."""
        path = self.ctx.keys.get(("categories", category_id))
        return self._spelled(path) if path is not None else None

    def _spelled(self, key: str) -> str:
        # The config's spelling of a key the store compares case-insensitively.
        return self.spellings.get(key.casefold(), key)


def normalise(raw: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    """An API product (with its includes) as config-shaped fields."""
    narrow = resolver.declared.get(str(raw.get("sku") or "").casefold())
    fields = coerce(Product, raw, SCALARS if narrow is None else narrow.scalars)
    fields["brand"] = resolver.brand(raw.get("brand_id"))
    paths = [p for c in raw.get("categories") or [] if (p := resolver.category(c)) is not None]
    fields["categories"] = sorted_paths(paths)
    if "channels" in raw:
        fields["channels"] = sorted(raw.get("channels") or [])
    url = raw.get("custom_url")
    if isinstance(url, dict):
        fields["custom_url"] = coerce(CustomUrl, {k: url[k] for k in ("url", "is_customized") if k in url})
    fields["custom_fields"] = custom_fields(raw.get("custom_fields") or [])
    # By sort_order: of two images with one identity, the planner matches the first and
    # export keeps the first, so both pick the same one.
    fields["images"] = [image(i) for i in _ordered(raw.get("images") or [])]
    fields["videos"] = [video(v) for v in raw.get("videos") or []]
    fields["bulk_pricing_rules"] = [bulk_rule(r) for r in raw.get("bulk_pricing_rules") or []]
    config = resolver.choice_values(raw)
    spell = {name: {k: value_label(v) for k, v in values.items()} for name, values in config.options.items()}
    fields["variants"] = [
        variant(v, spell, narrow) for v in raw.get("variants") or [] if v.get("option_values")
    ]
    if "options" in raw:
        options = _ordered(raw.get("options") or [])
        fields["options"] = [option(o, config.options.get(str(o.get("display_name")))) for o in options]
    if "modifiers" in raw:
        modifiers = _ordered(raw.get("modifiers") or [])
        fields["modifiers"] = [
            modifier(m, config.modifiers.get(str(m.get("display_name")))) for m in modifiers
        ]
    return fields


def custom_fields(raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Custom fields by name. The API allows one name twice (with different values); the config
    cannot say that, so a second one gets a distinct name and is never matched (prune deletes it)."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in raws:
        name = str(raw.get("name", ""))
        if name in seen:
            name = f"{name} (duplicate id {raw.get('id')})"
        seen.add(name)
        out.append({"name": name, "value": raw.get("value"), "_id": raw.get("id")})
    return out


def image(raw: dict[str, Any]) -> dict[str, Any]:
    stored = str(raw.get("image_file") or "")
    identity = image_identity(stored) if stored else image_identity(str(raw.get("url_zoom") or ""))
    return {
        "url": image_url(raw, identity),
        "thumbnail": bool(raw.get("is_thumbnail")),
        "description": raw.get("description") or "",
        "sort_order": raw.get("sort_order") or 0,
        "_id": raw.get("id"),
        "_identity": identity,
    }


def image_url(raw: dict[str, Any], identity: str) -> str:
    """A downloadable URL of the stored file with the same identity (used by export)."""
    urls = [str(raw[k]) for k in _IMAGE_URLS if raw.get(k)]
    for url in urls:
        if image_identity(url) == identity:
            return url
    return urls[0] if urls else str(raw.get("image_url") or raw.get("image_file") or "")


def video(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "video_id": raw.get("video_id"),
        "title": raw.get("title") or "",
        "description": raw.get("description") or "",
        "sort_order": raw.get("sort_order") or 0,
        "type": raw.get("type") or "youtube",
        "_id": raw.get("id"),
    }


def bulk_rule(raw: dict[str, Any]) -> dict[str, Any]:
    amount = raw.get("amount")
    return {
        "quantity_min": raw.get("quantity_min"),
        "quantity_max": raw.get("quantity_max"),
        "type": raw.get("type"),
        "amount": _number(amount),
        "_id": raw.get("id"),
    }


def variant(
    raw: dict[str, Any], spell: dict[str, dict[str, str]] | None = None, narrow: Fields | None = None
) -> dict[str, Any]:
    """`spell`: option name -> casefolded label -> the config's spelling (see ChoiceValues).
    `narrow`: the fields of its product's variants to normalise (see Fields); None: all."""
    options: dict[str, str] = {}
    for value in raw.get("option_values") or []:
        name, label = str(value.get("option_display_name")), str(value.get("label"))
        options[name] = ((spell or {}).get(name) or {}).get(label.casefold(), label)
    want = narrow.variants.get(str(raw.get("sku") or "").casefold(), _UNDECLARED) if narrow else _UNDECLARED
    if narrow is not None and (want is None or want == options):
        fields = coerce(Variant, raw, narrow.variant_fields)
        fields["options"] = options  # text by text: what coercing it would give
    else:
        fields = coerce(Variant, {**raw, "options": options})
    fields["_id"] = raw.get("id")
    return fields


def option(raw: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """`config`: the config's values of this option by casefolded label (see ChoiceValues)."""
    values = _ordered(raw.get("option_values") or [])
    return {
        "name": raw.get("display_name"),
        "type": raw.get("type"),
        "sort_order": raw.get("sort_order") or 0,
        **_config(raw),
        "values": [option_value(_as_configured(v, config)) for v in values],
        "_id": raw.get("id"),
        "_value_ids": {str(v.get("label")): v.get("id") for v in values},
    }


def modifier(raw: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    values = _ordered(raw.get("option_values") or [])
    out = {
        "name": raw.get("display_name"),
        "type": raw.get("type"),
        "required": bool(raw.get("required")),
        "sort_order": raw.get("sort_order") or 0,
        **_config(raw),
        "_id": raw.get("id"),
        "_value_ids": {str(v.get("label")): v.get("id") for v in values},
    }
    # Checkbox values (Yes/No) are the server's own; only listed types are the merchant's to manage.
    if raw.get("type") in CHOICE_TYPES:
        out["values"] = [modifier_value(_as_configured(v, config)) for v in values]
    return out


def _as_configured(value: dict[str, Any], config: dict[str, Any] | None) -> dict[str, Any]:
    """A live value without its `value_data` when the config's value of that label does not
    set any: then value_data is not managed (see ChoiceValues)."""
    if config is None:
        return value
    want = config.get(str(value.get("label") or "").casefold())
    if want is None or (isinstance(want, dict) and "value_data" in want):
        return value
    return {k: v for k, v in value.items() if k != "value_data"}


# Looked up once: `Model.model_fields` goes through a slow descriptor on every access (pydantic 2.11+).
_CONFIG_FIELDS = frozenset(ChoiceConfig.model_fields)


def _config(raw: dict[str, Any]) -> dict[str, Any]:
    config = raw.get("config")
    if not isinstance(config, dict):
        return {}
    known = {k: v for k, v in config.items() if k in _CONFIG_FIELDS and v is not None}
    shaped = {k: v for k, v in coerce(ChoiceConfig, known).items() if v is not None}
    return {"config": shaped} if shaped else {}


def _ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: (i.get("sort_order") or 0, i.get("id") or 0))


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
