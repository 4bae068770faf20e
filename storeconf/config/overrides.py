"""Per-environment overrides: `overrides:` and `exclude:` inside one environment of storeconf.yaml.

```yaml
environments:
  staging:
    sandbox: .storeconf/staging.db
    overrides:
      scripts:
        Analytics: {src: https://cdn.example.com/a-staging.js}
    exclude:
      webhooks: ["store/order/created ${var.hooks}/orders"]
```

An override names an object by the key the shared files give it (object keys
and exclude entries may use `${var.…}`) and replaces top-level fields of it in
that environment only. The merged object is validated like a file item, with
errors pointing at the override. An excluded object is not managed in that
environment: never created, changed or deleted there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storeconf.config.interpolate import Interpolated, Scope, expand, interpolate
from storeconf.config.validation import did_you_mean
from storeconf.config.yaml import Document, SourceMap, YamlPath, describe
from storeconf.errors import Location, Problem
from storeconf.kinds import Registry

OVERRIDE_KEYS = ("overrides", "exclude")


@dataclass(frozen=True)
class Override:
    """The fields one environment sets on one object, as interpolated, with where they were written."""

    kind: str
    key: str
    data: dict[str, Any]
    at: YamlPath
    location: Location
    source: SourceMap
    interpolated: Interpolated

    def is_sensitive(self, name: str) -> bool:
        return self.interpolated.is_sensitive((*self.at, name))

    def field_location(self, name: str) -> Location:
        return self.source.key((*self.at, name))

    def merged_source(self, file: SourceMap, path: YamlPath) -> SourceMap:
        """Positions of the file item at `path` with this override on top, addressed under the
        override's own path: a field the override sets points here, any other into the file.
        Built only when a problem asks (a big file's positions cost a second parse)."""

        def exact() -> SourceMap:
            out = SourceMap(self.source.file)
            for mine, theirs in ((out.values, file.values), (out.keys, file.keys)):
                for at, loc in theirs.items():
                    below = at[len(path) :]
                    if at[: len(path)] == path and below and below[0] not in self.data:
                        mine[(*self.at, *below)] = loc
            for mine, ours in ((out.values, self.source.values), (out.keys, self.source.keys)):
                mine.update({at: loc for at, loc in ours.items() if at[: len(self.at)] == self.at})
            return out

        return SourceMap(self.source.file, marks={self.at: self.source.value(self.at)}, exact=exact)


@dataclass
class EnvOverrides:
    """The selected environment's overrides and exclusions, keyed by kind and identity."""

    env: str
    overrides: dict[str, dict[str, Override]] = field(default_factory=dict)
    exclude: dict[str, dict[str, tuple[str, Location]]] = field(default_factory=dict)
    # (kind, identity) of entries that matched a declared object; the rest are reported.
    used: set[tuple[str, str]] = field(default_factory=set)

    def take_override(self, kind: str, ident: str) -> Override | None:
        found = self.overrides.get(kind, {}).get(ident)
        if found is not None:
            self.used.add((kind, ident))
        return found

    def take_exclude(self, kind: str, ident: str) -> bool:
        if ident in self.exclude.get(kind, {}):
            self.used.add((kind, ident))
            return True
        return False

    def all(self) -> list[Override]:
        return [o for entries in self.overrides.values() for o in entries.values()]

    def excluded(self) -> dict[str, frozenset[str]]:
        return {kind: frozenset(entries) for kind, entries in self.exclude.items()}

    def unmatched(self, declared: dict[str, list[str]], invalid: dict[str, frozenset[str]]) -> list[Problem]:
        """Entries that name no object of the shared files: a typo must not silently do nothing.
        An object that failed validation is declared (its own error says what is wrong)."""
        problems = []
        for what, table in (("overrides", self.overrides), ("exclude", self.exclude)):
            for kind, entries in table.items():
                for ident, entry in entries.items():
                    if (kind, ident) in self.used or ident in invalid.get(kind, ()):
                        continue
                    key, where = (entry.key, entry.location) if isinstance(entry, Override) else entry
                    hint = did_you_mean(key, declared.get(kind, []))
                    message = (
                        f"environments.{self.env}.{what}.{kind}: no {kind} object has the key {key!r}{hint}"
                    )
                    problems.append(Problem(where, message))
        return problems


def split_block(block: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An environment block without its override keys, and those keys (interpolated separately,
    in the scope of the resource files, so `${var.…}` works in them)."""
    rest = {k: v for k, v in block.items() if k not in OVERRIDE_KEYS}
    return rest, {k: block[k] for k in OVERRIDE_KEYS if k in block}


def read_overrides(
    doc: Document, env: str, written: dict[str, Any], scope: Scope, registry: Registry
) -> tuple[EnvOverrides, list[Problem]]:
    """Parse `overrides:` and `exclude:` of environment `env` (as split off by split_block)."""
    reader = _Reader(doc, env, scope, registry)
    reader.overrides(written.get("overrides"))
    reader.exclude(written.get("exclude"))
    return reader.out, reader.problems


class _Reader:
    def __init__(self, doc: Document, env: str, scope: Scope, registry: Registry) -> None:
        self.doc, self.scope, self.registry = doc, scope, registry
        self.base: YamlPath = ("environments", env)
        self.out = EnvOverrides(env)
        self.problems: list[Problem] = []

    def overrides(self, value: Any) -> None:
        for kind, by_key, at in self._kinds(value, "overrides", "a mapping of kind names to objects"):
            if not self._expect(by_key, dict, at, "a mapping of object keys to fields"):
                continue
            for written_key, fields in by_key.items():
                here = (*at, written_key)
                if not self._expect(fields, dict, here, "a mapping of fields"):
                    continue
                key = self._key(written_key, self.doc.source.key(here), here)
                if key is None:
                    continue
                done = interpolate(fields, self.doc.source, self.scope, here)
                self.problems += done.problems
                ident = self.registry[kind].identity(key)
                loc = self.doc.source.key(here)
                entry = Override(kind, key, done.data, here, loc, self.doc.source, done)
                self._add(self.out.overrides.setdefault(kind, {}), ident, entry, loc, here)

    def exclude(self, value: Any) -> None:
        for kind, keys, at in self._kinds(value, "exclude", "a mapping of kind names to lists of keys"):
            if not self._expect(keys, list, at, "a list of object keys"):
                continue
            for i, written_key in enumerate(keys):
                here = (*at, i)
                if not self._expect(written_key, str, here, "an object key (text)"):
                    continue
                loc = self.doc.source.value(here)
                key = self._key(written_key, loc, here)
                if key is not None:
                    ident = self.registry[kind].identity(key)
                    self._add(self.out.exclude.setdefault(kind, {}), ident, (key, loc), loc, here)
                    if ident in self.out.overrides.get(kind, {}):
                        message = f"{describe(here)}: {kind} {key!r} is both overridden and excluded"
                        self.problems.append(Problem(loc, message))

    def _kinds(self, value: Any, name: str, expected: str) -> list[tuple[str, Any, YamlPath]]:
        at = (*self.base, name)
        if value is None or not self._expect(value, dict, at, expected):
            return []
        out = []
        for kind, inner in value.items():
            if kind not in self.registry:
                hint = did_you_mean(kind, self.registry.names())
                message = f"{describe(at)}: unknown kind {kind!r}{hint}"
                self.problems.append(Problem(self.doc.source.key((*at, kind)), message))
                continue
            out.append((kind, inner, (*at, kind)))
        return out

    def _key(self, written: str, loc: Location, at: YamlPath) -> str | None:
        done = expand(written, self.scope)
        self.problems += [Problem(loc, f"{describe(at)}: {e}") for e in done.errors]
        if done.sensitive:
            # A key is shown in every plan: it cannot come from a secret.
            self.problems.append(Problem(loc, f"{describe(at)}: an object key cannot use ${{env:…}}"))
            return None
        return None if done.errors or done.unresolved else done.text

    def _add(self, table: dict[str, Any], ident: str, entry: Any, loc: Location, at: YamlPath) -> None:
        if ident in table:
            self.problems.append(Problem(loc, f"{describe(at)}: the same object is named twice"))
            return
        table[ident] = entry

    def _expect(self, value: Any, tp: type, at: YamlPath, expected: str) -> bool:
        if isinstance(value, tp):
            return True
        self.problems.append(Problem(self.doc.source.value(at), f"{describe(at)}: expected {expected}"))
        return False
