"""Storage rules for tree categories: placement in a tree, depth, sibling-unique names,
tree-unique URLs and subtree deletion. Handlers in `categories.py` speak HTTP; this
module speaks rows and raises `CategoryError` for one bad batch item."""

from __future__ import annotations

import re
import sqlite3
import uuid
from typing import Any

from storeconf.sandbox.core.db import StoreDb, dump_doc, load_doc

SCHEMA = """
CREATE TABLE IF NOT EXISTS categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    tree_id INTEGER NOT NULL REFERENCES trees (id) ON DELETE CASCADE,
    parent_id INTEGER NOT NULL,
    name_key TEXT NOT NULL,
    url_key TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (tree_id, parent_id, name_key),
    UNIQUE (tree_id, url_key)
);
CREATE INDEX IF NOT EXISTS categories_parent ON categories (parent_id);
"""

# Node depth is 0 at the top level, as in the API's tree response; 8 levels in all.
MAX_DEPTH = 7

DEFAULTS: dict[str, Any] = {
    "description": "",
    "views": 0,
    "sort_order": 0,
    "page_title": "",
    "meta_keywords": [],
    "meta_description": "",
    "layout_file": "category.html",
    "image_url": "",
    "is_visible": True,
    "search_keywords": "",
    "default_product_sort": "use_store_settings",
}


