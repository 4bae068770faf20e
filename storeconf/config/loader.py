"""`load_project`: project file + included resource files -> a validated `Project`, or a ConfigError.

The loader collects problems instead of stopping at the first, so one run
shows everything wrong; it stops early only when the project file itself
cannot be read. It never touches the network.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from storeconf.config.interpolate import Interpolated, Scope, interpolate
from storeconf.config.overrides import EnvOverrides, read_overrides
from storeconf.config.project import (
    DEFAULT_ENVIRONMENTS,
    PROJECT_FILE,
    PROJECT_KEYS,
    Environment,
    Project,
    ProjectSettings,
    check_environments,
    ignored_but_set,
    options_model,
    read_manage,
    select_environment,
    to_manage,
    unknown_environment,
)
from storeconf.config.resources import Objects, ResourceDoc, build_objects, unknown_top_level
from storeconf.config.validation import SENSITIVE, validate
from storeconf.config.yaml import Document, load_yaml
from storeconf.errors import ConfigError, Problem
from storeconf.gcpause import paused
from storeconf.kinds import REGISTRY, Registry
from storeconf.model import DesiredState, Manage


def load_project(
    project_dir: Path,
    env: str = "local",
    *,
    registry: Registry = REGISTRY,
    environ: Mapping[str, str] | None = None,
) -> Project:
    """Load and validate the project in `project_dir` for environment `env`.

    Raises ConfigError listing every problem found. `environ` defaults to os.environ.
    """
    with paused():
        return _Loader(project_dir.resolve(), registry, os.environ if environ is None else environ).load(env)


def environment_blocks(project_dir: Path) -> tuple[Document, dict[str, Any]]:
    """storeconf.yaml as a document, and its `environments:` as written (the default if absent)."""
    doc, data = _Loader(project_dir.resolve(), REGISTRY, os.environ)._project_file()
    return doc, _mapping(data.get("environments")) if "environments" in data else DEFAULT_ENVIRONMENTS


class _Loader:
    def __init__(self, root: Path, registry: Registry, environ: Mapping[str, str]) -> None:
        self.root = root
        self.registry = registry
        self.environ = environ
        self.problems: list[Problem] = []
        # Values substituted from the environment: masked in every problem message.
        self.secrets: set[str] = set()

    def load(self, env_name: str) -> Project:
        doc, data = self._project_file()
        settings = {k: data[k] for k in PROJECT_KEYS if k in data}
        # Only the problems: each setting is read below as far as it is usable, so one bad
        # setting does not hide the problems of the others.
        self.problems += validate(ProjectSettings, settings, doc.source, ())[1]
        self.problems += unknown_top_level(doc, data, (*PROJECT_KEYS, *self.registry.names()), ())
        written = data.get("environments")
        envs = _mapping(written) if "environments" in data else DEFAULT_ENVIRONMENTS
        environment, scope, overrides = self._environment(doc, envs, env_name, "environments" in data)
        manage, found = read_manage(doc, _mapping(data.get("manage")), self.registry)
        self.problems += found
        files = self._includes(doc, data.get("include"))
        rdocs = [self._resources(doc, data, scope)]
        rdocs += [rd for path in files if (rd := self._resource_file(path, scope)) is not None]
        objects = build_objects(rdocs, self.registry, overrides)
        self.problems += objects.problems
        self._masked_keys(objects)
        desired = self._desired(manage, objects, overrides)
        # References are checked on every item that validated, even when others have errors:
        # one run shows everything wrong (items that failed count as declared, see `invalid`).
        self.problems += [
            p for k in desired.managed_kinds() for p in self.registry[k].check_references(desired, None)
        ]
        if self.problems or environment is None:
            raise ConfigError([self._redact(p) for p in self.problems])
        return Project(
            dir=self.root,
            environment=environment,
            desired=desired,
            files=(self.root / PROJECT_FILE, *files),
            raw_environments=dict(written) if isinstance(written, dict) else dict(DEFAULT_ENVIRONMENTS),
            environment_names=tuple(envs),
            warnings=(*objects.warnings, *ignored_but_set(desired, self.registry)),
        )

    def _project_file(self) -> tuple[Document, dict[str, Any]]:
        path = self.root / PROJECT_FILE
        if not path.is_file():
            raise ConfigError(
                [Problem(None, f"no {PROJECT_FILE} in {self.root} (storeconf init writes one)")]
            )
        doc, problems = load_yaml(path, PROJECT_FILE)
        if doc is None:
            raise ConfigError(problems)
        if doc.data is not None and not isinstance(doc.data, dict):
            problems.append(Problem(doc.source.value(()), f"{PROJECT_FILE} must be a mapping of settings"))
        if problems:
            # Without the file's own structure nothing else can be trusted.
            raise ConfigError(problems)
        return doc, doc.data or {}

    def _environment(
        self, doc: Document, envs: dict[str, Any], name: str, written: bool
    ) -> tuple[Environment | None, Scope, EnvOverrides | None]:
        """The selected environment, the scope resource files are interpolated in, its overrides."""
        self.problems += check_environments(doc, envs, name)
        if name not in envs:
            self.problems.append(unknown_environment(doc, name, list(envs), written))
        if not isinstance(envs.get(name), dict):  # unknown, or not a mapping (reported by the settings model)
            return None, Scope(self.environ, {}, name, check_vars=False), None
        selected, found = select_environment(doc, envs, name, self.environ, self.root)
        self.problems += found
        self.secrets |= selected.secrets
        overrides, found = read_overrides(doc, name, selected.overrides, selected.scope, self.registry)
        self.problems += found
        self.secrets |= {s for o in overrides.all() for s in o.interpolated.secrets}
        return selected.environment, selected.scope, overrides

    def _includes(self, doc: Document, patterns: Any) -> list[Path]:
        """Files the include globs name, each glob sorted, each file once; an empty glob is an error."""
        files: list[Path] = []
        seen = {self.root / PROJECT_FILE}
        for i, pattern in enumerate(patterns if isinstance(patterns, list) else []):
            if not isinstance(pattern, str):
                continue  # reported by the settings model
            matches = self._glob(pattern)
            if not matches:
                where = doc.source.value(("include", i))
                self.problems.append(Problem(where, f"include[{i}]: {pattern!r} matches no files"))
            files += [m for m in matches if m not in seen]
            seen.update(matches)
        return files

    def _glob(self, pattern: str) -> list[Path]:
        if not pattern or Path(pattern).is_absolute():
            return []
        try:
            return sorted(p for p in self.root.glob(pattern) if p.is_file())
        except (ValueError, NotImplementedError):  # patterns pathlib cannot handle match nothing
            return []

    def _resource_file(self, path: Path, scope: Scope) -> ResourceDoc | None:
        doc, problems = load_yaml(path, self._display(path))
        self.problems += problems
        if doc is None:
            return None
        if doc.data is not None and not isinstance(doc.data, dict):
            message = "a resource file must be a mapping of kind names to lists of items"
            self.problems.append(Problem(doc.source.value(()), message))
            return None
        data = doc.data or {}
        self.problems += unknown_top_level(doc, data, self.registry.names(), PROJECT_KEYS)
        return self._resources(doc, data, scope)

    def _resources(self, doc: Document, data: dict[str, Any], scope: Scope) -> ResourceDoc:
        kinds = {k: v for k, v in data.items() if k in self.registry}
        done = interpolate(kinds, doc.source, scope) if doc.interpolates else Interpolated(kinds)
        self.problems += done.problems
        self.secrets |= done.secrets
        return ResourceDoc(doc, done)

    def _display(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def _desired(
        self, manage: dict[str, Manage], objects: Objects, overrides: EnvOverrides | None
    ) -> DesiredState:
        """A kind is managed when `manage:` names it or any file declares items of it."""
        by_kind = objects.by_kind
        kinds = [k.name for k in self.registry if k.name in manage or k.name in by_kind]
        excluded = overrides.excluded() if overrides is not None else {}
        return DesiredState(
            objects={k: by_kind.get(k, {}) for k in kinds},
            manage={k: manage.get(k) or to_manage(options_model(k, self.registry)()) for k in kinds},
            invalid=objects.invalid,
            excluded={k: v for k, v in excluded.items() if k in kinds},
        )

    def _redact(self, problem: Problem) -> Problem:
        """Mask substituted secrets in a message (a validator may quote the value it rejects)."""
        message = redact(problem.message, self.secrets)
        return Problem(problem.location, message) if message != problem.message else problem

    def _masked_keys(self, objects: Objects) -> None:
        """Give each object whose key is built from a `${env:}` value the key with it masked, which
        plans show and save instead (`store/order/created https://hooks.example.com/(sensitive)`)."""
        for name, by_ident in objects.by_kind.items():
            key_fields = self.registry[name].key_fields
            for ident, obj in by_ident.items():
                if obj.sensitive & key_fields:
                    shown = redact(obj.key, self.secrets)
                    by_ident[ident] = replace(obj, masked_key=shown if shown != obj.key else SENSITIVE)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every substituted secret in it shown as (sensitive)."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_SECRET:
            text = text.replace(secret, SENSITIVE)
    return text


# Shorter values are not masked: replacing every "a" or "1" in a message would garble it and protect nothing.
_MIN_SECRET = 4


def _mapping(value: Any) -> dict[str, Any]:
    """A value the settings model requires to be a mapping; anything else was reported there."""
    return value if isinstance(value, dict) else {}
