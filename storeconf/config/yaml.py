"""Position-tracking YAML loading: plain Python data plus where every key and value came from.

The file is composed into ruamel's node graph (not constructed), so every node
still carries its start mark; the loader then builds plain dicts, lists and
scalars itself. That way a duplicate key, a bad tag or a syntax error is a
`Problem` with a position instead of an exception, and every duplicate in a
file is reported, not only the first.
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from storeconf.config.fastyaml import MAX_DEPTH, fast_load
from storeconf.config.fastyaml import YamlPath as YamlPath
from storeconf.config.rapidyaml import rapid_load
from storeconf.errors import Location, Problem

_TAG = "tag:yaml.org,2002:"
_CONSTRUCTED = {f"{_TAG}{t}" for t in ("null", "bool", "int", "float")}
# Timestamps stay as the text the user wrote: config compares text as written.
_VERBATIM = {f"{_TAG}str", f"{_TAG}timestamp"}
_MERGE = f"{_TAG}merge"


class SourceMap:
    """Where each path of one file starts: its value and, for mapping entries, its key.

    A file loaded by a fast path knows only where some mappings start (`marks`);
    the first question about any other mapping asks for more marks (`more`, the
    libyaml path's, which knows every mapping), and the first question about any
    other position re-reads the file with the position-keeping loader (`exact`),
    so problems always carry exact positions.
    """

    def __init__(
        self,
        file: str,
        values: dict[YamlPath, Location] | None = None,
        keys: dict[YamlPath, Location] | None = None,
        *,
        marks: dict[YamlPath, Location] | None = None,
        more: Callable[[], dict[YamlPath, Location]] | None = None,
        exact: Callable[[], SourceMap] | None = None,
    ) -> None:
        self.file = file
        self._values = values if values is not None else {}
        self._keys = keys if keys is not None else {}
        self._marks = marks or {}
        self._more = more
        self._exact = exact

    @property
    def values(self) -> dict[YamlPath, Location]:
        self._settle()
        return self._values

    @property
    def keys(self) -> dict[YamlPath, Location]:
        self._settle()
        return self._keys

    def value(self, path: YamlPath) -> Location:
        """The value at `path`, or at its nearest ancestor that exists in the file."""
        if self._exact is not None and (mark := self._marks.get(path)) is not None:
            return mark
        if self._exact is not None and self._more is not None:
            more, self._more = self._more(), None
            self._marks = {**more, **self._marks}
            if (mark := self._marks.get(path)) is not None:
                return mark
        values = self.values
        for n in range(len(path), -1, -1):
            if (loc := values.get(path[:n])) is not None:
                return loc
        return Location(self.file, 1, 1)

    def key(self, path: YamlPath) -> Location:
        """The key that introduces `path`, falling back to the nearest value."""
        return self.keys.get(path) or self.value(path)

    def _settle(self) -> None:
        if self._exact is not None:
            exact, self._exact = self._exact(), None
            self._values, self._keys = exact._values, exact._keys


@dataclass(frozen=True)
class Document:
    """One loaded file: plain data and its source map."""

    file: str
    data: Any
    source: SourceMap
    # False when the text has no `${`: interpolation then has nothing to do, and a big file is
    # spared a walk over every value.
    interpolates: bool = True
    # False when no number in the text can have more than 4 decimal places (see may_round):
    # then no money value of the file rounds away, and the check for one is skipped.
    may_round: bool = True


def describe(path: YamlPath) -> str:
    """`('brands', 1, 'custom_url')` -> `brands[1].custom_url`, as errors show a path."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_yaml(path: Path, display: str) -> tuple[Document | None, list[Problem]]:
    """Load one file. `display` is the name errors use (relative to the project directory)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(Location(display, 1, 1), f"cannot read file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_encoding_problem(raw, exc, display)]
    kept = _Kept(raw)
    exact = lambda: _exact_source(kept.text(), display)  # noqa: E731
    rapid = rapid_load(text, raw, display)
    if rapid is not None:
        data, marks = rapid
        more = lambda: _libyaml_marks(kept.text(), display)  # noqa: E731
        source = SourceMap(display, marks=marks, more=more, exact=exact)
        return Document(display, data, source, "${" in text, may_round(text)), []
    fast = fast_load(text, display)
    if fast is not None:
        data, marks = fast
        source = SourceMap(display, marks=marks, exact=exact)
        return Document(display, data, source, "${" in text, may_round(text)), []
    return _load_exact(text, display)


class _Kept:
    """A file's text, kept for the slower loaders that find positions on demand (most plans
    never ask). Compressed: the 10k-product benchmark's 9.5 MB of text is kept in ~0.7 MB
    (~40 ms to compress, ~35 ms to restore), a plan's peak memory ~9 MB lower."""

    def __init__(self, raw: bytes) -> None:
        self._packed = zlib.compress(raw, 1)

    def text(self) -> str:
        return zlib.decompress(self._packed).decode("utf-8")


