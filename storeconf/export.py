"""Writing a project from a live store that plans back to zero changes.

Fields equal to the API's defaults are left out so the files stay reviewable
(an omitted field is unmanaged, so it cannot show as a change); secrets such
as webhook headers are never written.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter

from storeconf.client import StoreClient
from storeconf.config import Environment, escape
from storeconf.config.interpolate import Scope, expand
from storeconf.gcpause import paused
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Context, Kind
from storeconf.live import kinds_to_read, read_live
from storeconf.model import Desired, DesiredState, FlowRow, Live, Manage
from storeconf.ownership import adopt_exported
from storeconf.schema_files import SCHEMA_DIR, schema_line, write_schemas
from storeconf.yamlwrite import plain_dump


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
    desired: DesiredState | None = None,
    environment: Environment | None = None,
    adopt: bool = False,
    declared: DesiredState | None = None,
) -> list[Path]:
    """Write `storeconf.yaml` and resource files into `out_dir`; return the files written.

    Live objects no config could declare (a duplicate name, a product without a SKU)
    are left out, each with a line in `warnings`. With the environment's `desired`
    state, fields its `overrides:` set are written as the shared files declare them:
    the exported storeconf.yaml keeps the overrides, so the export still plans to zero.
    `environment` (the one exported) loses the `exclude:` entries naming objects the
    export did not write, which would otherwise name nothing. With `adopt`, exported
    objects of kinds that have metafields are marked as storeconf's and their kinds
    written with `prune: owned` (see storeconf.ownership). Fields the `declared` config
    fills from `${env:}` are secrets: they are left out, each with a warning.
    """
    warnings = warnings if warnings is not None else []
    names = [k for k in registry.names() if k in set(kinds)]
    ctx = Context(manage=dict(manage or {}))
    # Referenced kinds are read too (product brands by name), even when not exported.
    with paused():
        live = await read_live(client, kinds_to_read(names, registry), ctx, registry)
    written = []
    by_file: dict[str, dict[str, list[dict[str, Any]]]] = {}
    exported: dict[str, set[str]] = {}
    ids: dict[str, list[Any]] = {}
    for name in names:
        kind = registry[name]
        items = []
        for obj in sorted(live.objects[name].values(), key=_sort_key(kind)):
            item, problem = exportable(kind, obj)
            if problem:
                warnings.append(problem)
            else:
                want = desired.objects.get(name, {}).get(kind.identity(obj.key)) if desired else None
                kept = without_secrets(kind, obj.key, item, declared, warnings)
                if kept is None:
                    continue
                items.append(shared_values(kind, kept, want, warnings))
                exported.setdefault(name, set()).add(kind.identity(kind.live_key(items[-1])))
                ids.setdefault(name, []).append(obj.id)
        for rel, chunk in kind.export_files(items).items():
            by_file.setdefault(rel, {})[name] = chunk
    adopted = await adopt_exported(client, ids, registry) if adopt else set()
    for rel, content in by_file.items():
        written.append(_dump(out_dir / rel, content, header=schema_line(out_dir / rel, out_dir)))
    project = {
        "version": 1,
        "include": sorted({str(Path(rel).parent / "*.yaml") for rel in by_file}),
        "environments": _rebase(
            _live_excludes(environments, environment, exported, registry), source_dir, out_dir
        ),
        "manage": {name: _manage_entry(ctx.manage.get(name), name in adopted) for name in names},
    }
    # The project file is copied as written: its ${env:...} references must stay references.
    project_file = out_dir / "storeconf.yaml"
    written.insert(0, _dump(project_file, project, raw=True, header=schema_line(project_file, out_dir)))
    return written + write_schemas(out_dir / SCHEMA_DIR)


def without_secrets(
    kind: Kind[Any], key: str, item: dict[str, Any], declared: DesiredState | None, warnings: list[str]
) -> dict[str, Any] | None:
    """`item` without the fields (or nested values, `custom_fields.pin`) the config sets from
    `${env:}`; None when one of them is a key field (a webhook's destination): no config can
    declare the object without it, so it is left out, and the warning names it masked."""
    found = declared.objects.get(kind.name, {}).get(kind.identity(key)) if declared else None
    if found is None or not found.sensitive:
        return item
    key = found.masked_key or key
    if found.sensitive & kind.key_fields:
        fields = ", ".join(sorted(found.sensitive & kind.key_fields))
        warnings.append(
            f"{kind.name} {key}: not exported (the config sets its key field {fields} from ${{env:}})"
        )
        return None
    item = dict(item)
    for path in sorted(found.sensitive):
        root, _, rest = path.partition(".")
        holder = item.get(root) if rest else item
        leaf = rest or root
        if isinstance(holder, dict) and leaf in holder:
            if rest:
                item[root] = holder = {k: v for k, v in holder.items() if k != leaf}
            else:
                del item[leaf]
            warnings.append(f"{kind.name} {key}: {path} not exported (the config sets it from ${{env:}})")
    return item


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


def shared_values(
    kind: Kind[Any], item: dict[str, Any], want: Desired | None, warnings: list[str]
) -> dict[str, Any]:
    """An environment's override values never go into the shared files: each overridden field
    gets the shared files' value (or is left out when they do not set it)."""
    if want is None or want.base is None:
        return item
    out = dict(item)
    for name in want.overridden:
        if name in want.base.sensitive:
            # The shared value comes from the environment: writing it would leak it.
            warnings.append(f"{kind.name} {want.key}: {name} not exported (its shared value is sensitive)")
            out.pop(name, None)
        elif name in want.base.fields:
            out[name] = want.base.fields[name]
        else:
            out.pop(name, None)
    return out


def _sort_key(kind: Any) -> Any:
    return lambda obj: (kind.order(obj.key), obj.key.casefold())


def _manage_entry(manage: Manage | None, adopted: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"prune": "owned" if adopted else False}
    if manage is not None:
        if manage.ignore:
            entry["ignore"] = sorted(manage.ignore)
        entry.update(manage.options)
    return entry


def _live_excludes(
    environments: dict[str, Any], env: Environment | None, exported: dict[str, set[str]], registry: Registry
) -> dict[str, Any]:
    """The exported environment's `exclude:` without entries naming objects the export left out."""
    block = environments.get(env.name) if env is not None else None
    if env is None or not isinstance(block, dict) or not isinstance(block.get("exclude"), dict):
        return environments
    scope = Scope({}, env.vars, env.name)
    kept: dict[str, Any] = {}
    for kind, keys in block["exclude"].items():
        if kind not in registry or not isinstance(keys, list):
            kept[kind] = keys
            continue
        identity = registry[kind].identity
        live = [k for k in keys if identity(expand(str(k), scope).text) in exported.get(kind, set())]
        if live:
            kept[kind] = live
    rest = {k: v for k, v in block.items() if k != "exclude"}
    return {**environments, env.name: {**rest, **({"exclude": kept} if kept else {})}}


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
    if isinstance(value, FlowRow):
        return FlowRow({k: _escaped(v) for k, v in value.items()})
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _dump(path: Path, content: dict[str, Any], *, raw: bool = False, header: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not raw:
        content = _escaped(content)
    # The fast writer answers for plain data exactly as ruamel would, else declines.
    text = plain_dump(content)
    with path.open("w") as fh:
        fh.write(header)
        fh.write(text if text is not None else ruamel_text(content))
    return path


def ruamel_text(content: dict[str, Any]) -> str:
    """`content` as ruamel.yaml's round-trip writer writes it with export's settings."""
    yaml = YAML()
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(content, out)
    return out.getvalue()


# Words YAML 1.1 parsers (PyYAML, many editors' tools) read as booleans or null; storeconf
# reads YAML 1.2, where they are text. Quoting them keeps exported files unambiguous.
_YAML11_SPECIAL = frozenset({"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~", ""})


class _Representer(RoundTripRepresenter):
    pass


def _represent_str(representer: RoundTripRepresenter, data: str) -> Any:
    style = '"' if data.casefold() in _YAML11_SPECIAL else None
    return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Representer.add_representer(str, _represent_str)


def _represent_row(representer: RoundTripRepresenter, data: FlowRow) -> Any:
    return representer.represent_mapping("tag:yaml.org,2002:map", dict(data), flow_style=True)


_Representer.add_representer(FlowRow, _represent_row)
