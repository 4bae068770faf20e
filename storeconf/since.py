"""`--changed-since REF`: plan only the objects whose configuration changed since a git commit.

The pull-request plan of a big store: the objects that differ between REF (the base branch)
and the working tree become the plan's targets (`--target KIND/KEY`), so a 10,000-product
store is read for the edited products only. Those are read in full, so drift on them is
shown; drift on the objects the change does not touch is not, as with Terraform's -target.
The plain plan stays the complete check. A kind whose `manage:` settings changed is planned
whole, and when the configuration at REF cannot be loaded, everything is planned.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from storeconf.background import Background
from storeconf.client import StoreClient
from storeconf.config import Project, load_project
from storeconf.engine import Planned, empty_plan, make_plan
from storeconf.errors import ConfigError, StoreconfError
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind
from storeconf.model import DesiredState, LiveState, Manage


@dataclass(frozen=True)
class Snapshot:
    """What `changed_targets` compares of one configuration: each object's key and a digest of
    its fields, not the objects (two 10k-product configurations at once would double the
    memory a plan needs)."""

    objects: dict[str, dict[str, tuple[str, bytes]]]  # kind -> identity -> (key, digest)
    manage: dict[str, Manage]
    excluded: dict[str, frozenset[str]]


def snapshot(desired: DesiredState) -> Snapshot:
    objects = {
        kind: {ident: (obj.key, _digest([obj.fields, obj.protect])) for ident, obj in items.items()}
        for kind, items in desired.objects.items()
    }
    return Snapshot(objects, dict(desired.manage), dict(desired.excluded))


def _digest(value: Any) -> bytes:
    text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=_plain)
    return hashlib.blake2b(text, digest_size=16).digest()


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value, key=repr)
    return repr(value)  # Decimal and the like: the same value prints the same


@dataclass(frozen=True)
class Base:
    """The configuration at REF, or why there is none to compare with (then: plan everything)."""

    ref: str
    snapshot: Snapshot | None
    reason: str = ""


def changed_targets(old: Snapshot, new: Snapshot, registry: Registry = REGISTRY) -> list[str]:
    """`KIND/KEY` of every object added, removed or edited from `old` to `new`, and `KIND` for a
    managed kind whose `manage:` settings (prune, ignore, ...) changed: those touch every object.
    A kind's own options change how the kinds that refer to it read their references
    (categories' `channel` is the tree a product's category paths are in): those are planned
    whole too."""
    moved = {kind.name for kind in registry if _options(old, kind) != _options(new, kind)}
    targets: list[str] = []
    for kind in registry:
        name = kind.name
        if name not in new.manage:
            continue  # not managed now: nothing of it is planned
        if (
            old.manage.get(name) != new.manage[name]
            or old.excluded.get(name) != new.excluded.get(name)
            or moved & {*kind.depends_on, *kind.references}
        ):
            targets.append(name)
            continue
        before, after = old.objects.get(name, {}), new.objects.get(name, {})
        edited = [
            (after.get(ident) or before[ident])[0]
            for ident in sorted(before.keys() | after.keys())
            if before.get(ident, (None, None))[1] != after.get(ident, (None, None))[1]
        ]
        if kind.singleton:
            targets += [name] if edited else []
        else:
            targets += [f"{name}/{key}" for key in edited]
    return targets


def _options(state: Snapshot, kind: Kind[Any]) -> dict[str, Any]:
    """A kind's `manage:` options as its reader sees them: the defaults when it is not managed
    (categories are still read, from channel 1's tree, for the products that name them)."""
    manage = state.manage.get(kind.name)
    if manage is not None:
        return manage.options
    try:
        return kind.manage_options().model_dump() if kind.manage_options is not None else {}
    except ValidationError:
        return {}


def load_base(directory: Path, env: str, ref: str) -> Background[Base]:
    """The project as it was at git commit `ref`, loading in a child process while the caller
    loads the working tree's (`.result()` gives it). An unknown commit or no git repository is
    an error raised here and now (a typo must not quietly plan everything); a project that did
    not exist or did not load at `ref` gives a Base without desired state."""
    top = Path(_git(directory, "rev-parse", "--show-toplevel").decode().strip())
    _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", what=f"git knows no commit {ref!r}")
    prefix = directory.resolve().relative_to(top.resolve()).as_posix()
    try:
        archive: bytes | None = _git(top, "archive", "--format=tar", ref, "--", prefix or ".")
    except StoreconfError:
        archive = None
    return Background(_load_archive, archive, prefix, env, ref)


def _load_archive(archive: bytes | None, prefix: str, env: str, ref: str) -> Base:
    if archive is None:
        return Base(ref, None, f"the project did not exist at {ref}")
    with tempfile.TemporaryDirectory(prefix="storeconf-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # The "data" filter (3.11.4+) refuses links and paths out of the directory.
            safe = {"filter": _skip_unsafe} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(tmp, **safe)  # type: ignore[arg-type]
        try:
            return Base(ref, snapshot(load_project(Path(tmp) / prefix, env).desired))
        except ConfigError as exc:
            first = exc.problems[0].message if exc.problems else "it does not load"
            return Base(ref, None, f"the configuration at {ref} does not load ({first})")
        except StoreconfError as exc:
            return Base(ref, None, f"the configuration at {ref} does not load ({exc})")


def _skip_unsafe(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """The "data" filter, but what it refuses (a symlink to an absolute path, which a repository
    may well hold) is left out instead of failing the plan: a file the configuration needs and
    that is left out makes it not load (then everything is planned) or its objects look added."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


async def plan_since(
    project: Project, client: StoreClient, base: Base, registry: Registry = REGISTRY
) -> Planned:
    """The plan of what changed since `base`, with a warning that says it is partial."""
    if base.snapshot is None:
        planned = await make_plan(project, client, registry)
        note = f"--changed-since {base.ref}: {base.reason}, so everything was planned."
        return _noted(planned, note)
    targets = changed_targets(base.snapshot, snapshot(project.desired), registry)
    note = (
        f"--changed-since {base.ref}: only the {len(targets)} object(s) whose configuration changed "
        "were planned; changes made in the store to other objects are not shown (a plan without "
        "--changed-since shows them)."
    )
    if targets:
        planned = await make_plan(project, client, registry, targets=targets, missing_ok=True)
        return _scoped(_noted(planned, note), base.ref)
    return _scoped(nothing_planned(project, note), base.ref)


def nothing_planned(project: Project, *notes: str) -> Planned:
    """A plan that covers no object: no request made, no change."""
    empty = empty_plan(project)
    return Planned(
        replace(empty, warnings=(*empty.warnings, *notes)),
        Context(manage=dict(project.desired.manage)),
        LiveState({}),
    )


def covers_nothing(saved: dict[str, Any]) -> bool:
    """A saved `--changed-since` plan whose scope was empty: applying it has nothing to re-plan
    (re-planning it without targets would read, and compare, the whole store)."""
    return bool(saved.get("changed_since")) and not saved.get("targets")


def _noted(planned: Planned, note: str) -> Planned:
    return replace(planned, plan=replace(planned.plan, warnings=(*planned.plan.warnings, note)))


def _scoped(planned: Planned, ref: str) -> Planned:
    return replace(planned, plan=replace(planned.plan, changed_since=ref))


def _git(cwd: Path, *args: str, what: str = "") -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise StoreconfError(f"--changed-since needs git: {exc.strerror}") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise StoreconfError(f"--changed-since: {what or (said[-1] if said else 'git failed')}")
    return done.stdout
