"""Plans as markdown for a pull-request comment.

The first line is a marker (`<!-- storeconf plan: ENV -->`) a CI job finds its own comment by.
Then a summary table (kind × create/update/replace/delete, nested parts under their parent)
and one `<details>` section per kind (open when small) listing each change with its source
`FILE:LINE` and real `-`/`+` diff lines. GitHub rejects a comment over 65,536 characters:
past that the details are either truncated, with a pointer to the full plan file (`--out`),
or split into numbered parts, each valid markdown and under the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storeconf.plan import Plan
from storeconf.render.entries import ACTIONS, Entry, count, counts_text, entries, nested_counts
from storeconf.render.md_blocks import block, code

GITHUB_LIMIT = 65_536
# Room kept free in every part for the closing tags and the continuation or truncation note.
RESERVE = 1_500
# A kind's section starts open when it is this short: a reviewer sees it without a click.
OPEN_ENTRIES, OPEN_CHARS = 10, 6_000
# Adoptions named in the head; the rest are counted (a first apply may adopt thousands).
ADOPTIONS_SHOWN = 20


@dataclass(frozen=True)
class Section:
    """One environment's plan (or the error that kept it from being made)."""

    name: str
    plan: Plan | None = None
    error: str | None = None
    artifact: str | None = None


@dataclass(frozen=True)
class Document:
    """What the comment is about: `plan` of some environments, or a `diff` of two stores."""

    sections: tuple[Section, ...]
    command: str = "plan"
    title: str = ""
    empty_message: str = "The live store matches the configuration."
    # URL prefix a source file path is appended to (`…/blob/SHA/`): FILE:LINE becomes a link.
    source_link: str | None = None

    @property
    def label(self) -> str:
        return self.title or ", ".join(s.name for s in self.sections)


def render_markdown(plan: Plan) -> str:
    """One environment's plan as one comment (truncated if it would pass GitHub's limit)."""
    return markdown_parts(Document((Section(plan.environment or "store", plan),)))[0]


def markdown_parts(doc: Document, *, limit: int = GITHUB_LIMIT, split: bool = False) -> list[str]:
    """The comment(s): one, truncated to fit `limit`; or with `split`, as many as it takes."""
    writer = _Writer(doc, limit, split)
    heads = [_env_head(doc, s) for s in doc.sections]
    for i, section in enumerate(doc.sections):
        writer.reserve = sum(len(h) for h in heads[i + 1 :])
        writer.add(heads[i], essential=True)
        for kind, group in _by_kind(section):
            writer.kind_section(section, kind, group)
        writer.end_env(section)
    return writer.finish()


def _by_kind(section: Section) -> list[tuple[str, list[Entry]]]:
    if section.plan is None:
        return []
    items = entries(section.plan.changes)
    return [(k, [e for e in items if e.kind == k]) for k in dict.fromkeys(e.kind for e in items)]


def _env_head(doc: Document, section: Section) -> str:
    title = section.name if len(doc.sections) > 1 else doc.label
    lines = [f"### storeconf {doc.command}: {code(title)}"]
    plan = section.plan
    if section.error is not None or plan is None:
        return "\n".join([*lines, "", f"**Error:** {section.error}", "", ""])
    if plan.store:
        lines[0] += f" ({plan.store})"
    lines.append("")
    lines += [f"> [!WARNING]\n> {w}\n" for w in plan.warnings]
    if plan.empty:
        return "\n".join([*lines, f"**No changes.** {doc.empty_message}", "", ""])
    top = entries(plan.changes)
    adopt = f", {len(plan.adoptions)} to adopt" if plan.adoptions else ""
    # Nested parts included (a price list's records, a promotion's codes), as in the text plan's
    # headline and the table below: a deleted record is a delete the reviewer must see counted.
    totals = sum(nested_counts(top).values(), count(top))
    lines += [f"**Plan: {counts_text(totals, verb=True)}{adopt}.**", ""]
    lines += [*_table(top), ""] if top else []
    return "\n".join([*lines, *_adoptions(plan)]) + "\n"


def _adoptions(plan: Plan) -> list[str]:
    """Objects apply marks as storeconf's (`prune: owned`): the reviewer approves that too."""
    if not plan.adoptions:
        return []
    shown = ", ".join(code(f"{a.kind} {a.key}") for a in plan.adoptions[:ADOPTIONS_SHOWN])
    more = len(plan.adoptions) - ADOPTIONS_SHOWN
    tail = f" and {more} more (see the plan file)" if more > 0 else ""
    return [
        f"To adopt (mark as owned by storeconf, so `prune: owned` may delete them later): {shown}{tail}.",
        "",
    ]


