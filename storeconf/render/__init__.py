"""Views of a plan: pure functions from Plan to text."""

from __future__ import annotations

from collections.abc import Callable

from storeconf.plan import Plan
from storeconf.render.json import render_json
from storeconf.render.markdown import render_markdown
from storeconf.render.text import render_text

RENDERERS: dict[str, Callable[[Plan], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}

__all__ = ["RENDERERS", "render_json", "render_markdown", "render_text"]
