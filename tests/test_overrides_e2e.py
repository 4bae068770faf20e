"""Per-environment overrides end to end: the example shop with a `preview` sandbox environment
that overrides a script, a webhook and a product, and excludes a script."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from tests.conftest import Cli, Recorder
from tests.test_e2e import edit

PREVIEW = """environments:
  preview:
    sandbox: .storeconf/preview.db
    vars: {hooks: https://hooks.trailhead.example}
    overrides:
      scripts:
        Analytics: {src: https://cdn.trailhead.example/js/analytics-preview.js, enabled: false}
      webhooks:
        "store/order/created ${var.hooks}/orders": {is_active: false}
    exclude:
      scripts: [Order confirmation pixel]
"""


def _with_preview(example: Path) -> None:
    edit(example / "storeconf.yaml", "environments:\n", PREVIEW)


def test_plan_shows_override_values_and_where_they_come_from(cli: Cli, example: Path) -> None:
    _with_preview(example)
    plan = cli("plan", "--env", "preview")
    assert plan.exit_code == 0, plan.output
    assert (
        'src: "https://cdn.trailhead.example/js/analytics-preview.js"  (override at storeconf.yaml:'
        in plan.stdout
    )
    assert "is_active: false  (override at storeconf.yaml:" in plan.stdout
    assert "Order confirmation pixel" not in plan.stdout
    local = cli("plan")
    assert "analytics-preview" not in local.stdout and "Order confirmation pixel" in local.stdout


def test_excluded_object_is_left_alone_where_it_exists(cli: Cli, example: Path) -> None:
    edit(example / "storeconf.yaml", "environments:\n", PREVIEW.replace("preview.db", "local.db", 1))
    assert cli("apply", "--auto-approve").exit_code == 0  # local: creates the pixel script
    plan = cli("plan", "--env", "preview")
    # Pruned kind, object missing from preview's config, yet not deleted: it is excluded there.
    assert "- scripts Order confirmation pixel" not in plan.stdout
    assert "~ scripts Analytics" in plan.stdout


def test_saved_plan_with_overrides_applies_and_replans_empty(cli: Cli, example: Path, tmp_path: Path) -> None:
    _with_preview(example)
    saved = tmp_path / "preview.plan.json"
    assert cli("plan", "--env", "preview", "--out", str(saved)).exit_code == 0
    assert '"overrides"' in saved.read_text()
    applied = cli("apply", str(saved), "--env", "preview")
    assert applied.exit_code == 0, applied.output
    again = cli("plan", "--env", "preview", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_export_writes_shared_values_never_the_overrides(
    cli: Cli, example: Path, recorder: Recorder, tmp_path: Path
) -> None:
    _with_preview(example)
    assert cli("apply", "--env", "preview", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    exported = cli("export", "--env", "preview", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    scripts = YAML(typ="safe").load((out / "storefront/scripts.yaml").read_text())["scripts"]
    analytics = next(s for s in scripts if s["name"] == "Analytics")
    assert analytics["src"] == "https://cdn.trailhead.example/js/analytics.js"
    assert "enabled" not in analytics
    hooks = YAML(typ="safe").load((out / "storefront/webhooks.yaml").read_text())["webhooks"]
    orders = next(h for h in hooks if h["scope"] == "store/order/created")
    assert "is_active" not in orders
    # The exported project keeps preview's overrides, so it plans back to zero there.
    again = Cli(out, recorder)("plan", "--env", "preview", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
