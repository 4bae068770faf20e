"""Writes of one product's nested items through their sub-resource endpoints, in dependency order.

Inside one product:
  1. variants to delete go first, including variants whose option values change
     (the API cannot change a variant's option values: the plan deletes and re-creates it,
     and the re-created one keeps the live values of ignored fields, e.g. the stock an ERP
     owns); a variant already gone (404: the API deletes variants with their option values)
     is fine;
  2. options the config dropped, right away: no variant uses them any more, and a variant
     created while one exists must name a value of it, which the config cannot
     (422 "missing option(s)");
  3. options and their new values (variants about to be created need their ids), then
     modifiers, custom fields, bulk pricing rules, images and videos, each with deletes
     first (a bulk range or a custom field's name+value must never clash with one on its
     way out);
  4. variant creates and updates are queued on the job: the caller batches them across
     products (`PUT /catalog/variants`, 50 at a time);
  5. option values the config dropped are deleted last (`Job.cleanup`), and only once the
     product's variant writes succeeded: a failed apply then leaves the values in place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from storeconf.client import StoreClient
from storeconf.diff import diff_fields
from storeconf.errors import ApiError
from storeconf.kinds.products import payloads
from storeconf.kinds.products.payloads import Choice, fold
from storeconf.kinds.products.read import PRODUCTS
from storeconf.kinds.products.shape import value_label
from storeconf.kinds.products.spec import Modifier, Option, Variant
from storeconf.plan import Action, Change

_ORDER = {Action.DELETE: 0, Action.UPDATE: 1, Action.CREATE: 2}


@dataclass
class Job:
    """One product being written, and what the batched steps need from it."""

    change: Change
    product_id: int
    # Normalised live fields (None until loaded): the ids of live option values live here.
    live: dict[str, Any] | None = None
    choices: dict[str, Choice] = field(default_factory=dict)
    variants: list[dict[str, Any]] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)
    # Live category ids outside the managed tree: a PUT of `categories` replaces the set, keep them.
    keep_categories: list[int] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def path(self) -> str:
        return f"{PRODUCTS}/{self.product_id}"

    def live_items(self, name: str) -> dict[str, dict[str, Any]]:
        return {str(i.get("name")): i for i in (self.live or {}).get(name) or []}


def needs_live(change: Change) -> bool:
    """Whether writing this change needs the live product (ids of option values, other trees' categories)."""
    if any(d.path.split(".", 1)[0] == "categories" for d in change.diff):
        return True
    return any(
        (c.kind in ("option", "modifier") and c.action is not Action.CREATE)
        or (c.kind == "variant" and c.action is Action.CREATE)
        for c in change.children
    )


def roots(change: Change) -> set[str]:
    return {d.path.split(".", 1)[0] for d in change.diff}


class Nested:
    """Writes the keyed parts of products (see the module docstring for the order)."""

    def __init__(self, client: StoreClient, ignore: frozenset[str] = frozenset()) -> None:
        self.client = client
        # Variant fields another system owns (`manage.products.ignore`: plain names apply to
        # variants too, `variants.x` only to them): a re-created variant keeps their live values.
        inside = {i.removeprefix("variants.") for i in ignore if "." not in i or i.startswith("variants.")}
        self.keep = frozenset(inside & set(Variant.model_fields) - {"sku", "options"})

    async def write(self, job: Job) -> None:
        """Steps 1 to 3; queues step 4 on `job.variants` and step 5 on `job.cleanup`."""
        parts: dict[str, list[Change]] = defaultdict(list)
        for child in job.change.children:
            parts[child.kind].append(child)
        job.choices = {name: _choice(o) for name, o in job.live_items("options").items()}
        await self._delete_variants(job, parts["variant"])
        # Deletes sort first: dropped options go before any option or variant is written.
        for option in sorted(parts["option"], key=lambda c: _ORDER[c.action]):
            await self._option(job, option)
        for modifier in sorted(parts["modifier"], key=lambda c: _ORDER[c.action]):
            await self._modifier(job, modifier)
        await self._crud(job, parts["custom_field"], "custom-fields", _custom_field)
        await self._crud(job, parts["bulk_pricing_rule"], "bulk-pricing-rules", _bulk_rule)
        await self._crud(job, parts["image"], "images", _image)
        await self._crud(job, parts["video"], "videos", _video)
        job.variants = _variant_items(job, parts["variant"], self.keep)

    async def cleanup(self, job: Job) -> None:
        for path in job.cleanup:
            await self.client.request("DELETE", path)

    # ---- variants -----------------------------------------------------------------------------

    async def _delete_variants(self, job: Job, changes: list[Change]) -> None:
        """Deletes dropped variants, and those about to be re-created with other option values."""
        for change in changes:
            if change.action is Action.DELETE:
                try:
                    await self.client.request("DELETE", f"{job.path}/variants/{change.live_id}")
                except ApiError as exc:
                    if exc.status != 404:  # already gone is what the plan wants
                        raise

    # ---- options and modifiers ----------------------------------------------------------------

    async def _option(self, job: Job, change: Change) -> None:
        have = None if change.action is Action.CREATE else job.live_items("options").get(change.key)
        if change.action is Action.DELETE:
            await self.client.request("DELETE", f"{job.path}/options/{change.live_id}")
            job.choices.pop(change.key, None)
            return
        job.choices[change.key] = await self.sync_option(job, change.fields, have)

    async def sync_option(self, job: Job, want: dict[str, Any], have: dict[str, Any] | None) -> Choice:
        """Make one live option match `want`: create it, or add values and PUT what differs.
        Values the config dropped are deleted at cleanup, after the variants that use them."""
        base = f"{job.path}/options"
        if have is None:
            resp = await self.client.request(
                "POST", base, json=payloads.option_body(job.product_id, want, {})
            )
            return _choice_from_api(resp.data)
        # Labels are unique ignoring case: `Small` -> `small` renames the value in the PUT.
        ids = fold(have["_value_ids"])
        await self._add_values(f"{base}/{have['_id']}/values", want["values"], ids, modifier=False)
        dropped = _dropped(want, have)
        if _differs(want, have, Option):
            body = payloads.option_body(job.product_id, want, ids, dropped)
            await self.client.request("PUT", f"{base}/{have['_id']}", json=body)
        job.cleanup += [f"{base}/{have['_id']}/values/{ids[value_label(v).casefold()]}" for v in dropped]
        return Choice(have["_id"], {value_label(v): ids[value_label(v).casefold()] for v in want["values"]})

    async def _modifier(self, job: Job, change: Change) -> None:
        base = f"{job.path}/modifiers"
        if change.action is Action.DELETE:
            await self.client.request("DELETE", f"{base}/{change.live_id}")
            return
        # A create next to a delete of the same name is a replacement (a type change): the live
        # one is gone by now.
        have = None if change.action is Action.CREATE else job.live_items("modifiers").get(change.key)
        await self.sync_modifier(job, change.fields, have)

    async def sync_modifier(self, job: Job, want: dict[str, Any], have: dict[str, Any] | None) -> None:
        base = f"{job.path}/modifiers"
        if have is None:
            await self.client.request("POST", base, json=payloads.modifier_body(want, {}))
            return
        ids = fold(have["_value_ids"])
        if want.get("values") is not None:
            await self._add_values(f"{base}/{have['_id']}/values", want["values"], ids, modifier=True)
        dropped = _dropped(want, have)
        if _differs(want, have, Modifier):
            body = payloads.modifier_body(want, ids, dropped, have)
            await self.client.request("PUT", f"{base}/{have['_id']}", json=body)
        # No variant uses a modifier value, so dropped ones can go now.
        for value in dropped:
            value_id = ids[value_label(value).casefold()]
            await self.client.request("DELETE", f"{base}/{have['_id']}/values/{value_id}")

    async def _add_values(self, path: str, values: list[Any], ids: dict[str, int], *, modifier: bool) -> None:
        """POSTs the values no live value has the label of (ignoring case); `ids` is by casefolded label."""
        for position, value in enumerate(values):
            label = value_label(value).casefold()
            if label not in ids:
                resp = await self.client.request(
                    "POST", path, json=payloads.value_body(value, position, modifier)
                )
                ids[label] = resp.data["id"]

    # ---- simple keyed lists -------------------------------------------------------------------

    async def _crud(self, job: Job, changes: list[Change], sub: str, body: _Body) -> None:
        """Deletes, then updates, then creates: e.g. a new thumbnail or bulk range never clashes
        with the one it replaces."""
        base = f"{job.path}/{sub}"
        for change in sorted(changes, key=lambda c: _ORDER[c.action]):
            if change.action is Action.DELETE:
                await self.client.request("DELETE", f"{base}/{change.live_id}")
            elif change.action is Action.UPDATE:
                await self.client.request("PUT", f"{base}/{change.live_id}", json=body(change, False))
            else:
                await self.client.request("POST", base, json=body(change, True))


_Body = Callable[[Change, bool], dict[str, Any]]


def _custom_field(change: Change, create: bool) -> dict[str, Any]:
    return payloads.custom_field_body(change.fields)


def _bulk_rule(change: Change, create: bool) -> dict[str, Any]:
    return payloads.bulk_rule_body(change.fields)


def _image(change: Change, create: bool) -> dict[str, Any]:
    fields = change.fields if create else {k: change.fields[k] for k in roots(change)}
    return payloads.image_body(fields, create)


def _video(change: Change, create: bool) -> dict[str, Any]:
    if create:
        return payloads.video_body(change.fields)
    return {k: change.fields[k] for k in roots(change)}


def _variant_items(job: Job, changes: list[Change], keep: frozenset[str]) -> list[dict[str, Any]]:
    """Batch items for `PUT /catalog/variants`: updates by id, creates by option value ids. A
    create that replaces a deleted variant of the same SKU keeps its live values of `keep`."""
    replaced = {c.key.casefold() for c in changes if c.action is Action.DELETE}
    live = {str(v.get("sku") or "").casefold(): v for v in (job.live or {}).get("variants") or []}
    items = []
    for change in changes:
        if change.action is Action.CREATE:
            fields = change.fields
            old = live.get(change.key.casefold()) if change.key.casefold() in replaced else None
            if old is not None:
                fields = {**fields, **{k: old[k] for k in keep if old.get(k) is not None}}
            items.append(payloads.variant_create(job.product_id, fields, job.choices))
        elif change.action is Action.UPDATE:
            changed = {k: change.fields[k] for k in roots(change) if k != "options"}
            items.append({"id": change.live_id, **changed})
    return items


def _differs(want: dict[str, Any], have: dict[str, Any], model: type[BaseModel]) -> bool:
    return bool(diff_fields({k: v for k, v in want.items() if k != "name"}, have, model))


def _dropped(want: dict[str, Any], have: dict[str, Any]) -> list[Any]:
    """Live values the config no longer lists."""
    if want.get("values") is None:
        return []
    kept = {value_label(v).casefold() for v in want["values"]}
    return [v for v in have.get("values") or [] if value_label(v).casefold() not in kept]


def _choice(live: dict[str, Any]) -> Choice:
    return Choice(int(live["_id"]), fold(live.get("_value_ids") or {}))


def _choice_from_api(option: dict[str, Any]) -> Choice:
    values = {str(v["label"]): int(v["id"]) for v in option.get("option_values") or []}
    return Choice(int(option["id"]), values)
