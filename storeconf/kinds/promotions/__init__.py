"""Promotions (automatic and coupon) and their coupon codes, keyed by name (BIGCOMMERCE_API.md §16).

```yaml
promotions:
  - name: 10% off orders over $150
    redemption_type: AUTOMATIC
    rules:
      - condition: {cart: {minimum_spend: 150}}
        action: {cart_value: {discount: {percentage_amount: 10}}}
  - name: Summit Peak 15% coupon
    redemption_type: COUPON
    rules:
      - action: {cart_items: {discount: {percentage_amount: 15}, items: {brands: [Summit Peak]}}}
    codes:
      - {code: SUMMIT15, max_uses: 500, max_uses_per_customer: 1}
```

The API does not promise unique names: storeconf requires them in config and refuses to
plan when the store holds two live promotions of one managed name. `redemption_type`
and `coupon_type` are write-once: changing one replaces the promotion (guarded by
--allow-deletes once a coupon promotion has been used). Codes are immutable and unique
store-wide (case-insensitive): a changed limit deletes and re-creates the code.

Modules: `spec` (config models, the rule grammar), `refs` (references inside rules),
`shape` (API <-> config shape), `checks` (rules across fields, references), `apply` (writes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from storeconf.client import StoreClient
from storeconf.errors import Location, Problem
from storeconf.kinds.base import Context, Kind, Outcome, Part
from storeconf.kinds.promotions import checks
from storeconf.kinds.promotions.apply import PATH, Writer
from storeconf.kinds.promotions.shape import canonical_rule, config_fields, live_code, live_fields
from storeconf.kinds.promotions.spec import Code, Promotion
from storeconf.model import DesiredState, Live, LiveState
from storeconf.plan import Action, Change

CODES_REPLACED = "codes cannot be updated; re-creating it resets its uses"


class Promotions(Kind[Promotion]):
    name = "promotions"
    spec = Promotion
    file = "marketing/promotions.yaml"
    scopes = "store_v2_marketing"
    depends_on = ("brands", "categories", "products", "customer_groups")
    references = ("brands", "categories", "products", "customer_groups")
    replace_on = frozenset({"redemption_type", "coupon_type"})
    concurrency = 8
    create_is_atomic = False  # a POST, then one POST per code
    parts = (
        Part(
            "codes",
            "code",
            Code,
            lambda item: str(item["code"]),
            casefold=True,
            replace_on=frozenset({"max_uses", "max_uses_per_customer"}),
        ),
    )
    api_defaults = {
        "display_name": "",
        "channels": [],
        "notifications": [],
        "status": "ENABLED",
        "stop": False,
        "can_be_used_with_other_promotions": True,
        "coupon_type": "SINGLE",
        "coupon_overrides_other_promotions": False,
    }

    def key(self, item: Promotion) -> str:
        return item.name

    def live_key(self, fields: dict[str, Any]) -> str:
        return str(fields.get("name") or "")

    def to_fields(self, item: Promotion) -> dict[str, Any]:
        return config_fields(item)

    def refs(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        # A variant is named by its SKU, which its product answers to as well (Kind.aliases).
        return [
            ("products" if kind == "variants" else kind, key) for kind, key, _ in checks.rule_refs(fields)
        ]

    # ---- config ------------------------------------------------------------------------

    def check_item(
        self, item: Promotion, locate: Callable[[tuple[str | int, ...]], Location]
    ) -> list[Problem]:
        return checks.item_problems(item, locate)

    def check(
        self, items: Sequence[tuple[Promotion, Location | None]], invalid: frozenset[str] = frozenset()
    ) -> list[Problem]:
        return checks.unique_codes(items)

    def references_in(self, desired: DesiredState | None) -> tuple[str, ...]:
        if desired is None:
            return self.references
        used = {
            kind
            for obj in desired.objects.get(self.name, {}).values()
            for kind, _, _ in checks.rule_refs(obj.fields)
        }
        if "variants" in used:
            used.add("products")
        return tuple(k for k in self.references if k in used or k in desired.manage)

    def check_references(self, desired: DesiredState, live: LiveState | None) -> list[Problem]:
        return checks.dangling(self.name, desired, live)

    # ---- live --------------------------------------------------------------------------

    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        raws = await client.get_all(PATH)
        desired: DesiredState | None = ctx.extra.get("desired")
        wanted = None if desired is None else desired.objects.get(self.name, {})
        checks.refuse_duplicate_names(raws, wanted)
        managed = [r for r in raws if r.get("redemption_type") == "COUPON" and _manages_codes(r, wanted)]
        code_lists = await asyncio.gather(*(client.get_all(f"{PATH}/{r['id']}/codes") for r in managed))
        codes = {r["id"]: found for r, found in zip(managed, code_lists, strict=True)}
        key_of = checks.KeyFinder(ctx)
        found = []
        for raw in raws:
            fields = live_fields(raw, key_of)
            if raw["id"] in codes:
                fields["codes"] = [live_code(c) for c in codes[raw["id"]]]
            found.append(Live(self.name, self.live_key(fields), raw["id"], fields, raw))
        ctx.extra[LIVE] = {obj.id: obj for obj in found}
        return found

    def normalise(self, raw: dict[str, Any]) -> dict[str, Any]:
        return live_fields(raw, lambda kind, value, path: value)

    def warnings(self, desired: dict[str, Any], live: dict[str, Live]) -> list[str]:
        return [
            f"promotions/{obj.key}: the store marked it INVALID (a rule it cannot run); "
            "storeconf never writes INVALID, fix the rules or set status"
            for ident, obj in live.items()
            if ident in desired and obj.fields.get("status") == "INVALID"
        ]

    def replace_guard(self, live: Live) -> str | None:
        uses = int(live.raw.get("current_uses") or 0)
        if live.raw.get("redemption_type") == "COUPON" and uses > 0:
            return f"deletes a coupon promotion used {uses} times (its usage counters are lost)"
        return None

    def adjust_children(
        self, fields: dict[str, Any], live: dict[str, Any] | None, children: tuple[Change, ...]
    ) -> tuple[Change, ...]:
        """Say so when a code is deleted and re-created (its limits changed)."""
        actions: dict[str, set[Action]] = {}
        for child in children:
            actions.setdefault(child.key.casefold(), set()).add(child.action)
        both = {k for k, a in actions.items() if {Action.CREATE, Action.DELETE} <= a}
        return tuple(replace(c, replaces=CODES_REPLACED) if c.key.casefold() in both else c for c in children)

    def export_item(self, live: Live) -> dict[str, Any]:
        item = super().export_item(live)
        item["rules"] = [canonical_rule(r, defaults=False) for r in live.fields.get("rules") or []]
        customer = {k: v for k, v in (live.fields.get("customer") or {}).items() if v not in ([], 0, None)}
        if customer:
            item["customer"] = customer
        else:
            item.pop("customer", None)
        if live.raw.get("redemption_type") == "COUPON" and live.raw.get("coupon_type") == "BULK":
            item["codes"] = "generated"
        elif "codes" in live.fields:
            item["codes"] = [_exported_code(c) for c in live.fields["codes"]]
        if _passed(item.get("start_date")):
            # A start already passed means "running": the store fills `now` when it is left out,
            # so exporting it would only pin a server-chosen moment (and differ between stores).
            item.pop("start_date")
        first = ("name", "redemption_type", "coupon_type", "display_name", "rules")
        return {**{k: item[k] for k in first if k in item}, **item}

    # ---- writes ------------------------------------------------------------------------

    async def apply_batch(
        self, client: StoreClient, changes: Sequence[Change], ctx: Context
    ) -> list[Outcome]:
        writer = Writer(client, ctx)
        live: dict[Any, Live] = ctx.extra.get(LIVE, {})
        sem = asyncio.Semaphore(self.concurrency)

        async def one(change: Change) -> Outcome:
            current = live.get(change.live_id)
            async with sem:
                if ctx.halt.tripped:
                    return Outcome(change, ctx.halt.not_started())
                try:
                    if change.action is Action.CREATE:
                        return Outcome(change, None, await writer.create(change))
                    if change.action is Action.UPDATE:
                        return Outcome(
                            change, None, await writer.update(change, current.raw if current else {})
                        )
                    coupon = current is None or current.raw.get("redemption_type") == "COUPON"
                    return Outcome(change, None, await writer.delete(change, coupon))
                except Exception as exc:  # reported per change; the applier decides what to stop
                    ctx.halt.failed(exc)
                    return Outcome(change, exc)

        return list(await asyncio.gather(*(one(c) for c in changes)))


LIVE = "promotions.live"


def _passed(value: Any) -> bool:
    try:
        return isinstance(value, str) and datetime.fromisoformat(value) <= datetime.now(UTC)
    except ValueError:
        return False


def _exported_code(code: dict[str, Any]) -> dict[str, Any]:
    """A code without storeconf's own keys and without limits at their default (0 = unlimited)."""
    return {k: v for k, v in code.items() if k == "code" or (not k.startswith("_") and v != 0)}


def _manages_codes(raw: dict[str, Any], wanted: dict[str, Any] | None) -> bool:
    """Codes are read only for promotions whose config lists them (all of them for export)."""
    if wanted is None:
        return raw.get("coupon_type") != "BULK"
    obj = wanted.get(str(raw.get("name")))
    return obj is not None and isinstance(obj.fields.get("codes"), list)
