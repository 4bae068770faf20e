"""Targeted reads and `--changed-since`: a plan of a few products reads those products only,
and still sees every edit the store received on them; a pull request's plan covers exactly
the objects its commits changed."""

from __future__ import annotations

import asyncio
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from storeconf.config import load_project
from storeconf.engine import connect
from storeconf.kinds import REGISTRY
from storeconf.model import Desired, DesiredState, Manage
from storeconf.since import changed_targets, snapshot
from storeconf.targets import narrowed
from tests.conftest import Cli, Recorder
from tests.test_e2e import edit

PRODUCTS = "/v3/catalog/products"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def committed(root: Path) -> Path:
    (root / ".gitignore").write_text(".storeconf/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def in_store(root: Path, *calls: tuple[str, str, Any]) -> list[Any]:
    """Requests made behind storeconf's back (another tool, the control panel)."""

    async def go() -> list[Any]:
        async with connect(load_project(root, environ={}).environment) as client:
            return [(await client.request(m, p, json=body)).body for m, p, body in calls]

    return asyncio.run(go())


def product_ids(root: Path, sku: str) -> tuple[int, dict[str, Any]]:
    (found,) = in_store(root, ("GET", f"{PRODUCTS}?sku={sku}&include=variants,options,modifiers", None))
    raw = found["data"][0]
    return raw["id"], raw


def product_listings(recorder: Recorder) -> list[httpx.Request]:
    return [r for r in recorder.requests if r.method == "GET" and r.url.path.endswith(PRODUCTS)]


def said(result: Any) -> str:
    """The output with the console's line wrapping undone."""
    return " ".join(result.output.split())


def heads(output: str) -> list[str]:
    lines = [line.split()[:3] for line in output.splitlines() if re.match(r"^  [+~-]/?[+-]? ", line)]
    return [" ".join(words) for words in lines]


def test_targeted_plan_reads_only_the_targeted_products(cli: Cli, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    recorder.requests.clear()
    plan = cli(
        "plan", "--target", "products/JKT-STORM", "--target", "products/tent-ul2", "--detailed-exitcode"
    )
    assert plan.exit_code == 0, plan.output
    listings = product_listings(recorder)
    # One page for both SKUs, one for their options and modifiers; never the whole catalog.
    assert [r.url.params.get("sku:in") for r in listings if "sku:in" in r.url.params] == [
        "JKT-STORM,TENT-UL2"
    ]
    assert all(set(r.url.params) & {"sku:in", "id:in"} for r in listings), [str(r.url) for r in listings]
    assert len(listings) == 2


def test_every_edit_made_in_the_store_to_a_targeted_product_is_seen(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    pid, raw = product_ids(example, "JKT-STORM")
    variant = next(v for v in raw["variants"] if v["sku"] == "JKT-STORM-GLA-S-T")
    size = next(o for o in raw["options"] if o["display_name"] == "Size")
    modifier = raw["modifiers"][0]
    in_store(
        example,
        ("PUT", f"{PRODUCTS}/{pid}/variants/{variant['id']}", {"price": 1.5}),
        ("POST", f"{PRODUCTS}/{pid}/custom-fields", {"name": "added", "value": "elsewhere"}),
        ("PUT", f"{PRODUCTS}/{pid}/options/{size['id']}", {"display_name": "Size", "type": "dropdown"}),
        ("PUT", f"{PRODUCTS}/{pid}/modifiers/{modifier['id']}", {"type": modifier["type"], "required": True}),
        ("PUT", f"{PRODUCTS}/{pid}", {"description": "edited elsewhere"}),
    )
    plan = cli("plan", "--target", "products/JKT-STORM")
    out = plan.stdout
    assert heads(out) == ["~ products JKT-STORM"], out
    for seen in (
        f"{variant['sku']}",
        "price: 1.5 → 339.0",
        "- custom_field added",
        'type: "dropdown" → "rectangles"',
        "required: true → false",
    ):
        assert seen in out, (seen, out)
    assert 'description: "edited elsewhere" → ' in out
    assert cli("apply", "--auto-approve", "--target", "products/JKT-STORM").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_changed_since_plans_what_the_commits_changed(cli: Cli, example: Path, recorder: Recorder) -> None:
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    camping = example / "catalog/products-camping.yaml"
    edit(camping, "  price: 99.0\n", "  price: 109.0\n")  # STOVE-WOOD
    text = camping.read_text()
    # Two products removed (products are pruned): 2 of the store's 40-odd, not 2 of 2 read.
    for sku in ("MUG-INS", "PAN-FRY"):
        start = text.index(f"- sku: {sku}\n")
        end = text.find("\n- sku:", start + 1)
        text = text[:start] + (text[end + 1 :] if end != -1 else "")
    camping.write_text(text)
    edit(example / "catalog/brands.yaml", "page_title: EmberTrail camp", "page_title: Ember camp")
    recorder.requests.clear()
    plan = cli("plan", "--changed-since", "HEAD")
    assert plan.exit_code == 0, plan.output
    assert sorted(heads(plan.stdout)) == [
        "- products MUG-INS",
        "- products PAN-FRY",
        "~ brands EmberTrail",
        "~ products STOVE-WOOD",
    ], plan.stdout
    assert "only the 4 object(s) whose configuration changed were planned" in said(plan)
    listings = product_listings(recorder)
    assert not any("page" in r.url.params and not set(r.url.params) & {"sku:in", "id:in"} for r in listings)
    applied = cli("apply", "--auto-approve", "--changed-since", "HEAD")
    assert applied.exit_code == 0, applied.output
    assert cli("plan", "--detailed-exitcode").exit_code == 0  # the whole store agrees


def test_changed_since_with_nothing_changed_reads_nothing(
    cli: Cli, example: Path, recorder: Recorder
) -> None:
    committed(example)
    plan = cli("plan", "--changed-since", "HEAD", "--detailed-exitcode")
    assert plan.exit_code == 0 and recorder.requests == [], plan.output
    assert "only the 0 object(s)" in said(plan)


def test_an_object_added_and_removed_before_any_apply_is_no_target(cli: Cli, example: Path) -> None:
    committed(example)
    brands = example / "catalog/brands.yaml"
    edit(brands, "brands:\n", "brands:\n  - name: Fleeting\n")
    git(example, "commit", "-qam", "add")
    edit(brands, "  - name: Fleeting\n", "")
    plan = cli("plan", "--changed-since", "HEAD", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output  # not "no brands object has the key"


def test_a_changed_manage_setting_plans_the_whole_kind(cli: Cli, example: Path) -> None:
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "storeconf.yaml", "  scripts: {prune: true}\n", "  scripts: {prune: false}\n")
    plan = cli("plan", "--changed-since", "HEAD")
    assert plan.exit_code == 0 and "only the 1 object(s)" in said(plan), plan.output


def test_changed_since_refuses_what_it_cannot_compare(cli: Cli, example: Path) -> None:
    outside = cli("plan", "--changed-since", "HEAD")
    assert outside.exit_code == 1 and "not a git repository" in outside.stderr, outside.output
    committed(example)
    typo = cli("plan", "--changed-since", "mian")
    assert typo.exit_code == 1 and "git knows no commit 'mian'" in typo.stderr, typo.output
    both = cli("plan", "--changed-since", "HEAD", "--target", "brands")
    assert both.exit_code == 1 and "cannot be used together" in both.stderr


def test_a_base_that_does_not_load_plans_everything(cli: Cli, example: Path) -> None:
    edit(example / "catalog/brands.yaml", "brands:\n", "brands:\n  - name: [broken\n")
    committed(example)
    edit(example / "catalog/brands.yaml", "  - name: [broken\n", "")
    plan = cli("plan", "--changed-since", "HEAD")
    assert plan.exit_code == 0, plan.output
    assert "the configuration at HEAD does not load" in said(plan) and "everything was planned" in said(plan)
    assert "+ products JKT-STORM" in plan.stdout


# ---- plain data -------------------------------------------------------------------------------


def _state(objects: dict[str, dict[str, dict[str, Any]]], manage: dict[str, Manage]) -> DesiredState:
    return DesiredState(
        {k: {key.casefold(): Desired(k, key, f) for key, f in items.items()} for k, items in objects.items()},
        manage,
    )


def test_changed_targets_on_plain_data() -> None:
    manage = {"products": Manage(prune=True), "brands": Manage(), "webhook_admin": Manage()}
    old = _state(
        {
            "products": {"A": {"sku": "A", "price": 1}, "B": {"sku": "B"}},
            "brands": {"X": {"name": "X"}},
            "webhook_admin": {"admin": {"emails": ["a@x"]}},
        },
        manage,
    )
    new = _state(
        {
            "products": {"A": {"sku": "A", "price": 2}, "C": {"sku": "C"}},
            "brands": {"X": {"name": "X"}},
            "webhook_admin": {"admin": {"emails": ["b@x"]}},
        },
        manage,
    )
    assert changed_targets(snapshot(old), snapshot(new)) == [
        "products/A",
        "products/B",
        "products/C",
        "webhook_admin",
    ]
    ignored = {**manage, "brands": Manage(ignore=frozenset({"page_title"}))}
    assert "brands" in changed_targets(snapshot(old), snapshot(replace_manage(new, ignored)))
    assert changed_targets(snapshot(old), snapshot(old)) == []


def test_digests_ignore_key_order_but_not_nested_values() -> None:
    manage = {"products": Manage()}

    def one(fields: dict[str, Any]) -> Any:
        return snapshot(_state({"products": {"A": fields}}, manage))

    same = changed_targets(
        one({"sku": "A", "v": [{"x": 1, "y": 2}]}), one({"v": [{"y": 2, "x": 1}], "sku": "A"})
    )
    assert same == []
    assert changed_targets(one({"sku": "A", "v": [{"x": 1}]}), one({"sku": "A", "v": [{"x": 1.5}]})) == [
        "products/A"
    ]
    assert (
        changed_targets(one({"sku": "A", "p": Decimal("1.10")}), one({"sku": "A", "p": Decimal("1.1")})) != []
    )


def replace_manage(state: DesiredState, manage: dict[str, Manage]) -> DesiredState:
    return DesiredState(state.objects, manage)


def test_a_kind_is_read_in_part_only_when_nothing_else_needs_it_whole() -> None:
    assert narrowed(["products/A", "products/b"], REGISTRY) == {"products": frozenset({"A", "b"})}
    assert narrowed(["products/A", "products"], REGISTRY) == {}
    # A price list resolves its records' SKUs against every product.
    assert narrowed(["products/A", "price_lists/Trade"], REGISTRY) == {}
    assert narrowed(["brands/X"], REGISTRY) == {}  # brands are one page: always read whole
