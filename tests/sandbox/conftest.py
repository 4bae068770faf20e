"""Fixtures: a fake clock, and sandbox stores that are closed after each test and whose
every response must have matched the BigCommerce specs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from storeconf.sandbox import SandboxConfig
from tests.sandbox.sandbox_support import FakeClock, Store, StoreFactory


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_store(clock: FakeClock) -> Iterator[StoreFactory]:
    stores: list[Store] = []

    def make(**overrides: Any) -> Store:
        settings: dict[str, Any] = {"clock": clock, "now": lambda: 1_700_000_000.0}
        settings.update(overrides)
        store = Store(SandboxConfig(**settings))
        stores.append(store)
        return store

    yield make
    problems = [problem for store in stores for problem in store.conformance_problems()]
    for store in stores:
        store.close()
    assert not problems, "responses that break the specs:\n" + "\n".join(problems)


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store()
