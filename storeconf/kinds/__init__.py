"""The registry of resource kinds: one line per kind, in dependency order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from storeconf.kinds.base import Kind
from storeconf.kinds.brands import Brands
from storeconf.kinds.categories import Categories
from storeconf.kinds.customer_groups import CustomerGroups
from storeconf.kinds.price_lists import PriceLists
from storeconf.kinds.products import Products
from storeconf.kinds.promotions import Promotions
from storeconf.kinds.scripts import Scripts
from storeconf.kinds.webhook_admin import WebhookAdmin
from storeconf.kinds.webhooks import Webhooks

KINDS: tuple[Kind[Any], ...] = (
    Brands(),
    Categories(),
    Products(),
    CustomerGroups(),
    PriceLists(),
    Promotions(),
    Scripts(),
    Webhooks(),
    WebhookAdmin(),
)


class Registry:
    """Kinds by name, in an order where every kind comes after the kinds it depends on."""

    def __init__(self, kinds: tuple[Kind[Any], ...]) -> None:
        names = [k.name for k in kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate kind names in {names}")
        self._kinds = {k.name: k for k in _dependency_order(kinds)}
        order = list(self._kinds)
        for kind in self._kinds.values():
            # A read waits for these (storeconf.live): a later kind could wait for it in turn.
            late = [
                n for n in kind.read_after() if n not in order or order.index(n) >= order.index(kind.name)
            ]
            if late:
                raise ValueError(f"kind {kind.name!r} reads after {late}, which do not come before it")

    def __iter__(self) -> Iterator[Kind[Any]]:
        return iter(self._kinds.values())

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __getitem__(self, name: str) -> Kind[Any]:
        try:
            return self._kinds[name]
        except KeyError:
            raise KeyError(f"unknown kind {name!r}; known kinds: {', '.join(self._kinds)}") from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    def rank(self, name: str) -> int:
        return self.names().index(name)


def _dependency_order(kinds: tuple[Kind[Any], ...]) -> list[Kind[Any]]:
    by_name = {k.name: k for k in kinds}
    done: dict[str, Kind[Any]] = {}
    visiting: set[str] = set()

    def visit(kind: Kind[Any]) -> None:
        if kind.name in done:
            return
        if kind.name in visiting:
            raise ValueError(f"dependency cycle through kind {kind.name!r}")
        visiting.add(kind.name)
        for dep in kind.depends_on:
            if dep not in by_name:
                raise ValueError(f"kind {kind.name!r} depends on unknown kind {dep!r}")
            visit(by_name[dep])
        done[kind.name] = kind

    for kind in kinds:
        visit(kind)
    return list(done.values())


REGISTRY = Registry(KINDS)
