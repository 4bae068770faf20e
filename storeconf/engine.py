"""The workflows behind the commands: connect, plan, apply, check a saved plan.

The CLI only parses flags and prints; these functions are the Python API.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from storeconf.applier import ApplyReport, ProgressCallback, apply_plan
from storeconf.client import StoreClient
from storeconf.config import Environment, Project
from storeconf.errors import ConfigError, PlanError, Problem, StalePlanError, StoreconfError, UnsafePlanError
from storeconf.export import exportable
from storeconf.gcpause import paused
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind
from storeconf.live import kinds_to_read, read_live
from storeconf.model import Desired, DesiredState, Live, LiveState
from storeconf.ownership import mark_applied, read_owned, tracked
from storeconf.plan import Change, Plan, checksum
from storeconf.planner import build_plan, unsafe_deletes
from storeconf.targets import check_target_keys, check_target_kinds, narrowed, present, targeted_kinds
from storeconf.wire import AiohttpTransport

EMBEDDED_STORE_HASH = "local"
EMBEDDED_TOKEN = "storeconf-local"
API_URL = "https://api.bigcommerce.com"

TransportWrapper = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]


@asynccontextmanager
async def connect(env: Environment, *, wrap: TransportWrapper | None = None) -> AsyncIterator[StoreClient]:
    """A client for the environment's store; `sandbox:` environments get the embedded sandbox in-process."""
    if env.sandbox is not None:
        from storeconf.sandbox import SandboxConfig, TokenGrant, create_app

        env.sandbox.parent.mkdir(parents=True, exist_ok=True)
        config = SandboxConfig(
            db_path=str(env.sandbox),
            store_hash=EMBEDDED_STORE_HASH,
            tokens={EMBEDDED_TOKEN: TokenGrant(client_id="storeconf-local")},
            enforce_rate_limit=False,
        )
        try:
            app = create_app(config)
        except (OSError, sqlite3.Error) as exc:
            raise StoreconfError(
                f"environment {env.name!r}: cannot open the sandbox database {env.sandbox}: {exc}"
            ) from None
        transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=app)
        store_hash, token, base_url = EMBEDDED_STORE_HASH, EMBEDDED_TOKEN, API_URL
    else:
        if not env.store_hash or not env.access_token:
            raise ConfigError([Problem(None, f"environment {env.name!r} needs store_hash and access_token")])
        transport = AiohttpTransport()
        store_hash, token, base_url = env.store_hash, env.access_token, env.api_url
    client = StoreClient(
        store_hash=store_hash,
        access_token=token,
        base_url=base_url,
        transport=wrap(transport) if wrap else transport,
    )
    try:
        yield client
    finally:
        await client.aclose()
        if env.sandbox is not None:
            app.state.sandbox.close()


def describe_store(env: Environment, root: Path | None = None) -> str:
    """`store abc123`, or `sandbox .storeconf/local.db` (relative to the project when inside it)."""
    if env.sandbox is None:
        return f"store {env.store_hash}"
    path = env.sandbox
    if root is not None and path.is_relative_to(root):
        path = path.relative_to(root)
    return f"sandbox {path.as_posix()}"


@dataclass
class Planned:
    plan: Plan
    ctx: Context
    live: LiveState


async def make_plan(
    project: Project,
    client: StoreClient,
    registry: Registry = REGISTRY,
    targets: Iterable[str] = (),
    *,
    missing_ok: bool = False,
) -> Planned:
    """Read the managed kinds from the store and plan the changes that make it match the project.

    `missing_ok`: a target that names nothing is dropped, not an error (--changed-since: an
    object added and removed again, never applied)."""
    desired = project.desired
    targets = tuple(targets)
    check_target_kinds(targets, registry, desired)  # before any request: a typo costs nothing
    # Readers may use the desired state to fetch only what the config manages (product options).
    ctx = Context(manage=dict(desired.manage), extra={"desired": desired}, narrow=narrowed(targets, registry))
    kinds = targeted_kinds(targets, registry) or desired.managed_kinds()
    with paused():
        return await _plan(project, client, registry, targets, ctx, kinds, missing_ok)


