"""The project file `storeconf.yaml`: its models, environments and the `manage:` section.

The models here are both the validators and the source of the project file's
JSON Schema (see schema.py), so the two cannot drift apart.
"""

from __future__ import annotations

import functools
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from storeconf.config.interpolate import Scope, interpolate
from storeconf.config.overrides import split_block
from storeconf.config.validation import did_you_mean, show_value, validate
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


def _prune(value: Any) -> Any:
    if isinstance(value, bool) or value in ("owned", "all"):
        return value
    raise ValueError(f"expected true, false, 'all' or 'owned' (got {show_value(value)})")


def _protect(value: Any) -> Any:
    if isinstance(value, bool) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return value
    raise ValueError(f"expected true, false or a list of keys (got {show_value(value)})")


Prune = Annotated[bool | Literal["owned", "all"], BeforeValidator(_prune)]
Protect = Annotated[bool | list[str], BeforeValidator(_protect)]


class ManageOptions(_Strict):
    """How storeconf owns one kind."""

    prune: Prune = Field(
        False,
        description="Delete live objects the configuration does not declare: all (= true) of them, or only "
        "those storeconf created or adopted (owned; brands, categories and products).",
    )
    protect: Protect = Field(
        False,
        description="Never delete or replace objects of this kind (true) or with these keys, "
        "whatever the config says.",
    )
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


def _api_url(value: str) -> str:
    """Checked offline, so a typo is a located config error and not a transport error at plan time."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or "://" not in value:
        raise ValueError(f"api_url must start with http:// or https:// (got {value!r})")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1 or port == 0:
        raise ValueError(
            f"api_url needs a host and at most a valid port, like http://127.0.0.1:8765 (got {value!r})"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            "api_url is the scheme, host and port only; storeconf appends /stores/STORE_HASH/v3 "
            f"(got {value!r})"
        )
    return value


ApiUrl = Annotated[
    str,
    AfterValidator(_api_url),
    Field(
        description="Base URL of the API: http(s)://HOST[:PORT], e.g. a `storeconf sandbox serve` or a proxy."
    ),
]


_OVERRIDES_DOC = "Per kind, object key -> fields this environment sets differently from the shared files."
_EXCLUDE_DOC = (
    "Per kind, keys of objects this environment does not manage (never created, changed or deleted)."
)


class _EnvironmentBase(_Strict):
    vars: dict[str, VarValue] = Field(default_factory=dict)
    overrides: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict, description=_OVERRIDES_DOC)
    exclude: dict[str, list[str]] = Field(default_factory=dict, description=_EXCLUDE_DOC)


class SandboxEnvironment(_EnvironmentBase):
    """The embedded local sandbox store, a SQLite file."""

    sandbox: str = Field(min_length=1, description="SQLite file, relative to the project directory.")


class StoreEnvironment(_EnvironmentBase):
    """A real BigCommerce store, reached through a store-level API account."""

    store_hash: str = Field(min_length=1)
    access_token: str = Field(min_length=1, description="Use ${env:NAME}: never write a token in a file.")
    api_url: ApiUrl = DEFAULT_API_URL


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
    # Things that are valid but probably not what the author meant (an ignored field set anyway).
    warnings: tuple[str, ...] = ()


@dataclass
class Selected:
    """The selected environment (None if invalid), and the scope resource files are interpolated in."""

    environment: Environment | None
    scope: Scope
    # Values substituted from the process environment, to mask in messages.
    secrets: set[str]
    # `overrides:` and `exclude:` as written: read with the resource files' scope (see overrides.py).
    overrides: dict[str, Any] = field(default_factory=dict)


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
    block, overrides = split_block(envs[name])
    done = interpolate(block, doc.source, Scope(environ), at)
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
    return Selected(env, scope, done.secrets, overrides), problems


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
            kind = registry[kind_name]
            problems += _check_ignore(doc, at, valid.ignore, ignorable(kind), key_fields(kind))
            if valid.prune == "owned" and not kind.metafields:
                message = (
                    f"manage.{kind_name}.prune: 'owned' needs metafields to mark what storeconf owns, "
                    f"which {kind_name} do not have (brands, categories and products do); use true or false"
                )
                problems.append(Problem(doc.source.value((*at, "prune")), message))
            out[kind_name] = to_manage(valid, kind)
    return out, problems


def ignorable(kind: Kind[Any]) -> list[str]:
    """Field names `ignore` accepts: the kind's fields, and `part.field` for its keyed parts."""
    names = list(kind.spec.model_fields)
    for part in kind.parts:
        names += [f"{part.field}.{name}" for name in part.model.model_fields]
    return names


def key_fields(kind: Kind[Any]) -> frozenset[str]:
    """The fields that identify an object or a nested item: never ignorable."""
    names = set(kind.key_fields)
    for part in kind.parts:
        names |= {f"{part.field}.{name}" for name in part.key_fields}
    return frozenset(names)


def _check_ignore(
    doc: Document, at: YamlPath, ignore: list[str], fields: list[str], keys: frozenset[str]
) -> list[Problem]:
    problems = []
    for i, name in enumerate(ignore):
        if name not in fields:
            message = f"unknown field {name!r}{did_you_mean(name, fields)}"
        elif name in keys:
            message = f"{name!r} is a key field of {at[-1]} (it identifies them) and cannot be ignored"
        else:
            continue
        # Located only for a problem: a location may re-read the file.
        where = doc.source.value((*at, "ignore", i))
        problems.append(Problem(where, f"manage.{at[-1]}.ignore[{i}]: {message}"))
    return problems


def ignored_but_set(desired: DesiredState, registry: Registry) -> list[str]:
    """One warning per ignored field the configuration sets anyway: that value has no effect."""
    warnings = []
    for kind_name, manage in desired.manage.items():
        kind = registry[kind_name]
        for name in sorted(manage.ignore):
            users = [
                obj for obj in desired.objects.get(kind_name, {}).values() if _sets(kind, obj.fields, name)
            ]
            if users:
                first = users[0]
                where = first.field_locations.get(name.split(".", 1)[0], first.location)
                more = f" (and {len(users) - 1} more)" if len(users) > 1 else ""
                warnings.append(
                    f"{where}: {kind_name} {first.key!r}{more} sets {name!r}, which "
                    f"manage.{kind_name}.ignore lists: it is written only when storeconf creates the object, "
                    "never compared or updated"
                )
    return warnings


def _sets(kind: Kind[Any], fields: dict[str, Any], name: str) -> bool:
    """Whether `fields` set the ignored `name` (top level, or inside a part, like the planner reads it)."""
    part_field, _, inner = name.rpartition(".")
    if not part_field and name in fields:
        return True
    for part in kind.parts:
        if part_field in ("", part.field):
            items = fields.get(part.field) or []
            if any(isinstance(i, dict) and (inner or name) in i for i in items):
                return True
    return False


def to_manage(options: ManageOptions, kind: Kind[Any] | None = None) -> Manage:
    common = set(ManageOptions.model_fields)
    protect = options.protect
    keys = protect if isinstance(protect, list) else []
    return Manage(
        prune=options.prune is True or options.prune in ("all", "owned"),
        ignore=frozenset(options.ignore),
        delete_threshold=options.delete_threshold,
        options=options.model_dump(exclude=common),
        owned=options.prune == "owned",
        protect=protect is True,
        protected=frozenset(kind.identity(k) if kind else k for k in keys),
    )
