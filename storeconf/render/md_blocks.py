"""One plan entry as markdown: a line naming it and its source, then a ```diff block whose `-`/`+`
lines GitHub colours, with the entry's nested parts grouped under it."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from storeconf.plan import SENSITIVE, Change, FieldChange
from storeconf.render.entries import Entry, count, counts_text, entries
from storeconf.render.values import origin

# A long value (a script's HTML) is cut in the comment; the plan artifact keeps it whole.
MAX_VALUE = 400
GLYPHS = {"create": "+", "update": "~", "replace": "±", "delete": "-"}


def code(text: str) -> str:
    """`text` as an inline code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(lines: list[str], lang: str = "diff") -> str:
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def value(raw: Any, sensitive: bool) -> str:
    if sensitive:
        return SENSITIVE
    text = json.dumps(raw, ensure_ascii=False, default=str)
    if len(text) > MAX_VALUE:
        return f"{text[:MAX_VALUE]}… ({len(text) - MAX_VALUE} more characters in the plan file)"
    return text


def field_lines(change: Change, fc: FieldChange, indent: str) -> list[str]:
    """A changed field as real diff lines: the old value removed, the new one added (with
    where it comes from when an environment override set it)."""
    lines = []
    if fc.old is not None:
        lines.append(f"-{indent} {fc.path}: {value(fc.old, fc.sensitive)}")
    if fc.new is not None:
        lines.append(f"+{indent} {fc.path}: {value(fc.new, fc.sensitive)}{origin(change, fc)}")
    if not lines:
        lines.append(f" {indent} {fc.path}: (none)")
    return lines


def _own_lines(entry: Entry, indent: str) -> list[str]:
    new = entry.change
    if entry.old is not None:  # a replace: everything the old object had goes, the new one comes
        old = entry.old
        gone = [x for fc in old.diff for x in field_lines(old, replace(fc, new=None), indent)]
        return gone + [x for fc in new.diff for x in field_lines(new, replace(fc, old=None), indent)]
    return [line for fc in new.diff for line in field_lines(new, fc, indent)]


def body_lines(change_entry: Entry, indent: str = "") -> list[str]:
    """The entry's own field lines, then its nested parts, one `@@` group per part kind."""
    lines = _own_lines(change_entry, indent)
    children = entries(change_entry.change.children)
    for part in dict.fromkeys(e.kind for e in children):
        group = [e for e in children if e.kind == part]
        lines.append(f"@@ {part}: {counts_text(count(group))} @@")
        for child in group:
            lines += child_lines(child, indent)
    return lines


def child_lines(entry: Entry, indent: str) -> list[str]:
    mark = {"create": "+", "delete": "-", "update": " ", "replace": " "}[entry.action]
    note = " (replaced)" if entry.action == "replace" else ""
    if entry.change.replaces:
        note = f" (replaced: {entry.change.replaces})"
    head = f"{mark}{indent} {entry.kind} {entry.key}{note}"
    return [head, *body_lines(entry, indent + "    ")]


def headline(entry: Entry, link: str | None = None) -> str:
    """`**~ update** `kind/key` at `FILE:LINE``; with `link` (a URL prefix) the source is a link."""
    change = entry.change
    # The glyph sits inside the bold: a line that starts with `+` or `-` is a markdown list item.
    parts = [f"**{GLYPHS[entry.action]} {entry.action}** {code(f'{change.kind}/{change.shown_key}')}"]
    if change.source is not None:
        where = code(f"{change.source.file}:{change.source.line}")
        if link:
            where = f"[{where}]({link}{quote(change.source.file)}#L{change.source.line})"
        parts.append(f"at {where}")
    if change.renamed_from:
        parts.append(f"(renamed from {code(change.renamed_from)})")
    if change.replaces:
        parts.append(f"({change.replaces})")
    if entry.action == "delete":
        # Why it goes: `missing from config, owned by storeconf` (prune: owned) or `…, prune: all`.
        parts.append(f"({change.reason})" if change.reason else "(live only: not in the configuration)")
    if change.note:
        parts.append(f"({change.note})")
    return " ".join(parts)


def block(entry: Entry, max_chars: int, link: str | None = None) -> str:
    """The entry's markdown, cut (with a note) if it alone would take more than `max_chars`."""
    lines = body_lines(entry)
    head = headline(entry, link)
    if not lines:
        return head + "\n"
    text = f"{head}\n{fenced(lines)}\n"
    if len(text) <= max_chars:
        return text
    kept: list[str] = []
    size = len(head) + 200
    for line in lines:
        if size + len(line) + 1 > max_chars:
            break
        kept.append(line)
        size += len(line) + 1
    kept.append(f"  … {len(lines) - len(kept)} more lines: see the full plan file")
    return f"{head}\n{fenced(kept)}\n"


def summary_of(changes: tuple[Change, ...]) -> str:
    return counts_text(count(entries(changes)))
