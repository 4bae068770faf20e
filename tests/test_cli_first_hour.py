"""The command line a new user meets first: help that shows what to type, a prompt that ends its
line, and a sandbox that says once and clearly when its port is taken."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storeconf.cli import make_app
from tests.conftest import Cli, Recorder


def help_text(*command: str) -> str:
    result = CliRunner().invoke(make_app(), [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    return result.output


@pytest.mark.parametrize(
    "command", [(), ("plan",), ("apply",), ("validate",), ("diff",), ("export",), ("sandbox", "serve")]
)
def test_help_shows_no_python_types(command: tuple[str, ...]) -> None:
    text = help_text(*command)
    assert not re.search(r"<(bool|str|int)>|list\[", text), text


def test_help_names_target_and_flag_values() -> None:
    text = help_text("plan")
    target = next(line for line in text.splitlines() if "--target" in line)
    assert "KIND[/KEY]" in target
    flag = next(line for line in text.splitlines() if "--detailed-exitcode" in line)
    assert flag.split("--detailed-exitcode", 1)[1].split()[0] == "Exit"  # no value placeholder


@pytest.mark.parametrize("answer", ["", "no\n"], ids=["input-closed", "refused"])
def test_declined_prompt_ends_its_line(tmp_path: Path, answer: str) -> None:
    (tmp_path / "storeconf.yaml").write_text("version: 1\nbrands: [{name: Acme}]\n")
    result = Cli(tmp_path, Recorder())("apply", input=answer)
    assert result.exit_code == 1
    assert result.stdout.endswith("Only 'yes' will be accepted: \n"), repr(result.stdout[-80:])
    assert result.stderr == "Error: Apply cancelled.\n"


def test_sandbox_serve_on_a_port_in_use_is_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = Cli(tmp_path, Recorder())(
            "sandbox", "serve", "--port", str(port), "--db", str(tmp_path / "s.db")
        )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port} (Address already in use): another process is listening "
        "there (another sandbox?); choose another --port"
    ]
