"""What a plan covers: the whole store, `--target`s, or what changed since a git commit."""

from __future__ import annotations

from dataclasses import dataclass

from storeconf.cli.session import Session
from storeconf.client import StoreClient
from storeconf.config import Project
from storeconf.engine import Planned, make_plan
from storeconf.since import load_base, plan_since


@dataclass(frozen=True)
class Scope:
    """What a plan covers: everything, `--target`s, or what changed since a git commit."""

    targets: tuple[str, ...] = ()
    changed_since: str | None = None


def check_scope(s: Session, scope: Scope) -> None:
    if scope.targets and scope.changed_since is not None:
        raise s.fail("--target and --changed-since cannot be used together")


async def plan_scoped(s: Session, project: Project, client: StoreClient, scope: Scope) -> Planned:
    if scope.changed_since is not None:
        base = load_base(s.directory, project.environment.name, scope.changed_since)
        return await plan_since(project, client, base)
    return await make_plan(project, client, targets=scope.targets)
