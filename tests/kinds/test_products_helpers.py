"""Shared fixtures of the products tests (no tests here): API-shaped products, a recording fake
API for `httpx.MockTransport`, and desired/live state builders."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import httpx

from storeconf.client import StoreClient
from storeconf.kinds import REGISTRY
from storeconf.kinds.base import Context
from storeconf.kinds.products.read import Resolver, normalise
from storeconf.model import Desired, DesiredState, Live, LiveState, Manage

PRODUCTS = REGISTRY["products"]
BRANDS = {"Acme": 36}
CATEGORIES = {"Apparel": 21, "Apparel/Shirts": 23}


def context(**extra: Any) -> Context:
    """A context as a read of brands and categories leaves it."""
    ctx = Context(extra=dict(extra))
    for kind, known in (("brands", BRANDS), ("categories", CATEGORIES)):
        for key, ident in known.items():
            ctx.ids[(kind, key.casefold())] = ident
            ctx.keys[(kind, ident)] = key
    return ctx


def raw_product(pid: int = 174, sku: str = "TEE", **overrides: Any) -> dict[str, Any]:
    """A product as `GET /catalog/products?include=variants,images,custom_fields,bulk_pricing_rules,
    videos` returns it (field values from the spec's example), with Size S/M variants."""
    product: dict[str, Any] = {
        "id": pid,
        "name": f"Classic Tee {sku}",
        "type": "physical",
        "sku": sku,
        "description": "<p>Soft.</p>",
        "weight": 1,
        "width": 0,
        "depth": 0,
        "height": 0,
        "price": 7.95,
        "cost_price": 0,
        "retail_price": 10,
        "sale_price": 0,
        "map_price": 0,
        "tax_class_id": 0,
        "product_tax_code": "",
        "calculated_price": 7.95,
        "categories": [23, 999],  # 999: a category of another channel's tree
        "brand_id": 36,
        "option_set_id": None,
        "option_set_display": "right",
        "inventory_level": 0,
        "inventory_warning_level": 0,
        "inventory_tracking": "none",
        "reviews_rating_sum": 0,
        "reviews_count": 0,
        "total_sold": 7,
        "fixed_cost_shipping_price": 0,
        "is_free_shipping": False,
        "is_visible": True,
        "is_featured": False,
        "related_products": [-1],
        "warranty": "",
        "bin_picking_number": "",
        "layout_file": "product.html",
        "upc": "",
        "mpn": "",
        "gtin": "",
        "search_keywords": "jar, glass",
        "availability": "available",
        "availability_description": "",
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": 0,
        "condition": "New",
        "is_condition_shown": False,
        "order_quantity_minimum": 0,
        "order_quantity_maximum": 0,
        "page_title": "",
        "meta_keywords": [],
        "meta_description": "",
        "date_created": "2018-08-15T14:48:46+00:00",
        "date_modified": "2018-09-05T20:42:07+00:00",
        "view_count": 10,
        "preorder_release_date": None,
        "preorder_message": "",
        "is_preorder_only": False,
        "is_price_hidden": False,
        "price_hidden_label": "",
        "custom_url": {"url": f"/classic-tee-{sku.lower()}/", "is_customized": False},
        "base_variant_id": None,
        "open_graph_type": "product",
        "open_graph_title": "",
        "open_graph_description": "",
        "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True,
        "open_graph_use_image": True,
        "variants": [
            base_variant(pid, sku),
            variant(pid, 201, f"{sku}-S", "S"),
            variant(pid, 202, f"{sku}-M", "M"),
        ],
        "images": [image(pid, 382, "tee-front", thumbnail=True), image(pid, 383, "tee-back")],
        "custom_fields": [{"id": 6, "name": "material", "value": "cotton"}],
        "bulk_pricing_rules": [
            {"id": 9, "quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5}
        ],
        "videos": [
            {
                "id": 3,
                "product_id": pid,
                "title": "Fit guide",
                "description": "How it fits",
                "sort_order": 1,
                "type": "youtube",
                "video_id": "dQw4w9WgXcQ",
                "length": "03:33",
            }
        ],
    }
    product.update(overrides)
    return product


def base_variant(pid: int, sku: str) -> dict[str, Any]:
    return {
        **_variant_defaults(),
        "id": 200,
        "product_id": pid,
        "sku": sku,
        "sku_id": None,
        "option_values": [],
    }


def variant(pid: int, vid: int, sku: str, size: str, **overrides: Any) -> dict[str, Any]:
    value_id = {"S": 11, "M": 12, "L": 13}[size]
    values = [{"id": value_id, "label": size, "option_id": 151, "option_display_name": "Size"}]
    return {
        **_variant_defaults(),
        "id": vid,
        "product_id": pid,
        "sku": sku,
        "sku_id": vid + 1000,
        "option_values": values,
        **overrides,
    }


def _variant_defaults() -> dict[str, Any]:
    return {
        "cost_price": None,
        "price": None,
        "sale_price": None,
        "retail_price": None,
        "map_price": None,
        "weight": None,
        "width": None,
        "height": None,
        "depth": None,
        "is_free_shipping": False,
        "fixed_cost_shipping_price": None,
        "purchasing_disabled": False,
        "purchasing_disabled_message": "",
        "image_url": "",
        "upc": "",
        "inventory_level": 0,
        "inventory_warning_level": 0,
        "bin_picking_number": "",
        "mpn": "",
        "gtin": "",
        "calculated_price": 7.95,
        "calculated_weight": 1,
    }


def image(pid: int, iid: int, stem: str, thumbnail: bool = False) -> dict[str, Any]:
    """An image as the API answers it: the source URL is gone, the file re-hosted under its stem."""
    cdn = f"https://cdn8.bigcommerce.com/s-id30h7ohwf/products/{pid}/images/{iid}/{stem}__83011__60806.1534344511"
    return {
        "id": iid,
        "product_id": pid,
        "is_thumbnail": thumbnail,
        "sort_order": 0 if thumbnail else 1,
        "description": "",
        "image_file": f"a/521/{stem}__83011__60806.jpg",
        "url_zoom": f"{cdn}.1280.1280.jpg?c=2",
        "url_standard": f"{cdn}.560.850.jpg?c=2",
        "url_thumbnail": f"{cdn}.330.500.jpg?c=2",
        "url_tiny": f"{cdn}.66.100.jpg?c=2",
        "date_modified": "2018-08-15T14:48:31+00:00",
    }


def options(
    pid: int, type_: str = "rectangles", labels: tuple[str, ...] = ("S", "M")
) -> list[dict[str, Any]]:
    """`options` as `include=options` (or `GET …/options`) answers."""
    values = [
        {
            "id": {"S": 11, "M": 12, "L": 13, "XL": 14}[label],
            "label": label,
            "sort_order": i,
            "value_data": None,
        }
        | {"is_default": False}
        for i, label in enumerate(labels)
    ]
    return [
        {
            "id": 151,
            "product_id": pid,
            "display_name": "Size",
            "type": type_,
            "config": {},
            "sort_order": 0,
            "option_values": values,
            "name": f"Size1533313432-{pid}",
        }
    ]


def modifiers(pid: int) -> list[dict[str, Any]]:
    """`modifiers` as `include=modifiers` answers: a text input and a dropdown with a price adjuster."""
    plain = {
        "price": {},
        "weight": {},
        "image_url": "",
        "purchasing_disabled": {"status": False, "message": ""},
    }
    five = {**plain, "price": {"adjuster": "relative", "adjuster_value": 5}}
    return [
        {
            "id": 206,
            "product_id": pid,
            "name": f"Gift message1535039590-{pid}",
            "display_name": "Gift message",
            "type": "text",
            "required": False,
            "sort_order": 0,
            "config": {
                "default_value": "",
                "text_characters_limited": True,
                "text_min_length": 0,
                "text_max_length": 100,
            },
            "option_values": [],
        },
        {
            "id": 207,
            "product_id": pid,
            "name": f"Engraving1535039590-{pid}",
            "display_name": "Engraving",
            "type": "dropdown",
            "required": False,
            "sort_order": 1,
            "config": {},
            "option_values": [
                {"id": 301, "option_id": 207, "label": "None", "sort_order": 0, "value_data": None}
                | {"is_default": True, "adjusters": plain},
                {"id": 302, "option_id": 207, "label": "Initials", "sort_order": 1, "value_data": None}
                | {"is_default": False, "adjusters": five},
            ],
        },
    ]


def full_raw(pid: int = 174, sku: str = "TEE", **overrides: Any) -> dict[str, Any]:
    """A product with options, modifiers and channels included too."""
    return raw_product(pid, sku, options=options(pid), modifiers=modifiers(pid), channels=[1], **overrides)


# The config that matches `full_raw()` exactly (what an export would write, written by hand).
TEE_CONFIG: dict[str, Any] = {
    "sku": "TEE",
    "name": "Classic Tee TEE",
    "type": "physical",
    "price": 7.95,
    "weight": 1,
    "description": "<p>Soft.</p>",
    "retail_price": 10,
    "brand": "Acme",
    "categories": ["Apparel/Shirts"],
    "channels": [1],
    "search_keywords": "jar, glass",
    "custom_fields": {"material": "cotton"},
    "images": [
        {"url": "https://cdn.example.com/tee-front.JPG", "thumbnail": True},
        {"url": "https://cdn.example.com/img/tee-back.jpg", "sort_order": 1},
    ],
    "videos": [{"video_id": "dQw4w9WgXcQ", "title": "Fit guide"}],
    "options": [{"name": "Size", "type": "rectangles", "values": ["S", "M"]}],
    "variants": [{"sku": "TEE-S", "options": {"Size": "S"}}, {"sku": "TEE-M", "options": {"Size": "M"}}],
    "modifiers": [
        {"name": "Gift message", "type": "text", "required": False, "config": {"text_max_length": 100}},
        {
            "name": "Engraving",
            "type": "dropdown",
            "values": [
                {"label": "None", "is_default": True},
                {"label": "Initials", "adjusters": {"price": {"adjuster": "relative", "adjuster_value": 5}}},
            ],
        },
    ],
    "bulk_pricing_rules": [{"quantity_min": 10, "quantity_max": 49, "type": "percent", "amount": 5}],
}


DROP = object()


def tee(**overrides: Any) -> dict[str, Any]:
    """TEE_CONFIG with fields replaced (or removed: `field=DROP`)."""
    config = copy.deepcopy(TEE_CONFIG)
    config.update(overrides)
    return {k: v for k, v in config.items() if v is not DROP}


# ---- states ------------------------------------------------------------------------------------


def desired(
    *items: dict[str, Any], manage: Manage | None = None, **others: list[dict[str, Any]]
) -> DesiredState:
    """Desired state as the loader builds it (through the kind's `to_fields`)."""
    objects: dict[str, dict[str, Desired]] = {}
    for name, raw_items in (("products", items), *others.items()):
        kind = REGISTRY[name]
        objs = {}
        for fields in raw_items:
            spec = kind.spec.model_validate(fields)
            key = kind.key(spec)
            objs[kind.identity(key)] = Desired(name, key, kind.to_fields(spec))
        objects[name] = objs
    return DesiredState(objects, {name: manage or Manage() for name in objects})


def live(*raws: dict[str, Any], ctx: Context | None = None) -> LiveState:
    resolver = Resolver(ctx or context())
    objs = {}
    for raw in raws:
        fields = normalise(raw, resolver)
        objs[fields["sku"].casefold()] = Live("products", fields["sku"], raw["id"], fields, raw)
    return LiveState({"products": objs})


# ---- a fake API -----------------------------------------------------------------------------------


class FakeApi:
    """An `httpx.MockTransport` handler that records every request and answers like the API would,
    minimally: ids for creates, echoes for updates, 204 for deletes, listed products for reads."""

    def __init__(self, products: list[dict[str, Any]] | None = None) -> None:
        self.products = {p["id"]: p for p in products or []}
        self.options: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[httpx.Request] = []
        self.fail: dict[tuple[str, str], int] = {}  # (method, path regex) -> status to answer
        self.next_id = 5000

    def client(self, transport: httpx.AsyncBaseTransport | None = None) -> StoreClient:
        return StoreClient(
            store_hash="abc", access_token="t0k3n", transport=transport or httpx.MockTransport(self)
        )

    def calls(self, method: str | None = None, path: str = "") -> list[tuple[str, str, dict[str, str], Any]]:
        """(method, path below /v3, query params, json body) of the recorded requests, filtered."""
        out = []
        for r in self.requests:
            rel = r.url.path.split("/v3", 1)[1]
            if (method is None or r.method == method) and rel.startswith(path):
                body = json.loads(r.content) if r.content else None
                out.append((r.method, rel, dict(r.url.params), body))
        return out

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        method, rel = request.method, request.url.path.split("/v3", 1)[1]
        for (m, pattern), status in self.fail.items():
            if m == method and re.fullmatch(pattern, rel):
                return httpx.Response(status, json={"status": status, "title": "injected failure"})
        body = json.loads(request.content) if request.content else None
        if method == "GET":
            return self._get(rel, dict(request.url.params))
        if method == "DELETE" or rel.endswith("channel-assignments"):
            return httpx.Response(204)
        if method == "POST":
            return self._post(rel, body)
        if rel in ("/catalog/products", "/catalog/variants"):
            data = [{**item, "id": item.get("id") or self._id()} for item in body or []]
            return httpx.Response(200, json={"data": data, "meta": {}})
        return httpx.Response(200, json={"data": body, "meta": {}})

    def _get(self, rel: str, params: dict[str, str]) -> httpx.Response:
        if match := re.fullmatch(r"/catalog/products/(\d+)/options", rel):
            return _page(self.options.get(int(match[1]), []), 1, 250)
        if match := re.fullmatch(r"/catalog/products/(\d+)", rel):
            return httpx.Response(200, json={"data": self.products[int(match[1])], "meta": {}})
        items = list(self.products.values())
        if "id:in" in params:
            wanted = {int(i) for i in params["id:in"].split(",")}
            # Products created through this fake are known only by the options set up for them.
            known = {p["id"]: p for p in items}
            items = [
                {
                    "id": i,
                    "options": known.get(i, {}).get("options") or self.options.get(i, []),
                    "modifiers": known.get(i, {}).get("modifiers", []),
                }
                for i in sorted(wanted)
                if i in known or i in self.options
            ]
        else:
            channels = "channels" in params.get("include", "").split(",")
            items = [
                {k: v for k, v in p.items() if k not in ("options", "modifiers", "channels")}
                | ({"channels": p.get("channels", [1])} if channels else {})
                for p in items
            ]
        return _page(items, int(params.get("page", 1)), int(params.get("limit", 50)))

    def _post(self, rel: str, body: Any) -> httpx.Response:
        new = self._id()
        data = {**body, "id": new}
        if rel == "/catalog/products":
            for part in ("variants", "images", "videos", "custom_fields", "bulk_pricing_rules"):
                data[part] = [{**v, "id": self._id()} for v in body.get(part, [])]
        if "option_values" in body:
            data["option_values"] = [{**v, "id": self._id()} for v in body["option_values"]]
        return httpx.Response(200, json={"data": data, "meta": {}})


def _page(items: list[dict[str, Any]], page: int, limit: int) -> httpx.Response:
    pages = max(1, -(-len(items) // limit))
    chunk = items[(page - 1) * limit : page * limit]
    meta = {
        "total": len(items),
        "count": len(chunk),
        "per_page": limit,
        "current_page": page,
        "total_pages": pages,
    }
    return httpx.Response(200, json={"data": chunk, "meta": {"pagination": meta}})
