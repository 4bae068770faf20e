"""The project file `storeconf.yaml`: its models, environments and the `manage:` section.

The models here are both the validators and the source of the project file's
JSON Schema (see schema.py), so the two cannot drift apart.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from storeconf.config.interpolate import Scope, interpolate
from storeconf.config.validation import did_you_mean, validate
from storeconf.config.yaml import Document, YamlPath
from storeconf.errors import Problem
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Kind
from storeconf.model import DesiredState, Manage

PROJECT_FILE = "storeconf.yaml"
DEFAULT_API_URL = "https://api.bigcommerce.com"
# Used when the project file has no `environments:`: the embedded sandbox, so a new project just works.
DEFAULT_ENVIRONMENTS: dict[str, Any] = {"local": {"sandbox": ".storeconf/local.db"}}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ManageOptions(_Strict):
    """How storeconf owns one kind."""

    prune: bool = Field(False, description="Delete live objects the configuration does not declare.")
    ignore: list[str] = Field(default_factory=list, description="Fields owned by another system.")
    delete_threshold: float = Field(
        0.3, ge=0, le=1, description="Share of live objects a plan may delete without --allow-deletes."
    )


@functools.cache
def options_model(kind: str, registry: Registry = REGISTRY) -> type[ManageOptions]:
    """The common `manage:` options plus the kind's own (`Kind.manage_options`)."""
    extra = registry[kind].manage_options
    if extra is None:
        return ManageOptions
    return type(f"{extra.__name__}Manage", (ManageOptions, extra), {"__doc__": ManageOptions.__doc__})


def _var_text(value: Any) -> Any:
    # `port: 443` and `debug: true` are vars too; they are substituted into text, so keep them as text.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int | float) else value


VarValue = Annotated[str, BeforeValidator(_var_text)]


class SandboxEnvironment(_Strict):
    """The embedded local sandbox store, a SQLite file."""

    sandbox: str = Field(min_length=1, description="SQLite file, relative to the project directory.")
    vars: dict[str, VarValue] = Field(default_factory=dict)


class StoreEnvironment(_Strict):
    """A real BigCommerce store, reached through a store-level API account."""

    store_hash: str = Field(min_length=1)
    access_token: str = Field(min_length=1, description="Use ${env:NAME}: never write a token in a file.")
    api_url: str = DEFAULT_API_URL
    vars: dict[str, VarValue] = Field(default_factory=dict)


class ProjectSettings(_Strict):
    """The project keys of storeconf.yaml (resource keys are validated as resources)."""

    version: Literal[1]
    include: list[str] = Field(default_factory=list)
    environments: dict[str, dict[str, Any]] | None = None
    manage: dict[str, Any] | None = None


PROJECT_KEYS = tuple(ProjectSettings.model_fields)


@dataclass(frozen=True)
class Environment:
    """The selected environment, interpolated. Secrets are kept out of repr."""

    name: str
    sandbox: Path | None = None
    store_hash: str | None = None
    access_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    vars: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Project:
    dir: Path
    environment: Environment
    desired: DesiredState
    files: tuple[Path, ...]
    # `environments:` as written (not interpolated), so export can copy it into a new project.
    raw_environments: dict[str, Any]
    environment_names: tuple[str, ...]


@dataclass
class Selected:
    """The selected environment (None if invalid), and the scope resource files are interpolated in."""

    environment: Environment | None
    scope: Scope
    # Values substituted from the process environment, to mask in messages.
    secrets: set[str]


def environment_model(block: Mapping[str, Any]) -> type[SandboxEnvironment | StoreEnvironment]:
    return SandboxEnvironment if "sandbox" in block else StoreEnvironment


def check_environments(doc: Document, envs: dict[str, Any], selected: str) -> list[Problem]:
    """Structure of the environments not selected, as written: they are not interpolated."""
    problems: list[Problem] = []
    for name, block in envs.items():
        if name != selected and isinstance(block, dict):
            problems += validate(environment_model(block), block, doc.source, ("environments", name))[1]
    return problems


