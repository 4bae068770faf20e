"""Over a real TCP socket: `storeconf sandbox serve` in one process, the CLI in another."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_example
from tests.sandbox_process import sandbox_server

TOKEN = "tcp-test-token"


def storeconf(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # The console script of the interpreter running the tests: a `storeconf` found first on
    # PATH may belong to another install (a stale global one, a pyenv shim).
    beside = Path(sys.executable).parent / "storeconf"
    exe = str(beside) if beside.exists() else shutil.which("storeconf")
    cmd = [exe] if exe else [sys.executable, "-m", "storeconf"]
    return subprocess.run(
        [*cmd, *args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with sandbox_server(tmp_path, TOKEN) as url:
        yield url


def test_plan_apply_replan_over_tcp(server: str, tmp_path: Path) -> None:
    project = copy_example(tmp_path / "shop")
    text = (project / "storeconf.yaml").read_text()
    text = text.replace(
        "environments:\n",
        "environments:\n  tcp:\n    store_hash: sandbox\n    access_token: ${env:TCP_TOKEN}\n"
        f"    api_url: {server}\n    vars: {{hooks: https://hooks.tcp.example}}\n",
        1,
    )
    (project / "storeconf.yaml").write_text(text)
    env = {"TCP_TOKEN": TOKEN, "NO_COLOR": "1"}

    plan = storeconf("plan", "--env", "tcp", "--detailed-exitcode", cwd=project, env=env)
    assert plan.returncode == 2, plan.stderr
    assert "+ webhooks store/order/created https://hooks.tcp.example/orders" in plan.stdout
    applied = storeconf("apply", "--env", "tcp", "--auto-approve", cwd=project, env=env)
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete" in applied.stdout
    again = storeconf("plan", "--env", "tcp", "--detailed-exitcode", cwd=project, env=env)
    assert again.returncode == 0, again.stdout + again.stderr

    wrong = storeconf("plan", "--env", "tcp", cwd=project, env={"TCP_TOKEN": "not-the-token"})
    assert wrong.returncode == 1
    assert "401" in wrong.stderr and "not-the-token" not in wrong.stderr + wrong.stdout
