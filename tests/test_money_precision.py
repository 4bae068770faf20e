"""Money follows the store's precision: config values are compared as the store keeps them."""

from __future__ import annotations

import io
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storeconf.config import load_project
from storeconf.kinds.price_lists.spec import flat_record
from tests.conftest import Cli, Recorder


def write_project(root: Path, products: str) -> Cli:
    root.mkdir(parents=True, exist_ok=True)
    (root / "storeconf.yaml").write_text("version: 1\ninclude: [products.yaml]\n")
    (root / "products.yaml").write_text(textwrap.dedent(products).lstrip("\n"))
    return Cli(root, Recorder())


PRODUCT = """
products:
  - sku: MUG
    name: Mug
    type: physical
    weight: 1
    price: 10
    cost_price: {cost}
"""


def test_a_value_the_store_rounds_plans_no_update(tmp_path: Path) -> None:
    cli = write_project(tmp_path, PRODUCT.format(cost="7.1235"))
    assert cli("apply", "--auto-approve").exit_code == 0
    cli = write_project(tmp_path, PRODUCT.format(cost="7.12345"))
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert (
        "Warning: products.yaml:7:17: products[0].cost_price: 7.12345 has more than 4 decimal places; "
        "the store keeps 7.1235" in plan.stdout
    )
    assert "No changes." in plan.stdout
    assert not cli.recorder.failures()


def test_validate_loads_money_as_the_store_keeps_it(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        """
        products:
          - sku: MUG
            name: Mug
            type: physical
            weight: 1
            price: 10.00005
            bulk_pricing_rules: [{quantity_min: 2, quantity_max: 5, type: price, amount: 1.99999}]
        """,
    )
    project = load_project(tmp_path, environ={})
    fields = project.desired.objects["products"]["mug"].fields
    assert fields["price"] == 10.0001
    assert fields["bulk_pricing_rules"][0]["amount"] == 2.0
    assert project.warnings == (
        "products.yaml:6:12: products[0].price: 10.00005 has more than 4 decimal places; the store keeps "
        "10.0001 (and 1 more such values)",
    )


money = st.decimals(min_value=0, max_value=100_000, places=7, allow_nan=False, allow_infinity=False)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(money, min_size=4, max_size=4))
def test_any_decimal_in_config_applies_then_plans_zero(values: list[Decimal]) -> None:
    price, cost, variant_price, amount = (format(v, "f") for v in values)
    with tempfile.TemporaryDirectory() as tmp:
        cli = write_project(
            Path(tmp),
            f"""
            products:
              - sku: MUG
                name: Mug
                type: physical
                weight: 1
                price: {price}
                cost_price: {cost}
                options: [{{name: Size, type: radio_buttons, values: [S, L]}}]
                variants:
                  - {{sku: MUG-S, options: {{Size: S}}, price: {variant_price}}}
                  - {{sku: MUG-L, options: {{Size: L}}}}
                bulk_pricing_rules: [{{quantity_min: 2, quantity_max: 5, type: price, amount: {amount}}}]
            """,
        )
        applied = cli("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        again = cli("plan", "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        assert not cli.recorder.failures()


def test_validate_warns_once_that_a_value_will_be_stored_rounded(tmp_path: Path) -> None:
    cli = write_project(tmp_path, PRODUCT.format(cost="7.12345"))
    result = cli("validate")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Warning: products.yaml:7:17: products[0].cost_price: 7.12345 has more than 4 decimal places; "
        "the store keeps 7.1235\n"
    )


def test_price_list_records_round_like_every_other_price() -> None:
    # Half away from zero on the decimal as written, as the store does; round() gave 2.3333.
    record = flat_record("TENT", "usd", {"price": 2.33335, "bulk_pricing_tiers": []})
    assert record["price"] == 2.3334


@settings(max_examples=500)
@given(
    st.floats(allow_nan=False, allow_infinity=False)
    | st.decimals(places=6, allow_nan=False, allow_infinity=False).map(float)
)
def test_a_file_whose_text_may_not_round_holds_no_value_that_rounds(value: float) -> None:
    """The rounding check skips files whose text has no long fraction or exponent: any value
    that rounds away must be written with one, however YAML spells it."""
    from ruamel.yaml import YAML

    from storeconf.config.yaml import may_round
    from storeconf.money import rounds_away

    out = io.StringIO()
    YAML(typ="safe").dump({"price": value}, out)
    if rounds_away(value):
        assert may_round(out.getvalue()) and may_round(f"price: {value!r}\n")
