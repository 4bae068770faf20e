"""A plan as a reviewer reads it: each change once, with a delete and a create of one key
shown as the replace it is, and counts of create/update/replace/delete per kind."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from storeconf.plan import Action, Change

ACTIONS = ("create", "update", "replace", "delete")


@dataclass(frozen=True)
class Entry:
    """One change a reviewer sees. For a replace, `change` is the create and `old` the delete."""

    action: str
    change: Change
    old: Change | None = None

    @property
    def kind(self) -> str:
        return self.change.kind

    @property
    def key(self) -> str:
        return self.change.shown_key


def entries(changes: Iterable[Change]) -> list[Entry]:
    """The changes in plan order; a delete plus a create of one kind and key become one replace,
    at the place of whichever comes first."""
    changes = list(changes)
    by_key: dict[tuple[str, str], dict[Action, Change]] = {}
    for c in changes:
        by_key.setdefault((c.kind, c.key.casefold()), {})[c.action] = c
    out: list[Entry] = []
    seen: set[tuple[str, str]] = set()
    for c in changes:
        ident = (c.kind, c.key.casefold())
        pair = by_key[ident]
        if Action.CREATE in pair and Action.DELETE in pair:
            if ident not in seen:
                seen.add(ident)
                out.append(Entry("replace", pair[Action.CREATE], pair[Action.DELETE]))
            continue
        out.append(Entry(c.action.value, c))
    return out


def count(items: Iterable[Entry]) -> Counter[str]:
    return Counter(e.action for e in items)


def nested_counts(items: Iterable[Entry]) -> dict[str, Counter[str]]:
    """Counts of the nested parts (variant, custom_field, ...) under these entries, by part kind."""
    out: dict[str, Counter[str]] = {}
    for entry in items:
        for child in entries(entry.change.children):
            out.setdefault(child.kind, Counter())[child.action] += 1
    return out


def counts_text(counts: Counter[str], *, verb: bool = False) -> str:
    """`2 create, 1 delete`; with `verb`, `2 to create, 1 to delete`."""
    to = "to " if verb else ""
    return ", ".join(f"{counts[a]} {to}{a}" for a in ACTIONS if counts.get(a)) or "no changes"
