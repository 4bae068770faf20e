"""Point 9: a managed webhook the store deactivated (its destination kept failing) shows as
its own line and apply re-activates it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.reliability.support import out_of_band
from tests.test_e2e import edit

SILENT = "store/order/created https://hooks.trailhead.example/orders"  # says nothing on is_active
EXPLICIT = "store/customer/created https://hooks.trailhead.example/customers"  # is_active: true


@pytest.mark.parametrize("key", [SILENT, EXPLICIT])
def test_deactivated_webhook_is_its_own_line_and_apply_reactivates(key: str, cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    hooks = out_of_band(example, "GET", "/v3/hooks", None)["data"]
    [hook] = [h for h in hooks if f"{h['scope']} {h['destination']}" == key]  # type: ignore[index,union-attr]
    out_of_band(example, "PUT", f"/v3/hooks/{hook['id']}", {"is_active": False})  # the store gives up on it

    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert f"  ~ webhooks {key}  (deactivated by the store)" in plan.stdout
    assert "is_active: false → true" in plan.stdout
    assert ": 0 to create, 1 to update, 0 to delete." in plan.stdout
    markdown = cli("plan", "--format", "markdown").stdout
    assert "(deactivated by the store)" in markdown
    assert (
        json.loads(cli("plan", "--format", "json").stdout)["changes"][0]["note"] == "deactivated by the store"
    )

    assert cli("apply", "--auto-approve").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    hooks = out_of_band(example, "GET", "/v3/hooks", None)["data"]
    assert all(h["is_active"] for h in hooks)  # type: ignore[index,union-attr]


def test_a_webhook_the_config_keeps_inactive_is_left_alone(cli: Cli, example: Path) -> None:
    edit(
        example / "storefront/webhooks.yaml",
        "    destination: ${var.hooks}/orders\n",
        "    destination: ${var.hooks}/orders\n    is_active: false\n",
    )
    assert cli("apply", "--auto-approve").exit_code == 0
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 0 and "deactivated" not in plan.stdout
