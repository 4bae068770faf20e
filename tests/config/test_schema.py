"""JSON Schemas generated from the models (storeconf.config.schema)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storeconf.config import json_schemas
from storeconf.kinds import REGISTRY

jsonschema = pytest.importorskip("jsonschema")


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(instance)]


def best(schema: dict[str, Any], instance: Any) -> str:
    """The most relevant error, as an editor would show it (`X | None` fields nest the rest in anyOf)."""
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    return str(error.message) if error else ""


def test_file_names_and_determinism() -> None:
    first, second = json_schemas(), json_schemas()
    assert set(first) == {"storeconf.schema.json", "resources.schema.json"}
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    for schema in first.values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_resource_schema_has_one_array_per_kind() -> None:
    schema = json_schemas()["resources.schema.json"]
    assert set(schema["properties"]) == set(REGISTRY.names())
    assert schema["additionalProperties"] is False


def test_resource_schema_accepts_flat_and_nested_categories() -> None:
    schema = json_schemas()["resources.schema.json"]
    good = {
        "brands": [{"name": "Acme", "custom_url": {"url": "/acme/"}}],
        "categories": [
            {"name": "Apparel", "children": [{"name": "Shirts"}, {"path": "Apparel/Pants"}]},
            {"path": "Camping", "is_visible": True},
        ],
        "scripts": [{"name": "S", "kind": "src", "src": "https://x/s.js", "location": "head"}],
        "webhooks": [{"scope": "store/order/created", "destination": "https://h.example.com/o"}],
    }
    assert errors(schema, good) == []
    assert best(schema, {"brands": [{"name": "A", "page_titel": "x"}]}) == (
        "Additional properties are not allowed ('page_titel' was unexpected)"
    )
    assert best(schema, {"brand": []}) == "Additional properties are not allowed ('brand' was unexpected)"
    assert best(schema, {"scripts": [{"name": "S", "kind": "src", "location": "body"}]}) == (
        "'body' is not one of ['head', 'footer']"
    )
    assert best(schema, {"categories": [{"name": "A", "children": [{"nmae": "B"}]}]}) != ""


def test_project_schema() -> None:
    schema = json_schemas()["storeconf.schema.json"]
    good = {
        "version": 1,
        "include": ["catalog/*.yaml"],
        "environments": {
            "local": {"sandbox": ".storeconf/local.db"},
            "staging": {"store_hash": "abc", "access_token": "${env:T}", "vars": {"hooks": "https://h"}},
        },
        "manage": {"brands": {"prune": True}, "categories": {"channel": 2, "ignore": ["description"]}},
        "brands": [{"name": "Acme"}],
    }
    assert errors(schema, good) == []
    assert errors(schema, {"version": 2}) != []
    assert best(schema, {"version": 1, "manage": {"brand": {}}}) == (
        "Additional properties are not allowed ('brand' was unexpected)"
    )
    assert best(schema, {"version": 1, "manage": {"brands": {"channel": 2}}}) == (
        "Additional properties are not allowed ('channel' was unexpected)"
    )


def test_a_singleton_kind_is_one_mapping_not_a_list() -> None:
    schema = json_schemas()["resources.schema.json"]
    assert errors(schema, {"webhook_admin": {"emails": ["ops@example.com"]}}) == []
    assert errors(schema, {"webhook_admin": [{"emails": ["ops@example.com"]}]}) != []
    assert best(schema, {"webhook_admin": {"email": []}}) != ""
