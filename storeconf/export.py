"""Writing a project from a live store that plans back to zero changes.

Fields equal to the API's defaults are left out so the files stay reviewable
(an omitted field is unmanaged, so it cannot show as a change); secrets such
as webhook headers are never written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter

from storeconf.client import StoreClient
from storeconf.config import escape
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind
from storeconf.live import kinds_to_read, read_live
from storeconf.model import Live, Manage


async def export_project(
    client: StoreClient,
    out_dir: Path,
    *,
    kinds: Iterable[str],
    environments: dict[str, Any],
    source_dir: Path,
    manage: dict[str, Manage] | None = None,
    registry: Registry = REGISTRY,
    warnings: list[str] | None = None,
) -> list[Path]:
    """Write `storeconf.yaml` and resource files into `out_dir`; return the files written.

    Live objects no config could declare (a duplicate name, a product without a SKU)
    are left out, each with a line in `warnings`.
    """
    warnings = warnings if warnings is not None else []
    names = [k for k in registry.names() if k in set(kinds)]
    ctx = Context(manage=dict(manage or {}))
    # Referenced kinds are read too (product brands by name), even when not exported.
    live = await read_live(client, kinds_to_read(names, registry), ctx, registry)
    written = []
    by_file: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in names:
        kind = registry[name]
        items = []
        for obj in sorted(live.objects[name].values(), key=_sort_key(kind)):
            item, problem = exportable(kind, obj)
            if problem:
                warnings.append(problem)
            else:
                items.append(item)
        for rel, chunk in kind.export_files(items).items():
            by_file.setdefault(rel, {})[name] = chunk
    for rel, content in by_file.items():
        written.append(_dump(out_dir / rel, content))
    project = {
        "version": 1,
        "include": sorted({str(Path(rel).parent / "*.yaml") for rel in by_file}),
        "environments": _rebase(environments, source_dir, out_dir),
        "manage": {name: _manage_entry(ctx.manage.get(name)) for name in names},
    }
    # The project file is copied as written: its ${env:...} references must stay references.
    written.insert(0, _dump(out_dir / "storeconf.yaml", project, raw=True))
    return written


def exportable(kind: Kind[Any], obj: Live) -> tuple[dict[str, Any], str | None]:
    """The config item for a live object, or why no config could declare it."""
    if obj.duplicate:
        return {}, f"{kind.name} {obj.key}: not exported (another object has the same key)"
    item = kind.export_item(obj)
    try:
        kind.spec.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return {}, f"{kind.name} {obj.key}: not exported ({where}: {first['msg']})"
    return item, None


def _sort_key(kind: Any) -> Any:
    return lambda obj: (kind.order(obj.key), obj.key.casefold())


def _manage_entry(manage: Manage | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"prune": False}
    if manage is not None:
        if manage.ignore:
            entry["ignore"] = sorted(manage.ignore)
        entry.update(manage.options)
    return entry


def _rebase(environments: dict[str, Any], source_dir: Path, out_dir: Path) -> dict[str, Any]:
    """Copy environments as written; sandbox paths are made to point at the same database."""
    out: dict[str, Any] = {}
    for name, env in environments.items():
        env = dict(env) if isinstance(env, dict) else env
        if isinstance(env, dict) and isinstance(env.get("sandbox"), str):
            target = (source_dir / env["sandbox"]).resolve()
            env["sandbox"] = os.path.relpath(target, out_dir.resolve())
        out[name] = env
    return out


def _escaped(value: Any) -> Any:
    """Live text containing `${` must read back as itself, not as a substitution."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _dump(path: Path, content: dict[str, Any], *, raw: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not raw:
        content = _escaped(content)
    yaml = YAML()
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    with path.open("w") as fh:
        yaml.dump(content, fh)
    return path


# Words YAML 1.1 parsers (PyYAML, many editors' tools) read as booleans or null; storeconf
# reads YAML 1.2, where they are text. Quoting them keeps exported files unambiguous.
_YAML11_SPECIAL = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~", ""})


class _Representer(RoundTripRepresenter):
    pass


def _represent_str(representer: RoundTripRepresenter, data: str) -> Any:
    style = '"' if data.casefold() in _YAML11_SPECIAL else None
    return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Representer.add_representer(str, _represent_str)