async def _plan(
    project: Project,
    client: StoreClient,
    registry: Registry,
    targets: tuple[str, ...],
    ctx: Context,
    kinds: tuple[str, ...],
    missing_ok: bool,
) -> Planned:
    desired = project.desired
    live = await read_live(client, kinds_to_read(kinds, registry, desired), ctx, registry)
    owned_kinds = [name for name in tracked(desired.manage, registry) if name in kinds]
    if owned_kinds:
        live = replace(live, owned=await read_owned(client, owned_kinds, registry))
    # Only kinds that were read can be checked: a targeted plan reads a subset.
    problems = [p for name in kinds for p in registry[name].check_references(desired, live)]
    if problems:
        raise ConfigError(problems)
    if not missing_ok:
        check_target_keys(targets, registry, desired, live)
    elif targets and not (targets := present(targets, registry, desired, live)):
        # No target is left, and no targets means the whole store: which this read was not.
        return Planned(empty_plan(project), ctx, live)
    plan = build_plan(
        desired,
        live,
        registry,
        environment=project.environment.name,
        store=describe_store(project.environment, project.dir),
        targets=targets,
    )
    return Planned(replace(plan, warnings=(*project.warnings, *plan.warnings)), ctx, live)


def empty_plan(project: Project) -> Plan:
    """No change, and nothing read: what a plan narrowed to no object is."""
    env = project.environment
    return Plan(
        (), env.name, describe_store(env, project.dir), project.desired.managed_kinds(), project.warnings
    )


async def apply_planned(
    planned: Planned,
    client: StoreClient,
    registry: Registry = REGISTRY,
    *,
    allow_deletes: bool = False,
    on_progress: ProgressCallback | None = None,
    keep_going: bool = False,
    report: ApplyReport | None = None,
) -> ApplyReport:
    """Apply a fresh plan; refuses plans that delete more than the safety threshold unless allowed.

    `keep_going`: a failure skips only the changes that depend on it. `report` is filled in as
    changes finish (the caller keeps it if it cancels the apply).
    """
    refuse_unsafe(planned, allow_deletes)
    planned.ctx.halt.stop_on_failure = not keep_going
    with paused():
        report = await apply_plan(planned.plan, client, planned.ctx, registry, on_progress, report)
    # Marked even when the apply stopped part way: what it created is storeconf's all the same.
    kinds = tracked(planned.ctx.manage, registry)
    marked = await mark_applied(client, report.applied, planned.plan.adoptions, kinds, planned.ctx, registry)
    if marked:
        report.notes.append(f"{marked} object(s) marked as owned by storeconf.")
    return report


def refuse_unsafe(planned: Planned, allow_deletes: bool) -> None:
    unsafe = unsafe_deletes(planned.plan.changes, planned.live, planned.ctx.manage)
    if unsafe and not allow_deletes:
        raise UnsafePlanError("; ".join(str(e) for e in unsafe))


async def diff_stores(source: Project, target: Project, *, wrap: TransportWrapper | None = None) -> Plan:
    """The plan that would make `target`'s store match `source`'s store, for the managed kinds.

    Used to review a promotion (staging → production): the source's live objects
    stand in for the configuration, exactly as `export` would write them.
    """
    managed = target.desired.managed_kinds()
    async with connect(source.environment, wrap=wrap) as client:
        ctx = Context(manage=dict(source.desired.manage))
        with paused():
            live = await read_live(client, kinds_to_read(managed, REGISTRY), ctx, REGISTRY)
    objects: dict[str, dict[str, Desired]] = {name: {} for name in managed}
    skipped: list[str] = []
    for name in managed:
        for ident, obj in live.objects.get(name, {}).items():
            item, problem = exportable(REGISTRY[name], obj)
            if problem:  # what export would leave out cannot be a model for the target either
                skipped.append(problem)
            else:
                secret = _declared_sensitive(name, ident, source, target)
                objects[name][ident] = replace(_as_desired(REGISTRY[name], obj, item), sensitive=secret)
    as_desired = Project(
        dir=target.dir,
        environment=target.environment,
        desired=DesiredState(objects, dict(target.desired.manage)),
        files=target.files,
        raw_environments=target.raw_environments,
        environment_names=target.environment_names,
    )
    async with connect(target.environment, wrap=wrap) as client:
        planned = await make_plan(as_desired, client)
    changes = tuple(_mask_declared(c, source, target) for c in planned.plan.changes)
    return replace(planned.plan, changes=changes, warnings=(*planned.plan.warnings, *skipped))


