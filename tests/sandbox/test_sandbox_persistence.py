"""A file database keeps the store between app instances."""

from __future__ import annotations

from pathlib import Path

from storeconf.sandbox.core.db import Seed, StoreDb
from tests.sandbox.sandbox_support import StoreFactory


def test_file_db_persists_across_app_instances(make_store: StoreFactory, tmp_path: Path) -> None:
    db_path = str(tmp_path / "store.db")
    first = make_store(db_path=db_path)
    brand = first.post("/v3/catalog/brands", {"name": "Acme"}).json()["data"]
    first.post("/v3/catalog/trees/categories", [{"name": "Bath", "tree_id": 1}])
    hook = first.post("/v3/hooks", {"scope": "store/order/created", "destination": "https://h.example.com/"})
    first.delete(f"/v3/catalog/brands/{brand['id']}")
    first.post("/v3/catalog/brands", {"name": "Bolt"})
    first.close()

    second = make_store(db_path=db_path)
    assert [b["name"] for b in second.get("/v3/catalog/brands").json()["data"]] == ["Bolt"]
    # Ids are never reused, and first-run rows are not seeded twice.
    assert second.post("/v3/catalog/brands", {"name": "Cog"}).json()["data"]["id"] == 3
    assert len(second.get("/v3/catalog/trees").json()["data"]) == 1
    assert len(second.get("/v3/channels").json()["data"]) == 1
    assert [c["name"] for c in second.get("/v3/catalog/trees/categories").json()["data"]] == ["Bath"]
    assert second.get(f"/v3/hooks/{hook.json()['data']['id']}").status_code == 200
    assert second.post("/v3/catalog/brands", {"name": "bolt"}).status_code == 409


def test_each_seed_runs_once_per_database(tmp_path: Path) -> None:
    schema = "CREATE TABLE IF NOT EXISTS rows (name TEXT NOT NULL);"

    def seed(name: str) -> Seed:
        return lambda db: db.execute("INSERT INTO rows (name) VALUES (?)", [name])

    path = str(tmp_path / "seeds.db")
    StoreDb(path, [schema], {"old": seed("old")}).close()
    # A later sandbox version adds a resource: only its seed runs on the old file.
    db = StoreDb(path, [schema], {"old": seed("old"), "new": seed("new")})
    assert [row["name"] for row in db.query("SELECT name FROM rows")] == ["old", "new"]
    db.close()
