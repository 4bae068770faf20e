"""The happy path of YAML loading: libyaml's C parser, plain data, no per-value positions.

Composing a 2.5 MB products file with ruamel's pure-Python parser takes ~20 s;
the C parser (ruamel.yaml.clib) composes it in a tenth of that once scalar
resolution is cached (the resolver's regexes run once per distinct value, not
once per value). Only the start of each mapping is kept (`marks`): that is
where an item starts, which a plan shows next to each change. Every other
position is computed only when a problem needs it, by re-reading the file with
the position-keeping loader in `yaml.py`.

`fast_load` gives up (returns None) on anything it does not handle exactly as
that loader does: a syntax error, a duplicate key, a non-scalar key, an
unknown tag, a merge key, anchors and aliases, a `%YAML` directive, a value that
fails to convert.
The caller then loads the file the slow way, which reports the problem with
its exact position. Giving up is always safe; answering differently never is
(tests/config/test_fastyaml.py compares both loaders on generated documents).
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from storeconf.errors import Location

try:  # ruamel.yaml.clib: without it every file takes the slow path, which is correct, only slower.
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - the dependency is declared; this guards a broken install
    CParser = None

# A path from the document root: mapping keys (always strings) and list indices.
YamlPath = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_MAP, _SEQ, _STR = f"{_TAG}map", f"{_TAG}seq", f"{_TAG}str"
_VERBATIM = {_STR, f"{_TAG}timestamp"}
_CONSTRUCTED = {f"{_TAG}{t}" for t in ("null", "bool", "int", "float")}
_KEY_TAGS = {_STR, *_CONSTRUCTED}
# A directive (`%YAML 1.1` changes how scalars resolve; the C parser does not tell the resolver)
# or an anchor (`&a`) or alias (`*a`) where a node may start. Text that only looks like one
# (a `*` in a plain scalar) sends the file down the slow path, which is merely slower.
# Also a tab: libyaml takes one inside a plain scalar, ruamel's own scanner rejects it.
# And a quoted key with its value right after the colon (`'a':b`): libyaml reads it, ruamel does not.
# And a non-specific tag (`!`, `!<!>`): on an empty value libyaml makes it "", ruamel None.
# And a comment right after a block scalar header (`|#`): libyaml reads it, ruamel does not.
# And a complex key in a flow collection: libyaml takes a stray `]` after `[a, ?  ]`.
_SLOW = re.compile(
    r"^%|(?:^|[\s\[{,:-])(?:[&*][^\s,\[\]{}]|!(?:<!>)?(?:\s|$)|[|>][-+0-9]*#)|\t|['\"]:\S"
    r"|[\[{,][ ]*\?",
    re.MULTILINE,
)
# Deeper lists and mappings are a problem (reported by the slow loader): no config nests this deep,
# and everything that walks the data recurses, so deeper data would overflow Python's stack.
MAX_DEPTH = 100


class GiveUp(Exception):
    """The fast path cannot answer exactly as the position-keeping loader would."""


class _CachedResolver(VersionedResolver):
    """Resolves each distinct (kind, value, implicit) once per file instead of once per scalar."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen: dict[tuple[Any, str, Any], Any] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        key = (kind, value, implicit)
        tag = self._seen.get(key)
        if tag is None:
            tag = self._seen[key] = super().resolve(kind, value, implicit)
        return tag


def fast_load(text: str, file: str) -> tuple[Any, dict[YamlPath, Location]] | None:
    """Plain data and the start of every mapping, or None when the slow loader must decide."""
    if CParser is None or _SLOW.search(text) or "\ufeff" in text[1:]:
        return None  # (a byte-order mark past the start: libyaml and ruamel's scanner part ways)
    yaml = YAML(typ="safe")
    yaml.Resolver = _CachedResolver
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root = yaml.compose(io.StringIO(text))
        if root is None:
            return None, {}
        builder = _Builder(file, yaml.constructor)
        return builder.convert(root, ()), builder.marks
    except (YAMLError, ValueError, LookupError, GiveUp, RecursionError):
        return None


class _Builder:
    def __init__(self, file: str, constructor: Any) -> None:
        self.file = file
        self.marks: dict[YamlPath, Location] = {}
        self._constructor = constructor
        self._scalars: dict[tuple[str, str], Any] = {}

    def convert(self, node: Any, path: YamlPath) -> Any:
        # `ctag.suffix` is the resolved tag as the C parser gave it (`str(node.tag)` re-derives
        # it on every call); an escaped tag differs from every name below and gives up.
        tag = node.ctag.suffix
        kind = type(node)
        if kind is ScalarNode:
            return self._scalar(node)
        if len(path) >= MAX_DEPTH:
            raise GiveUp
        if kind is MappingNode and tag == _MAP:
            mark = node.start_mark
            self.marks[path] = Location(self.file, mark.line + 1, mark.column + 1)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not ScalarNode or key_node.ctag.suffix not in _KEY_TAGS:
                    raise GiveUp  # merge keys, tagged or complex keys
                key = str(key_node.value)
                if key in out:
                    raise GiveUp  # duplicate key: reported with both positions by the slow loader
                out[key] = (
                    self._scalar(value_node)
                    if type(value_node) is ScalarNode
                    else self.convert(value_node, (*path, key))
                )
            return out
        if kind is SequenceNode and tag == _SEQ:
            return [
                self._scalar(item) if type(item) is ScalarNode else self.convert(item, (*path, i))
                for i, item in enumerate(node.value)
            ]
        raise GiveUp

    def _scalar(self, node: Any) -> Any:
        tag = node.ctag.suffix
        if tag in _VERBATIM:
            return str(node.value)
        if tag not in _CONSTRUCTED:
            raise GiveUp
        key = (tag, node.value)
        if key not in self._scalars:
            self._scalars[key] = self._constructor.construct_object(node)
        return self._scalars[key]
