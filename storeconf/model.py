"""The values that flow between loader, reader, planner and applier.

`Desired` comes from YAML, `Live` from the API; both hold fields in the same
shape (the kind's spec model, dumped to plain data) so the planner can compare
them without knowing any kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from storeconf.errors import Location


@dataclass(frozen=True)
class Desired:
    """One object as the configuration declares it. `fields` holds only what the file sets."""

    kind: str
    key: str
    fields: dict[str, Any]
    location: Location | None = None
    sensitive: frozenset[str] = frozenset()
    # Location of each top-level field, so late errors (e.g. unresolved references) can point at it.
    field_locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)
    # Fields the selected environment's `overrides:` set, and where; `base` is the object as the
    # shared files declare it (export writes that, never an environment's values).
    overridden: dict[str, Location] = field(default_factory=dict)
    base: Desired | None = None
    # `protect: true` on the item: never deleted or replaced, whatever the config says.
    protect: bool = False
    # The key with the secrets it was built from masked, when a key field is from `${env:}`.
    masked_key: str | None = None
    # Where a value below the object starts (`("records", "TEE-S")`), for errors about one
    # entry of a long nested list; None when the object was not loaded from a file.
    locate: Callable[[tuple[str | int, ...]], Location | None] | None = field(
        default=None, compare=False, repr=False
    )

    def location_of(self, *path: str | int) -> Location | None:
        found = self.locate(path) if self.locate is not None else None
        return found or self.field_locations.get(str(path[0]) if path else "", self.location)


@dataclass(frozen=True)
class Live:
    """One object as the store has it, normalised into the spec's shape."""

    kind: str
    key: str
    id: Any
    fields: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # A second live object with the key of another (the API allows duplicate script names):
    # not addressable by config, so never exported, and deleted when the kind is pruned.
    duplicate: bool = False


@dataclass(frozen=True)
class Manage:
    """How storeconf owns one kind: whether to delete what config omits, which fields to leave alone."""

    prune: bool = False
    ignore: frozenset[str] = frozenset()
    # Share of a kind's live objects a plan may delete before apply needs --allow-deletes.
    delete_threshold: float = 0.3
    # `prune: owned`: deletes only objects carrying storeconf's ownership mark (storeconf.ownership).
    owned: bool = False
    # `protect: true` (the whole kind) or the keys of protected objects: never deleted or replaced.
    protect: bool = False
    protected: frozenset[str] = frozenset()
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DesiredState:
    """Everything the configuration declares, per kind, keyed by identity (see Kind.identity)."""

    objects: dict[str, dict[str, Desired]]
    manage: dict[str, Manage]
    # Identities of items that are declared but failed validation (reported already): they
    # still exist for reference checks, so one bad field is one error, not one per referrer.
    invalid: dict[str, frozenset[str]] = field(default_factory=dict)
    # Identities per kind the environment excludes: not managed there, so never pruned either.
    excluded: dict[str, frozenset[str]] = field(default_factory=dict)

    def managed_kinds(self) -> tuple[str, ...]:
        return tuple(self.manage)

    def declared(self, kind: str) -> set[str]:
        """Identities the configuration declares for `kind`, valid or not."""
        return {*self.objects.get(kind, {}), *self.invalid.get(kind, ())}


@dataclass(frozen=True)
class LiveState:
    """What the store holds for the kinds that were read, keyed like DesiredState."""

    objects: dict[str, dict[str, Live]]
    # Ids of the live objects storeconf owns, per kind read with `prune: owned`.
    owned: dict[str, frozenset[Any]] = field(default_factory=dict)
    # Kinds read in part (a targeted plan): how many objects the store holds in all.
    totals: dict[str, int] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return self.totals.get(kind, len(self.objects.get(kind, {})))


class FlowRow(dict[str, Any]):
    """A mapping export writes on one line (`TENT-UL2: {USD: 299, EUR: 279}`): a row of a
    long table, such as a price list's records, reads best that way."""
