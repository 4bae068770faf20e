"""Stable machine-readable plan (the plan file format too)."""

from __future__ import annotations

import json

from storeconf.plan import Plan


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, sort_keys=True, default=str) + "\n"
