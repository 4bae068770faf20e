"""schemas/ must be what `storeconf schema` generates from the models now."""

from __future__ import annotations

import json
from pathlib import Path

from storeconf.config import json_schemas

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def test_committed_schemas_match_the_models() -> None:
    generated = json_schemas()
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(generated)
    for name, body in generated.items():
        committed = json.loads((SCHEMAS / name).read_text())
        assert committed == body, f"schemas/{name} is stale: run `storeconf schema`"


def test_schema_describes_every_kind() -> None:
    resources = json_schemas()["resources.schema.json"]
    text = json.dumps(resources)
    for kind in ("brands", "categories", "scripts", "webhooks"):
        assert f'"{kind}"' in text
