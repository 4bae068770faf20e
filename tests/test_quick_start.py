"""The README's quick start on a machine whose only Python is the distribution's `python3`:
no `python` or `pip` command, and pip refusing to install outside a virtual environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv*", ".storeconf", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis", "build", "dist"
)


def readme_command(number: int) -> str:
    """The command under `# N. ...` in the README's quick start."""
    found = re.search(rf"^# {number}\. .*\n(.+)$", (REPO / "README.md").read_text(), re.MULTILINE)
    assert found, f"README.md has no quick-start command {number}"
    return found.group(1)


def stock_python_env(tmp_path: Path) -> dict[str, str]:
    """PATH with `python` and `pip` shadowed by commands that fail as if missing; PEP 668 on."""
    shims = tmp_path / "shims"
    shims.mkdir()
    for name in ("python", "pip"):
        shim = shims / name
        shim.write_text(f"#!/bin/sh\necho '{name}: command not found' >&2\nexit 127\n")
        shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(PATH=f"{shims}{os.pathsep}{env.get('PATH', '')}", PIP_REQUIRE_VIRTUALENV="1")
    return env


def test_readme_command_1_works_in_a_clean_copy_without_a_python_alias(tmp_path: Path) -> None:
    copy = tmp_path / "clone"
    shutil.copytree(REPO, copy, ignore=COPY_IGNORE)
    env = stock_python_env(tmp_path)
    assert subprocess.run(["bash", "-c", "python --version"], env=env, capture_output=True).returncode == 127
    command = readme_command(1)
    first = subprocess.run(["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Apply complete:" in first.stdout
    again = subprocess.run(["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes." in again.stdout


def test_readme_command_2_is_what_ci_runs() -> None:
    assert readme_command(2) == "bash scripts/test.sh"
    ci = (REPO / ".ci" / "run").read_text()
    assert "PIP_REQUIRE_VIRTUALENV=1" in ci and "README.md" in ci
    test_sh = (REPO / "scripts" / "test.sh").read_text()
    assert not re.search(r"^\s*python\b", test_sh, re.MULTILINE), "scripts/test.sh must not call `python`"


SPEC_TESTS = ("tests/test_conformance_hook.py", "tests/sandbox/test_sandbox_gateway.py")


def test_missing_specs_skip_with_one_summary_line(tmp_path: Path) -> None:
    # Specs neither configured nor beside the clone: skip. (Configured but missing fails the
    # run instead, see tests/test_conformance_hook.py.) A copy of the suite has no ../shared.
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "tests", repo / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", repo / "pyproject.toml")
    specs = str(tmp_path / "shared" / "reference" / "specs")
    env = {k: v for k, v in os.environ.items() if k != "STORECONF_SPECS_DIR"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SPEC_TESTS],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, skipped
    assert skipped[0].startswith("SKIPPED [") and f"specs not found in {specs}" in skipped[0]
