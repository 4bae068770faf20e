"""The project file: version, include, environments, manage (storeconf.config.project / loader)."""

from __future__ import annotations

from storeconf.config import Environment
from storeconf.model import Manage
from tests.config.conftest import ProjectDir


def test_defaults_without_environments(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "version: 1\n")
    loaded = project.load()
    assert loaded.environment == Environment("local", sandbox=project.root.resolve() / ".storeconf/local.db")
    assert loaded.environment_names == ("local",)
    assert loaded.raw_environments == {"local": {"sandbox": ".storeconf/local.db"}}
    assert loaded.files == (project.root.resolve() / "storeconf.yaml",)
    assert loaded.desired.objects == {} and loaded.desired.manage == {}


def test_store_environment_is_interpolated(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          staging:
            store_hash: abc123
            access_token: ${env:BC_TOKEN}
            api_url: https://api.example.test
            vars: {hooks: "https://hooks.${env:DOMAIN}", port: 443, debug: true}
        """,
    )
    env = project.load("staging", {"BC_TOKEN": "tok-123456", "DOMAIN": "example.com"}).environment
    assert (env.name, env.store_hash, env.access_token, env.api_url) == (
        "staging",
        "abc123",
        "tok-123456",
        "https://api.example.test",
    )
    assert env.vars == {"hooks": "https://hooks.example.com", "port": "443", "debug": "true"}
    assert env.sandbox is None
    assert "tok-123456" not in repr(env)


def test_only_the_selected_environment_is_interpolated(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          local: {sandbox: db/local.db}
          production:
            store_hash: xyz
            access_token: ${env:UNSET_PRODUCTION_TOKEN}
        """,
    )
    loaded = project.load("local")
    assert loaded.environment.sandbox == project.root.resolve() / "db/local.db"
    assert loaded.environment_names == ("local", "production")
    # Written as-is, for export to copy.
    assert loaded.raw_environments["production"]["access_token"] == "${env:UNSET_PRODUCTION_TOKEN}"


def test_selected_environment_problems(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          staging:
            store_hash: abc
            access_token: ${env:BC_TOKEN}
            api_ur: https://x
          other:
            sandbox: a.db
            store_hash: abc
        """,
    )
    assert project.errors("staging") == [
        "storeconf.yaml:5:19: environments.staging.access_token: "
        "environment variable 'BC_TOKEN' is not set (in '${env:BC_TOKEN}')",
        "storeconf.yaml:6:5: environments.staging: unknown field 'api_ur' (did you mean 'api_url'?)",
        "storeconf.yaml:9:5: environments.other: unknown field 'store_hash'",
    ]


def test_missing_store_hash(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          staging:
            access_token: t
        """,
    )
    assert project.errors("staging") == [
        "storeconf.yaml:4:5: environments.staging: missing required field 'store_hash'"
    ]


def test_unknown_environment_lists_the_known_ones(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          local: {sandbox: a.db}
          production: {store_hash: x, access_token: y}
        """,
    )
    assert project.errors("prod") == [
        "storeconf.yaml:2:1: unknown environment 'prod' (did you mean 'production'?); "
        "known environments: local, production"
    ]


def test_unknown_environment_without_environments_section(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "version: 1\n")
    assert project.errors("staging") == ["unknown environment 'staging'; known environments: local"]


def test_version_missing_or_wrong(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "include: []\n")
    assert project.errors() == ["storeconf.yaml:1:1: missing required field 'version'"]
    project.write("storeconf.yaml", "version: 2\n")
    assert project.errors() == ["storeconf.yaml:1:10: version: Input should be 1 (got 2)"]


def test_unknown_project_keys(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        inclde: [a.yaml]
        brand: []
        """,
    )
    assert project.errors() == [
        "storeconf.yaml:2:1: unknown top-level key 'inclde' (did you mean 'include'?)",
        "storeconf.yaml:3:1: unknown top-level key 'brand' (did you mean 'brands'?)",
    ]


def test_project_file_must_be_a_mapping(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "- version: 1\n")
    assert project.errors() == ["storeconf.yaml:1:1: storeconf.yaml must be a mapping of settings"]


def test_missing_project_file(project: ProjectDir) -> None:
    [message] = project.errors()
    assert message.startswith("no storeconf.yaml in ")