class CategoryError(Exception):
    """One batch item failed; `errors` maps each offending field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def fail(field: str, message: str) -> CategoryError:
    return CategoryError({field: message})


def get_row(db: StoreDb, category_id: int) -> sqlite3.Row | None:
    return db.query_one("SELECT * FROM categories WHERE id = ?", [category_id])


def ancestors(db: StoreDb, category_id: int) -> list[int]:
    """Ids from the top-level ancestor down to `category_id` itself (the node's `path`)."""
    path: list[int] = []
    current = category_id
    while current:
        path.append(current)
        current = int(db.scalar("SELECT parent_id FROM categories WHERE id = ?", [current]) or 0)
    return path[::-1]


def _subtree_sql(roots_where: str) -> str:
    return (
        f"WITH RECURSIVE sub(id) AS (SELECT id FROM categories{roots_where} "
        "UNION SELECT c.id FROM categories c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub"
    )


def in_subtree(db: StoreDb, root_id: int, category_id: int) -> bool:
    ids = db.query(_subtree_sql(" WHERE id = ?"), [root_id])
    return any(row["id"] == category_id for row in ids)


def delete_subtrees(db: StoreDb, roots_where: str, params: list[Any]) -> int:
    """Delete the matching categories and everything below them; returns how many went.

    The spec does not say what deleting a parent does to its children. Leaving them
    would orphan rows no tree response can show, so the whole subtree goes, like
    deleting a folder."""
    sql = _subtree_sql(roots_where)
    count = int(db.scalar(f"SELECT COUNT(*) FROM ({sql})", params))
    db.execute(f"DELETE FROM categories WHERE id IN ({sql})", params)
    return count


def subtree_height(db: StoreDb, category_id: int) -> int:
    """Levels below `category_id` (0 for a leaf)."""
    row = db.query_one(
        "WITH RECURSIVE sub(id, level) AS (SELECT ?, 0 UNION ALL "
        "SELECT c.id, sub.level + 1 FROM categories c JOIN sub ON c.parent_id = sub.id) "
        "SELECT MAX(level) FROM sub",
        [category_id],
    )
    return int(row[0]) if row is not None and row[0] is not None else 0


def placement(db: StoreDb, tree_id: int | None, parent_id: int) -> tuple[int, int, str]:
    """(tree_id, depth, parent URL path) for a category placed under `parent_id` (0: top level)."""
    if parent_id == 0:
        if tree_id is None:
            raise fail("tree_id", "tree_id is required for a top-level category.")
        return tree_id, 0, "/"
    parent = get_row(db, parent_id)
    if parent is None:
        raise fail("parent_id", f"Parent category {parent_id} does not exist.")
    if tree_id is not None and tree_id != parent["tree_id"]:
        raise fail("tree_id", f"Parent category {parent_id} is not in tree {tree_id}.")
    depth = len(ancestors(db, parent_id))
    return int(parent["tree_id"]), depth, load_doc(parent["doc"])["url"]["path"]


def free_url(db: StoreDb, tree_id: int, parent_path: str, name: str, category_id: int | None) -> str:
    """`/parent/child/` from the name; numbered when another category holds it already."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "category"
    candidate, n = f"{parent_path}{slug}/", 1
    while url_owner(db, tree_id, candidate) not in (None, category_id):
        n += 1
        candidate = f"{parent_path}{slug}-{n}/"
    return candidate


def url_owner(db: StoreDb, tree_id: int, path: str) -> int | None:
    owner = db.scalar("SELECT id FROM categories WHERE tree_id = ? AND url_key = ?", [tree_id, path.lower()])
    return None if owner is None else int(owner)


def insert(db: StoreDb, tree_id: int, parent_id: int, doc: dict[str, Any]) -> int:
    sql = (
        "INSERT INTO categories (uuid, tree_id, parent_id, name_key, url_key, doc) VALUES (?, ?, ?, ?, ?, ?)"
    )
    params = [str(uuid.uuid4()), tree_id, parent_id, *_keys(doc)]
    return int(_write(db, sql, params, doc).lastrowid or 0)


def update(db: StoreDb, category_id: int, parent_id: int, doc: dict[str, Any]) -> None:
    sql = "UPDATE categories SET parent_id = ?, name_key = ?, url_key = ?, doc = ? WHERE id = ?"
    _write(db, sql, [parent_id, *_keys(doc), category_id], doc)


def _keys(doc: dict[str, Any]) -> list[Any]:
    return [doc["name"].lower(), doc["url"]["path"].lower(), dump_doc(doc)]


def _write(db: StoreDb, sql: str, params: list[Any], doc: dict[str, Any]) -> sqlite3.Cursor:
    try:
        return db.execute(sql, params)
    except sqlite3.IntegrityError as exc:
        if "name_key" in str(exc):
            raise fail("name", f"A sibling category is already named '{doc['name']}'.") from None
        raise fail("url", f"The URL '{doc['url']['path']}' is used by another category.") from None


def to_api(row: sqlite3.Row) -> dict[str, Any]:
    doc = load_doc(row["doc"])
    head = {
        "category_id": row["id"],
        "category_uuid": row["uuid"],
        "tree_id": row["tree_id"],
        "parent_id": row["parent_id"],
        "name": doc["name"],
    }
    return {**head, **{k: doc[k] for k in DEFAULTS}, "url": doc["url"]}


def node_tree(db: StoreDb, tree_id: int, levels: int | None) -> list[dict[str, Any]]:
    """The nested `{id, parent_id, depth, path, name, is_visible, url, children}` nodes."""
    rows = db.query("SELECT * FROM categories WHERE tree_id = ?", [tree_id])
    docs = {row["id"]: load_doc(row["doc"]) for row in rows}
    children: dict[int, list[sqlite3.Row]] = {}
    for row in sorted(rows, key=lambda r: (docs[r["id"]]["sort_order"], r["id"])):
        children.setdefault(row["parent_id"], []).append(row)

    def build(parent_id: int, depth: int, path: list[int]) -> list[dict[str, Any]]:
        if levels is not None and depth >= levels:
            return []
        nodes = []
        for row in children.get(parent_id, []):
            doc, node_path = docs[row["id"]], [*path, row["id"]]
            nodes.append(
                {
                    "id": row["id"],
                    "parent_id": parent_id,
                    "depth": depth,
                    "path": node_path,
                    "name": doc["name"],
                    "is_visible": doc["is_visible"],
                    "url": doc["url"]["path"],
                    "children": build(row["id"], depth + 1, node_path),
                }
            )
        return nodes

    return build(0, 0, [])
