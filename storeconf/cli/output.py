"""How commands talk to the terminal: plans, the apply prompt, the apply report (progress: progress.py)."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from storeconf.applier import ApplyReport
from storeconf.cli.session import Session
from storeconf.render.report import report_lines, summary_line


def print_plan(console: Console, text: str, fmt: str) -> None:
    if fmt != "text":
        # Never wrapped: a JSON or Markdown plan must survive any console width byte for byte.
        console.print(text, end="", markup=False, highlight=False, soft_wrap=True)
        return
    styles = {"+": "green", "~": "yellow", "-": "red"}
    for line in text.splitlines():
        head = line.lstrip()[:2]
        style = styles.get(head[0]) if line.startswith("  ") and len(head) == 2 and head[1] == " " else None
        console.print(line, style=style, markup=False, highlight=False)


def confirm(console: Console) -> bool:
    console.print("\nDo you want to apply these changes? Only 'yes' will be accepted: ", end="")
    answer = sys.stdin.readline()
    # A terminal echoes the Enter that ends an answer; closed or piped input echoes nothing,
    # and whatever is printed next must not continue the prompt's line.
    if not answer.endswith("\n") or not sys.stdin.isatty():
        console.print()
    return answer.strip() == "yes"


def print_report(s: Session, report: ApplyReport) -> None:
    if report.ok:
        s.out.print(summary_line(report), markup=False)
        for note in report.notes:
            s.out.print(note, markup=False)
        return
    for line in report_lines(report):
        s.err.print(line, markup=False)
    raise typer.Exit(130 if report.interrupted else 1)
