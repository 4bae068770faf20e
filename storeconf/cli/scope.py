"""What a plan covers: the whole store, `--target`s, or what changed since a git commit."""

from __future__ import annotations

from dataclasses import dataclass

from storeconf.cli.session import Session
from storeconf.client import StoreClient
from storeconf.config import Project, load_project
from storeconf.engine import Planned, make_plan
from storeconf.since import Base, load_base, nothing_planned, plan_since


@dataclass(frozen=True)
class Scope:
    """What a plan covers: everything, `--target`s, or what changed since a git commit."""

    targets: tuple[str, ...] = ()
    changed_since: str | None = None
    # A saved --changed-since plan that covered no object (see since.covers_nothing).
    nothing: bool = False


def check_scope(s: Session, scope: Scope) -> None:
    if scope.targets and scope.changed_since is not None:
        raise s.fail("--target and --changed-since cannot be used together")


def load_scoped(s: Session, env: str, scope: Scope) -> tuple[Project, Base | None]:
    """The working tree's project and, for --changed-since, the configuration at its commit
    (kept as digests), the two loading side by side: the base in a child process."""
    if scope.changed_since is None:
        return load_project(s.directory, env), None
    with load_base(s.directory, env, scope.changed_since) as base:
        project = load_project(s.directory, env)
        return project, base.result()


async def plan_scoped(project: Project, client: StoreClient, scope: Scope, base: Base | None) -> Planned:
    if scope.nothing:
        return nothing_planned(project)
    if base is not None:
        return await plan_since(project, client, base)
    return await make_plan(project, client, targets=scope.targets)
