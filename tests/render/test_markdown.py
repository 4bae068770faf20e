"""The markdown plan a reviewer reads in a PR comment: golden files for each shape of change,
and the comment size budget. Regenerate the goldens with STORECONF_UPDATE_GOLDEN=1."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from storeconf.errors import Location
from storeconf.plan import Action, Change, FieldChange, Plan
from storeconf.render.markdown import GITHUB_LIMIT, Document, Section, markdown_parts, render_markdown

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("STORECONF_UPDATE_GOLDEN") == "1"


def at(file: str, line: int) -> Location:
    return Location(file, line, 3)


def create(kind: str, key: str, line: int, children: tuple[Change, ...] = (), **fields: object) -> Change:
    diff = tuple(FieldChange(k, None, v) for k, v in fields.items())
    return Change(
        kind, key, Action.CREATE, dict(fields), diff, source=at(f"{kind}.yaml", line), children=children
    )


def update(kind: str, key: str, *diff: FieldChange, children: tuple[Change, ...] = ()) -> Change:
    return Change(
        kind, key, Action.UPDATE, {}, diff, live_id=7, source=at(f"{kind}.yaml", 4), children=children
    )


def delete(kind: str, key: str, **fields: object) -> Change:
    diff = tuple(FieldChange(k, v, None) for k, v in fields.items())
    return Change(kind, key, Action.DELETE, {}, diff, live_id=9)


def child(kind: str, key: str, action: Action, *diff: FieldChange) -> Change:
    return Change(kind, key, action, {}, diff)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.md"
    if UPDATE:
        path.write_text(text)
    assert text == path.read_text(), (
        f"{name}: markdown differs from {path} (STORECONF_UPDATE_GOLDEN=1 rewrites)"
    )


def plan_of(*changes: Change, warnings: tuple[str, ...] = ()) -> Plan:
    return Plan(changes, "staging", "store abc123", ("brands", "products", "webhooks"), warnings)


def test_creates() -> None:
    plan = plan_of(
        create("brands", "Northwind", 3, name="Northwind", meta_keywords=["tents", "four-season"]),
        create("webhooks", "store/order/created https://h.example/o", 9, scope="store/order/created"),
    )
    check_golden("creates", render_markdown(plan))


def test_updates_show_real_minus_plus_lines() -> None:
    plan = plan_of(
        update("brands", "Northwind", FieldChange("page_title", "Old title", "New title")),
        update("webhooks", "store/cart/* https://h.example/c", FieldChange("is_active", True, False)),
    )
    text = render_markdown(plan)
    check_golden("updates", text)
    assert '- page_title: "Old title"\n+ page_title: "New title"' in text
    assert "\n~" not in text  # GitHub does not colour `~` lines


def test_deletes_name_the_live_object() -> None:
    plan = plan_of(delete("brands", "Old Brand", name="Old Brand", page_title="Gone"))
    check_golden("deletes", render_markdown(plan))


def test_replaces_pair_a_delete_and_a_create() -> None:
    plan = plan_of(
        delete("products", "TENT", name="Tent", type="physical"),
        create("products", "TENT", 12, name="Tent", type="digital"),
    )
    text = render_markdown(plan)
    check_golden("replaces", text)
    assert "| products |  |  | 1 |  |" in text


def test_nested_parts_grouped_under_their_parent_with_counts() -> None:
    variants = (
        child(
            "variant",
            "TENT-GRN",
            Action.CREATE,
            FieldChange("sku", None, "TENT-GRN"),
            FieldChange("price", None, 10),
        ),
        child("variant", "TENT-RED", Action.UPDATE, FieldChange("price", 5, 6)),
        child("variant", "TENT-BLU", Action.DELETE, FieldChange("sku", "TENT-BLU", None)),
        child("variant", "TENT-BLU", Action.CREATE, FieldChange("sku", None, "TENT-BLU")),
        child("custom_field", "season", Action.DELETE, FieldChange("value", "3", None)),
    )
    plan = plan_of(update("products", "TENT", FieldChange("price", 199.0, 249.0), children=variants))
    text = render_markdown(plan)
    check_golden("nested", text)
    assert "| products › variant | 1 | 1 | 1 |  |" in text
    assert "@@ variant: 1 create, 1 update, 1 replace @@" in text


def test_secrets_are_masked() -> None:
    secret = FieldChange("headers", {"X-Key": "old-secret"}, {"X-Key": "new-secret"}, sensitive=True)
    nested = child(
        "custom_field", "supplier", Action.CREATE, FieldChange("value", None, "hunter2", sensitive=True)
    )
    plan = plan_of(
        update("webhooks", "store/cart/* https://h.example/c", secret),
        update("products", "TENT", children=(nested,)),
    )
    text = render_markdown(plan)
    check_golden("secrets", text)
    assert "secret" not in text and "hunter2" not in text


def test_no_changes_keeps_the_marker() -> None:
    text = render_markdown(plan_of())
    assert text.splitlines()[0] == "<!-- storeconf plan: staging -->"
    assert "**No changes.**" in text


def test_backticks_in_values_cannot_break_the_fence() -> None:
    plan = plan_of(create("scripts", "x", 1, html="<script>```</script>"))
    text = render_markdown(plan)
    assert "````diff" in text and text.count("````") == 2


def big_plan(n: int) -> Plan:
    changes = [
        create("products", f"SKU-{i:05}", i, name=f"Product {i}", price=i + 0.5, description="x" * 40)
        for i in range(n // 2)
    ]
    changes += [
        update("brands", f"Brand {i:05}", FieldChange("page_title", f"old {i}", f"new {i}"))
        for i in range(n // 2)
    ]
    return plan_of(*changes)


def well_formed(part: str) -> None:
    assert len(part) < GITHUB_LIMIT
    assert part.count("<details") == part.count("</details>")
    assert len(re.findall(r"^```+diff$", part, re.M)) * 2 == len(re.findall(r"^```+", part, re.M))


def test_ten_thousand_changes_truncate_under_the_limit_with_a_pointer() -> None:
    doc = Document((Section("staging", big_plan(10_000), artifact="plan-staging.json"),))
    (text,) = markdown_parts(doc)
    well_formed(text)
    assert text.startswith("<!-- storeconf plan: staging -->\n")
    assert "| products | 5000 |" in text and "| brands |  | 5000 |" in text
    assert re.search(r"\d+ more change\(s\) in `staging` are not shown", text)
    assert "`plan-staging.json`" in text


def test_ten_thousand_changes_split_into_numbered_parts() -> None:
    plan = big_plan(10_000)
    parts = markdown_parts(Document((Section("staging", plan),)), split=True)
    assert len(parts) > 1
    for number, part in enumerate(parts, 1):
        well_formed(part)
        suffix = f" (part {number})" if number > 1 else ""
        assert part.startswith(f"<!-- storeconf plan: staging{suffix} -->\n")
    shown = sum(len(re.findall(r"^\*\*[+~] (create|update)\*\*", p, re.M)) for p in parts)
    assert shown == 10_000  # every change is in some part, none twice


def test_one_huge_change_is_cut_inside_its_block() -> None:
    variants = tuple(
        child("variant", f"V-{i:05}", Action.CREATE, FieldChange("sku", None, f"V-{i:05}" + "y" * 60))
        for i in range(3_000)
    )
    plan = plan_of(create("products", "HUGE", 1, children=variants))
    for part in markdown_parts(Document((Section("staging", plan),)), split=True):
        well_formed(part)
    text = render_markdown(plan)
    assert "more lines: see the full plan file" in text


@pytest.mark.parametrize("split", [False, True])
def test_several_environments_one_document(split: bool) -> None:
    staging = plan_of(create("brands", "Northwind", 3, name="Northwind"))
    production = Plan((), "production", "store xyz789")
    doc = Document(
        (Section("staging", staging), Section("production", production), Section("qa", error="no token"))
    )
    (text,) = markdown_parts(doc, split=split)
    assert text.startswith("<!-- storeconf plan: staging, production, qa -->\n")
    assert "### storeconf plan: `staging` (store abc123)" in text
    assert "### storeconf plan: `production` (store xyz789)\n\n**No changes.**" in text
    assert "**Error:** no token" in text


def test_sources_link_to_the_commit_when_a_link_is_given() -> None:
    plan = plan_of(create("brands", "Northwind", 3, name="Northwind"))
    doc = Document((Section("staging", plan),), source_link="https://github.com/acme/store/blob/abc/shop/")
    (text,) = markdown_parts(doc)
    assert "at [`brands.yaml:3`](https://github.com/acme/store/blob/abc/shop/brands.yaml#L3)" in text