def test_include_globs_sorted_and_merged(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        include: [catalog/*.yaml, storefront/**/*.yaml, catalog/b.yaml]
        brands:
          - name: FromProject
        """,
    )
    project.write("catalog/b.yaml", "brands: [{name: B}]\n")
    project.write("catalog/a.yaml", "brands: [{name: A}]\ncategories: [{path: Shoes}]\n")
    project.write("catalog/notes.txt", "not yaml")
    project.write("storefront/deep/s.yaml", "scripts: [{name: S, kind: src, src: 'https://x/s.js'}]\n")
    loaded = project.load()
    root = project.root.resolve()
    assert loaded.files == (
        root / "storeconf.yaml",
        root / "catalog/a.yaml",
        root / "catalog/b.yaml",
        root / "storefront/deep/s.yaml",
    )
    assert list(loaded.desired.objects["brands"]) == ["fromproject", "a", "b"]
    assert loaded.desired.objects["brands"]["a"].location is not None
    assert str(loaded.desired.objects["brands"]["b"].location) == "catalog/b.yaml:1:10"
    assert set(loaded.desired.objects) == {"brands", "categories", "scripts"}


def test_include_glob_matching_nothing(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        include:
          - catalog/*.yml
          - /etc/*.yaml
        """,
    )
    assert project.errors() == [
        "storeconf.yaml:3:5: include[0]: 'catalog/*.yml' matches no files",
        "storeconf.yaml:4:5: include[1]: '/etc/*.yaml' matches no files",
    ]


def test_resource_file_must_be_a_mapping(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "version: 1\ninclude: [a.yaml]\n")
    project.write("a.yaml", "- name: Acme\n")
    assert project.errors() == [
        "a.yaml:1:1: a resource file must be a mapping of kind names to lists of items"
    ]


def test_manage(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        manage:
          brands: {prune: true, ignore: [meta_keywords], delete_threshold: 0.5}
          categories: {channel: 2}
          webhooks:
        scripts:
          - {name: S, kind: src, src: "https://x/s.js"}
        """,
    )
    desired = project.load().desired
    assert desired.manage == {
        "brands": Manage(prune=True, ignore=frozenset({"meta_keywords"}), delete_threshold=0.5),
        "categories": Manage(options={"channel": 2}),
        # Managed because it has items, with the defaults.
        "scripts": Manage(),
        "webhooks": Manage(),
    }
    assert desired.managed_kinds() == ("brands", "categories", "scripts", "webhooks")
    assert desired.objects["brands"] == {} and desired.objects["webhooks"] == {}


def test_kind_with_items_only_gets_default_options(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "version: 1\ncategories: [{path: A}]\n")
    assert project.load().desired.manage == {"categories": Manage(options={"channel": 1})}


def test_manage_problems(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        manage:
          brand: {prune: true}
          categories: {prune: maybe, chanel: 2, delete_threshold: 1.5}
          scripts: {ignore: [nmae]}
        """,
    )
    assert project.errors() == [
        "storeconf.yaml:3:3: manage: unknown kind 'brand' (did you mean 'brands'?)",
        "storeconf.yaml:4:23: manage.categories.prune: expected true, false, 'all' or 'owned' (got 'maybe')",
        "storeconf.yaml:4:30: manage.categories: unknown field 'chanel' (did you mean 'channel'?)",
        "storeconf.yaml:4:59: manage.categories.delete_threshold: Input should be less than or equal to 1",
        "storeconf.yaml:5:22: manage.scripts.ignore[0]: unknown field 'nmae' (did you mean 'name'?)",
    ]


def test_several_problems_across_files_at_once(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        include: [catalog/*.yaml, missing/*.yaml]
        manage: {brandz: {}}
        """,
    )
    project.write("catalog/a.yaml", "brands: [{name: A, colour: red}]\n")
    project.write("catalog/b.yaml", "brands: [{name: [B}]\n")
    assert project.errors() == [
        "catalog/a.yaml:1:20: brands[0]: unknown field 'colour'",
        "catalog/b.yaml:1:19: invalid YAML: expected ',' or ']', but got '}' "
        "(while parsing a flow sequence started at line 1, column 17)",
        "storeconf.yaml:2:27: include[1]: 'missing/*.yaml' matches no files",
        "storeconf.yaml:3:10: manage: unknown kind 'brandz' (did you mean 'brands'?)",
    ]
