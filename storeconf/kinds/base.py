"""The contract between the engine and one resource kind.

A kind module holds everything about one kind of object: its spec (the pydantic
model of one config item, with API field names), its natural key, how to read
it from the store, how to normalise the API's answer into the spec's shape,
and how to write changes. The planner, applier, loader, exporter and schema
generator are generic over `Kind`; only this module knows the API's paths.

A kind must define: `name`, `spec`, `file`, `key()`, `read()`, `create()`,
`update()`, `delete()`.
A kind may override: `identity()` (case-insensitive keys), `expand()` (nested
config shapes), `order()` (ordering within the kind), `check()` (cross-item
config rules), `merge()` (an object split over files), `apply_batch()` (batch
endpoints), `export_item()`,
`api_defaults`, `depends_on`, `sensitive_fields`, `scopes`, `singleton`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from storeconf.client import StoreClient
from storeconf.errors import Location, Problem
from storeconf.model import Desired, DesiredState, Live, LiveState, Manage
from storeconf.plan import Action, Change
from storeconf.stop import Halt


class Spec(BaseModel):
    """Base of every kind's config model: unknown fields are errors, not silently ignored, and
    so are `.inf` and `.nan` (YAML reads them as floats; the API refuses them, JSON cannot say them)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


SpecT = TypeVar("SpecT", bound=Spec)


