"""Targeted reads (`--target products/SKU` reads those products only) and `--changed-since`:
cases where the partial read must still plan what the whole read plans."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli, Recorder
from tests.test_changed_since import PRODUCTS, committed, git, heads, in_store, product_listings, said
from tests.test_e2e import edit

CAMPING = "catalog/products-camping.yaml"

# A product whose SKU casefolds to another string than the store folds it to: the identity
# "strasse-1" is not a spelling of "STRAßE-1" for the API (lower() keeps the ß).
UBER = """- sku: STRAßE-1
  name: Straße Mug
  type: physical
  price: 9.0
  weight: 0.1
"""


def add_product(root: Path, text: str) -> None:
    path = root / CAMPING
    path.write_text(path.read_text().replace("products:\n", "products:\n" + text, 1))


def test_a_removed_product_whose_sku_casefolds_differently_is_still_deleted(cli: Cli, example: Path) -> None:
    add_product(example, UBER)
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / CAMPING, UBER, "")
    full = cli("plan")
    assert "- products STRAßE-1" in heads(full.stdout), full.output
    plan = cli("plan", "--changed-since", "HEAD")
    assert plan.exit_code == 0, plan.output
    assert heads(plan.stdout) == ["- products STRAßE-1"], plan.output


def test_a_target_spelled_as_the_store_spells_it_is_found(cli: Cli, example: Path) -> None:
    add_product(example, UBER)
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / CAMPING, UBER, "")
    plan = cli("plan", "--target", "products/STRAßE-1")
    assert plan.exit_code == 0, plan.output
    assert heads(plan.stdout) == ["- products STRAßE-1"], plan.output


def test_a_product_without_sku_can_still_be_targeted(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    (made,) = in_store(
        example, ("POST", PRODUCTS, {"name": "Made by hand", "type": "physical", "price": 1, "weight": 1})
    )
    key = f"(no sku, id {made['data']['id']})"
    full = cli("plan")
    assert f"- products {key}" in full.stdout, full.output
    plan = cli("plan", "--target", f"products/{key}")
    assert plan.exit_code == 0, plan.output
    assert heads(plan.stdout) == [f"- products {key.split()[0]}"], plan.output
    applied = cli("apply", "--auto-approve", "--target", f"products/{key}")
    assert applied.exit_code == 0, applied.output
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_an_empty_changed_since_plan_file_applies_as_empty(cli: Cli, example: Path, tmp_path: Path) -> None:
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    # Drift on an object the pull request does not touch.
    (found,) = in_store(example, ("GET", f"{PRODUCTS}?sku=TENT-UL2", None))
    pid = found["data"][0]["id"]
    in_store(example, ("PUT", f"{PRODUCTS}/{pid}", {"description": "edited elsewhere"}))
    out = tmp_path / "pr.plan"
    plan = cli("plan", "--changed-since", "HEAD", "--out", str(out))
    assert plan.exit_code == 0 and heads(plan.stdout) == [], plan.output
    applied = cli("apply", str(out))
    assert applied.exit_code == 0, applied.output
    assert "description" not in said(applied), applied.output


def test_a_changed_category_tree_plans_the_products_it_moves(cli: Cli, example: Path) -> None:
    """`categories: {channel: N}` decides which tree a product's category paths name: moving
    to another channel's tree changes every categorised product's plan, not the categories'
    only."""
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    (channel,) = in_store(
        example, ("POST", "/v3/channels", {"name": "Second", "type": "storefront", "platform": "bigcommerce"})
    )
    second = channel["data"]["id"]
    in_store(example, ("PUT", "/v3/catalog/trees", [{"name": "Second", "channels": [second]}]))
    edit(example / "storeconf.yaml", "channel: 1}", f"channel: {second}}}")
    full = cli("plan")
    assert full.exit_code == 0, full.output
    moved = [h for h in heads(full.stdout) if h.startswith("~ products")]
    assert moved, full.stdout
    since = cli("plan", "--changed-since", "HEAD")
    assert since.exit_code == 0, since.output
    assert sorted(heads(since.stdout)) == sorted(heads(full.stdout)), since.stdout


def test_only_a_kinds_options_replan_the_kinds_that_refer_to_it() -> None:
    from storeconf.model import DesiredState, Manage
    from storeconf.since import Snapshot, changed_targets, snapshot

    def state(categories: Manage) -> Snapshot:
        return snapshot(
            DesiredState({}, {"categories": categories, "products": Manage(), "brands": Manage()})
        )

    tree1, tree2 = Manage(options={"channel": 1}), Manage(options={"channel": 2})
    assert changed_targets(state(tree1), state(tree2)) == ["categories", "products"]
    ignoring = Manage(options={"channel": 1}, ignore=frozenset({"description"}))
    assert changed_targets(state(tree1), state(ignoring)) == ["categories"]


def test_a_symlink_in_the_project_does_not_crash_changed_since(
    cli: Cli, example: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared.md"
    shared.write_text("notes kept elsewhere\n")
    (example / "NOTES.md").symlink_to(shared)  # absolute: the tar "data" filter refuses it
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / "catalog/brands.yaml", "page_title: EmberTrail camp", "page_title: Ember camp")
    plan = cli("plan", "--changed-since", "HEAD")
    assert plan.exit_code == 0, plan.output
    assert heads(plan.stdout) == ["~ brands EmberTrail"], plan.output


COMMA = """- sku: KIT,2
  name: Two-piece kit
  type: physical
  price: 20.0
  weight: 0.5
