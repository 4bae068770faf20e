"""Webhook admin settings end to end: one mapping per account, addresses as a set, prune
clears them, bad addresses are errors at their line, export plans back to zero."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Cli, Recorder

PROJECT = """\
version: 1
include: [hooks.yaml]
environments:
  local: {sandbox: .storeconf/local.db}
manage:
  webhook_admin: {prune: true}
  webhooks: {prune: true}
"""
HOOKS = """\
webhooks:
  - scope: store/order/created
    destination: https://hooks.example.com/orders
webhook_admin:
  emails: [ops@example.com, Alerts@example.com]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "storeconf.yaml").write_text(PROJECT)
    (tmp_path / "hooks.yaml").write_text(HOOKS)
    return tmp_path


@pytest.fixture
def cli(project: Path, recorder: Recorder) -> Cli:
    return Cli(project, recorder)


def admin_writes(recorder: Recorder) -> list[object]:
    return [
        json.loads(r.content)
        for r in recorder.requests
        if r.method == "PUT" and r.url.path.endswith("/v3/hooks/admin")
    ]


def write_hooks(project: Path, admin: str) -> None:
    (project / "hooks.yaml").write_text(HOOKS.split("webhook_admin:")[0] + admin)


def test_first_addresses_create_then_replan_is_empty(cli: Cli, recorder: Recorder) -> None:
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "  + webhook_admin settings\n" in plan.stdout
    assert 'emails: ["Alerts@example.com", "ops@example.com"]' in plan.stdout
    assert ": 2 to create, 0 to update, 0 to delete." in plan.stdout
    assert cli("apply", "--auto-approve").exit_code == 0
    assert admin_writes(recorder) == [{"emails": ["Alerts@example.com", "ops@example.com"]}]
    again = cli("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_order_is_no_change_and_a_new_address_is_one_update(
    cli: Cli, project: Path, recorder: Recorder
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    write_hooks(project, "webhook_admin:\n  emails:\n    - ops@example.com\n    - Alerts@example.com\n")
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    write_hooks(project, "webhook_admin:\n  emails: [ops@example.com, oncall@example.com]\n")
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert "  ~ webhook_admin settings\n" in plan.stdout
    assert (
        'emails: ["Alerts@example.com", "ops@example.com"] → ["oncall@example.com", "ops@example.com"]'
        in plan.stdout
    )
    assert ": 0 to create, 1 to update, 0 to delete." in plan.stdout
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0
    assert admin_writes(recorder) == [{"emails": ["oncall@example.com", "ops@example.com"]}]
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_prune_clears_the_addresses_once(cli: Cli, project: Path, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    write_hooks(project, "")
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert "  - webhook_admin settings" in plan.stdout
    assert ": 0 to create, 0 to update, 1 to delete." in plan.stdout
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0
    assert admin_writes(recorder) == [{"emails": []}]
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_without_prune_unconfigured_addresses_are_left_alone(
    cli: Cli, project: Path, recorder: Recorder
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    write_hooks(project, "")
    (project / "storeconf.yaml").write_text(
        PROJECT.replace("webhook_admin: {prune: true}", "webhook_admin: {}")
    )
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0
    assert admin_writes(recorder) == []
    assert cli("plan", "--detailed-exitcode").exit_code == 0


@pytest.mark.parametrize(
    ("admin", "error"),
    [
        (
            "webhook_admin:\n  emails: [ops@example.com, not-an-address]\n",
            r"hooks\.yaml:5:29: webhook_admin\.emails\[1\]: 'not-an-address' is not an email address",
        ),
        (
            "webhook_admin:\n  emails: [ops@example.com, OPS@example.com]\n",
            r"hooks\.yaml:5:11: webhook_admin\.emails: 'OPS@example.com' is listed twice",
        ),
        (
            "webhook_admin:\n  emails: []\n",
            r"hooks\.yaml:5:11: webhook_admin\.emails: at least one address is needed; .*prune: true",
        ),
        (
            "webhook_admin:\n  - emails: [ops@example.com]\n",
            r"hooks\.yaml:5:3: webhook_admin: expected a mapping of fields, got a list",
        ),
        (
            "webhook_admin:\n  email: [ops@example.com]\n",
            r"hooks\.yaml:5:3: webhook_admin: unknown field 'email' \(did you mean 'emails'\?\)",
        ),
    ],
)
def test_bad_settings_are_errors_at_their_line_before_any_request(
    cli: Cli, project: Path, recorder: Recorder, admin: str, error: str
) -> None:
    write_hooks(project, admin)
    for command in ("validate", "plan"):
        result = cli(command)
        assert result.exit_code == 1
        assert re.search(error, result.stderr), result.stderr
    assert recorder.requests == []


def test_export_writes_the_mapping_and_plans_back_to_zero(
    cli: Cli, project: Path, recorder: Recorder, tmp_path: Path
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    result = cli("export", "--out", str(out), "--kind", "webhook_admin")
    assert result.exit_code == 0, result.output
    written = (out / "storefront/webhook_admin.yaml").read_text()
    assert written.endswith("webhook_admin:\n  emails:\n    - Alerts@example.com\n    - ops@example.com\n")
    again = Cli(out, recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_an_account_without_addresses_exports_no_file(cli: Cli, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out), "--kind", "webhook_admin").exit_code == 0
    assert not (out / "storefront/webhook_admin.yaml").exists()
