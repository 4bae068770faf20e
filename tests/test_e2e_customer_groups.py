"""Customer groups end to end: the example's groups, one-field rule changes, references
checked before any write, export back to zero."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Cli, Recorder
from tests.test_e2e import edit

GROUPS = "customers/groups.yaml"


def writes(recorder: Recorder) -> list[str]:
    # Store writes to the catalog; apply's store lock (a channel metafield) is not one.
    return [
        f"{r.method} {r.url.path}"
        for r in recorder.requests
        if r.method != "GET" and "/metafields" not in r.url.path
    ]


def test_example_groups_apply_and_replan_to_zero(cli: Cli, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    posts = [w for w in writes(recorder) if w.endswith("/v2/customer_groups")]
    assert len(posts) == 2
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_a_changed_rule_is_one_update_of_discount_rules(cli: Cli, example: Path, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(
        example / GROUPS,
        "category: Climbing/Ropes, method: percent, amount: 15",
        "category: Climbing/Ropes, method: percent, amount: 20",
    )
    plan = cli("plan", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "~ customer_groups Pro deal" in plan.stdout
    assert "discount_rules:" in plan.stdout and "): 0 to create, 1 to update, 0 to delete." in plan.stdout
    recorder.requests.clear()
    assert cli("apply", "--auto-approve").exit_code == 0
    assert [re.sub(r"/\d+$", "/ID", w) for w in writes(recorder)] == [
        "PUT /stores/local/v2/customer_groups/ID"
    ]
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_unknown_category_and_product_are_errors_before_any_write(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    edit(example / GROUPS, "categories: [Climbing,", "categories: [Climbing/Nope,")
    # The category is pruned-managed, so the path is checked offline too.
    result = cli("plan")
    assert result.exit_code == 1
    assert re.search(r"customers/groups\.yaml:\d+:\d+: .*'Climbing/Nope'", result.stderr), result.stderr
    assert writes(recorder) == []
    edit(example / GROUPS, "categories: [Climbing/Nope,", "categories: [Climbing,")
    edit(example / GROUPS, "product: TENT-UL2,", "product: NO-SUCH-SKU,")
    result = cli("apply", "--auto-approve")
    assert result.exit_code == 1
    assert re.search(r"customers/groups\.yaml:\d+:\d+: .*'NO-SUCH-SKU'.*neither", result.stderr), (
        result.stderr
    )
    assert writes(recorder) == []


def test_two_default_groups_are_a_config_error(cli: Cli, example: Path, recorder: Recorder) -> None:
    edit(example / GROUPS, "  - name: Wholesale\n", "  - name: Wholesale\n    is_default: true\n")
    edit(example / GROUPS, "  - name: Pro deal\n", "  - name: Pro deal\n    is_default: true\n")
    result = cli("validate")
    assert result.exit_code == 1
    assert "only one group can set is_default" in result.stderr
    assert recorder.requests == []


def test_unmanaged_groups_are_never_touched(cli: Cli, example: Path, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    (example / GROUPS).write_text("customer_groups: []\n")
    edit(example / "storeconf.yaml", "  customer_groups: {prune: true}\n", "")
    # The example's price list names the Wholesale group: with it, groups are read (never written).
    edit(example / "storeconf.yaml", "  price_lists: {prune: true}\n", "")
    for path in (example / "pricing").iterdir():
        path.write_text("price_lists: []\n")
    recorder.requests.clear()
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    # Read only because a promotion names a group (references are read, never written).
    assert not any("customer_groups" in r.url.path and r.method != "GET" for r in recorder.requests)


def test_export_writes_groups_and_plans_back_to_zero(
    cli: Cli, example: Path, recorder: Recorder, tmp_path: Path
) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    text = (out / GROUPS).read_text()
    assert "Pro deal" in text and "Climbing/Ropes" in text and "TENT-UL2" in text
    again = Cli(out, recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
