"""--target: narrowing, dependencies brought along, typos refused, saved with the plan."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, Recorder
from tests.test_e2e import edit


def test_unknown_kind_or_key_is_an_error_not_no_changes(cli: Cli) -> None:
    typo = cli("plan", "--target", "brand/RiverStone", "--detailed-exitcode")
    assert typo.exit_code == 1 and "unknown kind 'brand' (did you mean 'brands'?)" in typo.stderr
    nothing = cli("plan", "--target", "brands/Nonexistent")
    assert nothing.exit_code == 1 and "no brands object has the key 'Nonexistent'" in nothing.stderr


def test_target_brings_its_dependencies(cli: Cli) -> None:
    plan = cli("plan", "--target", "categories/Camping/Tents/Backpacking Tents")
    lines = [line for line in plan.stdout.splitlines() if line.startswith("  + ")]
    assert lines == [
        "  + categories Camping",
        "  + categories Camping/Tents",
        "  + categories Camping/Tents/Backpacking Tents",
    ]
    products = cli("plan", "--target", "products/TENT-UL2")
    heads = [line for line in products.stdout.splitlines() if line.startswith("  + ")]
    assert "  + brands Northwind Tents" in heads and "  + products TENT-UL2" in heads
    assert "  + categories Camping/Tents/Backpacking Tents" in heads
    applied = cli("apply", "--auto-approve", "--target", "products/TENT-UL2")
    assert applied.exit_code == 0, applied.output


def test_saved_plan_keeps_its_targets(cli: Cli, tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    assert cli("plan", "--target", "brands/RiverStone", "--out", str(plan_file)).exit_code == 0
    assert json.loads(plan_file.read_text())["targets"] == ["brands/RiverStone"]
    applied = cli("apply", str(plan_file))
    assert applied.exit_code == 0, applied.output
    rest = cli("plan")
    assert "+ brands RiverStone" not in rest.stdout and "+ brands Summit Peak" in rest.stdout


def test_product_sku_change_with_same_name_is_an_update_in_place(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "catalog/products-paddling.yaml", "sku: KAYAK-TOUR\n", "sku: KAYAK-TOURING\n")
    plan = cli("plan")
    heads = [
        line
        for line in plan.stdout.splitlines()
        if line.startswith("  ") and line.strip()[:2] in ("+ ", "~ ", "- ")
    ]
    assert heads == ["  ~ products KAYAK-TOURING"]
    assert 'sku: "KAYAK-TOUR" → "KAYAK-TOURING"' in plan.stdout
    assert cli("apply", "--auto-approve").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_targeted_plan_reads_only_what_it_needs(cli: Cli, recorder: Recorder) -> None:
    assert cli("plan", "--target", "brand").exit_code == 1
    assert recorder.requests == []  # a typo in the kind costs no request
    assert cli("plan", "--target", "webhooks").exit_code == 0
    paths = {r.url.path.split("/v3", 1)[-1] for r in recorder.requests}
    assert paths == {"/hooks"}


def test_targeted_plan_does_not_check_references_of_unread_kinds(tmp_path: Path, recorder: Recorder) -> None:
    # Products name a brand that only the store has (brands are not managed): a plan of
    # scripts alone must not complain about it, since brands were never read.
    root = tmp_path / "p"
    root.mkdir()
    (root / "storeconf.yaml").write_text(
        "version: 1\ninclude: [res.yaml]\nmanage:\n  products: {}\n  scripts: {}\n  brands: {}\n"
    )
    (root / "res.yaml").write_text(
        "brands: [{name: Acme}]\n"
        "products: [{sku: A, name: A, type: physical, price: 1, weight: 1, brand: Acme}]\n"
        "scripts: [{name: S, kind: src, src: 'https://x.example/a.js'}]\n"
    )
    cli = Cli(root, recorder)
    assert cli("apply", "--auto-approve").exit_code == 0
    (root / "storeconf.yaml").write_text(
        "version: 1\ninclude: [res.yaml]\nmanage:\n  products: {}\n  scripts: {}\n"
    )
    (root / "res.yaml").write_text(
        "products: [{sku: A, name: A, type: physical, price: 1, weight: 1, brand: Acme}]\n"
        "scripts: [{name: S, kind: src, src: 'https://x.example/b.js'}]\n"
    )
    plan = cli("plan", "--target", "scripts")
    assert plan.exit_code == 0, plan.output
    assert "~ scripts S" in plan.stdout


def test_target_by_the_old_key_of_a_renamed_object(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "catalog/products-paddling.yaml", "sku: KAYAK-TOUR\n", "sku: KAYAK-TOURING\n")
    for target in ("products/KAYAK-TOUR", "products/KAYAK-TOURING"):
        plan = cli("plan", "--target", target)
        assert "~ products KAYAK-TOURING" in plan.stdout, (target, plan.output)
