"""Promotions end to end: the CLI against the embedded sandbox (every exchange checked
against the specs): apply and re-plan, export, replacements and their guard, duplicate
live names, references to deleted objects, and the requests reads cost."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from storeconf.config import load_project
from storeconf.engine import connect
from tests.conftest import EXAMPLES, Cli, Recorder
from tests.test_e2e import edit

PROMOTIONS = "promotions.yaml"
PROJECT = """version: 1
include: [catalog.yaml, promotions.yaml]
environments:
  local: {sandbox: .storeconf/local.db}
manage:
  brands: {prune: true}
  categories: {prune: true}
  products: {prune: true}
  customer_groups: {prune: true}
  promotions: {prune: true}
"""
CATALOG = """brands: [{name: Summit Peak}, {name: Northwind Tents}]
customer_groups: [{name: Wholesale}]
categories:
- {name: Camping, children: [{name: Tents}]}
products:
- {sku: FOOTPRINT-UL2, name: Ultralight 2P Footprint, type: physical, price: 39, weight: 0.2,
   categories: [Camping]}
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A small catalog with the example's four promotions."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "storeconf.yaml").write_text(PROJECT)
    (root / "catalog.yaml").write_text(CATALOG)
    shutil.copy(EXAMPLES / "marketing" / "promotions.yaml", root / PROMOTIONS)
    return root


@pytest.fixture
def run(shop: Path, recorder: Recorder) -> Cli:
    return Cli(shop, recorder)


def db(shop: Path) -> sqlite3.Connection:
    return sqlite3.connect(shop / ".storeconf" / "local.db", isolation_level=None)


