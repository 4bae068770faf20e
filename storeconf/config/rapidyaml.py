"""The fastest happy path: rapidyaml parses in C++ and emits JSON, which `json.loads` reads in C.

A 7.6 MB products file (10,000 products, 50,000 variants) takes ~0.7 s this way,
against ~10 s through libyaml's C parser (`fastyaml.py`), whose cost is the
Python node object it builds for every scalar. rapidyaml resolves plain
scalars by rules of its own (`0x1F`, `True`, `~`, `007` stay strings) and
accepts a few things libyaml rejects (`a: @x`, a lone `}`, duplicate keys), so
`rapid_load` gives up on any text where the two could differ: the caller then
takes the libyaml path, which gives up in turn to the position-keeping loader.
Giving up is always safe; answering differently never is
(tests/config/test_fastyaml.py compares all three loaders).

Positions: only where each top-level list item starts (a plan shows it beside
each change) is computed here, from where rapidyaml's key slices sit in the
buffer. Every other position comes from a slower loader, on demand.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any

from storeconf.config.fastyaml import MAX_DEPTH, YamlPath
from storeconf.errors import Location

try:  # A missing wheel (an unusual platform) only means every file takes the libyaml path.
    import ryml
except ImportError:  # pragma: no cover - the dependency is declared
    ryml = None

# Each alone, and each from a literal character where it can: Python's `re` scans for one
# literal many times faster than for a class or an alternation (`['"]` ~0.05-0.15 s on a 7.6 MB
# file, `'` and `"` ~3 ms each). Each runs only when the text holds a substring it needs (see _has).
_UNSURE = tuple(
    (needs, re.compile(p, re.MULTILINE))
    for needs, p in (
        (("%", "---", "..."), r"^(?:%|---|\.\.\.)"),  # directives and document markers
        (("\t",), r"\t"),  # tabs
        (("\r",), r"\r(?!\n)"),  # a line break libyaml counts and rapidyaml does not
        (tuple("\ufeff\x85\u2028\u2029"), "[\ufeff\x85\u2028\u2029]"),  # a byte-order mark, odd line breaks
        (("<<",), r"<<"),  # merge keys
        # a flow collection left open at the end of its line (multi-line keys)
        (("[",), r"\[[^\n\]}]*$"),
        (("{",), r"\{[^\n\]}]*$"),
        # `a:,` in a flow collection: a key `a:` to libyaml, a key `a` to rapidyaml
        ((":,", ":]", ":}"), r":[,\]}]"),
        # more after a quoted scalar on its line: rapidyaml reads on
        (("'",), r"'[ ]+[^\s#:,\]}]"),
        (('"',), r'"[ ]+[^\s#:,\]}]'),
        # a quoted key with its value right after the colon
        (("':",), r"':\S"),
        (('":',), r'":\S'),
        # a comment on a line with a flow collection: rapidyaml may read it as text
        (("[",), r"\[[^\n]*\s#"),
        (("{",), r"\{[^\n]*\s#"),
        # A key whose quote closes on a later line: libyaml wants one line. Only where a quote
        # meets a colon (the pattern itself is slow: it tries every line).
        (("':", '":'), r"^[^'\"\n]*['\"]:"),
    )
)
# A space or flow indicator, then a scalar that is unsure when it starts a plain scalar:
# anchors, aliases, tags, complex keys, reserved indicators, stray closers, a block scalar
# header with more than a chomping indicator (rapidyaml reads `|1_0` as "", libyaml refuses
# it), and the values libyaml's resolver types while rapidyaml leaves them strings (or fails on
# them), or leaves strings while rapidyaml types them (`.5e3`: a leading dot wants a signed exponent).
_SCALAR = (
    r"(?:[&*!?@`%\]}:]|[|>](?![-+]?[ ]*\r?$)|(?:[-+]?\.[0-9][0-9_]*[eE]|[-+]?0[0-9_oxbOXB]"
    r"|[-+.0-9][^\s,\]}#]*_|\+|-?\.(?:inf|Inf|INF|nan|NaN|NAN)|True|TRUE|False|FALSE|Null|NULL|~)"
    r"[^\s,\]}#]*(?=[ ]*\r?(?:$|#|[,\]}])))"
)
_CANDIDATE = re.compile(r"[\s\[{,]" + _SCALAR, re.MULTILINE)
# The same scalars, only where a plain scalar starts: after indentation, a flow indicator, `: `
# or `- `. Trying _CANDIDATE from every space of the indentation is most of the scan's cost;
# these start from a newline or an indicator instead (~3x faster on a products file). Every
# candidate the scan accepts is a match of one of them, so when none matches the scan is
# skipped; when one does, the scan decides, exactly as before.
_STARTS = tuple(
    (needs, re.compile(start + _SCALAR, re.MULTILINE))
    for needs, start in (
        ((), r"\n[ ]*+"),
        (("[",), r"\[[ ]*+"),
        (("{",), r"\{[ ]*+"),
        ((",",), r",[ ]*+"),
        ((":",), r":[ ]++"),
        (("-",), r"-[ ]++"),
    )
)


def _unsure(text: str) -> bool:
    present: dict[str, bool] = {}  # some patterns share a needle: each is looked for once

    def holds(needle: str) -> bool:
        if needle not in present:
            present[needle] = _has(text, needle)
        return present[needle]

    if any(any(map(holds, needs)) and pattern.search(text) for needs, pattern in _UNSURE):
        return True
    if _inf_or_nan(text.lower()) or _flow_left_open(text):
        return True
    padded = "\n" + text  # each match starts with the space or indicator before it; so can the first
    if not any(
        (not needs or any(n in text for n in needs)) and start.search(padded) for needs, start in _STARTS
    ):
        return False
    for found in _CANDIDATE.finditer(padded):
        # Unsure only where a plain scalar starts: after indentation, `key: `, `- `, `[`, `{`, `,`.
        start = found.start() + 1
        before = padded[padded.rfind("\n", 0, start) + 1 : start]
        bare = before.rstrip(" ")
        if not bare or bare[-1] in "[{," or (bare != before and bare[-1] in ":-"):
            return True
    return False


def _has(text: str, needle: str) -> bool:
    # A character the text lacks is ruled out at memchr speed, and stops at the first one it
    # has; a substring search costs ~8 ms on a 7.6 MB file, for each of the ten needles.
    return all(c in text for c in needle) and needle in text


def _flow_left_open(text: str) -> bool:
    """A line whose flow brackets do not balance: a flow collection spans lines, where the two
    parsers differ (rapidyaml joins a plain key split over two lines, libyaml refuses it). A
    bracket inside quotes or plain text may make a balanced line look open: then libyaml decides."""
    if "[" not in text and "{" not in text:
        return False
    for line in text.splitlines():
        if ("[" in line or "{" in line or "]" in line or "}" in line) and (
            line.count("[") + line.count("{") != line.count("]") + line.count("}")
        ):
            return True
    return False


def _inf_or_nan(lowered: str) -> bool:
    """A word `inf` or `nan` (rapidyaml writes such a key, even quoted, as `.inf` or `.nan`)."""
    for word in ("inf", "nan"):
        at = lowered.find(word)
        while at != -1:
            before = lowered[at - 1 : at] if at else ""
            after = lowered[at + 3 : at + 4]
            if not (before.isalnum() or before in ("_", ".")) and not (after.isalnum() or after == "_"):
                return True
            at = lowered.find(word, at + 1)
    return False


class _GiveUp(Exception):
    pass


def rapid_load(text: str, raw: bytes, file: str) -> tuple[Any, dict[YamlPath, Location]] | None:
    """Plain data and where each top-level list item starts, or None when a slower loader must decide."""
    if ryml is None or _unsure(text):
        return None
    buf = bytearray(raw)
    try:
        with _quiet_stderr():
            # Block style makes about a node a line. Reserved up front, the tree is not regrown
            # and copied while it fills: products.yaml parses in 0.12 s instead of 0.25 s.
            tree = ryml.Tree()
            tree.reserve(raw.count(b"\n") * 3 // 2 + 16)
            ryml.parse_in_place(buf, tree)
            root = tree.root_id()
            if not tree.is_map(root) or tree.num_children(root) == 0:
                return None
            emitted = _emit_json(tree, root, 3 * len(raw) + 64)
        with _depth_limit():
            data = json.loads(emitted, object_pairs_hook=_unique)
        marks = _Marks(raw, buf, file).items(tree, root)
    except (_GiveUp, ValueError, RecursionError, RuntimeError, TypeError):
        return None
    except Exception as exc:  # ryml's own parse errors derive from Exception only
        if type(exc).__module__.startswith("ryml"):
            return None
        raise
    return (data, marks) if isinstance(data, dict) else None


def _emit_json(tree: Any, root: int, guess: int) -> bytearray | str:
    """The tree as JSON, written into a buffer of `guess` bytes when it fits: emit_json_malloc
    measures the output in a pass of its own first (0.07 -> 0.04 s for products.yaml, whose JSON
    is twice its size)."""
    out = bytearray(guess)
    failed, size = ryml.emit_json_to_substr(tree, root, out)
    if failed:
        return str(ryml.emit_json_malloc(tree, root))
    del out[size:]
    return out


@contextlib.contextmanager
def _depth_limit() -> Iterator[None]:
    """Data nested deeper than MAX_DEPTH is a problem the position-keeping loader reports: make
    `json.loads` (whose C scanner counts against the recursion limit) give up a little before."""
    depth = 0
    frame: FrameType | None = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + MAX_DEPTH - 10)
    try:
        yield
    finally:
        sys.setrecursionlimit(saved)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _GiveUp  # a duplicate key: the position-keeping loader reports both places
    return out


class _Marks:
    """Locations of nodes from the address of their first key's slice in the parsed buffer."""

    def __init__(self, raw: bytes, buf: bytearray, file: str) -> None:
        self.raw, self.file = raw, file
        self.base = _address(buf)
        self._at, self._line = 0, 0  # the last offset asked about and its line (0-based)

    def items(self, tree: Any, root: int) -> dict[YamlPath, Location]:
        marks: dict[YamlPath, Location] = {(): self.mapping(tree, root)}
        for child in ryml.children(tree, root):
            if not tree.is_seq(child):
                continue
            name = bytes(tree.key(child)).decode("utf-8")
            for i, item in enumerate(ryml.children(tree, child)):
                if tree.is_map(item) and tree.has_children(item):  # num_children counts them all
                    marks[(name, i)] = self.mapping(tree, item)
        return marks

    def mapping(self, tree: Any, node: int) -> Location:
        first = tree.first_child(node)
        at = _address(tree.key(first)) - self.base
        if tree.is_key_quoted(first):
            at -= 1
        if tree.is_flow(node):
            # A flow mapping starts at its `{`; a single pair in a flow list (`[a: 1]`) has none.
            at -= 1
            while at > 0 and self.raw[at] in b" \r\n":
                at -= 1
            if self.raw[at : at + 1] != b"{":
                raise _GiveUp
        if not 0 <= at < len(self.raw):
            raise _GiveUp
        # Items are asked about in file order: count only the newlines since the last one.
        if at >= self._at:
            self._line += self.raw.count(b"\n", self._at, at)
        else:
            self._line = self.raw.count(b"\n", 0, at)
        self._at = at
        start = self.raw.rfind(b"\n", 0, at) + 1
        return Location(self.file, self._line + 1, len(self.raw[start:at].decode("utf-8")) + 1)


class _PyBuffer(ctypes.Structure):
    _fields_ = [
        ("buf", ctypes.c_void_p),
        ("obj", ctypes.py_object),
        ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t),
        ("readonly", ctypes.c_int),
        ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p),
        ("shape", ctypes.c_void_p),
        ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]


def _address(obj: Any) -> int:
    """Where a buffer's bytes sit in memory (rapidyaml's key slices are read-only memoryviews)."""
    view = _PyBuffer()
    if _get_buffer(obj, ctypes.byref(view), 0) != 0:  # pragma: no cover - every argument is a buffer
        raise _GiveUp
    try:
        return int(view.buf or 0)
    finally:
        _release_buffer(ctypes.byref(view))


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """rapidyaml prints its errors (a parse error, nesting too deep to emit) to file descriptor 2
    before raising; the slower loader reports the same problem properly, so that print is noise."""
    try:
        saved = os.dup(2)
    except OSError:  # pragma: no cover - no stderr at all
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
