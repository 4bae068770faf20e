"""Plan text: a headline naming the environment and the store, totals that add up to the
per-kind lines, and deletes shown by what identifies them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from storeconf.plan import Action, Change, FieldChange, Plan
from storeconf.render.text import render_text
from tests.conftest import Cli, Recorder


def test_headline_names_environment_and_store_and_counts_nested_parts() -> None:
    variant = Change("variant", "TENT-S", Action.CREATE, diff=(FieldChange("sku", None, "TENT-S"),))
    product = Change("products", "TENT", Action.UPDATE, children=(variant,))
    brand = Change("brands", "Acme", Action.UPDATE, diff=(FieldChange("page_title", "A", "B"),))
    text = render_text(Plan((brand, product), environment="production", store="store abc123"))
    lines = text.splitlines()
    assert "Plan for production (store abc123): 1 to create, 1 to update, 0 to delete." in lines
    assert lines[-2:] == ["  brands: 1 to update", "  variant: 1 to create"]


def test_a_delete_shows_its_key_fields_not_every_empty_live_field(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "storeconf.yaml").write_text(
        "version: 1\nmanage: {brands: {prune: true}}\nbrands: [{name: Acme}, {name: Bolt}]\n"
    )
    cli = Cli(project, Recorder())
    assert cli("apply", "--auto-approve").exit_code == 0
    (project / "storeconf.yaml").write_text(
        "version: 1\nmanage: {brands: {prune: true}}\nbrands: [{name: Acme}]\n"
    )
    plan = cli("plan")
    block = re.search(r"^  - brands Bolt.*\n((?:      .*\n)*)", plan.stdout, re.M)
    assert block is not None, plan.stdout
    assert block.group(1) == '      name: "Bolt"\n'
    assert (
        "Plan for local (sandbox .storeconf/local.db): 0 to create, 0 to update, 1 to delete." in plan.stdout
    )


def test_json_summary_and_markdown_headline_count_nested_deletes(example: Path, recorder: Recorder) -> None:
    """Before, both counted objects only: a plan deleting two price-list records and a coupon
    code said `delete: 0` and `**Plan: 2 to update.**`, so a CI gate on deletes missed them."""
    cli = Cli(example, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    records = example / "pricing/price-list-wholesale.yaml"
    records.write_text(re.sub(r"(?m)^\s*LAMP-300: .*\n", "", records.read_text()))
    promotions = example / "marketing/promotions.yaml"
    promotions.write_text(re.sub(r"(?m)^\s*- \{code: SUMMIT15-CREW.*\n", "", promotions.read_text()))

    text = cli("plan").stdout
    assert re.search(r"Plan[^:]*: 0 to create, 0 to update, 3 to delete\.", text), text
    summary = json.loads(cli("plan", "--format", "json").stdout)["summary"]
    assert summary == {"create": 0, "update": 0, "delete": 3}
    markdown = cli("plan", "--format", "markdown").stdout
    assert re.search(r"\*\*Plan: [^*]*3 to delete\.\*\*", markdown), markdown