def test_example_with_promotions_applies_replans_and_exports_to_zero(
    cli: Cli, recorder: Recorder, tmp_path: Path
) -> None:
    plan = cli("plan")
    assert "+ promotions Summit Peak 15% coupon" in plan.stdout
    assert "+ code SUMMIT15-CREW" in plan.stdout
    assert cli("apply", "--auto-approve").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    exported = (out / "marketing" / "promotions.yaml").read_text()
    for key in (
        "brands:\n",
        "- Summit Peak",
        "- Camping/Tents",
        "product: FOOTPRINT-UL2",
        "code: SUMMIT15-CREW",
    ):
        assert key in exported, exported
    assert not re.search(r"^\s*(- )?(_\w+|(?!zone_ids)\w+_ids?|id):", exported, re.M), (
        exported
    )  # keys, not ids
    again = Cli(out, recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout


THRESHOLD_AND_LIMIT_TEXT = """\
  ~ promotions 10% off orders over $150
      rules.0.condition.cart.minimum_spend: "150" → "200"
  ~ promotions Summit Peak 15% coupon
      - code SUMMIT15  (replaced: codes cannot be updated; re-creating it resets its uses)
          code: "SUMMIT15"
          max_uses: 500
          max_uses_per_customer: 1
      + code SUMMIT15  (replaced: codes cannot be updated; re-creating it resets its uses)
          code: "SUMMIT15"
          max_uses: 400
          max_uses_per_customer: 1

Plan for local (sandbox .storeconf/local.db): 1 to create, 1 to update, 1 to delete.
  promotions: 1 to update
  code: 1 to create, 1 to delete
"""


def test_threshold_and_code_limit_change(run: Cli, shop: Path, recorder: Recorder) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    edit(shop / PROMOTIONS, "        minimum_spend: 150\n", "        minimum_spend: 200.00\n")
    edit(shop / PROMOTIONS, "{code: SUMMIT15, max_uses: 500", "{code: SUMMIT15, max_uses: 400")
    assert run("plan").stdout == THRESHOLD_AND_LIMIT_TEXT
    markdown = run("plan", "--format", "markdown").stdout
    assert '+ rules.0.condition.cart.minimum_spend: "200"' in markdown
    assert "  code SUMMIT15 (replaced: codes cannot be updated; re-creating it resets its uses)" in markdown
    recorder.requests.clear()
    assert run("apply", "--auto-approve").exit_code == 0
    writes = [
        (r.method, r.url.path.split("/v3")[1], r.url.query.decode())
        for r in recorder.requests
        if r.method != "GET" and "/promotions" in r.url.path  # not the apply lock (a metafield)
    ]
    # The two promotions update concurrently; each is one request per change, codes by id:in.
    assert sorted(writes) == [
        ("DELETE", "/promotions/4/codes", "id%3Ain=1"),
        ("POST", "/promotions/4/codes", ""),
        ("PUT", "/promotions/1", ""),
    ]
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_reads_list_at_the_largest_page_and_codes_only_where_managed(run: Cli, recorder: Recorder) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    recorder.requests.clear()
    assert run("plan", "--detailed-exitcode").exit_code == 0
    promotion_reads = [r.url for r in recorder.requests if "/promotions" in r.url.path]
    assert [(u.path.split("/v3")[1], u.params.get("limit")) for u in promotion_reads] == [
        ("/promotions", "250"),
        ("/promotions/4/codes", "250"),
    ]


SHIPPING = """promotions:
- name: Shipping
  redemption_type: AUTOMATIC
  channels: [{channels}]
  rules:
  - {first}
  - {second}
"""
FREE = "action: {shipping: {free_shipping: true, zone_ids: '*'}}"
ZONE_1 = "action: {shipping: {zone_ids: [1]}}"


def test_reordering_channels_is_no_change_but_reordering_rules_is(run: Cli, shop: Path) -> None:
    (shop / PROMOTIONS).write_text(SHIPPING.format(channels="1, 2", first=ZONE_1, second=FREE))
    assert run("apply", "--auto-approve").exit_code == 0
    assert run("plan", "--detailed-exitcode").exit_code == 0
    (shop / PROMOTIONS).write_text(SHIPPING.format(channels="2, 1", first=ZONE_1, second=FREE))
    assert run("plan", "--detailed-exitcode").exit_code == 0
    (shop / PROMOTIONS).write_text(SHIPPING.format(channels="2, 1", first=FREE, second=ZONE_1))
    plan = run("plan", "--detailed-exitcode")
    assert plan.exit_code == 2
    assert 'rules.0.action.shipping.zone_ids: [1] → "*"' in plan.stdout
    assert 'rules.1.action.shipping.zone_ids: "*" → [1]' in plan.stdout


def test_write_once_change_is_a_replacement_guarded_once_used(run: Cli, shop: Path) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    coupon = shop / PROMOTIONS
    edit(coupon, "  coupon_type: SINGLE\n", "  coupon_type: BULK\n")
    text = coupon.read_text()
    coupon.write_text(text[: text.index("  codes:\n")] + "  codes: generated\n")
    plan = run("plan")
    assert (
        "  - promotions Summit Peak 15% coupon  (replaced: coupon_type cannot change in place)" in plan.stdout
    )
    assert (
        "  + promotions Summit Peak 15% coupon  (replaced: coupon_type cannot change in place)" in plan.stdout
    )
    assert ": 1 to create, 0 to update, 1 to delete." in plan.stdout
    with db(shop) as conn:  # an order used the coupon
        conn.execute("UPDATE promotions SET doc = json_set(doc, '$.current_uses', 3) WHERE id = 4")
    guarded = run("plan")
    assert "replacing it deletes a coupon promotion used 3 times" in guarded.stdout
    refused = run("apply", "--auto-approve")
    assert refused.exit_code == 1 and "--allow-deletes" in refused.stderr
    assert run("apply", "--auto-approve", "--allow-deletes").exit_code == 0
    assert run("plan", "--detailed-exitcode").exit_code == 0
    with db(shop) as conn:
        row = conn.execute(
            "SELECT id, json_extract(doc, '$.coupon_type') FROM promotions WHERE name LIKE 'Summit%'"
        )
        assert row.fetchall() == [(5, "BULK")]
        assert conn.execute("SELECT COUNT(*) FROM promotion_codes").fetchone() == (0,)


def test_two_live_promotions_of_one_managed_name_are_refused(
    run: Cli, shop: Path, recorder: Recorder
) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    with db(shop) as conn:  # another tool made a second one with the same name
        conn.execute(
            "INSERT INTO promotions (name, redemption_type, status, currency_code, start_date, doc) "
            "SELECT name, redemption_type, status, currency_code, start_date, doc "
            "FROM promotions WHERE id = 2"
        )
    recorder.requests.clear()
    refused = run("apply", "--auto-approve")
    assert refused.exit_code == 1
    assert "'Buy 2 tents, get a footprint free' (ids 2, 5)" in refused.stderr
    assert {r.method for r in recorder.requests if "/metafields" not in r.url.path} == {"GET"}


def test_rule_naming_an_unknown_category_is_an_error_at_its_line(
    run: Cli, shop: Path, recorder: Recorder
) -> None:
    edit(shop / PROMOTIONS, "categories: [Camping/Tents]", "categories: [Camping/Tarps]")
    result = run("apply", "--auto-approve")
    assert result.exit_code == 1
    line = next(
        i for i, t in enumerate((shop / PROMOTIONS).read_text().splitlines(), 1) if "Camping/Tarps" in t
    )
    assert re.search(
        rf"promotions\.yaml:{line}:\d+: promotions: Buy 2 tents, get a footprint free refers to category "
        r"'Camping/Tarps', which is not in the configuration \(categories are pruned",
        result.stderr,
    ), result.stderr
    assert {r.method for r in recorder.requests} <= {"GET"}


def test_rule_naming_a_category_deleted_in_the_store_fails_before_any_write(
    tmp_path: Path, recorder: Recorder
) -> None:
    root = tmp_path / "promo-only"
    root.mkdir()
    (root / "storeconf.yaml").write_text(
        PROJECT.replace("  customer_groups: {prune: true}\n", "").replace(
            "  brands: {prune: true}\n  categories: {prune: true}\n  products: {prune: true}\n", ""
        )
    )
    (root / "catalog.yaml").write_text("{}\n")
    (root / PROMOTIONS).write_text(
        "promotions:\n- name: Gear deal\n  redemption_type: AUTOMATIC\n  rules:\n"
        "  - condition: {cart: {items: {categories: [Gear]}, minimum_quantity: 2}}\n"
        "    action: {cart_value: {discount: {percentage_amount: 5}}}\n"
    )
    category = _create_category(root, "Gear")
    run = Cli(root, recorder)
    assert run("apply", "--auto-approve").exit_code == 0
    _delete_category(root, category)  # someone deletes it in the control panel
    edit(root / PROMOTIONS, "percentage_amount: 5", "percentage_amount: 6")
    recorder.requests.clear()
    result = run("apply", "--auto-approve")
    assert result.exit_code == 1
    assert re.search(
        r"promotions\.yaml:5:\d+: promotions: Gear deal refers to category 'Gear', "
        r"which is neither in the configuration nor in the store",
        result.stderr,
    ), result.stderr
    assert {r.method for r in recorder.requests if "/metafields" not in r.url.path} == {"GET"}


def _create_category(root: Path, name: str) -> int:
    async def go() -> int:
        async with connect(load_project(root, environ={}).environment) as client:
            body = [{"name": name, "tree_id": 1}]
            resp = await client.request("POST", "/v3/catalog/trees/categories", json=body)
            return int(resp.data[0]["category_id"])

    return asyncio.run(go())


def _delete_category(root: Path, category: int) -> None:
    async def go() -> None:
        async with connect(load_project(root, environ={}).environment) as client:
            await client.request(
                "DELETE", "/v3/catalog/trees/categories", params={"category_id:in": category}
            )

    asyncio.run(go())


def test_plan_file_keeps_replacement_notes(run: Cli, shop: Path, tmp_path: Path) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    edit(shop / PROMOTIONS, "{code: SUMMIT15, max_uses: 500", "{code: SUMMIT15, max_uses: 450")
    out = tmp_path / "plan.json"
    assert run("plan", "--out", str(out)).exit_code == 0
    body = json.loads(out.read_text())
    (summit,) = [c for c in body["changes"] if c["key"] == "Summit Peak 15% coupon"]
    assert [(c["action"], c.get("replaces")) for c in summit["children"]] == [
        ("delete", "codes cannot be updated; re-creating it resets its uses"),
        ("create", "codes cannot be updated; re-creating it resets its uses"),
    ]
    assert run("apply", str(out), "--auto-approve").exit_code == 0


def test_customer_groups_by_name(run: Cli, shop: Path) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    with db(shop) as conn:
        (ids,) = conn.execute(
            "SELECT json_extract(doc, '$.customer.excluded_group_ids') FROM promotions "
            "WHERE name LIKE 'Free%'"
        ).fetchone()
    assert json.loads(ids) == [1]
    edit(shop / PROMOTIONS, "excluded_groups: [Wholesale]", "groups: [(guests), Wholesale]")
    plan = run("plan")
    assert 'customer.groups: [] → ["(guests)", "Wholesale"]' in plan.stdout, plan.stdout
    assert run("apply", "--auto-approve").exit_code == 0
    assert run("plan", "--detailed-exitcode").exit_code == 0
    edit(shop / PROMOTIONS, "groups: [(guests), Wholesale]", "groups: [Retail]")
    result = run("plan")
    assert "refers to customer group 'Retail', which is not in the configuration" in result.stderr


def test_a_gift_variant_is_read_back_by_its_sku(
    run: Cli, shop: Path, tmp_path: Path, recorder: Recorder
) -> None:
    """The store names the gift by variant id; the read turns it back into the variant's SKU
    from the products read (their variants' ids), so a re-plan and an export see the SKU."""
    (shop / "catalog.yaml").write_text(
        CATALOG
        + """- {sku: TENT-UL2, name: Ultralight 2P Tent, type: physical, price: 299, weight: 1.5,
   options: [{name: Color, type: dropdown, values: [Sage, Sand]}],
   variants: [{sku: TENT-UL2-SAGE, options: {Color: Sage}}, {sku: TENT-UL2-SAND, options: {Color: Sand}}]}
"""
    )
    with (shop / PROMOTIONS).open("a") as f:
        f.write(
            "\n- name: A tent for big carts\n  redemption_type: AUTOMATIC\n  rules:\n"
            "  - condition: {cart: {minimum_spend: 1000}}\n"
            "    action: {gift_item: {variant: TENT-UL2-SAND, quantity: 1}}\n"
        )
    assert run("apply", "--auto-approve").exit_code == 0
    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.stdout
    out = tmp_path / "exported"
    assert Cli(shop, recorder)("export", "--out", str(out)).exit_code == 0
    exported = next(out.rglob("promotions.yaml")).read_text()
    assert "variant: TENT-UL2-SAND" in exported, exported
