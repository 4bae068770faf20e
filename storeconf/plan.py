"""The plan: an ordered, immutable, serialisable list of changes.

The planner builds it once and nothing reorders it. Renderers and the plan file
are views of it; sensitive values are masked in every view, so a plan file
never holds a secret (apply re-reads them from the configuration).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from storeconf.errors import Location

SENSITIVE = "(sensitive)"
PLAN_FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"

    @property
    def glyph(self) -> str:
        return {"create": "+", "update": "~", "delete": "-"}[self.value]


@dataclass(frozen=True)
class FieldChange:
    """One changed value. `path` is dotted below the object (`custom_url.url`, `headers.X-Key`)."""

    path: str
    old: Any
    new: Any
    sensitive: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "old": SENSITIVE if self.sensitive and self.old is not None else self.old,
            "new": SENSITIVE if self.sensitive and self.new is not None else self.new,
            **({"sensitive": True} if self.sensitive else {}),
        }


@dataclass(frozen=True)
class Change:
    """One create, update or delete of one object, identified by kind and natural key.

    `fields` is what will be written (the desired fields for a create, the
    changed ones for an update); `fingerprint` identifies the live object the
    change was computed from, so a saved plan can refuse to run on a store
    that moved on. `parent` names the object a nested change belongs to.
    """

    kind: str
    key: str
    action: Action
    fields: dict[str, Any] = field(default_factory=dict)
    diff: tuple[FieldChange, ...] = ()
    live_id: Any = None
    fingerprint: str | None = None
    source: Location | None = None
    sensitive: frozenset[str] = frozenset()
    order: int = 0
    # Changes to keyed parts of this object (variants of a product), applied with it.
    children: tuple[Change, ...] = ()
    # The live key of an object updated in place under a new key (a product whose SKU changed).
    renamed_from: str | None = None
    # Why the store differs, shown on the change's line ("deactivated by the store").
    note: str | None = None
    # Fields the environment's `overrides:` set, and where (`storeconf.yaml:12:9`).
    overrides: dict[str, str] = field(default_factory=dict)
    # Nested changes of a long part are shown per group (a price list's records per currency).
    group: str = ""
    # Why a delete happens (`not in the configuration; owned by storeconf`).
    reason: str | None = None
    # Half of a replacement (a delete and a create of one key): why it cannot change in place.
    replaces: str | None = None
    # The key as shown and saved when it is built from `${env:}` values (the secret masked).
    masked_key: str | None = None

    @property
    def shown_key(self) -> str:
        return self.masked_key or self.key

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.shown_key}"

    def masked_fields(self) -> dict[str, Any]:
        return {k: (SENSITIVE if k in self.sensitive else v) for k, v in self.fields.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.shown_key,
            "action": self.action.value,
            "fields": self.masked_fields(),
            "diff": [d.to_dict() for d in self.diff],
            "live_id": self.live_id,
            "fingerprint": self.fingerprint,
            "source": str(self.source) if self.source else None,
            **({"children": [c.to_dict() for c in self.children]} if self.children else {}),
            **({"renamed_from": self.renamed_from} if self.renamed_from else {}),
            **({"note": self.note} if self.note else {}),
            **({"overrides": dict(self.overrides)} if self.overrides else {}),
            **({"group": self.group} if self.group else {}),
            **({"reason": self.reason} if self.reason else {}),
            **({"replaces": self.replaces} if self.replaces else {}),
        }


@dataclass(frozen=True)
class Adoption:
    """A declared object that exists in the store without storeconf's ownership mark: apply marks it
    (see storeconf.ownership), so `prune: owned` may delete it once the config drops it."""

    kind: str
    key: str
    live_id: Any

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.key}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "live_id": self.live_id}


@dataclass(frozen=True)
class Plan:
    """An ordered tuple of changes plus what they were computed against."""

    changes: tuple[Change, ...]
    environment: str = ""
    store: str = ""
    managed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    adoptions: tuple[Adoption, ...] = ()
    # `--changed-since REF`: the plan covers what the configuration changed since REF (its
    # targets; none when nothing changed, which a saved plan must not mistake for "everything").
    changed_since: str | None = None

    @property
    def empty(self) -> bool:
        return not self.changes and not self.adoptions

    def counts(self) -> Counter[Action]:
        return Counter(c.action for c in self.changes)

    def counts_by_kind(self) -> dict[str, Counter[Action]]:
        """Counts per kind, nested parts included (`variant`, `custom_field`, ...)."""
        out: dict[str, Counter[Action]] = {}

        def add(changes: tuple[Change, ...]) -> None:
            for c in changes:
                if c.diff or c.action is not Action.UPDATE:
                    out.setdefault(c.kind, Counter())[c.action] += 1
                add(c.children)

        add(self.changes)
        return out

    def to_dict(self) -> dict[str, Any]:
        # Nested parts included, as the text plan counts them: a CI gate on `summary.delete`
        # must see a deleted price-list record or coupon code.
        counts: Counter[Action] = sum(self.counts_by_kind().values(), Counter())
        body: dict[str, Any] = {
            "format_version": PLAN_FORMAT_VERSION,
            "environment": self.environment,
            "store": self.store,
            "managed": list(self.managed),
            "targets": list(self.targets),
            "summary": {a.value: counts.get(a, 0) for a in Action},
            "changes": [c.to_dict() for c in self.changes],
            "warnings": list(self.warnings),
            **({"adoptions": [a.to_dict() for a in self.adoptions]} if self.adoptions else {}),
            **({"changed_since": self.changed_since} if self.changed_since else {}),
        }
        body["checksum"] = checksum(body)
        return body


def checksum(body: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a plan body (without its own checksum)."""
    data = {k: v for k, v in body.items() if k != "checksum"}
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def fingerprint(fields: dict[str, Any]) -> str:
    """Short digest of a live object's normalised fields."""
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()[:16]
