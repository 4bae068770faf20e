"""Tree categories: batch create/update/delete, partial failures, placement rules, filters."""

from __future__ import annotations

from typing import Any

from tests.sandbox.sandbox_support import Store

URL = "/v3/catalog/trees/categories"


def create(store: Store, *items: dict[str, Any]) -> list[dict[str, Any]]:
    response = store.post(URL, list(items))
    assert response.status_code == 201, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def names(store: Store, query: str = "") -> list[str]:
    response = store.get(f"{URL}?{query}")
    assert response.status_code == 200, response.text
    return [c["name"] for c in response.json()["data"]]


def test_create_returns_201_with_defaults_and_meta(store: Store) -> None:
    response = store.post(URL, [{"name": "Bath", "tree_id": 1}])
    assert response.status_code == 201
    body = response.json()
    assert body["meta"] == {"total": 1, "success": 1, "failed": 0}
    (bath,) = body["data"]
    assert len(bath["category_uuid"]) == 36
    assert {k: v for k, v in bath.items() if k != "category_uuid"} == {
        "category_id": 1,
        "tree_id": 1,
        "parent_id": 0,
        "name": "Bath",
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
        "url": {"path": "/bath/", "is_customized": False},
    }


def test_children_get_nested_urls_and_inherit_the_tree(store: Store) -> None:
    (garden,) = create(store, {"name": "Garden", "tree_id": 1})
    (bath,) = create(store, {"name": "Bath & Body", "parent_id": garden["category_id"]})
    assert bath["tree_id"] == 1
    assert bath["url"] == {"path": "/garden/bath-body/", "is_customized": False}
    (custom,) = create(store, {"name": "Tools", "tree_id": 1, "url": {"path": "/kit/"}})
    assert custom["url"] == {"path": "/kit/", "is_customized": True}


def test_partial_failure_is_207_with_errors_per_item(store: Store) -> None:
    create(store, {"name": "Bath", "tree_id": 1})
    response = store.post(
        URL,
        [
            {"name": "Kitchen", "tree_id": 1},
            {"name": "BATH", "tree_id": 1},
            {"tree_id": 1},
            {"name": "Orphan", "parent_id": 99},
            {"name": "x" * 51, "tree_id": 1},
            {"name": "Nowhere"},
            {"name": "Lost", "tree_id": 42},
        ],
    )
    assert response.status_code == 207
    body = response.json()
    assert [c["name"] for c in body["data"]] == ["Kitchen"]
    assert body["meta"] == {"total": 7, "success": 1, "failed": 6}
    assert body["errors"]["status"] == 207
    assert set(body["errors"]["errors"]) == {
        "1.name",
        "2.name",
        "3.parent_id",
        "4.name",
        "5.tree_id",
        "6.tree_id",
    }
    assert names(store) == ["Bath", "Kitchen"]


def test_all_failed_is_422_in_the_nested_shape(store: Store) -> None:
    create(store, {"name": "Bath", "tree_id": 1})
    response = store.post(URL, [{"name": "bath", "tree_id": 1}])
    assert response.status_code == 422
    body = response.json()
    assert body["meta"] == {"total": 1, "success": 0, "failed": 1}
    assert body["errors"]["status"] == 422
    assert "0.name" in body["errors"]["errors"]
    assert store.post(URL, {"name": "not an array"}).status_code == 422
    malformed = store.request("POST", URL, content=b"[")
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["status"] == 400


def test_same_name_is_fine_under_different_parents(store: Store) -> None:
    men, women = create(store, {"name": "Men", "tree_id": 1}, {"name": "Women", "tree_id": 1})
    shirts = create(
        store,
        {"name": "Shirts", "parent_id": men["category_id"]},
        {"name": "Shirts", "parent_id": women["category_id"]},
    )
    assert [c["url"]["path"] for c in shirts] == ["/men/shirts/", "/women/shirts/"]


def test_depth_is_limited_to_eight_levels(store: Store) -> None:
    (parent,) = create(store, {"name": "L1", "tree_id": 1})
    for level in range(2, 9):
        (parent,) = create(store, {"name": f"L{level}", "parent_id": parent["category_id"]})
    response = store.post(URL, [{"name": "L9", "parent_id": parent["category_id"]}])
    assert response.status_code == 422
    assert "0.parent_id" in response.json()["errors"]["errors"]


def test_update_is_partial_and_answers_meta_only(store: Store) -> None:
    bath, kitchen = create(store, {"name": "Bath", "tree_id": 1}, {"name": "Kitchen", "tree_id": 1})
    response = store.put(
        URL, [{"category_id": bath["category_id"], "description": "<p>Soap</p>", "views": 3}]
    )
    assert response.status_code == 200
    assert response.json() == {"meta": {"total": 1, "success": 1, "failed": 0}}
    (updated,) = store.get(f"{URL}?category_id:in={bath['category_id']}").json()["data"]
    assert updated == {**bath, "description": "<p>Soap</p>", "views": 3}
    assert store.get(f"{URL}?category_id:in={kitchen['category_id']}").json()["data"] == [kitchen]


