"""`storeconf env list`: each environment, its store, and whether its credentials resolve.

Only names and problems are reported; a resolved token is checked for presence, never shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storeconf.config.loader import environment_blocks
from storeconf.config.project import select_environment
from storeconf.config.yaml import Document

SANDBOX_CREDENTIALS = "not needed (embedded sandbox)"


@dataclass(frozen=True)
class EnvironmentStatus:
    name: str
    store: str
    credentials: str
    ok: bool
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "store": self.store,
            "credentials": self.credentials,
            "ok": self.ok,
            "problems": list(self.problems),
        }


def environment_statuses(
    project_dir: Path, environ: Mapping[str, str] | None = None
) -> list[EnvironmentStatus]:
    doc, envs = environment_blocks(project_dir)
    environ = os.environ if environ is None else environ
    return [_status(doc, envs, name, environ, project_dir) for name in envs]


def _status(
    doc: Document, envs: dict[str, Any], name: str, environ: Mapping[str, str], project_dir: Path
) -> EnvironmentStatus:
    block = envs[name]
    if not isinstance(block, dict):
        return EnvironmentStatus(name, "?", "invalid", False, (f"environments.{name} must be a mapping",))
    selected, problems = select_environment(doc, envs, name, environ, project_dir.resolve())
    messages = tuple(str(p) for p in problems)
    if "sandbox" in block:
        return EnvironmentStatus(
            name, f"sandbox {block['sandbox']}", SANDBOX_CREDENTIALS, not problems, messages
        )
    env = selected.environment
    store = f"store {env.store_hash}" if env is not None else f"store {block.get('store_hash', '?')}"
    token = block.get("access_token")
    if env is not None and not problems:
        if isinstance(token, str) and "${env:" in token:
            return EnvironmentStatus(name, store, f"resolved from {token.strip()}", True)
        return EnvironmentStatus(
            name, store, "resolved, but the token is written in the file (use ${env:NAME})", True
        )
    return EnvironmentStatus(name, store, "unresolved", False, messages)