"""


def test_a_sku_with_a_comma_is_edited_renamed_and_removed_in_place(cli: Cli, example: Path) -> None:
    add_product(example, COMMA)
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / CAMPING, "  price: 20.0\n", "  price: 21.0\n")
    edited = cli("plan", "--changed-since", "HEAD")
    assert heads(edited.stdout) == ["~ products KIT,2"], edited.output
    edit(example / CAMPING, "- sku: KIT,2\n", "- sku: KIT-2\n")  # a SKU change: an update in place
    renamed = cli("plan", "--changed-since", "HEAD")
    assert heads(renamed.stdout) == ["~ products KIT-2"], renamed.output
    assert cli("apply", "--auto-approve", "--changed-since", "HEAD").exit_code == 0
    assert cli("plan", "--detailed-exitcode").exit_code == 0
    git(example, "commit", "-qam", "kit renamed")
    edit(example / CAMPING, COMMA.replace("KIT,2", "KIT-2").replace("20.0", "21.0"), "")
    removed = cli("plan", "--changed-since", "HEAD")
    assert heads(removed.stdout) == ["- products KIT-2"], removed.output


def remove_product(root: Path, sku: str) -> None:
    path = root / CAMPING
    text = path.read_text()
    start = text.index(f"- sku: {sku}\n")
    end = text.find("\n- sku:", start + 1)
    path.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))


def test_a_removed_product_is_not_taken_for_an_unread_product_that_takes_its_name(
    cli: Cli, example: Path
) -> None:
    """The store's MUG-INS goes, and PAN-FRY (in the store, not targeted) takes its name: a
    delete of MUG-INS, not a rename of MUG-INS into PAN-FRY (whose SKU the store holds: 409)."""
    assert cli("apply", "--auto-approve").exit_code == 0
    remove_product(example, "MUG-INS")
    edit(example / CAMPING, "  name: Nonstick Fry Pan\n", "  name: Insulated Camp Mug\n")
    full = cli("plan")
    assert sorted(heads(full.stdout)) == ["- products MUG-INS", "~ products PAN-FRY"], full.output
    plan = cli("plan", "--target", "products/MUG-INS")
    assert plan.exit_code == 0, plan.output
    assert heads(plan.stdout) == ["- products MUG-INS"], plan.output
    applied = cli("apply", "--auto-approve", "--target", "products/MUG-INS")
    assert applied.exit_code == 0, applied.output
    assert heads(cli("plan").stdout) == ["~ products PAN-FRY"]


def test_prune_owned_deletes_only_the_owned_targets(cli: Cli, example: Path) -> None:
    edit(example / "storeconf.yaml", "products: {prune: true,", "products: {prune: owned,")
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    in_store(
        example,
        ("POST", PRODUCTS, {"name": "Stray", "sku": "STRAY", "type": "physical", "price": 1, "weight": 1}),
    )
    remove_product(example, "MUG-INS")
    plan = cli("plan", "--target", "products/MUG-INS", "--target", "products/STRAY")
    assert plan.exit_code == 0, plan.output
    assert heads(plan.stdout) == ["- products MUG-INS"], plan.output
    since = cli("plan", "--changed-since", "HEAD")
    assert heads(since.stdout) == ["- products MUG-INS"], since.output


PREVIEW = """environments:
  preview:
    sandbox: .storeconf/local.db
    vars: {hooks: https://hooks.trailhead.example}
    overrides:
      products:
        TENT-UL2: {price: 400.0}
    exclude:
      products: [MUG-INS]
"""


def test_each_environment_plans_what_changed_for_it(cli: Cli, example: Path) -> None:
    edit(example / "storeconf.yaml", "environments:\n", PREVIEW)
    committed(example)
    assert cli("apply", "--auto-approve", "--env", "preview").exit_code == 0
    edit(example / "storeconf.yaml", "{price: 400.0}", "{price: 401.0}")
    edit(example / CAMPING, "  price: 99.0\n", "  price: 109.0\n")  # STOVE-WOOD, both environments
    plan = cli("plan", "--env", "preview", "--env", "local", "--changed-since", "HEAD", "--format", "json")
    assert plan.exit_code == 0, plan.output
    import json

    body = json.loads(plan.stdout)
    got = {
        env: sorted(f"{c['action']} {c['key']}" for c in section["changes"])
        for env, section in body["environments"].items()
    }
    assert got["preview"] == ["update STOVE-WOOD", "update TENT-UL2"], got
    assert got["local"] == ["update STOVE-WOOD"], got


def test_a_changed_since_plan_file_applies_as_planned(cli: Cli, example: Path, tmp_path: Path) -> None:
    committed(example)
    assert cli("apply", "--auto-approve").exit_code == 0
    remove_product(example, "MUG-INS")
    remove_product(example, "PAN-FRY")
    edit(example / CAMPING, "  price: 99.0\n", "  price: 109.0\n")
    out = tmp_path / "pr.plan"
    plan = cli("plan", "--changed-since", "HEAD", "--out", str(out))
    assert plan.exit_code == 0, plan.output
    applied = cli("apply", str(out))  # 2 deletes of the store's 40-odd: no --allow-deletes
    assert applied.exit_code == 0, applied.output
    assert cli("plan", "--detailed-exitcode").exit_code == 0


def test_a_sku_in_query_stays_short_once_encoded() -> None:
    """The 2,000-character budget is for the query as sent: a non-ASCII SKU is percent-encoded
    (a CJK character is 9 characters), and `sku:in` of 180 such SKUs was a 16 KB URL (414)."""
    import httpx

    from storeconf.kinds.products.read import _sku_chunks

    skus = [f"商品番号-{i:05d}" for i in range(300)]
    chunks = _sku_chunks(skus)
    assert [s for c in chunks for s in c] == skus
    for chunk in chunks:
        url = httpx.URL("https://api.bigcommerce.com/p", params={"sku:in": ",".join(chunk)})
        assert len(url.query) <= 2100, len(url.query)


def test_a_several_environment_json_plan_is_never_wrapped(cli: Cli, example: Path) -> None:
    """The --changed-since warning is a 230-character JSON string: the console wrapped it."""
    edit(example / "storeconf.yaml", "environments:\n", PREVIEW)
    committed(example)
    edit(example / CAMPING, "  price: 99.0\n", "  price: 109.0\n")
    plan = cli("plan", "--env", "preview", "--env", "local", "--changed-since", "HEAD", "--format", "json")
    assert plan.exit_code == 0, plan.output
    import json

    body = json.loads(plan.stdout)["environments"]
    assert any("--changed-since HEAD" in w for w in body["local"]["warnings"])


def test_a_sku_change_is_an_update_read_in_two_listings(cli: Cli, example: Path, recorder: Recorder) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(example / CAMPING, "- sku: PAN-FRY\n", "- sku: PAN-FRY-2\n")
    recorder.requests.clear()
    plan = cli("plan", "--target", "products/PAN-FRY-2")
    assert heads(plan.stdout) == ["~ products PAN-FRY-2"], plan.output
    asked = [dict(r.url.params) for r in product_listings(recorder)]
    assert [{k: v for k, v in p.items() if k in ("sku:in", "name")} for p in asked] == [
        {"sku:in": "PAN-FRY-2"},
        {"name": "Nonstick Fry Pan"},
    ], asked
