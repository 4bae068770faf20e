"""`${env:NAME}` and `${var.NAME}` substitution in string scalars; `$${` writes a literal `${`.

Substitution is one pass: a substituted value is never scanned again, so a
secret that happens to contain `${` stays as it is. A string that took any
value from the process environment is *sensitive*, and so is one that used a
var whose own value came from the environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from storeconf.config.yaml import SourceMap, YamlPath, describe
from storeconf.errors import Problem

# Alternatives in priority order: an escaped `$${`, a complete `${...}`, and a `${` never closed.
_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_ENV = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)")
_VAR = re.compile(r"var\.([A-Za-z_][A-Za-z0-9_-]*)")


@dataclass(frozen=True)
class Scope:
    """What `${...}` may refer to. `vars` is None where vars do not exist (the environments block)."""

    environ: Mapping[str, str]
    vars: Mapping[str, str] | None = None
    env_name: str = ""
    # Vars whose value came from `${env:...}`: using one makes a string sensitive too.
    secret_vars: frozenset[str] = frozenset()
    # False when the environment itself is broken: its vars are unknown, so missing ones are not news.
    check_vars: bool = True


@dataclass
class Expanded:
    """One string after substitution."""

    text: str
    sensitive: bool = False
    errors: list[str] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    # A var could not be looked up (scope.check_vars is False): the text is not what the user meant.
    unresolved: bool = False


@dataclass
class Interpolated:
    """A whole document after substitution: new data, which paths are sensitive, and problems."""

    data: Any
    sensitive: set[YamlPath] = field(default_factory=set)
    secrets: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    # Strings whose substitution failed or could not be checked: their text is not what the user meant,
    # so validating it would only add noise to the problem already reported (or to come).
    unresolved: set[YamlPath] = field(default_factory=set)

    @cached_property
    def _sensitive_prefixes(self) -> frozenset[YamlPath]:
        return frozenset(p[:n] for p in self.sensitive for n in range(len(p) + 1))

    def is_sensitive(self, path: YamlPath) -> bool:
        """Whether any sensitive string lies at or below `path` (ask once the walk is done)."""
        return path in self._sensitive_prefixes

    def is_unresolved(self, path: YamlPath) -> bool:
        """Whether `path` lies at or below a string whose substitution failed."""
        return any(path[:n] in self.unresolved for n in range(len(path) + 1))


def escape(text: str) -> str:
    """Text that interpolates back to `text` (for writing files, e.g. export)."""
    return text.replace("${", "$${")


def expand(text: str, scope: Scope) -> Expanded:
    """Substitute every `${...}` in one string."""
    out = Expanded(text)

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        if match.group(1) is None:
            out.errors.append("unterminated '${' (write '$${' for a literal '${')")
            return token
        value = _resolve(match.group(1), scope, out)
        return token if value is None else value

    out.text = _TOKEN.sub(replace, text)
    return out


def _resolve(expr: str, scope: Scope, out: Expanded) -> str | None:
    if m := _ENV.fullmatch(expr):
        value = scope.environ.get(m.group(1))
        if value is None:
            out.errors.append(f"environment variable {m.group(1)!r} is not set (in '${{{expr}}}')")
            return None
        out.sensitive = True
        if value:
            out.secrets.add(value)
        return value
    if m := _VAR.fullmatch(expr):
        return _resolve_var(m.group(1), scope, out)
    hint = "write ${env:NAME} or ${var.NAME} ('$${' for a literal '${')"
    out.errors.append(f"invalid substitution '${{{expr}}}': {hint}")
    return None


def _resolve_var(name: str, scope: Scope, out: Expanded) -> str | None:
    if scope.vars is None:
        out.errors.append(f"'${{var.{name}}}': vars cannot be used in environment settings")
        return None
    if name not in scope.vars:
        if not scope.check_vars:
            out.unresolved = True
            return None
        defined = ", ".join(sorted(scope.vars)) or "none"
        out.errors.append(f"undefined var {name!r} (environment {scope.env_name!r} defines: {defined})")
        return None
    out.sensitive |= name in scope.secret_vars
    return scope.vars[name]


def interpolate(data: Any, source: SourceMap, scope: Scope, at: YamlPath = ()) -> Interpolated:
    """Substitute in every string value of `data` (keys are left alone); `at` is data's path in the file."""
    result = Interpolated(None)
    result.data = _walk(data, at, source, scope, result)
    return result


def _walk(value: Any, path: YamlPath, source: SourceMap, scope: Scope, result: Interpolated) -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, (*path, k), source, scope, result) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, (*path, i), source, scope, result) for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value
    done = expand(value, scope)
    label = describe(path)
    result.problems += [Problem(source.value(path), f"{label}: {e}" if label else e) for e in done.errors]
    if done.sensitive:
        result.sensitive.add(path)
    if done.unresolved or done.errors:
        result.unresolved.add(path)
    result.secrets |= done.secrets
    return done.text
