"""The in-place shortcut of part changes (items settled pair by pair) never changes a plan."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storeconf import parts
from storeconf.kinds import REGISTRY
from storeconf.kinds.base import Part


def _part(kind: str, field: str) -> Part:
    return next(p for p in REGISTRY[kind].parts if p.field == field)


VARIANTS = _part("products", "variants")
RECORDS = _part("price_lists", "records")
IMAGES = _part("products", "images")

_skus = st.sampled_from(["A-1", "a-1", "B-2", "C-3", "D-4"])
_variant = st.fixed_dictionaries(
    {"sku": _skus, "price": st.sampled_from([None, 10.0, 12.5]), "options": st.just({"Size": "S"})},
    optional={"inventory_level": st.integers(0, 3)},
)
_record = st.fixed_dictionaries(
    {
        "sku": _skus,
        "currency": st.sampled_from(["USD", "EUR"]),
        "price": st.sampled_from([1.0, 2.5]),
        "bulk_pricing_tiers": st.just([]),
    }
)


def _live(items: list[dict[str, Any]], extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**item, **extra, "_id": n} for n, item in enumerate(items)]


def _both(part: Part, want: list[dict[str, Any]], have: list[dict[str, Any]]) -> tuple[Any, Any]:
    ignore = frozenset({"inventory_level"})
    fast = parts._changes(part, want, have, ignore, False)
    original = parts._in_place
    parts._in_place = lambda *_: False  # type: ignore[assignment]
    try:
        slow = parts._changes(part, want, have, ignore, False)
    finally:
        parts._in_place = original
    return fast, slow


@settings(max_examples=400)
@given(
    part_and_items=st.one_of(
        # Config keys are unique ignoring case (validation refuses a repeat); live ones may repeat.
        st.tuples(
            st.just(VARIANTS),
            st.lists(_variant, max_size=4, unique_by=lambda v: v["sku"].casefold()),
            st.lists(_variant, max_size=4),
        ),
        st.tuples(
            st.just(RECORDS),
            st.lists(_record, max_size=4, unique_by=lambda r: (r["sku"].casefold(), r["currency"])),
            st.lists(_record, max_size=4),
        ),
    ),
    same=st.booleans(),
    extra=st.sampled_from([{}, {"inventory_level": 7}, {"upc": "1"}]),
)
def test_a_part_plans_the_same_with_and_without_the_shortcut(
    part_and_items: tuple[Part, list[dict[str, Any]], list[dict[str, Any]]], same: bool, extra: dict[str, Any]
) -> None:
    part, want, other = part_and_items
    # Half the cases: the live items are the wanted ones (plus live-only fields), where the
    # shortcut applies unless keys repeat or a value differs.
    have = _live(want if same else other, extra)
    fast, slow = _both(part, want, have)
    assert fast == slow


@pytest.mark.parametrize(
    "have",
    [
        [{"sku": "A-1", "price": 1.0}, {"sku": "A-1", "price": 1.0}],  # a repeated key
        [{"sku": "a-1", "price": 1.0}, {"sku": "B-2", "price": 1.0}],  # a key's case
        [{"sku": "B-2", "price": 1.0}, {"sku": "A-1", "price": 1.0}],  # another order
    ],
)
def test_what_the_shortcut_cannot_settle_goes_the_long_way(have: list[dict[str, Any]]) -> None:
    want = [{"sku": "A-1", "price": 1.0}, {"sku": "B-2", "price": 1.0}]
    fast, slow = _both(VARIANTS, want, _live(have, {}))
    assert fast == slow
    assert parts._in_place(VARIANTS, want, _live(have, {})) is False


def test_an_image_whose_live_identity_differs_is_replaced_even_with_the_same_url() -> None:
    # The key of a live image is its stored file's identity, not its URL.
    want = [{"url": "https://cdn.example/tent.jpg", "thumbnail": True}]
    have = [{"url": "https://cdn.example/tent.jpg", "thumbnail": True, "_identity": "other", "_id": 1}]
    fast, slow = _both(IMAGES, want, have)
    assert fast == slow
    assert [c.action.value for c in fast] == ["create", "delete"]


def test_unchanged_items_in_the_live_order_are_settled_in_place() -> None:
    want = [{"sku": "A-1", "price": 1.0}, {"sku": "B-2", "price": 2.0}]
    assert parts._in_place(VARIANTS, want, _live(want, {"upc": "1"})) is True
    assert parts._changes(VARIANTS, want, _live(want, {"upc": "1"}), frozenset(), False) == []
