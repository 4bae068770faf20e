"""JSON Schemas for editors (yaml-language-server), generated from the same models the loader validates with.

`storeconf.schema.json` describes the project file, `resources.schema.json` an
included resource file. Both are built from the registry, so a new kind shows
up in them without touching this module.
"""

from __future__ import annotations

import copy
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from storeconf.config.project import PROJECT_FILE, SandboxEnvironment, StoreEnvironment, options_model
from storeconf.kinds import REGISTRY, Registry
from storeconf.kinds.base import Kind, TreeShape

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_FORBID = ConfigDict(extra="forbid")
_INCLUDE_DOC = "Globs of resource files, relative to the project directory (e.g. catalog/*.yaml)."
_ENVIRONMENTS_DOC = "Named stores; `--env` selects one (default: local)."


def json_schemas(registry: Registry = REGISTRY) -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema. Dump with sort_keys for stable files."""
    kinds: dict[str, Any] = {
        kind.name: (_optional(_value_type(kind)), Field(None, description=_describe(kind)))
        for kind in registry
    }
    manage_fields: dict[str, Any] = {
        k.name: (_optional(options_model(k.name, registry)), None) for k in registry
    }
    manage = create_model("Manage", __config__=_FORBID, **manage_fields)
    environment = _optional(dict[str, _union(SandboxEnvironment, StoreEnvironment)])  # type: ignore[misc]
    project_fields: dict[str, Any] = {
        "version": (Literal[1], Field(description="Format version of the project file.")),
        "include": (list[str], Field(default_factory=list, description=_INCLUDE_DOC)),
        "environments": (environment, Field(None, description=_ENVIRONMENTS_DOC)),
        "manage": (_optional(manage), Field(None, description="Which kinds storeconf owns, and how.")),
        **kinds,
    }
    project = create_model("ProjectFile", __config__=_FORBID, **project_fields)
    resources = create_model("Resources", __config__=_FORBID, **kinds)
    return {
        "storeconf.schema.json": _finish(project, f"storeconf project file ({PROJECT_FILE})"),
        "resources.schema.json": _finish(resources, "storeconf resource file"),
    }


def _finish(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["title"] = title
    schema["$schema"] = _DIALECT
    return schema


def _describe(kind: Kind[Any]) -> str:
    return (kind.spec.__doc__ or kind.name).strip().splitlines()[0]


# Types assembled at run time, so they go through functions typed Any rather than annotations.
def _optional(tp: Any) -> Any:
    return Optional[tp]  # noqa: UP045


def _union(*members: Any) -> Any:
    return Union[members]  # noqa: UP007


_PROTECT_DOC = "Never delete or replace this object, whatever the config says (storeconf's own key)."


def _protect() -> Any:
    return (_optional(bool), Field(None, description=_PROTECT_DOC))


def _value_type(kind: Kind[Any]) -> Any:
    """What the kind's top-level key holds: a list of items, or one for a singleton."""
    item = _item_type(kind)
    return item if kind.singleton else list[item]  # type: ignore[valid-type]


def _item_type(kind: Kind[Any]) -> Any:
    shape = kind.tree
    if shape is not None:
        return _tree_item(kind, shape)
    return create_model(kind.spec.__name__, __base__=kind.spec, protect=_protect())


def _tree_item(kind: Kind[Any], shape: TreeShape) -> Any:
    """Flat items (the spec plus `children`) or nested ones (`name` instead of the key field)."""
    spec = kind.spec
    item_ref = f"{spec.__name__}Item"
    children: dict[str, Any] = {
        shape.children: (_optional(list[item_ref]), None),  # type: ignore[valid-type]
        "protect": _protect(),
    }
    name_doc = f"Name of this item; its {shape.key} is its parent's {shape.key} plus this name."
    nested_fields: dict[str, Any] = {
        shape.name: (str, Field(min_length=1, description=name_doc)),
        **children,
        **{n: (f.annotation, copy.copy(f)) for n, f in spec.model_fields.items() if n != shape.key},
    }
    flat = create_model(f"{spec.__name__}Tree", __base__=spec, **children)
    nested = create_model(f"{spec.__name__}Node", __config__=_FORBID, **nested_fields)
    item = _union(flat, nested)
    for model in (flat, nested):
        model.model_rebuild(_types_namespace={item_ref: item})
    return item
