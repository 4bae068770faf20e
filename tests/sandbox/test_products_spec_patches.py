"""Each spec patch of `test_products_support.PRODUCT_PATCHES` is needed: without it the
sandbox's (correct) answer fails the spec check, with all of them it passes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conformance import ALLOW_LIST, load_specs, skip_reason, specs_available, specs_dir
from tests.sandbox.sandbox_support import Store, StoreFactory
from tests.sandbox.test_products_support import (
    PRODUCT_PATCHES,
    PRODUCTS,
    VARIANTS,
    base_variant_id_nullable,
    option_value_data_nullable,
    product_batch_id_writable,
    product_body,
    product_store,
    tee_variants,
    x_nullable_is_nullable,
)

pytestmark = pytest.mark.skipif(not specs_available(), reason=skip_reason())

Patch = Callable[[str, dict[str, object]], None]


def embedded_variants(store: Store) -> None:
    assert store.post(PRODUCTS, product_body(variants=tee_variants())).status_code == 200


def store_wide_variants(store: Store) -> None:
    assert store.post(PRODUCTS, product_body()).status_code == 200
    store.transport.failures.clear()
    assert store.get(VARIANTS).status_code == 200


def option_without_value_data(store: Store) -> None:
    product = store.post(PRODUCTS, product_body()).json()["data"]
    store.transport.failures.clear()
    body = {"display_name": "Size", "type": "dropdown", "option_values": [{"label": "S", "sort_order": 0}]}
    assert store.post(f"{PRODUCTS}/{product['id']}/options", body).status_code == 200


def batch_update(store: Store) -> None:
    product = store.post(PRODUCTS, product_body()).json()["data"]
    store.transport.failures.clear()
    assert store.put(PRODUCTS, [{"id": product["id"], "price": 2}]).status_code == 200


CASES: list[tuple[Patch, Callable[[Store], None], str]] = [
    (base_variant_id_nullable, embedded_variants, "base_variant_id"),
    (x_nullable_is_nullable, store_wide_variants, "price: None"),
    (option_value_data_nullable, option_without_value_data, "value_data"),
    (product_batch_id_writable, batch_update, "read-only"),
]


def test_every_patch_has_a_case() -> None:
    assert {case[0] for case in CASES} == set(PRODUCT_PATCHES)


@pytest.mark.parametrize(("patch", "scenario", "flagged"), CASES, ids=[c[0].__name__ for c in CASES])
def test_patch_is_needed(
    make_store: StoreFactory, patch: Patch, scenario: Callable[[Store], None], flagged: str
) -> None:
    unpatched = make_store()
    others = tuple(p for p in PRODUCT_PATCHES if p is not patch)
    unpatched.transport.index = load_specs(specs_dir(), (*ALLOW_LIST, *others))
    scenario(unpatched)
    failures = list(unpatched.transport.failures)
    unpatched.transport.failures.clear()  # expected here; the fixture checks everything else
    assert any(flagged in failure for failure in failures), failures
    patched = product_store(make_store())
    scenario(patched)
    assert patched.conformance_problems() == []
