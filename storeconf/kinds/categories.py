r"""Categories of one channel's category tree, keyed by their path (`Camping/Tents`).

Written flat (`path: Camping/Tents`) or nested (`name:` + `children:`); both
expand to one item per category. A category's name is the last path segment,
its parent is the path above it, so moving or renaming a category replaces it.

A name may contain `/` (the API allows any character): the nested form takes
`name:` literally, and a path writes such a slash as `\/` (and a backslash as
`\\`), so `Apparel/Tops\/Tees` is the category `Tops/Tees` under `Apparel`. Keys
are kept in that canonical escaped form, which is also what export writes.
Uses the category-trees API (`/catalog/trees/...`), not the deprecated
`/catalog/categories`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from storeconf.batch import ItemError, item_messages, send_good_items
from storeconf.client import ApiResponse, StoreClient
from storeconf.errors import ApiError, Location, PlanError, Problem
from storeconf.kinds.base import Context, Kind, Outcome, RawItem, Spec, TreeShape, changed_fields
from storeconf.model import Live
from storeconf.plan import Action, Change

TREES = "/v3/catalog/trees"
CATEGORIES = "/v3/catalog/trees/categories"
BATCH = 50  # the API states no cap for tree-category batches; 50 matches the trees endpoint's
MAX_DEPTH = 8

SortOrder = Literal[
    "use_store_settings",
    "featured",
    "newest",
    "best_selling",
    "alpha_asc",
    "alpha_desc",
    "avg_customer_review",
    "price_asc",
    "price_desc",
]


class Category(Spec):
    """A category. `url` is the storefront path (`/camping/tents/`); generated from the name when omitted."""

    path: str = Field(min_length=1)
    description: str | None = Field(default=None, max_length=65535)
    sort_order: int | None = None
    page_title: str | None = None
    meta_keywords: list[str] | None = None
    meta_description: str | None = Field(default=None, max_length=65535)
    layout_file: str | None = Field(default=None, max_length=50)
    image_url: str | None = None
    is_visible: bool | None = None
    search_keywords: str | None = Field(default=None, max_length=255)
    default_product_sort: SortOrder | None = None
    url: str | None = Field(default=None, min_length=1, max_length=255)

    @field_validator("path")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        parts = split_path(value)
        if any(not p.strip() for p in parts):
            hint = " (a `/` inside a name is written `\\/`)" if "//" in value or value.endswith("/") else ""
            raise ValueError(f"category path {value!r} has an empty segment{hint}")
        if any(len(p) > 50 for p in parts):
            raise ValueError("category names are at most 50 characters")
        if len(parts) > MAX_DEPTH:
            raise ValueError(f"categories nest at most {MAX_DEPTH} levels deep")
        return join_path(parts)


class CategoryOptions(BaseModel):
    channel: int = Field(1, ge=1, description="The channel whose category tree is managed.")


def split_path(path: str) -> list[str]:
    r"""The category names of a path: `/` separates them, `\/` is a slash inside a name and
    `\\` a backslash; any other backslash is itself."""
    names: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(path):
        char = path[i]
        if char == "\\" and path[i + 1 : i + 2] in ("/", "\\"):
            current.append(path[i + 1])
            i += 2
            continue
        if char == "/":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    names.append("".join(current))
    return names


def escape_name(name: str) -> str:
    """A category name as one path segment."""
    return name.replace("\\", "\\\\").replace("/", "\\/")


def join_path(names: Sequence[str]) -> str:
    return "/".join(escape_name(n) for n in names)


def parent_of(path: str) -> str | None:
    names = split_path(path)
    return join_path(names[:-1]) if len(names) > 1 else None


def name_of(path: str) -> str:
    return split_path(path)[-1]


class Categories(Kind[Category]):
    name = "categories"
    spec = Category
    file = "catalog/categories.yaml"
    scopes = "store_v2_products"
    # Tree categories keep the v3 category's id, whose metafields live under the v3 path.
    metafields = "/v3/catalog/categories"
    manage_options = CategoryOptions
    tree = TreeShape(key="path")
    api_defaults = {
        "description": "",
        "sort_order": 0,
        "page_title": "",
        "meta_keywords": [],
        "meta_description": "",
        "layout_file": "category.html",
        "image_url": "",
        "is_visible": True,
        "search_keywords": "",
        "default_product_sort": "use_store_settings",
    }

    key_fields = frozenset({"path"})

    def key(self, item: Category) -> str:
        return item.path

    def identity(self, key: str) -> str:
        # Sibling names are unique case-insensitively in the store. A backslash that escapes
        # nothing is itself: `--target` with `A\\b` or `A\b` finds the same category.
        return (join_path(split_path(key)) if "\\" in key else key).casefold()

    def order(self, key: str) -> int:
        return len(split_path(key)) - 1

    def refs(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        parent = parent_of(str(fields.get("path", "")))
        return [(self.name, parent)] if parent else []

    def expand(self, raw: Any, path: tuple[str | int, ...]) -> Iterable[RawItem]:
        if isinstance(raw, list):
            for i, item in enumerate(raw):
                yield from _expand_node(item, (*path, i), None)

    def check(
        self, items: Sequence[tuple[Category, Location | None]], invalid: frozenset[str] = frozenset()
    ) -> list[Problem]:
        declared = {i.path.casefold() for i, _ in items} | invalid
        return [
            Problem(loc, f"categories: parent {parent_of(i.path)!r} of {i.path!r} is not declared")
            for i, loc in items
            if parent_of(i.path) and parent_of(i.path).casefold() not in declared  # type: ignore[union-attr]
        ]

    def export_item(self, live: Live) -> dict[str, Any]:
        item = super().export_item(live)
        if not live.raw.get("url", {}).get("is_customized"):
            item.pop("url", None)
        return item

    # ---- read -------------------------------------------------------------
    async def tree_id(self, client: StoreClient, ctx: Context) -> int:
        if "category_tree_id" not in ctx.extra:
            channel = ctx.option(self.name, "channel", 1)
            resp = await client.request("GET", TREES, params={"channel_id:in": channel})
            trees = resp.data or []
            if not trees:
                raise PlanError(f"channel {channel} has no category tree")
            ctx.extra["category_tree_id"] = trees[0]["id"]
        return int(ctx.extra["category_tree_id"])

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        tree = await self.tree_id(client, ctx)
        raws = await client.get_all(CATEGORIES, {"tree_id:in": tree})
        by_id = {r["category_id"]: r for r in raws}

        def path(raw: dict[str, Any]) -> str:
            parent = by_id.get(raw.get("parent_id") or 0)
            name = escape_name(str(raw["name"]))
            return f"{path(parent)}/{name}" if parent else name

        out = []
        for raw in raws:
            url = raw.get("url")
            shaped = {**raw, "path": path(raw), "url": url.get("path") if isinstance(url, dict) else url}
            out.append(replace(self.make_live(shaped, "category_id"), raw=raw))
        return out

    # ---- writes -------------------------------------------------------------
    async def apply_batch(
        self, client: StoreClient, changes: Sequence[Change], ctx: Context
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for start in range(0, len(changes), BATCH):
            chunk = changes[start : start + BATCH]
            action = chunk[0].action
            if ctx.halt.tripped:
                outcomes += [Outcome(c, ctx.halt.not_started()) for c in chunk]
                continue
            try:
                if action is Action.CREATE:
                    outcomes += await self._create(client, chunk, ctx)
                elif action is Action.UPDATE:
                    outcomes += await self._update(client, chunk)
                else:
                    outcomes += await self._delete(client, chunk)
            except Exception as exc:  # the whole request failed: every change in it failed
                outcomes += [Outcome(c, exc) for c in chunk]
            if any(not o.ok for o in outcomes):
                ctx.halt.failed(next(o.error for o in outcomes if o.error is not None))
        return outcomes

    async def _create(self, client: StoreClient, chunk: Sequence[Change], ctx: Context) -> list[Outcome]:
        tree = await self.tree_id(client, ctx)
        body = [self._payload(c, ctx, tree) for c in chunk]
        created: dict[tuple[int, str], int] = {}
        partial: dict[tuple[int, str], BaseException] = {}

        async def send(items: list[dict[str, Any]]) -> None:
            resp = await client.request("POST", CATEGORIES, json=items)
            for d in resp.data or []:
                created[_slot(d)] = d["category_id"]
            messages = item_messages(resp.body, items) if resp.status == 207 else {}
            for i, item in enumerate(items):
                if _slot(item) not in created:
                    partial[_slot(item)] = _partial_error("POST", resp, messages.get(i))

        # A 4xx about some items (a taken URL, a duplicate name) fails those alone: the others are re-sent.
        failures = await send_good_items(body, send)
        outcomes = []
        for index, (change, item) in enumerate(zip(chunk, body, strict=True)):
            new_id = created.get(_slot(item))
            if index in failures or new_id is None:
                outcomes.append(Outcome(change, failures.get(index) or partial[_slot(item)]))
            else:
                ctx.ids[(self.name, self.identity(change.key))] = new_id
                outcomes.append(Outcome(change, None, new_id))
        return outcomes

    def _payload(self, change: Change, ctx: Context, tree: int) -> dict[str, Any]:
        fields = {k: v for k, v in change.fields.items() if k not in ("path", "url")}
        fields["name"] = name_of(change.key)
        if change.fields.get("url"):
            fields["url"] = {"path": change.fields["url"], "is_customized": True}
        # Both ids on every item: the spec's schema requires the pair (its prose says either),
        # and parent_id 0 is how the API itself writes "top level".
        fields["tree_id"] = tree
        parent = parent_of(change.key)
        if parent is None:
            fields["parent_id"] = 0
        else:
            parent_id = ctx.ids.get((self.name, self.identity(parent)))
            if parent_id is None:
                raise PlanError(f"parent category {parent!r} of {change.key!r} does not exist")
            fields["parent_id"] = parent_id
        return fields

    async def _update(self, client: StoreClient, chunk: Sequence[Change]) -> list[Outcome]:
        body = []
        for change in chunk:
            fields = changed_fields(change)
            if "path" in fields:  # same category, name re-cased (identity ignores case)
                fields["name"] = name_of(fields.pop("path"))
            if "url" in fields:
                fields["url"] = {"path": fields["url"], "is_customized": True}
            body.append({"category_id": change.live_id, **fields})
        partial: dict[int, BaseException] = {}

        async def send(items: list[dict[str, Any]]) -> None:
            resp = await client.request("PUT", CATEGORIES, json=items)
            if resp.status == 207:
                for i, text in item_messages(resp.body, items).items():
                    partial[items[i]["category_id"]] = _partial_error("PUT", resp, text)

        failures = await send_good_items(body, send)
        return [Outcome(c, failures.get(i) or partial.get(c.live_id), c.live_id) for i, c in enumerate(chunk)]

    async def _delete(self, client: StoreClient, chunk: Sequence[Change]) -> list[Outcome]:
        ids = ",".join(str(c.live_id) for c in chunk)
        await client.request("DELETE", CATEGORIES, params={"category_id:in": ids})
        return [Outcome(c, None, c.live_id) for c in chunk]


def _expand_node(item: Any, at: tuple[str | int, ...], parent: str | None) -> Iterable[RawItem]:
    if not isinstance(item, dict):
        yield RawItem(item, at)
        return
    data = {k: v for k, v in item.items() if k != "children"}
    name = data.get("name")
    if "path" not in data and isinstance(name, str | int | float):
        del data["name"]
        # The nested form's name is literal: a `/` in it is part of the name, not a level.
        data["path"] = f"{parent}/{escape_name(str(name))}" if parent else escape_name(str(name))
    yield RawItem(data, at)
    children = item.get("children")
    path = data.get("path")
    if children is not None and not isinstance(children, list):
        yield RawItem(children, (*at, "children"))  # reported by the loader as "expected a mapping"
    elif isinstance(children, list) and isinstance(path, str):
        for i, child in enumerate(children):
            yield from _expand_node(child, (*at, "children", i), path)


def _slot(item: dict[str, Any]) -> tuple[int, str]:
    """Where a category sits: its parent and its name (unique there, ignoring case)."""
    return (item.get("parent_id") or 0, str(item["name"]).casefold())


def _partial_error(method: str, resp: ApiResponse, detail: str | None) -> BaseException:
    """One item's failure from a 207 (partly applied) answer: only that item's errors."""
    cause = ApiError(method, CATEGORIES, resp.status, resp.body)
    return ItemError(cause, detail) if detail else cause
