"""What storeconf takes from a GitHub Actions run: where the project's files are on GitHub."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def source_link(project_dir: Path, environ: Mapping[str, str] | None = None) -> str | None:
    """`https://github.com/OWNER/REPO/blob/SHA/<project dir>/` inside GitHub Actions (None
    elsewhere), so each FILE:LINE in a markdown plan opens that line of the commit planned."""
    env = os.environ if environ is None else environ
    server, repo, sha, workspace = (
        env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_WORKSPACE")
    )
    if not (server and repo and sha and workspace):
        return None
    try:
        inside = project_dir.resolve().relative_to(Path(workspace).resolve())
    except ValueError:
        return None  # the project is not in the checked-out repository
    prefix = "" if inside == Path(".") else f"{inside.as_posix()}/"
    return f"{server.rstrip('/')}/{repo}/blob/{sha}/{prefix}"
