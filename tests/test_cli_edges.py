"""The CLI on awkward input: clear errors and exit codes, never a traceback."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from storeconf.applier import ApplyReport
from storeconf.engine import EMBEDDED_STORE_HASH, EMBEDDED_TOKEN, Planned
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from tests.conftest import Cli, Recorder
from tests.test_e2e import edit


def test_plan_out_to_a_missing_directory(cli: Cli, tmp_path: Path) -> None:
    result = cli("plan", "--out", str(tmp_path / "missing" / "plan.json"))
    assert result.exit_code == 1 and "cannot write the plan to" in result.stderr


def test_export_refuses_a_non_empty_directory_and_a_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.yaml").write_text("x: 1\n")
    refused = cli("export", "--out", str(tmp_path / "full"))
    assert refused.exit_code == 1 and "is not empty" in refused.stderr
    (tmp_path / "file").write_text("")
    assert "is not a directory" in cli("export", "--out", str(tmp_path / "file")).stderr
    assert cli("export", "--out", str(tmp_path / "full"), "--force").exit_code == 0


def test_unopenable_sandbox_database(cli: Cli, example: Path) -> None:
    edit(example / "storeconf.yaml", "sandbox: .storeconf/local.db", "sandbox: .")
    result = cli("plan")
    assert result.exit_code == 1 and "cannot open the sandbox database" in result.stderr


def test_secret_in_a_nested_part_is_masked_everywhere(cli: Cli, example: Path, tmp_path: Path) -> None:
    mp = pytest.MonkeyPatch()
    mp.setenv("SUPPLIER_CODE", "hunter2-nested")
    try:
        edit(
            example / "catalog/products-camping.yaml",
            "    seasons: '3'\n",
            "    seasons: '3'\n    supplier: ${env:SUPPLIER_CODE}\n",
        )
        plan_file = tmp_path / "plan.json"
        plan = cli("plan", "--out", str(plan_file))
        assert plan.exit_code == 0, plan.output
        assert "hunter2" not in plan.output and "hunter2" not in plan_file.read_text()
        markdown = cli("plan", "--format", "markdown")
        assert "hunter2" not in markdown.stdout and "+ custom_field supplier" in markdown.stdout
        assert cli("apply", "--auto-approve").exit_code == 0
        assert cli("plan", "--detailed-exitcode").exit_code == 0
    finally:
        mp.undo()


def add_duplicate_script(example: Path) -> None:
    """A second script named like an existing one, made outside storeconf (the API allows it)."""
    app = create_app(
        SandboxConfig(
            db_path=str(example / ".storeconf/local.db"),
            store_hash=EMBEDDED_STORE_HASH,
            tokens={EMBEDDED_TOKEN: TokenGrant(client_id="storeconf-local")},
        )
    )

    async def add() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://x") as c:
            body = {"name": "Analytics", "kind": "src", "src": "https://other.example/a.js"}
            headers = {"X-Auth-Token": EMBEDDED_TOKEN}
            r = await c.post("/stores/local/v3/content/scripts", json=body, headers=headers)
            assert r.status_code == 200, r.text

    asyncio.run(add())
    app.state.sandbox.close()


def test_export_leaves_out_duplicates_with_a_warning(cli: Cli, example: Path, tmp_path: Path) -> None:
    edit(example / "storeconf.yaml", "  scripts: {prune: true}", "  scripts: {prune: false}")
    assert cli("apply", "--auto-approve").exit_code == 0
    add_duplicate_script(example)
    assert cli("plan", "--detailed-exitcode").exit_code == 0  # prune off: the duplicate is left alone
    out = tmp_path / "exported"
    exported = cli("export", "--out", str(out))
    assert exported.exit_code == 0
    assert "Warning: scripts Analytics (duplicate id" in exported.stderr
    scripts = (out / "storefront/scripts.yaml").read_text()
    assert scripts.count("name: Analytics") == 1
    edit(example / "storeconf.yaml", "  scripts: {prune: false}", "  scripts: {prune: true}")
    assert "- scripts Analytics (duplicate id" in cli("plan").stdout


def test_script_switching_to_inline_resets_load_method(cli: Cli, example: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    edit(
        example / "storefront/scripts.yaml",
        "    kind: src\n    src: https://cdn.trailhead.example/js/analytics.js\n    load_method: async\n",
        "    kind: script_tag\n    html: <script>track()</script>\n",
    )
    applied = cli("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert cli("plan", "--detailed-exitcode").exit_code == 0


class Delete404(httpx.AsyncBaseTransport):
    """Deletes the brand, then answers as if it was already gone (a retried DELETE)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "DELETE" and "/catalog/brands/" in request.url.path:
            await response.aread()
            body = {"status": 404, "title": "The resource was not found.", "type": "x"}
            return httpx.Response(404, json=body, request=request)
        return response


