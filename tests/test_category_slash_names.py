"""Category names that contain `/`: the nested form takes `name` literally, a path escapes it as `\\/`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, Recorder
from tests.test_categories import project

NESTED = """
categories:
  - name: Apparel
    children:
      - name: Tops/Tees
        children: [{name: V-neck}]
"""
PRODUCTS = r"""
products:
  - {sku: TEE-1, name: Tee, type: physical, price: 10, weight: 1, categories: ['Apparel/Tops\/Tees/V-neck']}
"""


def test_nested_name_with_a_slash_is_one_category(tmp_path: Path, recorder: Recorder) -> None:
    root = project(tmp_path / "p", NESTED)
    (root / "products.yaml").write_text(PRODUCTS)
    (root / "storeconf.yaml").write_text(
        "version: 1\ninclude: ['*.yaml']\nmanage:\n  categories: {prune: true}\n  products: {prune: true}\n"
    )
    cli = Cli(root, recorder)
    plan = cli("plan")
    assert plan.exit_code == 0, plan.output
    assert "+ categories Apparel/Tops\\/Tees\n" in plan.stdout
    assert "+ categories Apparel/Tops\\/Tees/V-neck\n" in plan.stdout
    assert cli("apply", "--auto-approve").exit_code == 0
    created = [
        json.loads(r.content)
        for r in recorder.requests
        if r.method == "POST" and r.url.path.endswith("/trees/categories")
    ]
    assert [c["name"] for batch in created for c in batch] == ["Apparel", "Tops/Tees", "V-neck"]
    assert cli("plan", "--detailed-exitcode").exit_code == 0

    # A flat path with the escape names the same category; --target accepts the same spelling.
    (root / "categories.yaml").write_text(
        "categories:\n  - path: Apparel\n  - path: Apparel/Tops\\/Tees\n    description: tees\n"
        "  - path: Apparel/Tops\\/Tees/V-neck\n"
    )
    targeted = cli("plan", "--target", "categories/Apparel/Tops\\/Tees")
    assert targeted.exit_code == 0, targeted.output
    assert "~ categories Apparel/Tops\\/Tees\n" in targeted.stdout
    assert (
        "Plan for local (sandbox .storeconf/local.db): 0 to create, 1 to update, 0 to delete."
        in targeted.stdout
    )

    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    assert "path: Apparel/Tops\\/Tees/V-neck" in (out / "catalog" / "categories.yaml").read_text()
    again = Cli(out, recorder)("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_an_empty_segment_hints_at_the_escape(tmp_path: Path, recorder: Recorder) -> None:
    root = project(tmp_path / "p", "categories:\n  - path: Apparel//Tees\n")
    result = Cli(root, recorder)("validate")
    assert result.exit_code == 1
    assert "has an empty segment (a `/` inside a name is written `\\/`)" in result.stderr