_LONG_FRACTION = re.compile(r"\.[0-9_]{5}")
# Digits to 0, `E` to e, `-` to +: an exponent, `[0-9.][eE][-+]?[0-9]`, is then one of four
# substrings, found faster than by the regex, which tried every digit and dot (0.10 -> 0.05 s
# for the 9.5 MB of the 10k-product benchmark's files).
_EXPONENT_CLASSES = str.maketrans("123456789E-", "000000000e+")
_EXPONENTS = ("0e0", ".e0", "0e+0", ".e+0")


def may_round(text: str) -> bool:
    """Whether `text` may hold a number past the store's 4 decimal places: a fraction of 5 or
    more digits, or an exponent, anywhere (quoted too: a quoted number still validates as one)."""
    if _LONG_FRACTION.search(text):
        return True
    classes = text.translate(_EXPONENT_CLASSES)
    return any(exponent in classes for exponent in _EXPONENTS)


def _libyaml_marks(text: str, display: str) -> dict[YamlPath, Location]:
    fast = fast_load(text, display)
    return fast[1] if fast is not None else {}


def _exact_source(text: str, display: str) -> SourceMap:
    doc, _ = _load_exact(text, display)
    # The fast path parsed this text without a problem, so the exact loader does too.
    return doc.source if doc is not None else SourceMap(display)


def _load_exact(text: str, display: str) -> tuple[Document | None, list[Problem]]:
    """The position-keeping loader: every node's position, every problem with its own."""
    yaml = YAML(typ="safe", pure=True)
    try:
        with warnings.catch_warnings():
            # ruamel warns about legal-but-odd input (reused anchors); that is not a config problem.
            warnings.simplefilter("ignore")
            root = yaml.compose(io.StringIO(text))
    except MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, display, text)]
    except YAMLError as exc:
        return None, [Problem(Location(display, 1, 1), f"invalid YAML: {exc}")]
    except RecursionError:  # the composer recurses at every level: far deeper than MAX_DEPTH
        return None, [_too_deep(text, display)]
    builder = _Builder(display, yaml.constructor, budget=max(MIN_BUDGET, BUDGET_PER_CHAR * len(text)))
    try:
        data = builder.convert(root, ()) if root is not None else None
    except _AliasBomb as bomb:
        return None, [bomb.problem]
    return Document(display, data, builder.source), builder.problems


# Values a file may expand to through its aliases: a document without aliases has fewer values
# than characters, so only an alias bomb (`b: [*a, *a, ...]` nested: 9 levels of 9 make 387
# million values of 100 bytes) passes this, and it is stopped long before it fills memory.
MIN_BUDGET, BUDGET_PER_CHAR = 100_000, 10


