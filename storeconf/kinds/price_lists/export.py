"""Exporting price lists: the lists in one file, each list's records in files of its own
(`pricing/price-list-wholesale.yaml`, then `-2`, `-3` ... beyond RECORD_FILE_SKUS SKUs),
in the compact form. The loader joins a list's files back together (`refs.merge`)."""

from __future__ import annotations

import re
from typing import Any

from storeconf.kinds.price_lists.spec import compact_records
from storeconf.model import Live
from storeconf.parts import public

RECORD_FILE_SKUS = 2000  # rows per records file: big enough to browse, small enough to review


def export_item(live: Live) -> dict[str, Any]:
    item: dict[str, Any] = {"name": live.fields["name"]}
    if not live.fields.get("active", True):
        item["active"] = False
    if live.fields.get("assignments"):
        item["assignments"] = public(live.fields["assignments"])
    if "records" in live.fields:
        item["records"] = compact_records(live.fields["records"])
    return item


def export_files(main: str, items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    files: dict[str, list[dict[str, Any]]] = {main: []}
    folder = main.rsplit("/", 1)[0]
    for item in items:
        records = item.pop("records", None)
        if not records:  # not managed, or managed and empty: all in the main file
            files[main].append(item if records is None else {**item, "records": {}})
            continue
        if len(item) > 1:  # active, assignments: in the main file; the records file adds its rows
            files[main].append(item)
        rows = list(records.items())
        for n, start in enumerate(range(0, len(rows), RECORD_FILE_SKUS), start=1):
            suffix = "" if n == 1 else f"-{n}"
            chunk = {"name": item["name"], "records": dict(rows[start : start + RECORD_FILE_SKUS])}
            files[f"{folder}/price-list-{_slug(item['name'])}{suffix}.yaml"] = [chunk]
    return {name: content for name, content in files.items() if content}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "list"