def _mask_declared(change: Change, *projects: Project) -> Change:
    """Mask what either config declares sensitive, also in deletes (live objects only the
    other store holds), whose values the plan takes from the store."""
    secret = _declared_sensitive(change.kind, REGISTRY[change.kind].identity(change.key), *projects)
    if not secret:
        return change

    def hidden(path: str) -> bool:
        return any(path == s or path.startswith(f"{s}.") or s.startswith(f"{path}.") for s in secret)

    diff = tuple(replace(d, sensitive=True) if hidden(d.path) else d for d in change.diff)
    return replace(change, diff=diff, sensitive=change.sensitive | secret)


def _declared_sensitive(kind: str, ident: str, *projects: Project) -> frozenset[str]:
    """Fields either environment's config fills from `${env:}`: the stores hold those secrets,
    so the diff masks them as a plan would."""
    found: frozenset[str] = frozenset()
    for project in projects:
        declared = project.desired.objects.get(kind, {}).get(ident)
        if declared is not None:
            found |= declared.sensitive
    return found


def _as_desired(kind: Kind[Any], live: Live, item: dict[str, Any]) -> Desired:
    """A live object as the config would declare it: its export, loaded like a config item."""
    try:
        fields = kind.to_fields(kind.spec.model_validate(item))
    except ValidationError:
        fields = item  # something our models reject: compare it as exported
    return Desired(kind.name, live.key, fields)


def load_plan_file(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise PlanError(f"{path}: not a storeconf plan file ({exc})") from None
    if not isinstance(body, dict) or "changes" not in body or body.get("checksum") != checksum(body):
        raise PlanError(f"{path}: not a storeconf plan file, or it was edited after it was written")
    return body


def saved_targets(saved: dict[str, Any]) -> tuple[str, ...]:
    """The --target list a saved plan was made with: applying it re-plans with the same targets."""
    targets = saved.get("targets") or []
    return tuple(str(t) for t in targets) if isinstance(targets, list) else ()


def check_saved_plan(saved: dict[str, Any], fresh: Plan) -> None:
    """A saved plan runs only if planning now gives exactly the same changes from the same live objects."""
    if saved.get("environment") != fresh.environment:
        raise StalePlanError(
            f"the plan was made for environment {saved.get('environment')!r}, not {fresh.environment!r}"
        )
    old = [_comparable(c) for c in saved["changes"]]
    new = [_comparable(c.to_dict()) for c in fresh.changes]
    adopted = [a.to_dict() for a in fresh.adoptions]
    if old == new and saved.get("adoptions", []) == adopted:
        return
    old_by = {(c["kind"], c["key"]): c for c in old}
    new_by = {(c["kind"], c["key"]): c for c in new}
    moved = sorted(k for k in old_by.keys() | new_by.keys() if old_by.get(k) != new_by.get(k))
    moved += sorted(
        (a["kind"], a["key"])
        for a in [*saved.get("adoptions", []), *adopted]
        if moved == [] and isinstance(a, dict)
    )[:5]
    names = ", ".join(f"{k}/{key}" for k, key in moved[:5]) + (" …" if len(moved) > 5 else "")
    raise StalePlanError(
        f"the store or the configuration changed since the plan was made ({names}); run plan again"
    )


def _comparable(change: dict[str, Any]) -> dict[str, Any]:
    # Where a declaration sits in its file does not change what the plan does.
    return {k: v for k, v in change.items() if k not in ("source", "overrides")}