def select_environment(
    doc: Document, envs: dict[str, Any], name: str, environ: Mapping[str, str], project_dir: Path
) -> tuple[Selected, list[Problem]]:
    """Interpolate and validate the environment `name` (which must exist in `envs`)."""
    at: YamlPath = ("environments", name)
    done = interpolate(envs[name], doc.source, Scope(environ), at)
    problems = list(done.problems)

    valid, found = validate(
        environment_model(done.data),
        done.data,
        doc.source,
        at,
        sensitive=lambda loc: done.is_sensitive((*at, *loc)),
        ignore=lambda loc: done.is_unresolved((*at, *loc)),
    )
    problems += found
    if valid is None:
        # The vars are unknown, so a resource's `${var.X}` cannot be checked; say nothing about them.
        return Selected(None, Scope(environ, {}, name, check_vars=False), done.secrets), problems
    secret_vars = {str(p[len(at) + 1]) for p in done.sensitive if p[len(at) : len(at) + 1] == ("vars",)}
    scope = Scope(environ, valid.vars, name, frozenset(secret_vars))
    env = None if done.problems else _environment(name, valid, project_dir)
    return Selected(env, scope, done.secrets), problems


def _environment(name: str, valid: SandboxEnvironment | StoreEnvironment, project_dir: Path) -> Environment:
    if isinstance(valid, SandboxEnvironment):
        return Environment(name, sandbox=project_dir / valid.sandbox, vars=dict(valid.vars))
    return Environment(
        name,
        store_hash=valid.store_hash,
        access_token=valid.access_token,
        api_url=valid.api_url,
        vars=dict(valid.vars),
    )


def unknown_environment(doc: Document, name: str, known: list[str], from_file: bool) -> Problem:
    known_text = ", ".join(known) or "none"
    message = f"unknown environment {name!r}{did_you_mean(name, known)}; known environments: {known_text}"
    return Problem(doc.source.key(("environments",)) if from_file else None, message)


def read_manage(
    doc: Document, manage: dict[str, Any], registry: Registry
) -> tuple[dict[str, Manage], list[Problem]]:
    """`manage:` as one `Manage` per kind named; unknown kinds and unknown ignored fields are errors."""
    out: dict[str, Manage] = {}
    problems: list[Problem] = []
    for kind_name, raw in manage.items():
        at: YamlPath = ("manage", kind_name)
        if kind_name not in registry:
            hint = did_you_mean(kind_name, registry.names())
            problems.append(Problem(doc.source.key(at), f"manage: unknown kind {kind_name!r}{hint}"))
            continue
        valid, found = validate(
            options_model(kind_name, registry), {} if raw is None else raw, doc.source, at
        )
        problems += found
        if valid is not None:
            problems += _check_ignore(doc, at, valid.ignore, ignorable(registry[kind_name]))
            out[kind_name] = to_manage(valid)
    return out, problems


def ignorable(kind: Kind[Any]) -> list[str]:
    """Field names `ignore` accepts: the kind's fields, and `part.field` for its keyed parts."""
    names = list(kind.spec.model_fields)
    for part in kind.parts:
        names += [f"{part.field}.{name}" for name in part.model.model_fields]
    return names


def _check_ignore(doc: Document, at: YamlPath, ignore: list[str], fields: list[str]) -> list[Problem]:
    return [
        Problem(
            doc.source.value((*at, "ignore", i)),
            f"manage.{at[-1]}.ignore[{i}]: unknown field {name!r}{did_you_mean(name, fields)}",
        )
        for i, name in enumerate(ignore)
        if name not in fields
    ]


def to_manage(options: ManageOptions) -> Manage:
    common = set(ManageOptions.model_fields)
    return Manage(
        prune=options.prune,
        ignore=frozenset(options.ignore),
        delete_threshold=options.delete_threshold,
        options=options.model_dump(exclude=common),
    )
