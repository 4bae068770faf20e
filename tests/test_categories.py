"""Categories against the sandbox: partial batch failures and case-only renames."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, Recorder


def project(root: Path, categories: str) -> Path:
    root.mkdir(exist_ok=True)
    (root / "categories.yaml").write_text(categories)
    (root / "storeconf.yaml").write_text(
        "version: 1\ninclude: [categories.yaml]\nmanage:\n  categories: {prune: true}\n"
    )
    return root


def test_partial_batch_failure_applies_the_rest_and_replans_the_failed(
    tmp_path: Path, recorder: Recorder
) -> None:
    root = project(tmp_path / "p", "categories:\n  - path: A\n  - path: B\n")
    cli = Cli(root, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    # A's update is valid; B's URL is taken by A: the API answers 207 and saves only A.
    (root / "categories.yaml").write_text(
        "categories:\n  - path: A\n    description: new\n  - path: B\n    url: /a/\n"
    )
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "[update categories B," in result.stderr and "/a/" in result.stderr
    assert "Applied (1):\n  ~ categories A" in result.stderr
    replan = cli("plan")
    assert "~ categories B" in replan.stdout and "~ categories A" not in replan.stdout


def test_case_only_rename_updates_in_place(tmp_path: Path, recorder: Recorder) -> None:
    root = project(tmp_path / "p", "categories:\n  - name: Camping\n    children: [{name: Tents}]\n")
    cli = Cli(root, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    (root / "categories.yaml").write_text("categories:\n  - name: CAMPING\n    children: [{name: Tents}]\n")
    plan = cli("plan")
    assert "~ categories CAMPING" in plan.stdout and "+ categories" not in plan.stdout
    assert cli("apply", "--auto-approve").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0
