"""Resource files: top-level kind keys -> validated items -> `Desired` objects keyed by identity.

Everything here is generic over the registry's kinds: each kind expands its
own shapes (`Kind.expand`), validates with its spec, names its key and runs its
cross-item checks; this module adds positions, duplicate detection across
files and sensitivity tracking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, KeysView, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from storeconf.config.interpolate import Interpolated
from storeconf.config.overrides import EnvOverrides, Override
from storeconf.config.validation import did_you_mean, validate
from storeconf.config.yaml import Document, SourceMap, YamlPath, describe
from storeconf.errors import Location, Problem
from storeconf.kinds import Registry
from storeconf.kinds.base import Kind, RawItem, Spec
from storeconf.model import Desired
from storeconf.money import PLACES, rounds_away, store_money

# An item key storeconf reads itself and never sends to the API: `protect: true`.
PROTECT = "protect"


@dataclass(frozen=True)
class ResourceDoc:
    """One file's kind keys after interpolation."""

    doc: Document
    interpolated: Interpolated

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.interpolated.data
        return data


@dataclass(frozen=True)
class _Item:
    spec: Spec
    raw: RawItem
    rdoc: ResourceDoc
    location: Location
    # The environment's override of this object, already merged into `spec`.
    override: Override | None = None
    # The object as the shared files declare it, when an override changed it.
    base: Spec | None = None
    # `protect: true` on the item: never deleted or replaced (storeconf.planner.check_protected).
    protect: bool = False