def test_update_partial_failure_is_207_and_total_failure_422(store: Store) -> None:
    bath, kitchen = create(store, {"name": "Bath", "tree_id": 1}, {"name": "Kitchen", "tree_id": 1})
    response = store.put(
        URL,
        [
            {"category_id": bath["category_id"], "name": "Baths"},
            {"category_id": kitchen["category_id"], "name": "baths"},
            {"category_id": 404, "name": "Ghost"},
            {"name": "No id"},
        ],
    )
    assert response.status_code == 207
    body = response.json()
    assert "data" not in body
    assert body["meta"] == {"total": 4, "success": 1, "failed": 3}
    assert set(body["errors"]["errors"]) == {"1.name", "2.category_id", "3.category_id"}
    assert names(store) == ["Baths", "Kitchen"]
    failed = store.put(URL, [{"category_id": 404}])
    assert failed.status_code == 422
    assert failed.json()["meta"]["failed"] == 1


def test_moving_a_category(store: Store) -> None:
    a, b = create(store, {"name": "A", "tree_id": 1}, {"name": "B", "tree_id": 1})
    (child,) = create(store, {"name": "Child", "parent_id": a["category_id"]})
    moved = store.put(URL, [{"category_id": child["category_id"], "parent_id": b["category_id"]}])
    assert moved.status_code == 200
    assert names(store, f"parent_id:in={b['category_id']}") == ["Child"]
    into_own_subtree = store.put(URL, [{"category_id": b["category_id"], "parent_id": child["category_id"]}])
    assert into_own_subtree.status_code == 422
    to_top = store.put(URL, [{"category_id": child["category_id"], "parent_id": 0}])
    assert to_top.status_code == 200
    assert names(store, "parent_id:in=0") == ["A", "B", "Child"]


def test_delete_takes_the_subtree_and_answers_202(store: Store) -> None:
    a, b = create(store, {"name": "A", "tree_id": 1}, {"name": "B", "tree_id": 1})
    (child,) = create(store, {"name": "Child", "parent_id": a["category_id"]})
    create(store, {"name": "Grandchild", "parent_id": child["category_id"]})
    response = store.delete(f"{URL}?category_id:in={a['category_id']}")
    assert response.status_code == 202
    assert response.json() == {"meta": {"total": 3, "success": 3, "failed": 0}}
    assert names(store) == ["B"]
    assert store.delete(f"{URL}?category_uuid:in={b['category_uuid']}").status_code == 202
    assert names(store) == []


def test_delete_needs_a_filter(store: Store) -> None:
    response = store.delete(URL)
    assert response.status_code == 422
    assert response.json()["errors"]["status"] == 422
    assert response.json()["meta"] == {"total": 0, "success": 0, "failed": 0}


def test_list_filters_and_field_selection(store: Store) -> None:
    bath, kitchen = create(
        store,
        {"name": "Bath", "tree_id": 1, "page_title": "Soaps", "description": "bubbles"},
        {"name": "Kitchen", "tree_id": 1, "is_visible": False},
    )
    assert names(store, "name=bath") == ["Bath"]
    assert names(store, "name:like=itch") == ["Kitchen"]
    assert names(store, "page_title=Soaps") == ["Bath"]
    assert names(store, "page_title:like=oap") == ["Bath"]
    assert names(store, "keyword=bubble") == ["Bath"]
    assert names(store, "is_visible=false") == ["Kitchen"]
    assert names(store, f"category_id:not_in={bath['category_id']}") == ["Kitchen"]
    assert names(store, f"category_uuid:in={kitchen['category_uuid']}") == ["Kitchen"]
    assert names(store, "tree_id:in=1") == ["Bath", "Kitchen"]
    assert names(store, "tree_id:not_in=1") == []
    selected = store.get(f"{URL}?include_fields=name").json()["data"][0]
    assert selected == {"category_id": bath["category_id"], "name": "Bath"}
    bad = store.get(f"{URL}?is_visible=maybe")
    assert bad.status_code == 422
    assert bad.json()["errors"]["status"] == 422


def test_list_pagination_uses_the_store_maximum(store: Store) -> None:
    create(store, *[{"name": f"C{n}", "tree_id": 1} for n in range(3)])
    meta = store.get(f"{URL}?limit=2").json()["meta"]["pagination"]
    assert (meta["total"], meta["count"], meta["total_pages"]) == (3, 2, 2)
    assert store.get(f"{URL}?limit=251").status_code == 413
