"""Point 7: known secret values (the access token, `${env:}` values) never appear in any
output of any command, in any format, with or without --debug, nor in any file written."""

from __future__ import annotations

import io
import traceback
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from storeconf.cli import Runtime, make_app
from storeconf.sandbox import SandboxConfig, TokenGrant, create_app
from tests.test_e2e import edit

TOKEN = "tok-SECRET-5f2a9c"
HOOK = "hook-SECRET-77d1"
TITLE = "title-SECRET-3b8e"
SECRETS = (TOKEN, HOOK, TITLE)


class Shell:
    """Runs the CLI in-process; the `staging` environment's store is an in-process sandbox
    that accepts only TOKEN. Collects every byte the commands print, tracebacks included."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.app = create_app(
            SandboxConfig(store_hash="abc123staging", tokens={TOKEN: TokenGrant(client_id="ci")})
        )
        self.seen: list[str] = []

    def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        if isinstance(inner, httpx.ASGITransport):  # the embedded `local` sandbox
            return inner
        return httpx.ASGITransport(app=self.app)

    def __call__(self, *args: str, debug: bool = False) -> int:
        out, err = io.StringIO(), io.StringIO()
        runtime = Runtime(wrap=self.wrap, out=Console(file=out, width=200), err=Console(file=err, width=200))
        flags = ["--debug"] if debug else []
        result = CliRunner().invoke(make_app(runtime), [*flags, "-C", str(self.project), *args])
        text = out.getvalue() + err.getvalue() + result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            text += "".join(traceback.format_exception(result.exception))
            text += repr(result.exception) + repr(getattr(result.exception, "__dict__", {}))
        self.seen.append(f"$ storeconf {' '.join(args)}\n{text}")
        return result.exit_code


@pytest.fixture
def shell(example: Path, monkeypatch: pytest.MonkeyPatch) -> Shell:
    monkeypatch.setenv("BC_STAGING_TOKEN", TOKEN)
    monkeypatch.setenv("HOOK_SECRET", HOOK)
    monkeypatch.setenv("BRAND_TITLE", TITLE)
    edit(
        example / "storefront/webhooks.yaml",
        "      X-Hook-Source: storeconf\n",
        "      X-Hook-Source: storeconf\n      X-Signature: ${env:HOOK_SECRET}\n",
    )
    edit(
        example / "catalog/brands.yaml",
        "page_title: Summit Peak technical outerwear",
        "page_title: ${env:BRAND_TITLE}",
    )
    return Shell(example)


def written_files(*roots: Path) -> list[Path]:
    return [
        p for root in roots if root.exists() for p in root.rglob("*") if p.is_file() and p.suffix != ".db"
    ]


def test_no_secret_in_any_output_or_written_file(shell: Shell, example: Path, tmp_path: Path) -> None:
    plan_file, export_dir = tmp_path / "plan.json", tmp_path / "export"
    for debug in (False, True):
        assert shell("validate", "--env", "staging", debug=debug) == 0
        for fmt in ("text", "json", "markdown"):
            assert shell("plan", "--env", "staging", "--format", fmt, debug=debug) == 0
        assert shell("plan", "--env", "staging", "--out", str(plan_file), debug=debug) == 0
    assert shell("apply", "--env", "staging", "--auto-approve", debug=True) == 0
    assert shell("apply", "--env", "staging", str(plan_file)) == 1  # stale: the store changed since
    assert shell("plan", "--env", "staging", "--detailed-exitcode") == 0
    assert shell("export", "--env", "staging", "--out", str(export_dir), debug=True) == 0
    assert shell("diff", "--from", "staging", "--to", "local", debug=True) == 0
    assert shell("diff", "--from", "local", "--to", "staging", "--format", "json") == 0

    # Errors: a store that refuses the token, and a configuration error next to a secret.
    shell.app.state.sandbox.config.tokens.clear()
    for debug in (False, True):
        assert shell("plan", "--env", "staging", debug=debug) == 1
        assert shell("apply", "--env", "staging", "--auto-approve", debug=debug) == 1
    edit(
        example / "catalog/brands.yaml",
        "page_title: ${env:BRAND_TITLE}",
        "page_title: ${env:BRAND_TITLE}\n    colour: x",
    )
    for debug in (False, True):
        assert shell("validate", "--env", "staging", debug=debug) == 1
        assert shell("plan", "--env", "staging", "--format", "json", debug=debug) == 1

    everything = "\n".join(shell.seen)
    assert "(sensitive)" in everything and "401" in everything and "colour" in everything
    leaks = [s for s in SECRETS if s in everything]
    assert not leaks, [chunk for chunk in shell.seen if any(s in chunk for s in leaks)][:2]
    files = written_files(example, export_dir, plan_file.parent)
    assert plan_file in files and any(p.suffix == ".yaml" for p in export_dir.rglob("*"))
    assert not [p for p in files if any(s.encode() in p.read_bytes() for s in SECRETS)]


@pytest.mark.parametrize("flag", ["--token", "--access-token", "--access_token", "--auth-token"])
def test_a_token_is_never_taken_from_the_command_line(flag: str, example: Path) -> None:
    for command in ("plan", "apply", "export", "validate"):
        result = CliRunner().invoke(make_app(Runtime()), ["-C", str(example), command, flag, "x"])
        assert result.exit_code == 2 and "No such option" in result.output
