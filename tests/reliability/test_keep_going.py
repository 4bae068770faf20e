"""Point 3: --keep-going skips a failed change and what depends on it, and applies the rest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Cli, Recorder
from tests.reliability.support import RefusesWrite, counts_of, with_fault


def refusing(needle: str, path: str = "/v3/catalog/brands", status: int = 422) -> Recorder:
    return with_fault(lambda inner: RefusesWrite(inner, "POST", path, needle, status))


def test_keep_going_skips_dependents_of_a_failed_brand(example: Path, recorder: Recorder) -> None:
    result = Cli(example, refusing("Summit Peak"))("apply", "--auto-approve", "--keep-going")

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "[create brands Summit Peak, catalog/brands.yaml:2:5]" in errors[0]
    applied, failed, skipped, not_started = counts_of(
        result.stderr, "Applied", "Failed", "Skipped", "Not started"
    )
    # The four Summit Peak products, the coupon promotion that names the brand, and the
    # Wholesale price list's records of those products' variants: the list and its other
    # records are written.
    assert (failed, not_started) == (1, 0)
    assert result.stderr.count("(depends on brands Summit Peak, which failed)") == 5
    records = re.findall(
        r"^  \+ price_lists Wholesale record (\S+) (?:USD|EUR)  "
        r"\(depends on products \1, which was skipped\)$",
        result.stderr,
        re.M,
    )
    assert "BAG-20-LL" in records and skipped == 5 + len(records)
    assert re.search(r"^Applied[^$]*^  \+ price_lists Wholesale$", result.stderr, re.M | re.S)
    assert "Apply finished with failures." in result.stderr

    replan = Cli(example, recorder)("plan", "--detailed-exitcode")
    assert replan.exit_code == 2
    # The brand and its four products are left (and objects naming them, such as a promotion).
    assert "  brands: 1 to create\n" in replan.stdout and "  products: 4 to create\n" in replan.stdout
    assert "+ brands Summit Peak" in replan.stdout
    assert f"  record: {len(records)} to create\n" in replan.stdout
    assert Cli(example, recorder)("apply", "--auto-approve").exit_code == 0
    assert applied > 50


def test_without_keep_going_the_same_failure_stops_everything_after_it(example: Path) -> None:
    result = Cli(example, refusing("Summit Peak"))("apply", "--auto-approve")
    assert result.exit_code == 1
    _, failed, skipped, not_started = counts_of(result.stderr, "Applied", "Failed", "Skipped", "Not started")
    assert failed == 1 and skipped == 0 and not_started > 50
    assert "Apply stopped: nothing was started after the first failure." in result.stderr


# Objects of other kinds that name what failed, by key: skipped, not sent to fail on their own.
CROSS_KIND = [
    pytest.param(
        "/v3/catalog/products",
        '"FOOTPRINT-UL2"',
        422,
        "products FOOTPRINT-UL2",
        ["promotions Buy 2 tents, get a footprint free"],
        id="promotion-names-a-product",
    ),
    pytest.param(
        "/v3/catalog/products",
        '"TENT-UL2"',
        422,
        "products TENT-UL2",
        ["customer_groups Pro deal"],
        id="group-discount-names-a-product",
    ),
    pytest.param(
        "/v3/catalog/trees/categories",
        '"Climbing"',
        422,
        "categories Climbing",
        ["customer_groups Pro deal", "categories Climbing/Ropes"],
        id="group-names-a-category",
    ),
    pytest.param(
        "/v2/customer_groups",  # the v2 spec lists no 4xx for it: the store fails with a 500
        '"Wholesale"',
        500,
        "customer_groups Wholesale",
        # The list and its records are written; only its assignment to the group waits.
        [
            "price_lists Wholesale assignment Wholesale on channel 1",
            "promotions Free shipping to the US and Canada over $75",
        ],
        id="price-list-assignment-names-a-group",
    ),
]


@pytest.mark.parametrize(("path", "needle", "status", "failed", "dependents"), CROSS_KIND)
def test_keep_going_skips_other_kinds_that_name_a_failed_object(
    example: Path, path: str, needle: str, status: int, failed: str, dependents: list[str]
) -> None:
    refused = refusing(needle, path, status)
    result = Cli(example, refused)("apply", "--auto-approve", "--keep-going")

    assert result.exit_code == 1
    # In the Failed list (with its config line), not sent again as anything's dependent.
    assert re.search(rf"^  \+ {failed}  \((?!depends)", result.stderr, re.M), result.stderr
    for dependent in dependents:
        assert f"  + {dependent}  (depends on {failed}, which failed)" in result.stderr, result.stderr
    assert not refused.failures()
    assert "Apply finished with failures." in result.stderr
