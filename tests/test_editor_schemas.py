"""`init` and `export` point every YAML file they write at the project's schemas/ with a
yaml-language-server line, write those schemas, and an export still plans back to zero."""

from __future__ import annotations

import json
from pathlib import Path

from storeconf.config import json_schemas
from tests.conftest import Cli, Recorder

LINE = "# yaml-language-server: $schema="


def schema_target(file: Path) -> Path:
    first = file.read_text().splitlines()[0]
    assert first.startswith(LINE), f"{file}: {first!r}"
    return (file.parent / first.removeprefix(LINE)).resolve()


def check_project(root: Path) -> None:
    files = sorted(root.rglob("*.yaml"))
    assert files
    for file in files:
        want = "storeconf.schema.json" if file == root / "storeconf.yaml" else "resources.schema.json"
        assert schema_target(file) == (root / "schemas" / want).resolve()
        assert json.loads(schema_target(file).read_text()) == json_schemas()[want]


def test_init_points_every_file_at_the_schemas(tmp_path: Path, recorder: Recorder) -> None:
    project = tmp_path / "new"
    project.mkdir()
    run = Cli(project, recorder)
    result = run("init")
    assert result.exit_code == 0 and "schemas/resources.schema.json" in result.stdout
    check_project(project)
    assert run("validate").exit_code == 0


def test_export_points_every_file_at_the_schemas_and_plans_to_zero(cli: Cli, tmp_path: Path) -> None:
    assert cli("apply", "--auto-approve", "--target", "brands", "--target", "webhooks").exit_code == 0
    out = tmp_path / "exported"
    result = cli("export", "--out", str(out), "--kind", "brands", "--kind", "webhooks")
    assert result.exit_code == 0, result.output
    check_project(out)
    again = Cli(out, cli.recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
