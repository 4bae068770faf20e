"""`plan` over several environments in one document, and `diff` in every format, through the CLI
against embedded sandboxes standing in for staging and production."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli, Recorder

PROJECT = """\
version: 1
include: [shop/*.yaml]
environments:
  staging:
    sandbox: .storeconf/staging.db
    vars: {hooks: https://hooks.example}
  production:
    sandbox: .storeconf/production.db
    vars: {hooks: https://hooks.example}
  broken:
    store_hash: abc123
    access_token: ${env:STORECONF_TEST_UNSET_TOKEN}
manage:
  brands: {prune: true}
  webhooks: {prune: true}
"""
BRANDS = """\
brands:
  - name: Summit Peak
    page_title: Summit Peak outerwear
  - name: RiverStone
"""
WEBHOOKS = """\
webhooks:
  - scope: store/order/created
    destination: ${var.hooks}/orders
    headers: {X-Key: "${env:STORECONF_TEST_HOOK_KEY}"}
"""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STORECONF_TEST_HOOK_KEY", "s3cret-hook-key")
    monkeypatch.delenv("STORECONF_TEST_UNSET_TOKEN", raising=False)
    root = tmp_path / "shop"
    (root / "shop").mkdir(parents=True)
    (root / "storeconf.yaml").write_text(PROJECT)
    (root / "shop/brands.yaml").write_text(BRANDS)
    (root / "shop/webhooks.yaml").write_text(WEBHOOKS)
    return root


@pytest.fixture
def run(shop: Path, recorder: Recorder) -> Cli:
    return Cli(shop, recorder)


def test_one_markdown_document_for_two_environments(run: Cli, shop: Path, tmp_path: Path) -> None:
    assert run("apply", "--env", "staging", "--auto-approve").exit_code == 0
    out = tmp_path / "plan.json"
    both = run(
        "plan", "--env", "staging", "--env", "production", "--format", "markdown",
        "--detailed-exitcode", "--out", str(out),
    )  # fmt: skip
    assert both.exit_code == 2, both.output
    text = both.stdout
    assert text.startswith("<!-- storeconf plan: staging, production -->\n")
    staging, production = text.split("### storeconf plan: `production`")
    assert "### storeconf plan: `staging`" in staging and "**No changes.**" in staging
    assert "**Plan: 3 to create.**" in production and "| webhooks | 1 |" in production
    assert "s3cret" not in both.output and "(sensitive)" in production
    # One saved plan per environment, each applicable on its own.
    saved = tmp_path / "plan.production.json"
    assert saved.exists() and (tmp_path / "plan.staging.json").exists() and not out.exists()
    assert json.loads(saved.read_text())["environment"] == "production"
    assert run("apply", str(saved), "--env", "production").exit_code == 0
    again = run("plan", "--env", "staging", "--env", "production", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "== staging ==" in again.stdout and "== production ==" in again.stdout


def test_an_environment_that_fails_is_reported_and_the_others_still_planned(run: Cli) -> None:
    result = run("plan", "--env", "staging", "--env", "broken", "--format", "markdown", "--detailed-exitcode")
    assert result.exit_code == 1, result.output
    assert "### storeconf plan: `staging`" in result.stdout and "**Plan: 3 to create.**" in result.stdout
    assert "### storeconf plan: `broken`\n\n**Error:**" in result.stdout
    assert "STORECONF_TEST_UNSET_TOKEN" in result.stderr


def test_several_environments_as_json(run: Cli) -> None:
    result = run("plan", "-e", "staging", "-e", "production", "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)["environments"]
    assert body["staging"]["summary"]["create"] == 3 and body["production"]["environment"] == "production"


def test_markdown_parts_are_written_as_numbered_files(run: Cli, tmp_path: Path) -> None:
    parts = tmp_path / "comment"
    parts.mkdir()
    (parts / "part-7.md").write_text("stale part from an earlier run")
    result = run("plan", "-e", "staging", "--format", "markdown", "--markdown-parts", str(parts))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in parts.iterdir()) == ["part-1.md"]
    assert (parts / "part-1.md").read_text() == result.stdout


def test_diff_formats_and_exit_codes(run: Cli) -> None:
    assert run("apply", "--env", "staging", "--auto-approve").exit_code == 0
    text = run("diff", "--from", "staging", "--to", "production", "--detailed-exitcode")
    assert text.exit_code == 2 and "Changes that would make production match staging" in text.stdout
    md = run("diff", "--from", "staging", "--to", "production", "--format", "markdown")
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("<!-- storeconf diff: staging -> production -->\n")
    assert "| brands | 2 |" in md.stdout
    js = run("diff", "--from", "staging", "--to", "production", "--format", "json")
    body = json.loads(js.stdout)
    assert body["compared"] == {"from": "staging", "to": "production"} and body["summary"]["create"] == 3
    assert "s3cret" not in md.stdout + js.stdout + text.stdout
    assert run("apply", "--env", "production", "--auto-approve").exit_code == 0
    same = run("diff", "--from", "staging", "--to", "production", "--detailed-exitcode")
    assert same.exit_code == 0, same.output
    assert "No differences. The stores of production and staging match" in same.stdout
    assert "live store matches the configuration" not in same.stdout
    same_md = run("diff", "--from", "staging", "--to", "production", "--format", "markdown")
    assert "**No changes.** The stores of `production` and `staging` match" in same_md.stdout
    bad = run("diff", "--from", "staging", "--to", "production", "--format", "yaml")
    assert bad.exit_code == 1 and "--format must be one of" in bad.stderr


def test_env_list_names_stores_and_whether_credentials_resolve(
    run: Cli, shop: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = run("env", "list")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["ENVIRONMENT", "STORE", "CREDENTIALS"]
    assert lines[1].split()[:3] == ["staging", "sandbox", ".storeconf/staging.db"]
    assert "not needed (embedded sandbox)" in lines[1]
    assert lines[3].split()[:4] == ["broken", "store", "abc123", "unresolved"]
    assert "'STORECONF_TEST_UNSET_TOKEN' is not set" in lines[4]
    monkeypatch.setenv("STORECONF_TEST_UNSET_TOKEN", "tok-value-never-shown")
    js = run("env", "list", "--format", "json")
    body = {e["name"]: e for e in json.loads(js.stdout)["environments"]}
    assert (
        body["broken"]["ok"]
        and body["broken"]["credentials"] == "resolved from ${env:STORECONF_TEST_UNSET_TOKEN}"
    )
    assert "tok-value-never-shown" not in js.output
    assert not recorder.requests  # offline: nothing is sent to any store


def test_env_list_flags_a_token_written_in_the_file(run: Cli, shop: Path) -> None:
    (shop / "storeconf.yaml").write_text(PROJECT.replace("${env:STORECONF_TEST_UNSET_TOKEN}", "literal-tok"))
    result = run("env", "list")
    assert "resolved, but the token is written in the file" in result.stdout
    assert "literal-tok" not in result.output


def test_markdown_links_sources_inside_github_actions(
    run: Cli, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/store")
    monkeypatch.setenv("GITHUB_SHA", "f" * 40)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(shop.parent))
    result = run("plan", "-e", "staging", "--format", "markdown")
    link = f"https://github.com/acme/store/blob/{'f' * 40}/shop/shop/brands.yaml#L2"
    assert f"at [`shop/brands.yaml:2`]({link})" in result.stdout, result.stdout
    monkeypatch.setenv("GITHUB_WORKSPACE", "/somewhere/else")
    assert "](https://" not in run("plan", "-e", "staging", "--format", "markdown").stdout