def _table(top: list[Entry]) -> list[str]:
    rows = ["| Kind | Create | Update | Replace | Delete |", "| :-- | --: | --: | --: | --: |"]
    for kind in dict.fromkeys(e.kind for e in top):
        group = [e for e in top if e.kind == kind]
        rows.append(_row(kind, count(group)))
        for part, counts in nested_counts(group).items():
            rows.append(_row(f"{kind} › {part}", counts))
    return rows


def _row(name: str, counts: dict[str, int]) -> str:
    return f"| {name} | " + " | ".join(str(counts.get(a) or "") for a in ACTIONS) + " |"


@dataclass
class _Writer:
    """Packs sections into parts of at most `limit` characters, each closing what it opened."""

    doc: Document
    limit: int
    split: bool
    parts: list[list[str]] = field(default_factory=list)
    size: int = 0
    reserve: int = 0
    omitted: dict[str, int] = field(default_factory=dict)  # environment -> changes left out

    def __post_init__(self) -> None:
        self._new_part()

    def _marker(self, number: int) -> str:
        suffix = f" (part {number})" if number > 1 else ""
        return f"<!-- storeconf {self.doc.command}: {self.doc.label}{suffix} -->\n"

    def _new_part(self) -> None:
        self.parts.append([])
        self.size = 0
        number = len(self.parts)
        self.add(self._marker(number), essential=True)
        if number > 1:
            self.add(f"_storeconf {self.doc.command}, part {number} (continued)_\n\n", essential=True)

    def fits(self, text: str) -> bool:
        return self.size + len(text) + RESERVE + self.reserve <= self.limit

    def add(self, text: str, *, essential: bool = False) -> bool:
        if not essential and not self.fits(text):
            return False
        self.parts[-1].append(text)
        self.size += len(text)
        return True

    def kind_section(self, section: Section, kind: str, group: list[Entry]) -> None:
        budget = self.limit - 2 * RESERVE - self.reserve - 1_000
        blocks = [block(e, budget // 2, self.doc.source_link) for e in group]
        small = len(group) <= OPEN_ENTRIES and sum(map(len, blocks)) <= OPEN_CHARS
        opening = self._opening(kind, group, small, continued=False)
        if section.name in self.omitted or not self.add(opening):
            if not self.split or section.name in self.omitted:
                self.omit(section, len(group))
                return
            self._continue(section)
            self.add(opening, essential=True)
        for i, text in enumerate(blocks):
            if self.add(text + "\n"):
                continue
            if not self.split:
                self.omit(section, len(group) - i)
                break
            self.add("</details>\n\n", essential=True)
            self._continue(section)
            self.add(self._opening(kind, group, small, continued=True), essential=True)
            self.add(text + "\n", essential=True)
        self.add("</details>\n\n", essential=True)

    def _opening(self, kind: str, group: list[Entry], small: bool, *, continued: bool) -> str:
        more = " (continued)" if continued else ""
        summary = f"<b>{kind}</b>{more}: {counts_text(count(group))}"
        return f"<details{' open' if small else ''}><summary>{summary}</summary>\n\n"

    def _continue(self, section: Section) -> None:
        self.add(f"_Continued in part {len(self.parts) + 1}._\n", essential=True)
        self._new_part()
        if len(self.doc.sections) > 1:
            self.add(f"### {code(section.name)} (continued)\n\n", essential=True)

    def omit(self, section: Section, n: int) -> None:
        self.omitted[section.name] = self.omitted.get(section.name, 0) + n

    def end_env(self, section: Section) -> None:
        """After an environment's details: say what was left out and where the rest is."""
        n = self.omitted.get(section.name)
        if not n:
            return
        pointer = (
            f"the full plan is in {code(section.artifact)} (`storeconf plan --out`)"
            if section.artifact
            else "`storeconf plan --out FILE` writes the full plan"
        )
        self.add(
            f"> [!NOTE]\n> {n} more change(s) in {code(section.name)} are not shown: the comment would pass "
            f"GitHub's {self.limit:,}-character limit; {pointer}.\n\n",
            essential=True,
        )

    def finish(self) -> list[str]:
        return ["".join(p).rstrip("\n") + "\n" for p in self.parts]
