"""End to end: the CLI against the embedded sandbox, every exchange checked against the specs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import Cli, Recorder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_apply_example_then_replan_is_empty(cli: Cli) -> None:
    first = cli("plan", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert "+ brands Summit Peak" in first.stdout
    assert "+ categories Camping/Tents/Backpacking Tents" in first.stdout
    headline = r"Plan for local \(sandbox \.storeconf/local\.db\): \d+ to create, 0 to update, 0 to delete\."
    assert re.search(headline, first.stdout)

    applied = cli("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete" in applied.stdout

    again = cli("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stdout


def test_one_edit_shows_exactly_that_change(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(
        example / "catalog/brands.yaml",
        "page_title: RiverStone paddling gear",
        "page_title: RiverStone kayaks",
    )

    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    changes = [
        line
        for line in plan.stdout.splitlines()
        if line.startswith("  ") and line.strip()[:2] in ("+ ", "~ ", "- ")
    ]
    assert changes == ["  ~ brands RiverStone"]
    assert 'page_title: "RiverStone paddling gear" → "RiverStone kayaks"' in plan.stdout
    assert "): 0 to create, 1 to update, 0 to delete." in plan.stdout

    assert cli("apply", "--auto-approve").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_prune_on_deletes_prune_off_keeps(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(
        example / "catalog/brands.yaml",
        "  - name: Alder & Ash\n    page_title: Alder & Ash (launching next season)\n",
        "",
    )

    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert "- brands Alder & Ash" in plan.stdout
    assert "0 to create, 0 to update, 1 to delete" in plan.stdout

    edit(example / "storeconf.yaml", "brands: {prune: true}", "brands: {prune: false}")
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_apply_refuses_mass_delete_without_flag(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    (example / "catalog/brands.yaml").write_text("brands: []\n")
    dangling = cli("plan")  # products still name those brands, which prune would delete
    assert dangling.exit_code == 1
    assert (
        "refers to brand 'Summit Peak', which is not in the configuration (brands are pruned"
        in dangling.stderr
    )
    for products in example.glob("catalog/products-*.yaml"):
        products.unlink()
    (example / "marketing/promotions.yaml").write_text("promotions: []\n")  # they name products too
    edit(example / "storeconf.yaml", "  products: {prune: true, ignore: [inventory_level]}\n", "")
    refused = cli("apply", "--auto-approve")
    assert refused.exit_code == 1
    assert "--allow-deletes" in refused.stderr
    assert cli("plan", "--detailed-exitcode").exit_code == 2  # nothing was deleted
    assert cli("apply", "--auto-approve", "--allow-deletes").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_export_plans_back_to_zero(cli: Cli, example: Path, recorder: Recorder, tmp_path: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    exported = cli("export", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert (out / "storeconf.yaml").is_file()
    assert (out / "catalog/brands.yaml").is_file()
    again = Cli(out, recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes" in again.stdout


def test_config_error_reports_location_and_sends_nothing(cli: Cli, example: Path, recorder: Recorder) -> None:
    edit(
        example / "catalog/brands.yaml",
        "    page_title: RiverStone paddling gear",
        "    page_titel: RiverStone",
    )
    result = cli("plan")
    assert result.exit_code == 1
    assert re.search(r"catalog/brands\.yaml:\d+:\d+: .*page_titel.*page_title", result.stderr), result.stderr
    assert recorder.requests == []


def test_sensitive_values_never_printed_or_saved(
    cli: Cli, example: Path, monkeypatch: object, tmp_path: Path
) -> None:
    import pytest

    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("HOOK_SECRET", "hunter2-secret-value")
        edit(
            example / "storefront/webhooks.yaml",
            "X-Hook-Source: storeconf",
            "X-Signature: ${env:HOOK_SECRET}",
        )
        plan_file = tmp_path / "plan.json"
        plan = cli("plan", "--out", str(plan_file))
        assert plan.exit_code == 0, plan.output
        assert "(sensitive)" in plan.stdout
        assert "hunter2" not in plan.output
        assert "hunter2" not in plan_file.read_text()
        applied = cli("apply", str(plan_file))
        assert applied.exit_code == 0, applied.output
        assert "hunter2" not in applied.output
        assert cli("plan", "--detailed-exitcode").exit_code == 0
    finally:
        mp.undo()


def test_secret_in_a_key_never_printed_or_saved(
    cli: Cli, example: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A webhook destination from `${env:}` is part of the webhook's key: every view of the
    plan shows the key with the secret masked, and the saved plan still applies."""
    monkeypatch.setenv("HOOK_TOKEN", "s3cr3t-tok-91c4")
    edit(example / "storefront/webhooks.yaml", "${var.hooks}/orders", "${var.hooks}/orders/${env:HOOK_TOKEN}")
    plan_file = tmp_path / "plan.json"
    outputs = [cli("plan", "--format", fmt) for fmt in ("text", "json", "markdown")]
    outputs.append(cli("plan", "--out", str(plan_file)))
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    assert re.search(r"webhooks store/order/created https://\S+/orders/\(sensitive\)", outputs[0].stdout)
    assert "/orders/(sensitive)" in plan_file.read_text()
    applied = cli("apply", str(plan_file))
    assert applied.exit_code == 0, applied.output
    assert "/orders/(sensitive)" in applied.output
    seen = [r.output for r in [*outputs, applied]] + [plan_file.read_text()]
    assert not [text for text in seen if "s3cr3t" in text]
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_export_leaves_out_an_object_whose_key_is_a_secret(
    cli: Cli, example: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Before, export crashed (AttributeError) on a webhook whose destination is from `${env:}`:
    the secret was dropped from the item, and with it the webhook's key."""
    monkeypatch.setenv("HOOK_TOKEN", "s3cr3t-tok-91c4")
    edit(example / "storefront/webhooks.yaml", "${var.hooks}/orders", "${var.hooks}/orders/${env:HOOK_TOKEN}")
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    result = cli("export", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert re.search(
        r"webhooks store/order/created https://\S+/orders/\(sensitive\): not exported", result.output
    )
    files = [p.read_text() for p in out.rglob("*.yaml")]
    assert files and not [text for text in [result.output, *files] if "s3cr3t" in text]
    assert any("store/product/updated" in text for text in files)  # the other webhooks are there


def test_saved_plan_refused_when_store_changed(cli: Cli, example: Path, tmp_path: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "catalog/brands.yaml", "page_title: RiverStone paddling gear", "page_title: v2")
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--out", str(plan_file)).exit_code == 0
    body = json.loads(plan_file.read_text())
    assert body["summary"] == {"create": 0, "update": 1, "delete": 0}

    edit(example / "catalog/brands.yaml", "page_title: v2", "page_title: v3")  # someone else applies v3
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "catalog/brands.yaml", "page_title: v3", "page_title: v2")
    stale = cli("apply", str(plan_file))
    assert stale.exit_code == 1
    assert "changed since the plan was made" in stale.stderr

    plan_file.write_text(plan_file.read_text().replace('"v2"', '"v9"'))
    tampered = cli("apply", str(plan_file))
    assert tampered.exit_code == 1 and "edited after it was written" in tampered.stderr


class FailOn(httpx.AsyncBaseTransport):
    """Answers 422 to the Nth request matching method + path suffix; passes everything else through."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, suffix: str, nth: int) -> None:
        self.inner, self.method, self.suffix, self.nth, self.seen = inner, method, suffix, nth, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == self.method and request.url.path.endswith(self.suffix):
            self.seen += 1
            if self.seen == self.nth:
                body = {
                    "status": 422,
                    "title": "JSON data is missing or invalid",
                    "type": "x",
                    "errors": {"name": "bad"},
                }
                return httpx.Response(422, json=body, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_failure_mid_apply_stops_reports_and_replan_shows_rest(example: Path, recorder: Recorder) -> None:
    class Faulty(Recorder):
        def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            return super().wrap(FailOn(inner, "POST", "/v3/content/scripts", 2))

    faulty = Faulty()
    result = Cli(example, faulty)("apply", "--auto-approve")
    assert result.exit_code == 1
    assert re.search(r"Error: POST /v3/content/scripts -> 422: .* \[create scripts .*\]", result.stderr)
    applied = int(re.search(r"Applied \((\d+)\)", result.stderr).group(1))  # type: ignore[union-attr]
    failed = int(re.search(r"Failed \((\d+)\)", result.stderr).group(1))  # type: ignore[union-attr]
    not_started = int(re.search(r"Not started \((\d+)\)", result.stderr).group(1))  # type: ignore[union-attr]
    assert applied > 0 and failed == 1 and not_started > 0
    not_applied = failed + not_started
    assert "+ webhooks" in result.stderr.split("Not started")[1]  # webhooks come after scripts: not started

    replan = Cli(example, recorder)("plan", "--detailed-exitcode")
    assert replan.exit_code == 2
    assert f"): {not_applied} to create, 0 to update, 0 to delete." in replan.stdout
    assert Cli(example, recorder)("apply", "--auto-approve").exit_code == 0
    assert Cli(example, recorder)("plan", "--detailed-exitcode").exit_code == 0


def test_validate_and_json_and_markdown_formats(cli: Cli) -> None:
    valid = cli("validate")
    assert valid.exit_code == 0 and "Configuration is valid" in valid.stdout
    js = cli("plan", "--format", "json")
    body = json.loads(js.stdout)
    assert body["summary"]["create"] > 0 and body["changes"][0]["action"] == "create"
    md = cli("plan", "--format", "markdown")
    assert md.stdout.startswith("<!-- storeconf plan: local -->\n### storeconf plan: `local`")
    assert "```diff" in md.stdout


def test_target_limits_apply(cli: Cli) -> None:
    assert cli("apply", "--auto-approve", "--target", "brands").exit_code == 0
    plan = cli("plan")
    assert "+ brands" not in plan.stdout and "+ categories" in plan.stdout


def test_init_scaffold_applies(tmp_path: Path, recorder: Recorder) -> None:
    project = tmp_path / "new"
    project.mkdir()
    run = Cli(project, recorder)
    assert run("init").exit_code == 0
    assert run("init").exit_code == 1  # refuses to overwrite
    assert run("apply", "--auto-approve").exit_code == 0
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_export_escapes_live_text_that_looks_like_interpolation(
    cli: Cli, example: Path, recorder: Recorder, tmp_path: Path
) -> None:
    edit(
        example / "catalog/brands.yaml",
        "page_title: EmberTrail camp stoves and cookware",
        "page_title: $${not a var}",
    )
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    assert "$${not a var}" in (out / "catalog/brands.yaml").read_text()
    assert Cli(out, recorder)("plan", "--detailed-exitcode").exit_code == 0


def test_diff_between_two_stores(cli: Cli, example: Path) -> None:
    edit(
        example / "storeconf.yaml",
        "environments:\n",
        "environments:\n  mirror:\n    sandbox: .storeconf/mirror.db\n    vars: {hooks: https://hooks.trailhead.example}\n",
    )
    assert cli("apply", "--auto-approve").exit_code == 0
    diff = cli("diff", "--from", "local", "--to", "mirror", "--detailed-exitcode")
    assert diff.exit_code == 2, diff.output
    assert "Changes that would make mirror match local" in diff.stdout
    assert "+ brands Summit Peak" in diff.stdout
    assert cli("apply", "--env", "mirror", "--auto-approve").exit_code == 0
    same = cli("diff", "--from", "local", "--to", "mirror", "--detailed-exitcode")
    assert same.exit_code == 0, same.output


def test_apply_asks_and_only_yes_applies(cli: Cli) -> None:
    declined = cli("apply", input="no\n")
    assert declined.exit_code == 1 and "Apply cancelled" in declined.stderr  # CI must not read it as success
    assert cli("plan", "--detailed-exitcode").exit_code == 2
    no_input = cli("apply", input="")
    assert no_input.exit_code == 1 and "Apply cancelled" in no_input.stderr
    accepted = cli("apply", input="yes\n")
    assert accepted.exit_code == 0 and "Apply complete" in accepted.stdout
    assert cli("plan", "--detailed-exitcode").exit_code == 0