@dataclass
class Context:
    """Shared state of one read or apply: ids of objects by (kind, identity), and per-kind options.

    Applying a create records the new id here, so a later change that refers to
    the object (a child category to its parent) can find it.
    """

    manage: dict[str, Manage] = field(default_factory=dict)
    ids: dict[tuple[str, str], Any] = field(default_factory=dict)
    # The reverse: (kind, id) -> key, so readers can show references by key (brand_id -> brand name).
    keys: dict[tuple[str, Any], str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # A targeted plan's kinds that may be read in part: kind -> the keys it needs (see
    # storeconf.targets.narrowed). A kind that cannot read in part reads everything.
    narrow: dict[str, frozenset[str]] = field(default_factory=dict)
    # How many objects a kind read in part has in the store, for the share a plan deletes.
    totals: dict[str, int] = field(default_factory=dict)
    # Set at the first failure of an apply (or on Ctrl-C): no change starts after it.
    halt: Halt = field(default_factory=Halt)
    # While the store is read: kind -> set once its read is done (see read_finished).
    reads: dict[str, asyncio.Event] = field(default_factory=dict)

    async def read_finished(self, kind: str) -> None:
        """Wait until `kind` is read, for a reader that starts before it (`Kind.read_after`)
        but needs its ids at some point; at once when `kind` is not being read."""
        done = self.reads.get(kind)
        if done is not None:
            await done.wait()

    def option(self, kind: str, name: str, default: Any = None) -> Any:
        m = self.manage.get(kind)
        return m.options.get(name, default) if m else default


@dataclass(frozen=True)
class TreeShape:
    """Items that may nest in the file (`name` + `children`), which `expand()` turns into `key`.

    The config layer uses it for did-you-mean suggestions and the JSON Schema.
    """

    key: str
    name: str = "name"
    children: str = "children"


@dataclass(frozen=True)
class Part:
    """A keyed list inside an object (a product's variants, its custom fields).

    Items are matched by `key`, so reordering the list or editing one item
    never touches the others. Live items carry their API id under `_id`.
    `skip` lists item fields that identify an item but cannot be compared
    (an image's source URL, which the API does not echo).
    """

    field: str
    label: str
    model: type[BaseModel]
    key: Callable[[dict[str, Any]], str]
    skip: frozenset[str] = frozenset()
    casefold: bool = False
    # Fields the API cannot change in place (a variant's option values, a modifier's type):
    # a change to one of them plans the item as a delete plus a create.
    replace_on: frozenset[str] = frozenset()
    # Long parts (a price list's records) are shown grouped, e.g. per currency: the group's name.
    group: Callable[[dict[str, Any]], str] | None = None
    # Deleting more than the kind's delete_threshold of the live items needs --allow-deletes.
    guard_deletes: bool = False
    # The item fields `key` reads: `manage.ignore` cannot name them (an item without its key is no item).
    key_fields: frozenset[str] = frozenset()

    def identity(self, key: str) -> str:
        return key.casefold() if self.casefold else key

    def identities(self, items: list[dict[str, Any]]) -> list[str]:
        """`identity(key(item))` of each item, in bulk (a price list's 50,000 records)."""
        keys = list(map(self.key, items))
        return list(map(str.casefold, keys)) if self.casefold else keys


@dataclass(frozen=True)
class RawItem:
    """One config item before validation, with the path that leads to it in its file."""

    data: Any
    path: tuple[str | int, ...]
    # Values derived by expand() (e.g. a nested category's path) that are not in the file.
    derived: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What happened to one change during apply."""

    change: Change
    error: BaseException | None = None
    live_id: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Kind(Generic[SpecT]):
    """One resource kind. See the module docstring for what to define and what to override."""

    name: ClassVar[str]
    spec: ClassVar[type[Spec]]
    file: ClassVar[str]
    depends_on: ClassVar[tuple[str, ...]] = ()
    # Deletes run just before this kind's writes, not last (see planner._interleave). For a
    # kind whose objects hold store-wide unique values (SKUs) that writes may reuse, and
    # which other kinds name only by keys the config must declare (so none names a deleted one).
    delete_first: ClassVar[bool] = False
    sensitive_fields: ClassVar[frozenset[str]] = frozenset()
    # The fields `key()` reads: `manage.ignore` cannot name them.
    key_fields: ClassVar[frozenset[str]] = frozenset()
    # Field names (at any depth of an item) the store keeps at 4 decimal places (storeconf.money).
    money_fields: ClassVar[frozenset[str]] = frozenset()
    # Keyed lists inside an object, diffed item by item (see Part).
    parts: ClassVar[tuple[Part, ...]] = ()
    # Kind-specific `manage:` options (a pydantic model of the extra fields), e.g. categories' channel.
    manage_options: ClassVar[type[BaseModel] | None] = None
    # Set when items may nest in the file (categories' `children:`).
    tree: ClassVar[TreeShape | None] = None
    # One object per store (webhook_admin), written as a mapping under the kind's name, not a list.
    singleton: ClassVar[bool] = False
    # Kinds this kind refers to by key; read from the store even when not managed.
    references: ClassVar[tuple[str, ...]] = ()
    # Fields whose live value equals the API default are left out of exports.
    api_defaults: ClassVar[dict[str, Any]] = {}
    # OAuth scope a store-level API account needs to manage this kind (README).
    scopes: ClassVar[str] = ""
    # API path of the kind's collection when its objects have metafields (`/v3/catalog/brands`):
    # storeconf then marks what it owns there, for `prune: owned` (see storeconf.ownership).
    metafields: ClassVar[str | None] = None
    # How many changes of this kind may run at once when the kind has no batch endpoint.
    concurrency: ClassVar[int] = 4
    # False when a create is several requests (a product, then its options and modifiers): a
    # create found by re-reading after a lost answer may then be incomplete.
    create_is_atomic: ClassVar[bool] = True
    # Fields the API cannot change in place: a change to one plans the object as a delete plus
    # a create, shown as a replacement. Only for kinds nothing refers to (their deletes run first).
    replace_on: ClassVar[frozenset[str]] = frozenset()
    # True when `read` honours `ctx.narrow`: a plan targeting a few objects reads only those.
    narrowable: ClassVar[bool] = False
    # True when apply writes an object's nested changes one by one from `Change.children` (a
    # price list's records), so one can be left out: --keep-going then skips only the nested
    # changes that name a failed object, not the whole object.
    separable_parts: ClassVar[bool] = False

    # ---- identity -------------------------------------------------------------
    def key(self, item: SpecT) -> str:
        raise NotImplementedError

    def identity(self, key: str) -> str:
        """What makes two keys the same object; the API compares some names case-insensitively."""
        return key

    def rename_identity(self, fields: dict[str, Any]) -> str | None:
        """A second unique identity (a product's name). A create and a pruned-or-orphaned live
        object sharing it are one object whose key changed: the planner updates it in place."""
        return None

    def refs(self, fields: dict[str, Any]) -> list[tuple[str, str]]:
        """(kind, key) of the objects these fields refer to, so --target can bring them along."""
        return []

    def aliases(self, fields: dict[str, Any]) -> list[str]:
        """Other keys other kinds use for this object (a product's variant SKUs, which price-list
        records name), so --keep-going skips what refers to it by them too."""
        return []

    def live_key(self, fields: dict[str, Any]) -> str:
        # model_construct: a live object the spec would reject must still get its key.
        return self.key(self.spec.model_construct(**fields))  # type: ignore[arg-type]

    # ---- config ----------------------------------------------------------------
    def expand(self, raw: Any, path: tuple[str | int, ...]) -> Iterable[RawItem]:
        """Turn the YAML value under the kind's top-level key into items (default: a list)."""
        if self.singleton:
            # Anything but null is the one object: the spec reports a list or a scalar as not a mapping.
            if raw is not None:
                yield RawItem(raw, path)
        elif isinstance(raw, list):
            for i, item in enumerate(raw):
                yield RawItem(item, (*path, i))

    def check_item(self, item: SpecT, locate: Callable[[tuple[str | int, ...]], Location]) -> list[Problem]:
        """Rules across the fields of one item, each reported where `locate(path)` says the
        offending value sits (a path below the item, as in the file)."""
        return []

    def check(
        self, items: Sequence[tuple[SpecT, Location | None]], invalid: frozenset[str] = frozenset()
    ) -> list[Problem]:
        """Cross-item rules beyond the spec model (e.g. a category's parent must exist).

        `invalid` holds the identities of items that failed validation: they exist (their
        errors are reported), so nothing that refers to them is an error too.
        """
        return []

    def raw_identity(self, raw: RawItem) -> str | None:
        """The identity of an item that failed validation, when its key fields are usable."""
        if not isinstance(raw.data, dict):
            return None
        try:
            key = self.key(self.spec.model_construct(**raw.data))  # type: ignore[arg-type]
        except (AttributeError, TypeError, KeyError, ValueError):
            return None
        return self.identity(key) if isinstance(key, str) and key else None

    def read_after(self) -> tuple[str, ...]:
        """The kinds whose read must be done before this one's starts: its reader turns their
        ids into keys (a product's brand) or looks their objects up. A reader that needs
        another kind only now and then starts early and waits for it (Context.read_finished)."""
        return (*self.depends_on, *self.references)

    def references_in(self, desired: DesiredState | None) -> tuple[str, ...]:
        """The referenced kinds this config actually uses (all of them when unknown, e.g. export)."""
        return self.references

    def check_references(self, desired: DesiredState, live: LiveState | None) -> list[Problem]:
        """References that resolve neither in the config nor in the store.

        `live` is None offline (`validate`): then only references that must resolve in the
        config can be checked (to a pruned kind, whose undeclared objects will be deleted).
        """
        return []

    def adjust_children(
        self, fields: dict[str, Any], live: dict[str, Any] | None, children: tuple[Change, ...]
    ) -> tuple[Change, ...]:
        """Nested changes the API makes as a consequence of others (deleting an option value
        deletes the variants that use it), so the plan shows them. Default: none."""
        return children

    def merge(self, first: Desired, other: Desired) -> Desired | None:
        """One object declared again (in another file): the combined object, or None when
        that is a duplicate-key error (the default)."""
        return None

    def to_fields(self, item: SpecT) -> dict[str, Any]:
        """The fields the config sets, as plain data. Only these are ever compared."""
        # `field: null` in YAML means "not set" here: no kind of these treats null as a value.
        return item.model_dump(mode="json", exclude_unset=True, exclude_none=True)

    def replace_guard(self, live: Live) -> str | None:
        """Why replacing this live object loses something (a used coupon's counters): such a
        replacement needs --allow-deletes. None when nothing is lost."""
        return None

    def warnings(self, desired: dict[str, Any], live: dict[str, Live]) -> list[str]:
        """Things the plan should say about this kind that are not changes (a promotion the
        store marked INVALID). `desired` holds the Desired objects by identity."""
        return []

    def implied(self, fields: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
        """The fields to compare with this live object: what the config sets, plus values it
        implies without saying (a webhook is meant to be active). Default: as set."""
        return fields

    def note(self, fields: dict[str, Any], live: dict[str, Any]) -> str | None:
        """A remark shown on the update's own line (why the store differs). Default: none."""
        return None

    def order(self, key: str) -> int:
        """Position inside the kind: lower first for creates, last for deletes."""
        return 0

    # ---- live ----------------------------------------------------------------
    async def read(self, client: StoreClient, ctx: Context) -> list[Live]:
        raise NotImplementedError

    def normalise(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Project an API object onto the spec's fields, coerced by the spec's types."""
        names = self.spec.model_fields
        projected = {k: v for k, v in raw.items() if k in names and v is not None}
        try:
            return self.spec.model_validate(projected).model_dump(mode="json")
        except ValidationError:
            # The store holds something our config model would reject (set by another tool);
            # compare it as the API returned it rather than failing the whole read.
            return projected

    def make_live(self, raw: dict[str, Any], id_field: str = "id") -> Live:
        fields = self.normalise(raw)
        return Live(self.name, self.live_key(fields), raw[id_field], fields, raw)

    def export_item(self, live: Live) -> dict[str, Any]:
        """A config item that plans back to zero changes for this live object."""
        return {
            k: v
            for k, v in live.fields.items()
            if k not in self.sensitive_fields and self.api_defaults.get(k, _MISSING) != v and v is not None
        }

    def export_files(self, items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """Which exported file each item goes to (default: all in `file`); keeps big kinds reviewable."""
        return {self.file: items}

    # ---- writes --------------------------------------------------------------
    async def create(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        raise NotImplementedError

    async def update(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        raise NotImplementedError

    async def delete(self, client: StoreClient, change: Change, ctx: Context) -> Any:
        raise NotImplementedError

    async def apply_batch(
        self, client: StoreClient, changes: Sequence[Change], ctx: Context
    ) -> list[Outcome]:
        """Apply changes that do not depend on each other; one request each unless overridden."""
        sem = asyncio.Semaphore(self.concurrency)

        async def one(change: Change) -> Outcome:
            async with sem:
                if ctx.halt.tripped:
                    return Outcome(change, ctx.halt.not_started())
                try:
                    method = {
                        Action.CREATE: self.create,
                        Action.UPDATE: self.update,
                        Action.DELETE: self.delete,
                    }
                    new_id = await method[change.action](client, change, ctx)
                except Exception as exc:  # reported per change; the applier decides what to stop
                    ctx.halt.failed(exc)
                    return Outcome(change, exc)
                return Outcome(change, None, new_id)

        return list(await asyncio.gather(*(one(c) for c in changes)))


_MISSING = object()


def item_label(ctx: Context, owner: Change, identity: str, item: Change, *path: str | int) -> str:
    """`record SKU USD (FILE:LINE)`: a nested item of `owner` (whose identity is `identity`) and
    where the config declares the value at `path` below the owner; without the place when the
    config does not declare it (a code pruned from the store)."""
    desired: DesiredState | None = ctx.extra.get("desired")
    obj = desired.objects.get(owner.kind, {}).get(identity) if desired is not None else None
    where = obj.location_of(*path) if obj is not None and path else None
    return f"{item.kind} {item.key}" + (f" ({where})" if where else "")


def changed_fields(change: Change) -> dict[str, Any]:
    """The top-level desired fields an update touches (whole values, even if one nested key changed)."""
    roots = {d.path.split(".", 1)[0] for d in change.diff}
    return {k: v for k, v in change.fields.items() if k in roots}
