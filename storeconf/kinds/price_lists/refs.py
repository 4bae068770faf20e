"""Cross-object rules of price lists: one list split over files, and the customer groups
its assignments name.

A list may be assigned to a customer group that is not managed, if the store has it.
A group with customer-group discounts cannot get a price list (the API's rule); the
group's discounts are the config's when it manages them, else the store's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from storeconf.errors import Location, Problem
from storeconf.kinds.price_lists.spec import record_key
from storeconf.model import Desired, DesiredState, LiveState


def merge(first: Desired, other: Desired) -> Desired | None:
    """A list declared again in another file for more `records`: no other field twice."""
    shared = (set(first.fields) & set(other.fields)) - {"name", "records"}
    if shared or ("records" not in first.fields and "records" not in other.fields):
        return None  # a duplicate: reported by the loader
    mine, theirs = first.fields.get("records", []), other.fields.get("records", [])
    seen = {record_key(r).casefold() for r in mine}
    twice = [r for r in theirs if record_key(r).casefold() in seen]
    if twice:
        raise ValueError(
            f"price_lists: {other.key}: record {record_key(twice[0])} is also declared at "
            f"{first.location_of('records', twice[0]['sku'])}"
        )
    records = sorted([*mine, *theirs], key=lambda r: (r["sku"].casefold(), r["currency"]))
    fields = {**other.fields, **first.fields, "records": records}

    def locate(path: tuple[str | int, ...]) -> Location | None:
        found = first.locate(path) if first.locate else None
        return found or (other.locate(path) if other.locate else None)

    return replace(
        first,
        fields=fields,
        field_locations=_Both(first.field_locations, other.field_locations),
        locate=locate,
    )


class _Both(Mapping[str, Location]):
    """Field locations of a list joined from two files, looked up lazily (a lookup may re-read
    a file for exact positions)."""

    def __init__(self, first: Mapping[str, Location], other: Mapping[str, Location]) -> None:
        self.first, self.other = first, other

    def __getitem__(self, name: str) -> Location:
        return self.first[name] if name in self.first else self.other[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.first, *self.other]))

    def __len__(self) -> int:
        return len(set(self.first) | set(self.other))


def check_groups(desired: DesiredState, live: LiveState | None) -> list[Problem]:
    groups_manage = desired.manage.get("customer_groups")
    pruned = groups_manage is not None and groups_manage.prune
    declared = desired.objects.get("customer_groups", {})
    live_groups = live.objects.get("customer_groups", {}) if live is not None else {}
    problems = []
    for obj in desired.objects.get("price_lists", {}).values():
        for index, assignment in enumerate(obj.fields.get("assignments") or []):
            name = assignment.get("customer_group")
            if name is None:
                continue
            ident = str(name).casefold()
            # Located only for a problem: a location may re-read the file.
            where = functools.partial(obj.location_of, "assignments", index)
            group = declared.get(ident)
            current = None if pruned else live_groups.get(ident)
            if group is None and current is None:
                if live is None and not pruned:
                    continue  # offline: the store may have it
                scope = "in the configuration" if pruned else "in the configuration or the store"
                message = (
                    f"price_lists: {obj.key} is assigned to customer group {name!r}, which is not {scope}"
                )
                problems.append(Problem(where(), message))
                continue
            rules = _discounts(
                group.fields if group is not None else None, current.fields if current else None
            )
            if rules:
                message = (
                    f"price_lists: {obj.key} cannot be assigned to customer group {name!r}: the group has "
                    "customer-group discounts (discount_rules), and the API allows a price list only for a "
                    "group without them; remove the group's discount_rules or this assignment"
                )
                problems.append(Problem(where(), message))
    return problems


def _discounts(declared: dict[str, Any] | None, current: dict[str, Any] | None) -> list[Any]:
    source = declared if declared is not None and "discount_rules" in declared else current
    rules = (source or {}).get("discount_rules") or []
    return [r for r in rules if isinstance(r, dict) and r.get("type") != "price_list"]