class _AliasBomb(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _too_deep(text: str, display: str) -> Problem:
    """Where nesting first gets too deep, found with the parser's events (which do not recurse)."""
    depth, where = 0, Location(display, 1, 1)
    try:
        for event in YAML(typ="safe", pure=True).parse(io.StringIO(text)):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    where = _location(display, event.start_mark)
                    break
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:  # a syntax error past that point: the nesting is still the first problem
        pass
    return Problem(where, f"invalid YAML: lists and mappings nested more than {MAX_DEPTH} levels deep")


def _encoding_problem(raw: bytes, exc: UnicodeDecodeError, display: str) -> Problem:
    """Where the first byte that is not UTF-8 sits, in lines and characters like every other position."""
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw.count(b"\n", 0, exc.start) + 1
    column = len(raw[line_start : exc.start].decode("utf-8")) + 1
    byte = raw[exc.start : exc.start + 1].hex()
    message = f"not UTF-8 text: byte 0x{byte} cannot start or continue a character (save the file as UTF-8)"
    return Problem(Location(display, line, column), message)


def _syntax_problem(exc: MarkedYAMLError, display: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    loc = _location(display, mark) if mark is not None else Location(display, 1, 1)
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.problem and exc.context:
        where = exc.context_mark
        start = f" started at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        message += f" ({exc.context}{start})"
    if mark is not None and (interpolation := _interpolation_at(text, mark.index)):
        message += f'; in a flow mapping or list `{{` and `}}` are syntax: quote the value, "{interpolation}"'
    return Problem(loc, message)


def _interpolation_at(text: str, index: int) -> str | None:
    """The `${…}` whose brace the parser stumbled on (a `{` inside a plain scalar of `{…}` or `[…]`)."""
    if index < 1 or text[index - 1 : index + 1] != "${":
        return None
    end = text.find("}", index)
    newline = text.find("\n", index)
    if end == -1 or (newline != -1 and newline < end):
        return None
    return text[index - 1 : end + 1]


def _location(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a node graph into plain data, filling a SourceMap and collecting problems."""

    def __init__(self, file: str, constructor: Any, budget: int = MIN_BUDGET) -> None:
        self.file = file
        self._budget = budget
        self.source = SourceMap(file)
        self.problems: list[Problem] = []
        self._constructor = constructor
        # Collection nodes being converted: an alias back to one of them would recurse forever.
        self._active: set[int] = set()
        self._too_deep = False

    def convert(self, node: Node, path: YamlPath) -> Any:
        self._budget -= 1
        if self._budget < 0:
            message = "invalid YAML: aliases (`*name`) expand this file to far more values than it holds"
            raise _AliasBomb(Problem(self._loc(node), message + "; write the values out"))
        self.source.values.setdefault(path, self._loc(node))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            self._problem(node, path, "recursive alias: a node cannot contain itself")
            return None
        if len(path) >= MAX_DEPTH:  # reported once: what lies below is not read
            if not self._too_deep:
                self._too_deep = True
                self._problem(node, path, f"lists and mappings nested more than {MAX_DEPTH} levels deep")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return self._sequence(node, path)
            self._problem(node, path, f"unsupported YAML node {type(node).__name__}")
            return None
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: MappingNode, path: YamlPath) -> dict[str, Any]:
        self._check_tag(node, path, "map")
        out: dict[str, Any] = {}
        first: dict[str, Location] = {}
        for key_node, value_node, explicit in self._pairs(node, path, explicit=True):
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in first:
                # A key merged in with `<<` yields to the mapping's own keys, silently (YAML semantics).
                if explicit:
                    at = first[key]
                    self._problem(
                        key_node, path, f"duplicate key {key!r} (first at line {at.line}, column {at.column})"
                    )
                continue
            first[key] = self._loc(key_node)
            self.source.keys[(*path, key)] = first[key]
            out[key] = self.convert(value_node, (*path, key))
        return out

    def _pairs(self, node: MappingNode, path: YamlPath, explicit: bool) -> Iterator[tuple[Node, Node, bool]]:
        """The mapping's own entries first, then those merged in with `<<: *anchor`."""
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if str(key_node.tag) == _MERGE:
                merged.extend(value_node.value if isinstance(value_node, SequenceNode) else [value_node])
            else:
                yield key_node, value_node, explicit
        for source in merged:
            if isinstance(source, MappingNode) and id(source) not in self._active:
                self._active.add(id(source))
                try:
                    yield from self._pairs(source, path, explicit=False)
                finally:
                    self._active.discard(id(source))
            else:
                self._problem(source, path, "'<<' merges a mapping or a list of mappings only")

    def _sequence(self, node: SequenceNode, path: YamlPath) -> list[Any]:
        self._check_tag(node, path, "seq")
        return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]

    def _key(self, node: Node, path: YamlPath) -> str | None:
        # Keys are always strings: `404:` and `true:` name fields, they are not numbers or booleans.
        if not isinstance(node, ScalarNode):
            self._problem(node, path, "mapping keys must be plain scalars, not lists or mappings")
            return None
        return str(node.value)

    def _scalar(self, node: ScalarNode, path: YamlPath) -> Any:
        tag = str(node.tag)
        if tag in _VERBATIM:
            return str(node.value)
        if tag in _CONSTRUCTED:
            try:
                return self._constructor.construct_object(node)
            except (YAMLError, ValueError) as exc:
                self._problem(node, path, f"invalid {tag.removeprefix(_TAG)} {node.value!r}: {exc}")
                return None
            except LookupError:  # ruamel's constructors index into the text: `!!float` alone, `!!bool x`
                self._problem(node, path, f"invalid {tag.removeprefix(_TAG)} {node.value!r}")
                return None
        self._problem(node, path, f"unsupported YAML tag {tag!r}")
        return None

    def _check_tag(self, node: Node, path: YamlPath, expected: str) -> None:
        if str(node.tag) != _TAG + expected:
            self._problem(node, path, f"unsupported YAML tag {str(node.tag)!r}")

    def _problem(self, node: Node, path: YamlPath, message: str) -> None:
        label = describe(path)
        self.problems.append(Problem(self._loc(node), f"{label}: {message}" if label else message))

    def _loc(self, node: Node) -> Location:
        return _location(self.file, node.start_mark)
