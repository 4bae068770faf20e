"""Ownership end to end: `prune: owned` deletes only what storeconf created or adopted (marked with
a private metafield), `prune: all` everything undeclared, `protect` nothing; adoption shown in the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, Recorder

PROJECT = "version: 1\ninclude: [catalog.yaml]\nmanage:\n  brands: {prune: %s}\n"


@pytest.fixture
def shop(tmp_path: Path, recorder: Recorder) -> Cli:
    (tmp_path / "storeconf.yaml").write_text(PROJECT % "owned")
    return Cli(tmp_path, recorder)


def _config(cli: Cli, brands: list[str], prune: str = "owned", extra: str = "") -> None:
    (cli.directory / "storeconf.yaml").write_text(PROJECT % prune + extra)
    (cli.directory / "catalog.yaml").write_text("brands:\n" + "".join(f"  - name: {b}\n" for b in brands))


def _out_of_band(cli: Cli, brands: list[str]) -> None:
    """Brands made by someone else: applied with prune off, so storeconf never marks them."""
    _config(cli, brands, prune="false")
    assert cli("apply", "--auto-approve").exit_code == 0


def test_owned_prune_deletes_only_what_storeconf_created(shop: Cli) -> None:
    _out_of_band(shop, ["Handmade"])
    _config(shop, ["Acme", "Beta"])
    applied = shop("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    _config(shop, ["Acme"])
    plan = shop("plan")
    assert "- brands Beta  (missing from config, owned by storeconf)" in plan.stdout
    assert "Handmade" not in plan.stdout
    assert shop("apply", "--auto-approve").exit_code == 0
    assert "No changes" in shop("plan").stdout


def test_prune_all_deletes_every_undeclared_object_and_says_why(shop: Cli) -> None:
    _out_of_band(shop, ["Handmade", "Other"])
    _config(shop, ["Other"], prune="all")
    plan = shop("plan")
    assert "- brands Handmade  (missing from config, prune: all)" in plan.stdout


def test_first_apply_adopts_matching_objects_then_owns_them(shop: Cli, recorder: Recorder) -> None:
    _out_of_band(shop, ["Handmade", "Acme"])
    _config(shop, ["Acme"])
    plan = shop("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "  = brands Acme  (adopt: mark as owned by storeconf)" in plan.stdout
    assert "0 to delete, 1 to adopt." in plan.stdout
    recorder.requests.clear()
    assert shop("apply", "--auto-approve").exit_code == 0
    marks = [r for r in recorder.requests if r.method == "POST" and r.url.path.endswith("/brands/metafields")]
    assert len(marks) == 1
    again = shop("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    _config(shop, [])
    assert "- brands Acme  (missing from config, owned by storeconf)" in shop("plan").stdout


def test_markdown_plan_names_what_apply_adopts(shop: Cli) -> None:
    _out_of_band(shop, ["Handmade", "Acme"])
    _config(shop, ["Acme", "New"])
    plan = shop("plan", "--format", "markdown")
    assert plan.exit_code == 0, plan.output
    assert "**Plan: 1 to create, 1 to adopt.**" in plan.stdout
    assert (
        "To adopt (mark as owned by storeconf, so `prune: owned` may delete them later): `brands Acme`."
        in (plan.stdout)
    )
    _config(shop, ["Acme", "Handmade"])
    only = shop("plan", "--format", "markdown").stdout
    assert "**Plan: no changes, 2 to adopt.**" in only, only
    assert "| Kind |" not in only  # no empty table when there is nothing but adoptions


def test_ownership_costs_one_read_per_kind(shop: Cli, recorder: Recorder) -> None:
    _config(shop, [f"Brand {n}" for n in range(30)])
    assert shop("apply", "--auto-approve").exit_code == 0
    recorder.requests.clear()
    assert shop("plan", "--detailed-exitcode").exit_code == 0
    paths = [r.url.path.split("/v3/", 1)[1] for r in recorder.requests]
    assert sorted(paths) == ["catalog/brands", "catalog/brands/metafields"]


def test_saved_plan_with_adoptions_applies(shop: Cli, tmp_path: Path) -> None:
    _out_of_band(shop, ["Acme"])
    _config(shop, ["Acme", "New"])
    saved = tmp_path / "plan.json"
    assert shop("plan", "--out", str(saved)).exit_code == 0
    applied = shop("apply", str(saved))
    assert applied.exit_code == 0, applied.output
    assert shop("plan", "--detailed-exitcode").exit_code == 0


def test_protected_kind_or_key_fails_the_plan_naming_the_object(shop: Cli) -> None:
    _out_of_band(shop, ["Acme", "Beta"])
    _config(shop, ["Acme"], prune="all")
    (shop.directory / "storeconf.yaml").write_text(PROJECT.replace("}", ", protect: [beta]}") % "all")
    plan = shop("plan")
    assert plan.exit_code == 1
    assert (
        "brands/Beta is protected, but the plan deletes it (missing from config, prune: all)" in plan.stderr
    )
    (shop.directory / "storeconf.yaml").write_text(PROJECT.replace("}", ", protect: true}") % "all")
    assert "brands/Beta is protected" in shop("apply", "--auto-approve").stderr
    (shop.directory / "storeconf.yaml").write_text(PROJECT.replace("}", ", protect: [Acme]}") % "all")
    assert "- brands Beta" in shop("plan").stdout


def test_owned_prune_needs_a_kind_with_metafields(shop: Cli, recorder: Recorder) -> None:
    (shop.directory / "storeconf.yaml").write_text("version: 1\nmanage:\n  scripts: {prune: owned}\n")
    result = shop("validate")
    assert result.exit_code == 1
    assert "storeconf.yaml:3:20: manage.scripts.prune: 'owned' needs metafields" in result.stderr


def test_export_adopt_marks_what_it_writes_and_owns_it(shop: Cli, recorder: Recorder, tmp_path: Path) -> None:
    _out_of_band(shop, ["Acme", "Beta"])
    out = tmp_path / "exported"
    exported = shop("export", "--out", str(out), "--adopt")
    assert exported.exit_code == 0, exported.output
    assert "prune: owned" in (out / "storeconf.yaml").read_text()
    again = Cli(out, recorder)
    assert again("plan", "--detailed-exitcode").exit_code == 0
    (out / "catalog/brands.yaml").write_text("brands:\n  - name: Acme\n")
    assert "- brands Beta  (missing from config, owned by storeconf)" in again("plan").stdout


def test_reference_to_an_owned_object_about_to_be_pruned_is_an_error(shop: Cli) -> None:
    _out_of_band(shop, ["Handmade"])
    _config(shop, ["Acme"])
    assert shop("apply", "--auto-approve").exit_code == 0
    product = "products:\n  - {sku: TENT, name: Tent, type: physical, price: 10, weight: 1, brand: %s}\n"
    _config(shop, [])
    (shop.directory / "storeconf.yaml").write_text(PROJECT % "owned" + "  products: {prune: false}\n")
    (shop.directory / "catalog.yaml").write_text(product % "Acme")
    plan = shop("plan")
    assert plan.exit_code == 1
    assert "products: TENT refers to brand 'Acme'" in plan.stderr
    # A brand storeconf does not own stays, so it can be referred to.
    (shop.directory / "catalog.yaml").write_text(product % "Handmade")
    assert shop("plan").exit_code == 0
