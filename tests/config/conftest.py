"""Fixture projects written into tmp_path, so each test shows the files (and their line numbers) it loads."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from storeconf.config import Project, load_project
from storeconf.errors import ConfigError


class ProjectDir:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, text: str) -> Path:
        """Write a file; `text` is dedented and its leading newline dropped, so line 1 is the first line."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def load(self, env: str = "local", environ: Mapping[str, str] | None = None) -> Project:
        return load_project(self.root, env, environ=environ or {})

    def errors(self, env: str = "local", environ: Mapping[str, str] | None = None) -> list[str]:
        """Every problem the loader reports, as `FILE:LINE:COL: message` lines."""
        with pytest.raises(ConfigError) as caught:
            self.load(env, environ)
        return [str(p) for p in caught.value.problems]


@pytest.fixture
def project(tmp_path: Path) -> ProjectDir:
    return ProjectDir(tmp_path)
