"""Price lists end to end through the CLI, every exchange checked against the specs: the
example's Wholesale list, grouped plan output, record ownership, errors before any
write, export back to zero."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, Recorder
from tests.test_e2e import edit

LISTS = "pricing/price-lists.yaml"
RECORDS = "pricing/price-list-wholesale.yaml"


def writes(recorder: Recorder) -> list[str]:
    ids = re.compile(r"/\d+")
    # The store lock (channel metafields) is apply's own bookkeeping, not a change.
    changes = [r for r in recorder.requests if r.method != "GET" and "/metafields" not in r.url.path]
    return [r.method + " " + ids.sub("/ID", r.url.path) for r in changes]


def test_example_list_applies_in_few_requests_and_replans_to_zero(cli: Cli, recorder: Recorder) -> None:
    plan = cli("plan")
    assert "+ price_lists Wholesale" in plan.stdout
    assert "records USD: 31 to create" in plan.stdout and "records EUR: 31 to create" in plan.stdout
    assert "+ assignment Wholesale on channel 1" in plan.stdout
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0
    pricing = [w for w in writes(recorder) if "/pricelists" in w]
    assert pricing == [
        "POST /stores/local/v3/pricelists",
        "PUT /stores/local/v3/pricelists/ID/records",  # 62 records: one upsert
        "POST /stores/local/v3/pricelists/assignments",
    ]
    again = cli("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_price_change_writes_only_that_record(cli: Cli, example: Path, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / RECORDS, "JKT-STORM-GLA-S-R: {USD: 189.00,", "JKT-STORM-GLA-S-R: {USD: 199.00,")
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert "records USD: 1 to update" in plan.stdout
    assert "~ record JKT-STORM-GLA-S-R USD  price: 189.0 → 199.0" in plan.stdout
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0
    upserts = [r for r in recorder.requests if r.method == "PUT" and r.url.path.endswith("/records")]
    assert [json.loads(r.content) for r in upserts] == [
        [{"sku": "JKT-STORM-GLA-S-R", "currency": "usd", "price": 199.0, "bulk_pricing_tiers": []}]
    ]
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_json_plan_lists_every_record_change(cli: Cli) -> None:
    plan = json.loads(cli("plan", "--format", "json").stdout)
    (wholesale,) = [c for c in plan["changes"] if c["kind"] == "price_lists"]
    records = [c for c in wholesale["children"] if c["kind"] == "record"]
    assert len(records) == 62 and {c["group"] for c in records} == {"records USD", "records EUR"}


def test_removed_records_are_deleted_only_while_records_are_managed(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    text = (example / RECORDS).read_text()
    (example / RECORDS).write_text(re.sub(r"      LAMP-300: .*\n", "", text))
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert "records USD: 1 to delete" in plan.stdout and "records EUR: 1 to delete" in plan.stdout
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0
    deletes = [r for r in recorder.requests if r.method == "DELETE" and "/pricelists/" in r.url.path]
    assert len(deletes) == 2 and all(
        "variant_id%3Ain=" in str(r.url) or "variant_id:in=" in str(r.url) for r in deletes
    )
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    # Without `records` the list's records are not managed: nothing to delete, nothing read.
    (example / RECORDS).unlink()
    recorder.requests.clear()
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    assert not any(r.url.path.endswith("/records") for r in recorder.requests)


def test_deleting_most_records_needs_allow_deletes(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    (example / RECORDS).write_text(
        "price_lists:\n  - name: Wholesale\n    records:\n      LAMP-300: {USD: 27.5}\n"
    )
    refused = cli("apply", "--auto-approve")
    assert refused.exit_code == 1 and "--allow-deletes" in refused.output
    assert cli("apply", "--auto-approve", "--allow-deletes").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_unknown_sku_is_an_error_at_its_line_before_any_write(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    edit(example / RECORDS, "      LAMP-300:", "      LAMP-999:")
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert re.search(r"pricing/price-list-wholesale\.yaml:\d+:\d+: .*'LAMP-999'", result.stderr), (
        result.stderr
    )
    assert writes(recorder) == []


def test_unknown_group_is_an_error_before_any_write(cli: Cli, example: Path, recorder: Recorder) -> None:
    edit(example / LISTS, "customer_group: Wholesale,", "customer_group: Resellers,")
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert re.search(r"pricing/price-lists\.yaml:\d+:\d+: .*'Resellers'", result.stderr), result.stderr
    assert writes(recorder) == []


def test_a_group_with_discounts_cannot_get_a_price_list(cli: Cli, example: Path, recorder: Recorder) -> None:
    edit(example / LISTS, "customer_group: Wholesale,", "customer_group: Pro deal,")
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert "customer-group discounts" in result.stderr and "'Pro deal'" in result.stderr
    assert writes(recorder) == []


def test_records_split_over_files_and_a_record_declared_twice(cli: Cli, example: Path) -> None:
    (example / "pricing/extra.yaml").write_text(
        "price_lists:\n  - name: Wholesale\n    records:\n      LAMP-600: {USD: 55}\n"
    )
    assert "records USD: 32 to create" in cli("plan").stdout
    (example / "pricing/extra.yaml").write_text(
        "price_lists:\n  - name: Wholesale\n    records:\n      LAMP-300: {EUR: 1}\n"
    )
    result = cli("validate")
    assert result.exit_code == 1 and "LAMP-300 EUR is also declared at" in result.stderr


def test_export_writes_compact_records_and_plans_back_to_zero(
    cli: Cli, recorder: Recorder, tmp_path: Path
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    text = (out / "pricing/price-list-wholesale.yaml").read_text()
    assert "      JKT-STORM-BAS-L-R: {EUR: 175.77, USD: 189.0}\n" in text
    assert "customer_group: Wholesale" in (out / LISTS).read_text()
    again = Cli(out, recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_plans_never_reread_a_file_for_positions_without_a_problem(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exact positions cost a second, slow parse of the file (12 s for a 50,000-record list):
    the checks of record SKUs and discount-rule products must ask for one only on a problem."""
    from storeconf.config import yaml

    reparsed: list[str] = []
    exact = yaml._load_exact

    def counting(text: str, display: str) -> Any:
        reparsed.append(display)
        return exact(text, display)

    monkeypatch.setattr(yaml, "_load_exact", counting)
    assert cli("plan").exit_code == 0
    assert cli("apply", "--auto-approve").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    assert reparsed == [], reparsed


def test_an_assignment_naming_its_group_in_another_case_settles(cli: Cli, example: Path) -> None:
    """Group names are matched ignoring case; before, `customer_group: wholesale` for the
    store's `Wholesale` planned `"Wholesale" -> "wholesale"` after every apply, for ever."""
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "pricing/price-lists.yaml", "customer_group: Wholesale", "customer_group: wholesale")
    assert cli("plan", "--detailed-exitcode").exit_code == 0