def test_delete_of_an_already_deleted_object_counts_as_done(example: Path, recorder: Recorder) -> None:
    assert Cli(example, recorder)("apply", "--auto-approve").exit_code == 0
    edit(
        example / "catalog/brands.yaml",
        "  - name: Alder & Ash\n    page_title: Alder & Ash (launching next season)\n",
        "",
    )

    class Gone(Recorder):
        def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            return Delete404(inner)

    result = Cli(example, Gone())("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "1 deleted" in result.stdout
    assert Cli(example, recorder)("plan", "--detailed-exitcode").exit_code == 0


def test_json_plan_lists_nested_changes(cli: Cli) -> None:
    body = json.loads(cli("plan", "--format", "json").stdout)
    tent = next(c for c in body["changes"] if c["key"] == "TENT-UL2")
    assert {c["kind"] for c in tent["children"]} >= {"variant", "option", "image", "video", "custom_field"}


def test_version_and_bare_command(cli: Cli) -> None:
    from storeconf import __version__

    assert cli("--version").stdout.strip() == f"storeconf {__version__}"
    bare = cli()  # help goes to the real stdout, not the test console
    assert bare.exit_code == 0 and bare.stderr == ""


def test_export_quotes_words_yaml_1_1_reads_as_booleans(cli: Cli, tmp_path: Path) -> None:
    assert cli("apply", "--auto-approve").exit_code == 0
    out = tmp_path / "exported"
    assert cli("export", "--out", str(out)).exit_code == 0
    text = "".join(p.read_text() for p in (out / "catalog").glob("products-*.yaml"))
    assert 'pit zips: "yes"' in text and "pit zips: yes" not in text


def test_diff_leaves_out_what_export_would_and_says_so(cli: Cli, example: Path) -> None:
    edit(
        example / "storeconf.yaml",
        "environments:\n",
        "environments:\n  mirror:\n    sandbox: .storeconf/mirror.db\n    vars: {hooks: https://hooks.trailhead.example}\n",
    )
    edit(example / "storeconf.yaml", "  scripts: {prune: true}", "  scripts: {prune: false}")
    assert cli("apply", "--auto-approve").exit_code == 0
    assert cli("apply", "--env", "mirror", "--auto-approve").exit_code == 0
    add_duplicate_script(example)
    diff = cli("diff", "--from", "local", "--to", "mirror", "--detailed-exitcode")
    assert diff.exit_code == 0, diff.output
    assert "Warning: scripts Analytics (duplicate id" in diff.stdout


def test_plan_and_apply_never_format_their_whole_result(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python 3.11's asyncio.run formats its main task's result, twice, when it puts the SIGINT
    handler back (CPython gh-112559): for a 10,000-product plan, ~3.5 s of CPU and a 230 MB string."""
    formatted: list[str] = []
    for cls in (Planned, ApplyReport):
        monkeypatch.setattr(cls, "__repr__", lambda self: formatted.append(type(self).__name__) or "…")
    assert cli("plan").exit_code == 0
    assert cli("apply", "--auto-approve").exit_code == 0
    assert formatted == []
