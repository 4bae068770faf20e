"""The CI templates in examples/ci/ run green: each workflow is parsed and its `run:` steps are
executed (tests/gha.py) against two `storeconf sandbox serve` processes standing in for the
staging and production stores, with the repository secrets replaced by the sandboxes' tokens."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from ruamel.yaml import YAML

from storeconf.render.markdown import GITHUB_LIMIT
from tests.conftest import EXAMPLES, copy_example
from tests.gha import Runner, load_workflow
from tests.sandbox_process import sandbox_server

CI = EXAMPLES / "ci"
WORKFLOWS = CI / "github"
TOKENS = {"BC_STAGING_TOKEN": "staging-ci-token", "BC_PRODUCTION_TOKEN": "production-ci-token"}


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[dict[str, str]]:
    with (
        sandbox_server(tmp_path, TOKENS["BC_STAGING_TOKEN"], "staging") as staging,
        sandbox_server(tmp_path, TOKENS["BC_PRODUCTION_TOKEN"], "production") as production,
    ):
        yield {"staging": staging, "production": production}


def repository(tmp_path: Path, stores: dict[str, str]) -> Path:
    """The example project as a user's repository, its staging and production stores pointed at
    the sandboxes (products, and the customer groups, promotions and price lists that name them,
    left out to keep it quick)."""
    repo = copy_example(tmp_path / "repo")
    for products in (repo / "catalog").glob("products-*.yaml"):
        products.unlink()
    shutil.rmtree(repo / "customers")
    shutil.rmtree(repo / "marketing")
    project = repo / "storeconf.yaml"
    # Customer groups, promotions and price lists name products (and each other): they go too.
    text = project.read_text()
    for folder in ("customers", "marketing", "pricing"):
        text = text.replace(f"  - {folder}/*.yaml\n", "")
    for env, store_hash in (("staging", "abc123staging"), ("production", "xyz789prod")):
        text = text.replace(
            f"store_hash: {store_hash}\n", f"store_hash: sandbox\n    api_url: {stores[env]}\n", 1
        )
    project.write_text(text)
    return repo


class Uses:
    """The `uses:` steps the runner does not run (github-script): what they would read."""

    def __init__(self) -> None:
        self.scripts: list[tuple[dict[str, Any], Path, dict[str, str]]] = []

    def __call__(self, step: dict[str, Any], workspace: Path, env: dict[str, str]) -> None:
        action = str(step["uses"]).split("@")[0]
        assert action in {"actions/checkout", "actions/setup-python", "actions/github-script"}, action
        if action == "actions/github-script":
            self.scripts.append((step, workspace, env))


def runner(tmp_path: Path, repo: Path, uses: Uses, **github: Any) -> Runner:
    work = tmp_path / "runs"
    work.mkdir(exist_ok=True)
    context = {"sha": "0" * 40, "repository": "acme/store", "event_name": "push", "event": {}, **github}
    # The install step is the test's own: storeconf is already installed in this interpreter.
    bin_dir = str(Path(sys.executable).parent)
    return Runner(repo, work, context, dict(TOKENS), bin_dir, on_uses=uses, skip_ids={"install"})


def out_of_band_brand(url: str, name: str) -> None:
    """Someone edits production by hand: a brand storeconf does not declare."""
    response = httpx.post(
        f"{url}/stores/sandbox/v3/catalog/brands",
        json={"name": name},
        headers={"X-Auth-Token": TOKENS["BC_PRODUCTION_TOKEN"], "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text


def failed(job: Any) -> str:
    return "\n".join(f"--- {s.name} ({s.code})\n{s.stdout}\n{s.stderr}" for s in job.steps if s.ran)


def test_every_workflow_parses_and_every_step_is_run_or_known() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == [
        "storeconf-apply-staging.yml",
        "storeconf-drift.yml",
        "storeconf-plan.yml",
        "storeconf-promote-production.yml",
    ]
    for file in files:
        for job in load_workflow(file)["jobs"].values():
            assert all(("run" in step) != ("uses" in step) for step in job["steps"]), file


def test_pull_request_merge_promotion_and_drift(tmp_path: Path, stores: dict[str, str]) -> None:
    repo = repository(tmp_path, stores)
    uses = Uses()

    # (a) a pull request: validate, plan both stores, one comment (in parts if need be).
    pr = runner(tmp_path, repo, uses, event_name="pull_request", event={"pull_request": {"number": 7}})
    job = pr.run_workflow(WORKFLOWS / "storeconf-plan.yml")["plan"]
    assert job.ok, failed(job)
    assert job.step("Plan staging and production").outputs == {"exitcode": "2"}
    assert not job.step("Fail on a plan error").ran
    ((_step, workspace, env),) = uses.scripts
    parts = sorted((workspace / env["COMMENT_DIR"]).glob("part-*.md"))
    assert parts and all(len(p.read_text()) < GITHUB_LIMIT for p in parts)
    first = parts[0].read_text()
    assert first.startswith("<!-- storeconf plan: staging, production -->\n")
    assert "### storeconf plan: `staging` (store sandbox)" in first and "`production`" in first
    assert "| webhooks | 4 |" in first and "X-Hook-Source" not in first
    link = f"(https://github.com/acme/store/blob/{'0' * 40}/storefront/webhooks.yaml#L3)"
    assert f"at [`storefront/webhooks.yaml:3`]{link}" in first
    assert {p.name for p in pr.artifacts["storeconf-plans"]} == {"plan.staging.json", "plan.production.json"}

    # (b) the merge: staging gets the saved plan, then plans to zero.
    merge = runner(tmp_path, repo, uses)
    job = merge.run_workflow(WORKFLOWS / "storeconf-apply-staging.yml")["apply-staging"]
    assert job.ok, failed(job)
    assert "Apply complete" in job.step("Apply the saved plan").stdout

    # (c) promotion: the reviewed plan is applied; a plan gone stale in between is refused.
    promote = runner(
        tmp_path, repo, uses, event_name="workflow_run", event={"workflow_run": {"conclusion": "success"}}
    )
    flow = WORKFLOWS / "storeconf-promote-production.yml"
    planned = promote.run_workflow(flow, jobs=["plan-production"])["plan-production"]
    assert planned.ok, failed(planned)
    out_of_band_brand(stores["production"], "Hand Made")
    stale = promote.run_workflow(flow, jobs=["apply-production"])["apply-production"]
    assert not stale.ok
    assert "changed since the plan was made" in stale.step("Apply the reviewed plan").stderr
    assert "re-run this workflow to plan again" in stale.step("Apply the reviewed plan").stdout
    jobs = promote.run_workflow(flow)  # re-run: plan again, apply
    assert jobs["plan-production"].ok and jobs["apply-production"].ok, failed(jobs["apply-production"])

    # (d) nightly: production in sync passes; a hand edit is drift, reported and failing.
    nightly = runner(tmp_path, repo, uses, event_name="schedule")
    drift_flow = WORKFLOWS / "storeconf-drift.yml"
    uses.scripts.clear()
    clean = nightly.run_workflow(drift_flow)["drift"]
    assert clean.ok, failed(clean)
    assert clean.step("Plan production").outputs == {"exitcode": "0"} and not uses.scripts
    out_of_band_brand(stores["production"], "Weekend Edit")
    drifted = nightly.run_workflow(drift_flow)["drift"]
    assert not drifted.ok and drifted.step("Plan production").outputs == {"exitcode": "2"}
    ((_step, workspace, env),) = uses.scripts
    body = (workspace / env["BODY_FILE"]).read_text()
    assert body.startswith("<!-- storeconf plan: production -->") and "`brands/Weekend Edit`" in body
    assert "drift, 1: error" in drifted.step("Fail on drift or error").stderr


def test_pre_commit_hook_runs_validate(tmp_path: Path) -> None:
    config = YAML(typ="safe").load((CI / "pre-commit-config.yaml").read_text())
    (hook,) = config["repos"][0]["hooks"]
    assert hook["id"] == "storeconf-validate" and hook["pass_filenames"] is False
    (published,) = YAML(typ="safe").load((EXAMPLES.parent / ".pre-commit-hooks.yaml").read_text())
    assert {k: published[k] for k in ("id", "entry", "files")} == {
        k: hook[k] for k in ("id", "entry", "files")
    }
    repo = copy_example(tmp_path / "repo")
    shutil.rmtree(repo / ".storeconf", ignore_errors=True)
    r = Runner(repo, tmp_path, {}, {}, str(Path(sys.executable).parent))
    ok = r._run("pre-commit", hook["entry"], repo, {})
    assert ok.code == 0 and "Configuration is valid" in ok.stdout, ok.stderr
    (repo / "catalog/brands.yaml").write_text("brands:\n  - nme: typo\n")
    bad = r._run("pre-commit", hook["entry"], repo, {})
    assert bad.code == 1 and "catalog/brands.yaml:2:" in bad.stdout + bad.stderr
