"""Category trees: the default tree, upserts, channel rules, deletes and the nested tree."""

from __future__ import annotations

from typing import Any

from tests.sandbox.sandbox_support import Store

TREES = "/v3/catalog/trees"
CATEGORIES = "/v3/catalog/trees/categories"


def new_channel(store: Store, name: str = "Second") -> int:
    response = store.post("/v3/channels", {"name": name, "type": "storefront", "platform": "bigcommerce"})
    assert response.status_code == 200, response.text
    channel_id: int = response.json()["data"]["id"]
    return channel_id


def create(store: Store, *items: dict[str, Any]) -> list[dict[str, Any]]:
    response = store.post(CATEGORIES, list(items))
    assert response.status_code == 201, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_store_starts_with_tree_1_on_channel_1(store: Store) -> None:
    body = store.get(TREES).json()
    assert body["data"] == [{"id": 1, "name": "Default", "channels": [1]}]
    assert body["meta"]["pagination"]["total"] == 1


def test_upsert_creates_and_renames(store: Store) -> None:
    channel = new_channel(store)
    created = store.put(TREES, [{"name": "Second tree", "channels": [channel]}])
    assert created.status_code == 200
    assert created.json() == {
        "data": [{"id": 2, "name": "Second tree", "channels": [channel]}],
        "meta": {"total": 1, "success": 1, "failed": 0},
    }
    renamed = store.put(TREES, [{"id": 1, "name": "Main"}])
    assert renamed.json()["data"] == [{"id": 1, "name": "Main", "channels": [1]}]
    assert [t["id"] for t in store.get(f"{TREES}?channel_id:in={channel}").json()["data"]] == [2]
    assert [t["id"] for t in store.get(f"{TREES}?id:in=1").json()["data"]] == [1]


def test_upsert_rules_fail_the_whole_batch(store: Store) -> None:
    channel = new_channel(store)
    response = store.put(
        TREES,
        [
            {"name": "Fine", "channels": [channel]},
            {"id": 1, "channels": [1]},
            {"name": "No channel"},
            {"name": "Taken", "channels": [1]},
            {"name": "Unknown", "channels": [999]},
            {"name": "Two", "channels": [channel, 1]},
            {"id": 77, "name": "Ghost"},
        ],
    )
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422
    assert set(body["errors"]) == {
        "1.channels",
        "2.channels",
        "3.channels",
        "4.channels",
        "5.channels",
        "6.id",
    }
    assert len(store.get(TREES).json()["data"]) == 1


def test_two_new_trees_cannot_share_a_channel(store: Store) -> None:
    channel = new_channel(store)
    response = store.put(TREES, [{"name": "A", "channels": [channel]}, {"name": "B", "channels": [channel]}])
    assert response.status_code == 422
    assert len(store.get(TREES).json()["data"]) == 1


def test_more_than_50_trees_is_413_verbatim(store: Store) -> None:
    response = store.put(TREES, [{"name": f"T{n}", "channels": [1]} for n in range(51)])
    assert response.status_code == 413
    assert response.json() == {
        "errors": {},
        "status": 413,
        "title": "The request payload is too large. The maximum trees allowed in the array is 50.",
        "type": "/api-docs/getting-started/api-status-codes",
    }


def test_delete_needs_a_filter_and_takes_the_categories_along(store: Store) -> None:
    missing = store.delete(TREES)
    assert missing.status_code == 422
    assert missing.json()["errors"]["status"] == 422
    assert missing.json()["meta"] == {"total": 0, "success": 0, "failed": 0}
    channel = new_channel(store)
    store.put(TREES, [{"name": "Doomed", "channels": [channel]}])
    create(store, {"name": "Kept", "tree_id": 1}, {"name": "Gone", "tree_id": 2})
    deleted = store.delete(f"{TREES}?id:in=2")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert [t["id"] for t in store.get(TREES).json()["data"]] == [1]
    assert [c["name"] for c in store.get(CATEGORIES).json()["data"]] == ["Kept"]


def test_the_tree_of_channel_1_cannot_be_deleted(store: Store) -> None:
    create(store, {"name": "Kept", "tree_id": 1})
    channel = new_channel(store)
    store.put(TREES, [{"name": "Second", "channels": [channel]}])
    for query in ("id:in=1", "id:in=2,1"):
        response = store.delete(f"{TREES}?{query}")
        assert response.status_code == 422
        assert response.json()["errors"]["errors"] == {
            "id:in": "Category tree 1 is the tree of channel 1 and cannot be deleted."
        }
        assert response.json()["meta"] == {"total": 0, "success": 0, "failed": 0}
    # Nothing went: not the default tree, its categories, nor the other tree of the batch.
    assert [t["id"] for t in store.get(TREES).json()["data"]] == [1, 2]
    assert [c["name"] for c in store.get(CATEGORIES).json()["data"]] == ["Kept"]
    assert store.delete(f"{TREES}?id:in=2").status_code == 204


def test_nested_tree(store: Store) -> None:
    (shop,) = create(store, {"name": "Shop All", "tree_id": 1})
    bath, garden = create(
        store,
        {"name": "Bath", "parent_id": shop["category_id"], "sort_order": 2},
        {"name": "Garden", "parent_id": shop["category_id"], "sort_order": 1, "is_visible": False},
    )
    create(store, {"name": "Towels", "parent_id": bath["category_id"]})
    response = store.get(f"{TREES}/1/categories")
    assert response.status_code == 200
    (root,) = response.json()["data"]
    assert response.json()["meta"] == {}
    assert {k: root[k] for k in ("id", "parent_id", "depth", "path", "name", "url")} == {
        "id": 1,
        "parent_id": 0,
        "depth": 0,
        "path": [1],
        "name": "Shop All",
        "url": "/shop-all/",
    }
    assert [c["name"] for c in root["children"]] == ["Garden", "Bath"]
    garden_node, bath_node = root["children"]
    assert garden_node["is_visible"] is False
    assert bath_node["children"][0] == {
        "id": 4,
        "parent_id": 2,
        "depth": 2,
        "path": [1, 2, 4],
        "name": "Towels",
        "is_visible": True,
        "url": "/shop-all/bath/towels/",
        "children": [],
    }
    shallow = store.get(f"{TREES}/1/categories?depth=1").json()["data"]
    assert shallow[0]["children"] == []
    assert garden["parent_id"] == shop["category_id"]


def test_unknown_tree_is_404(store: Store) -> None:
    response = store.get(f"{TREES}/9/categories")
    assert response.status_code == 404
    assert response.json()["status"] == 404
