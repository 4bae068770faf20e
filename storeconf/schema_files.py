"""A project's `schemas/` (JSON Schemas for editors) and the line that points a YAML file at them.

`# yaml-language-server: $schema=PATH` is read by the YAML language server (VS Code's YAML
extension, Neovim, Helix, ...); the path is relative to the file, so it survives a clone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from storeconf.config import PROJECT_FILE, json_schemas

SCHEMA_DIR = "schemas"
PROJECT_SCHEMA = "storeconf.schema.json"
RESOURCES_SCHEMA = "resources.schema.json"


def write_schemas(out: Path) -> list[Path]:
    """Write every JSON Schema file into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in json_schemas().items():
        (out / name).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
        written.append(out / name)
    return written


def schema_line(file: Path, project_dir: Path) -> str:
    """The modeline for `file` in the project at `project_dir`: the project file's schema for
    storeconf.yaml, the resource files' schema for the rest."""
    is_project = file.name == PROJECT_FILE and file.parent.resolve() == project_dir.resolve()
    target = project_dir / SCHEMA_DIR / (PROJECT_SCHEMA if is_project else RESOURCES_SCHEMA)
    rel = Path(os.path.relpath(target.resolve(), file.parent.resolve())).as_posix()
    return f"# yaml-language-server: $schema={rel}\n"
