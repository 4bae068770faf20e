"""Products end to end: the example catalog, one nested edit at a time, against the embedded sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Cli, Recorder
from tests.test_e2e import edit

CAMPING = "catalog/products-camping.yaml"
CLIMBING = "catalog/products-climbing.yaml"
APPAREL = "catalog/products-apparel.yaml"


def change_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if re.match(r"^\s+[+~-] \S", line)]


EDITS = [
    pytest.param(
        CAMPING,
        "  price: 389.0\n",
        "  price: 379.0\n",
        ["  ~ products TENT-UL2"],
        "price: 389.0 → 379.0",
        id="product-field",
    ),
    pytest.param(
        CAMPING,
        "    price: 399.0\n",
        "    price: 409.0\n",
        ["  ~ products TENT-UL2", "      ~ variant TENT-UL2-EMBER"],
        "price: 399.0 → 409.0",
        id="variant",
    ),
    pytest.param(
        CAMPING,
        "  - sku: TENT-UL2-SAGE\n    options:\n      Color: Sage\n",
        "",
        ["  ~ products TENT-UL2", "      - variant TENT-UL2-SAGE"],
        None,
        id="variant-removed",
    ),
    pytest.param(
        CAMPING,
        "    seasons: '3'\n",
        "    seasons: '4'\n",
        ["  ~ products TENT-UL2", "      ~ custom_field seasons"],
        'value: "3" → "4"',
        id="custom-field",
    ),
    pytest.param(
        CAMPING,
        "    description: Packed size\n",
        "    description: Packed flat\n",
        ["  ~ products TENT-UL2", "      ~ image tent-ul2-packed"],
        'description: "Packed size" → "Packed flat"',
        id="image",
    ),
    pytest.param(
        CAMPING,
        "    title: Pitching the Ultralight 2P\n",
        "    title: Pitching it in the wind\n",
        ["  ~ products TENT-UL2", "      ~ video tentpitch01"],
        'title: "Pitching the Ultralight 2P" → "Pitching it in the wind"',
        id="video",
    ),
    pytest.param(
        CAMPING,
        "    type: price\n    amount: 2\n",
        "    type: price\n    amount: 3\n",
        ["  ~ products MUG-INS", "      ~ bulk_pricing_rule 10-49"],
        "amount: 2.0 → 3.0",
        id="bulk-pricing-rule",
    ),
    pytest.param(
        CAMPING,
        "      text_max_length: 12\n",
        "      text_max_length: 16\n",
        ["  ~ products MUG-INS", "      ~ modifier Engraving"],
        None,
        id="modifier",
    ),
    pytest.param(
        CLIMBING,
        "    type: dropdown\n",
        "    type: rectangles\n",
        ["  ~ products ROPE-60", "      ~ option Color"],
        'type: "dropdown" → "rectangles"',
        id="option",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected", "detail"), EDITS)
def test_one_nested_edit_is_exactly_one_change(
    cli: Cli, example: Path, file: str, old: str, new: str, expected: list[str], detail: str | None
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / file, old, new)
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert change_lines(plan.stdout) == expected, plan.stdout
    if detail:
        assert detail in plan.stdout
    applied = cli("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = cli("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout


REORDERS = [
    pytest.param(
        CAMPING,
        "    capacity: 2P\n    seasons: '3'\n",
        "    seasons: '3'\n    capacity: 2P\n",
        id="custom-fields",
    ),
    pytest.param(
        CAMPING,
        "  - sku: TENT-UL2-SAGE\n    options:\n      Color: Sage\n  - sku: TENT-UL2-EMBER\n"
        "    options:\n      Color: Ember\n    price: 399.0\n",
        "  - sku: TENT-UL2-EMBER\n    options:\n      Color: Ember\n    price: 399.0\n"
        "  - sku: TENT-UL2-SAGE\n    options:\n      Color: Sage\n",
        id="variants",
    ),
    pytest.param(
        APPAREL,
        "    inventory_level: 10\n",
        "    inventory_level: 99\n",
        id="ignored-inventory",
    ),
]


@pytest.mark.parametrize(("file", "old", "new"), REORDERS)
def test_reorder_and_ignored_fields_are_no_change(
    cli: Cli, example: Path, file: str, old: str, new: str
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / file, old, new)
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.stdout


def test_missing_brand_is_reported_before_any_write(cli: Cli, example: Path, recorder: Recorder) -> None:
    edit(example / CAMPING, "  brand: Northwind Tents\n", "  brand: Nortwind Tents\n")
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert re.search(
        r"catalog/products-camping\.yaml:\d+:\d+: products: TENT-UL2 refers to brand 'Nortwind Tents'",
        result.stderr,
    ), result.stderr
    assert {r.method for r in recorder.requests} <= {"GET"}


def test_product_plan_groups_nested_changes_and_counts_them(cli: Cli) -> None:
    plan = cli("plan")
    assert "  + products JKT-STORM" in plan.stdout
    assert "      + variant JKT-STORM-GLA-S-R" in plan.stdout
    assert re.search(r"^  variant: 99 to create$", plan.stdout, re.M)
    assert re.search(r"^  products: 42 to create$", plan.stdout, re.M)


def test_export_writes_products_and_plans_back_to_zero(cli: Cli, recorder: Recorder, tmp_path: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    files = sorted(p.name for p in (out / "catalog").glob("products*.yaml"))
    assert files, "no product files exported"
    before = len(recorder.requests)
    again = Cli(out, recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
    assert {r.method for r in recorder.requests[before:]} == {"GET"}


def test_export_splits_products_by_top_level_category(cli: Cli, tmp_path: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    names = sorted(p.name for p in (out / "catalog").glob("products-*.yaml"))
    assert names == [
        "products-camping.yaml",
        "products-clearance.yaml",
        "products-climbing.yaml",
        "products-paddling.yaml",
    ]


def test_validate_catches_references_to_pruned_kinds_offline(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    edit(example / CAMPING, "  brand: Northwind Tents\n", "  brand: Nortwind Tents\n")
    result = cli("validate")
    assert result.exit_code == 1
    assert (
        "refers to brand 'Nortwind Tents', which is not in the configuration (brands are pruned"
        in result.stderr
    )
    assert recorder.requests == []


def test_sku_moving_from_a_deleted_product_to_a_variant(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    text = (example / APPAREL).read_text()
    start = text.index("- sku: LAMP-600\n")
    end = text.index("- sku: ", start + 1)
    (example / APPAREL).write_text(text[:start] + text[end:])
    edit(
        example / APPAREL,
        "- sku: LAMP-300\n",
        "- sku: LAMP-300\n  options:\n  - name: Output\n    type: rectangles\n"
        "    values: ['300 lm', '600 lm']\n"
        "  variants:\n  - sku: LAMP-300-STD\n    options: {Output: 300 lm}\n"
        "  - sku: LAMP-600\n    options: {Output: 600 lm}\n",
    )
    # LAMP-300 now has variants: its base-product price record must go (a config error otherwise).
    edit(example / "pricing/price-list-wholesale.yaml", "      LAMP-300: {USD: 27.50, EUR: 25.58}\n", "")
    plan = cli("plan")
    heads = [
        line for line in change_lines(plan.stdout) if line.startswith("  ") and not line.startswith("      ")
    ]
    assert heads == [
        "  - products LAMP-600  (missing from config, prune: all)",
        "  ~ products LAMP-300",
        "  ~ price_lists Wholesale",
    ], plan.stdout
    applied = cli("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert cli("plan", "--detailed-exitcode").exit_code == 0


# ---- changes the API makes in its own way: each plans as what apply does, and converges ------------

PADDLING = "catalog/products-paddling.yaml"
JACKET_S_R = (
    "  - sku: JKT-STORM-GLA-S-R\n    options:\n      Color: Glacier\n      Size: S\n      Fit: Regular\n"
)
JACKET_M_R = (
    "  - sku: JKT-STORM-GLA-M-R\n    options:\n      Color: Glacier\n      Size: M\n      Fit: Regular\n"
)


def converges(cli: Cli) -> str:
    """Plan (which must have changes), apply, re-plan (which must have none); the plan's text."""
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    applied = cli("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = cli("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
    return plan.stdout


def variant_deletes(recorder: Recorder, since: int) -> list[str]:
    return [
        r.url.path
        for r in recorder.requests[since:]
        if r.method == "DELETE" and re.search(r"/variants/\d+$", r.url.path)
    ]


def test_swapping_variant_option_values_recreates_them_keeping_ignored_stock(cli: Cli, example: Path) -> None:
    # Known limit: the store drops a replaced variant's price-list records, and the price-list
    # plan was made before the replace, so they come back only on the next apply. These two
    # variants are left out of the example's price list here so the test is about stock.
    for sku in ("JKT-STORM-GLA-S-R", "JKT-STORM-GLA-M-R"):
        row = f"      {sku}: {{USD: 189.00, EUR: 175.77}}\n"
        edit(example / "pricing/price-list-wholesale.yaml", row, "")
    # The ERP's stock of one variant is 100 (set here by not ignoring it, once).
    edit(example / "storeconf.yaml", "ignore: [inventory_level]", "ignore: []")
    edit(
        example / APPAREL, JACKET_S_R + "    inventory_level: 10\n", JACKET_S_R + "    inventory_level: 100\n"
    )
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "storeconf.yaml", "ignore: []", "ignore: [inventory_level]")
    edit(example / APPAREL, JACKET_S_R, JACKET_S_R.replace("Size: S", "Size: X"))
    edit(example / APPAREL, JACKET_M_R, JACKET_M_R.replace("Size: M", "Size: S"))
    edit(example / APPAREL, "Size: X\n", "Size: M\n")
    plan = converges(cli)
    assert change_lines(plan) == [
        "  ~ products JKT-STORM",
        "      - variant JKT-STORM-GLA-S-R",
        "      + variant JKT-STORM-GLA-S-R",
        "      - variant JKT-STORM-GLA-M-R",
        "      + variant JKT-STORM-GLA-M-R",
    ], plan
    # Compared again (not ignored): the re-created variant still has the ERP's 100.
    edit(example / "storeconf.yaml", "ignore: [inventory_level]", "ignore: []")
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_case_only_rename_of_an_option_value_keeps_the_variant(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / CAMPING, "    - Sage\n", "    - sage\n")
    edit(example / CAMPING, "      Color: Sage\n", "      Color: sage\n")
    before = len(recorder.requests)
    plan = converges(cli)
    assert change_lines(plan) == ["  ~ products TENT-UL2", "      ~ option Color"], plan
    assert variant_deletes(recorder, before) == []