@dataclass
class Objects:
    """The desired objects per kind (only kinds that have items) and the problems found."""

    by_kind: dict[str, dict[str, Desired]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Identities of items that failed validation, per kind (see DesiredState.invalid).
    invalid: dict[str, frozenset[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def unknown_top_level(
    doc: Document, data: dict[str, Any], allowed: Sequence[str], project_keys: Sequence[str]
) -> list[Problem]:
    """Problems for top-level keys that name neither a kind nor (where allowed) a project setting."""
    problems = []
    for key in data:
        if key in allowed:
            continue
        if key in project_keys:
            message = f"{key!r} is a project setting: it belongs in storeconf.yaml"
        else:
            message = f"unknown top-level key {key!r}{did_you_mean(key, allowed)}"
        problems.append(Problem(doc.source.key((key,)), message))
    return problems


def build_objects(
    docs: Sequence[ResourceDoc], registry: Registry, overrides: EnvOverrides | None = None
) -> Objects:
    """Validate every kind's items over all files, apply the environment's overrides and
    exclusions, and index them by identity."""
    out = Objects()
    declared: dict[str, list[str]] = {}
    for kind in registry:
        items: list[_Item] = []
        invalid: set[str] = set()
        for rdoc in docs:
            if kind.name in rdoc.data:
                items += _validate_items(kind, rdoc, out.problems, invalid)
        out.warnings += _rounding_warning(kind, items)
        if invalid:
            out.invalid[kind.name] = frozenset(invalid)
        declared[kind.name] = [kind.key(i.spec) for i in items]
        if overrides is not None:
            items = _overridden(kind, items, overrides, out.problems)
        if items:
            out.by_kind[kind.name] = _index(kind, items, out.problems)
            out.problems += kind.check([(i.spec, i.location) for i in items], frozenset(invalid))
    if overrides is not None:
        out.problems += overrides.unmatched(declared, out.invalid)
    return out


def _overridden(
    kind: Kind[Any], items: list[_Item], overrides: EnvOverrides, problems: list[Problem]
) -> list[_Item]:
    """Items with the environment's overrides merged in; excluded items left out."""
    if kind.name not in overrides.overrides and kind.name not in overrides.exclude:
        return items  # nothing to merge or leave out (most kinds): spared a lookup per item
    out = []
    for item in items:
        ident = kind.identity(kind.key(item.spec))
        if overrides.take_exclude(kind.name, ident):
            continue
        found = overrides.take_override(kind.name, ident)
        if found is None:
            out.append(item)
            continue
        spec, errors = _merge(kind, item, found)
        problems += errors
        if spec is not None:
            out.append(_Item(spec, item.raw, item.rdoc, item.location, found, item.spec, item.protect))
    return out


def _merge(kind: Kind[Any], item: _Item, override: Override) -> tuple[Spec | None, list[Problem]]:
    """Validate the file item with the override's fields on top; errors point at the override
    (unknown fields at their key, a rule the merged object breaks at the override itself)."""
    merged = {k: v for k, v in {**item.raw.data, **override.data}.items() if k != PROTECT}
    source = override.merged_source(item.rdoc.doc.source, item.raw.path)
    shape = kind.tree
    return validate(
        kind.spec,
        merged,
        source,
        override.at,
        extra_fields=(shape.name, shape.children) if shape else (),
        sensitive=lambda loc: bool(loc) and _sensitive(item, override, str(loc[0])),
    )


def _sensitive(item: _Item, override: Override | None, name: str) -> bool:
    if override is not None and name in override.data:
        return override.is_sensitive(name)
    return item.rdoc.interpolated.is_sensitive((*item.raw.path, name))


def _validate_items(
    kind: Kind[Any], rdoc: ResourceDoc, problems: list[Problem], invalid: set[str]
) -> list[_Item]:
    at: YamlPath = (kind.name,)
    value = rdoc.data[kind.name]
    raws = list(kind.expand(value, at))
    if not raws and value not in (None, [], {}):
        # expand() found no items in something that is not empty: the shape is wrong (e.g. a mapping).
        problems.append(Problem(rdoc.doc.source.value(at), f"{kind.name}: expected a list of items"))
    items = []
    for raw in raws:
        spec, found, protect = _validate_item(kind, rdoc, raw)
        problems += found
        if spec is not None:
            problems += kind.check_item(spec, _locator(rdoc, raw.path))
            items.append(_Item(spec, raw, rdoc, rdoc.doc.source.value(raw.path), protect=protect))
        elif (identity := kind.raw_identity(raw)) is not None:
            invalid.add(identity)
    return items


def _locator(rdoc: ResourceDoc, at: YamlPath) -> Callable[[YamlPath], Location]:
    source = rdoc.doc.source
    return lambda path: source.value((*at, *path))


def _rounding_warning(kind: Kind[Any], items: list[_Item]) -> list[str]:
    """One warning for the money values written with more decimals than the store keeps."""
    found = [
        (item, path, value)
        for item in items
        # A file whose text holds no long fraction or exponent has no value to find.
        if item.rdoc.doc.may_round or item.rdoc.doc.interpolates
        for path, value in _money_values(item.raw.data, item.raw.path, kind.money_fields)
        if rounds_away(value)
    ]
    if not found:
        return []
    item, path, value = found[0]
    more = f" (and {len(found) - 1} more such values)" if len(found) > 1 else ""
    where = item.rdoc.doc.source.value(path)
    return [
        f"{where}: {describe(path)}: {value!r} has more than {PLACES} decimal places; the store keeps "
        f"{store_money(value)!r}{more}"
    ]


def _money_values(data: Any, path: YamlPath, names: frozenset[str]) -> Iterator[tuple[YamlPath, Any]]:
    """Values of money fields in an item and in the items of its nested lists (variants, rules);
    not inside mappings such as custom fields, whose keys are the user's names."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if key in names:
            yield (*path, key), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from _money_values(item, (*path, key, i), names)


def _validate_item(
    kind: Kind[Any], rdoc: ResourceDoc, raw: RawItem
) -> tuple[Spec | None, list[Problem], bool]:
    """The item as its kind's spec, its problems, and its `protect:` flag (storeconf's, not the API's)."""
    data, protect, problems = raw.data, False, []
    if isinstance(data, dict) and PROTECT in data:
        data = {k: v for k, v in data.items() if k != PROTECT}
        protect = data_protect = raw.data[PROTECT]
        if not isinstance(data_protect, bool):
            where = (*raw.path, PROTECT)
            problems.append(
                Problem(rdoc.doc.source.value(where), f"{describe(where)}: expected true or false")
            )
            protect = False
    shape = kind.tree
    spec, found = validate(
        kind.spec,
        data,
        rdoc.doc.source,
        raw.path,
        extra_fields=(shape.name, shape.children) if shape else (),
        # A field is shown as (sensitive) if any string in it came from the environment.
        sensitive=lambda loc: rdoc.interpolated.is_sensitive((*raw.path, *loc[:1])),
        ignore=lambda loc: rdoc.interpolated.is_unresolved((*raw.path, *loc)),
    )
    return spec, problems + found, protect


def _index(kind: Kind[Any], items: list[_Item], problems: list[Problem]) -> dict[str, Desired]:
    """Desired objects by identity; a second object with an identity already seen is a problem."""
    objects: dict[str, Desired] = {}
    for item in items:
        key = kind.key(item.spec)
        identity = kind.identity(key)
        first = objects.get(identity)
        try:
            merged = kind.merge(first, _desired(kind, key, item)) if first is not None else None
        except ValueError as clash:  # mergeable, but the parts clash (one record in two files)
            problems.append(Problem(item.location, str(clash)))
            continue
        if merged is not None:
            objects[identity] = merged  # one object written in several files (a price list's records)
            continue
        if first is not None:
            same = "" if first.key == key else f" as {first.key!r}"
            message = f"duplicate {kind.name} key {key!r} (already declared{same} at {first.location})"
            problems.append(Problem(item.location, f"{describe(item.raw.path)}: {message}"))
            continue
        objects[identity] = _desired(kind, key, item)
    return objects


def _desired(kind: Kind[Any], key: str, item: _Item) -> Desired:
    fields = kind.to_fields(item.spec)
    source, path = item.rdoc.doc.source, item.raw.path
    over = item.override
    mine = set(over.data) if over else set()
    overridden = {f: over.field_location(f) for f in fields if f in mine} if over else {}
    base = None
    if item.base is not None:
        base_fields = kind.to_fields(item.base)
        base_sensitive = {f for f in base_fields if item.rdoc.interpolated.is_sensitive((*path, f))}
        base = Desired(kind.name, kind.key(item.base), base_fields, item.location, frozenset(base_sensitive))
    if over is None and not item.rdoc.interpolated.sensitive:
        sensitive = kind.sensitive_fields  # nothing in the file came from the environment
    else:
        sensitive = frozenset({f for f in fields if _sensitive(item, over, f)} | kind.sensitive_fields)
    return Desired(
        kind=kind.name,
        key=key,
        fields=fields,
        location=item.location,
        sensitive=sensitive,
        field_locations=_FieldLocations(source, path, fields.keys(), item.location, overridden),
        overridden=overridden,
        base=base,
        locate=lambda rel: source.values.get((*path, *rel)),
        protect=item.protect,
    )


class _FieldLocations(Mapping[str, Location]):
    """Where each top-level field of an item is, looked up only when a late problem asks
    (a lookup may re-read the file for exact positions; a plan without problems never does)."""

    def __init__(
        self,
        source: SourceMap,
        path: YamlPath,
        fields: KeysView[str],  # the object's own: a frozenset copy cost 7 MB at 10k products
        item: Location,
        overridden: dict[str, Location],
    ) -> None:
        self._source, self._path, self._fields, self._item = source, path, fields, item
        self._overridden = overridden

    def __getitem__(self, name: str) -> Location:
        if name not in self._fields:
            raise KeyError(name)
        if name in self._overridden:
            return self._overridden[name]
        return self._source.values.get((*self._path, name), self._item)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._fields))

    def __len__(self) -> int:
        return len(self._fields)
