"""The 10-scripts-per-API-account cap is checked before any write: by validate and by plan."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, Recorder


def scripts_project(root: Path, names: list[str], prune: bool = False) -> Path:
    root.mkdir(exist_ok=True)
    items = "".join(f"  - {{name: {n}, kind: src, src: 'https://cdn.example.com/{n}.js'}}\n" for n in names)
    (root / "scripts.yaml").write_text("scripts:\n" + items)
    manage = f"manage:\n  scripts: {{prune: {str(prune).lower()}}}\n"
    (root / "storeconf.yaml").write_text(f"version: 1\ninclude: [scripts.yaml]\n{manage}")
    return root


def test_an_11th_declared_script_is_a_config_error_at_its_position(
    tmp_path: Path, recorder: Recorder
) -> None:
    root = scripts_project(tmp_path / "p", [f"s{i}" for i in range(1, 13)])
    for command in ("validate", "plan"):
        result = Cli(root, recorder)(command)
        assert result.exit_code == 1
        assert result.stderr.startswith(
            "scripts.yaml:12:5: scripts: 's11' is script 11 of 12; "
            "an API account can own at most 10 scripts\n"
        ), result.stderr
    assert recorder.requests == []


def test_live_scripts_that_are_kept_count_towards_the_cap(tmp_path: Path, recorder: Recorder) -> None:
    root = scripts_project(tmp_path / "p", [f"old{i}" for i in range(1, 10)])
    cli = Cli(root, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    scripts_project(root, ["new1", "new2"])
    before = len(recorder.requests)
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "scripts.yaml:3:5: scripts: 'new2' would be script 11 of this API account, which can own at most 10: "
        "the store keeps 9 scripts the configuration does not declare (scripts are not pruned)\n"
    ), result.stderr
    writes = [
        r for r in recorder.requests[before:] if r.url.path.endswith("/content/scripts") and r.method != "GET"
    ]
    assert writes == []  # (apply's store lock is a metafield: not a script write)
    # Pruned, the nine go first and both fit.
    scripts_project(root, ["new1", "new2"], prune=True)
    assert cli("apply", "--auto-approve", "--allow-deletes").exit_code == 0