def test_variants_deleted_with_a_dropped_value_are_in_the_plan(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    text = (example / CLIMBING).read_text()
    start = text.index("  variants:\n  - sku: HARN-ALP-XS\n")
    end = text.index("- sku: CARA-LOCK\n")
    (example / CLIMBING).write_text(text[:start] + text[end:])  # HARN-ALP's variants: not managed
    edit(
        example / CLIMBING,
        "    - XS\n    - S\n    - M\n    - L\n    - XL\n- sku: CARA",
        "    - S\n    - M\n    - L\n    - XL\n- sku: CARA",
    )
    plan = converges(cli)
    assert change_lines(plan) == [
        "  ~ products HARN-ALP",
        "      ~ option Size",
        "      - variant HARN-ALP-XS",
    ], plan


def test_swatch_to_dropdown_with_bare_labels_converges(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    text = (example / PADDLING).read_text()
    start = text.index("- sku: DRY-10\n")
    old = text[text.index("    type: swatch\n", start) : text.index("  variants:\n", start)]
    edit(example / PADDLING, old, "    type: dropdown\n    values: [Yellow, Black]\n")
    plan = converges(cli)
    assert change_lines(plan) == ["  ~ products DRY-10", "      ~ option Color"], plan
    assert 'type: "swatch" → "dropdown"' in plan
    assert "values" not in plan


def test_offset_dates_and_empty_video_text_converge(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(
        example / CAMPING,
        "    title: Pitching the Ultralight 2P\n",
        "    title: Pitching the Ultralight 2P\n    description: ''\n"
        "  - video_id: othervid02\n    title: ''\n"
        "  preorder_release_date: '2030-01-01T10:00:00+02:00'\n",
    )
    plan = converges(cli)
    assert 'preorder_release_date: (none) → "2030-01-01T08:00:00Z"' in plan
    assert change_lines(plan) == ["  ~ products TENT-UL2", "      + video othervid02"], plan


def test_modifier_type_change_is_a_replacement(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(
        example / CAMPING,
        "  - name: Engraving\n    type: text\n",
        "  - name: Engraving\n    type: multi_line_text\n",
    )
    plan = converges(cli)
    assert change_lines(plan) == [
        "  ~ products MUG-INS",
        "      - modifier Engraving",
        "      + modifier Engraving",
    ], plan


def test_two_products_trading_skus_converge(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / CLIMBING, "- sku: CARA-LOCK\n", "- sku: SWAPPING\n")
    edit(example / CLIMBING, "- sku: CARA-WIRE\n", "- sku: CARA-LOCK\n")
    edit(example / CLIMBING, "- sku: SWAPPING\n", "- sku: CARA-WIRE\n")
    plan = converges(cli)
    assert 'name: "Screwgate Carabiner" → "Wiregate Carabiner"' in plan


def test_new_sku_and_name_with_the_same_variant_skus_converge(cli: Cli, example: Path) -> None:
    # Not a rename (the name changes too): a create and a delete, the delete first, which frees
    # the variant SKUs the create takes.
    edit(
        example / CAMPING,
        "products:\n",
        "products:\n- sku: T4\n  name: Tee Four\n  type: physical\n  price: 10\n  weight: 1\n"
        "  options:\n  - {name: Size, type: rectangles, values: [S, M]}\n"
        "  variants:\n  - {sku: T4-S, options: {Size: S}}\n  - {sku: T4-M, options: {Size: M}}\n",
    )
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / CAMPING, "- sku: T4\n  name: Tee Four\n", "- sku: T6\n  name: Tee Six\n")
    plan = converges(cli)
    heads = [line for line in change_lines(plan) if not line.startswith("      ")]
    assert heads == ["  - products T4  (missing from config, prune: all)", "  + products T6"], plan
