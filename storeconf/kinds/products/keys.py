"""Natural keys of a product's nested items, shared by the config models, the reader and the planner.

Image identity: the API never echoes an image's source URL. It downloads the
file and re-hosts it as `image_file` (`t/123/tee-front__12345__67890.jpg`) with
CDN URLs built from that name. So an image is known by the stem of its file
name: for a config URL the base name without its extension, for a stored file
the part of the base name before the first `__`. Both are lowercased and every
character outside `[a-z0-9_-]` becomes `-`, so `https://cdn.x/a/tee-front.JPG`
and `t/1/tee-front__1__2.jpg` are the same image `tee-front`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

_UNSAFE = re.compile(r"[^a-z0-9_-]")


def image_identity(url: str) -> str:
    """The identity of an image URL or stored `image_file` path (see the module docstring)."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    # A stored file's name is `<stem>__<n>__<n>.<ext>`; a config URL's is `<stem>.<ext>`.
    stem = name.split("__", 1)[0] if "__" in name else name.rsplit(".", 1)[0]
    return _UNSAFE.sub("-", stem.lower())


def image_key(item: dict[str, Any]) -> str:
    # Live images carry the identity computed from `image_file`; configured ones only their URL.
    return str(item.get("_identity") or image_identity(str(item.get("url", ""))))


def bulk_key(item: dict[str, Any]) -> str:
    """`10-49`, or `50+` for an open-ended rule (`quantity_max: 0`). The identity of a rule on
    both sides (config and live), and what plans and errors show."""
    low, high = _int(item.get("quantity_min")), _int(item.get("quantity_max"))
    return f"{low}+" if high == 0 else f"{low}-{high}"


def _int(value: Any) -> Any:
    # The API answers integers; a config may hold 10.0 after YAML parsing.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def name_key(item: dict[str, Any]) -> str:
    return str(item.get("name", ""))


def variant_key(item: dict[str, Any]) -> str:
    """A variant's SKU. A live variant may have none (made by another tool): it gets a key no
    config can write, so plans name it and two of them never collide."""
    return str(item.get("sku") or f"(no sku, id {item.get('_id')})")


def video_key(item: dict[str, Any]) -> str:
    return str(item.get("video_id", ""))
