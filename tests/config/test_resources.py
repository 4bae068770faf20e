"""Resource files: validation errors with positions, duplicates, kind checks, sensitivity."""

from __future__ import annotations

import pytest

from tests.config.conftest import ProjectDir


@pytest.fixture
def catalog(project: ProjectDir) -> ProjectDir:
    project.write("storeconf.yaml", "version: 1\ninclude: [catalog/*.yaml]\n")
    return project


def test_unknown_field_with_suggestion(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/brands.yaml",
        """
        brands:
          - name: Acme
          - name: Globex
            page_titel: Globex Corp
            custom_url: {urll: /globex/}
        """,
    )
    assert catalog.errors() == [
        "catalog/brands.yaml:4:5: brands[1]: unknown field 'page_titel' (did you mean 'page_title'?)",
        "catalog/brands.yaml:5:17: brands[1].custom_url: missing required field 'url'",
        "catalog/brands.yaml:5:18: brands[1].custom_url: unknown field 'urll' (did you mean 'url'?)",
    ]


def test_unknown_top_level_key(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        brands: []
        categoires: []
        manage: {}
        """,
    )
    assert catalog.errors() == [
        "catalog/a.yaml:2:1: unknown top-level key 'categoires' (did you mean 'categories'?)",
        "catalog/a.yaml:3:1: 'manage' is a project setting: it belongs in storeconf.yaml",
    ]


def test_wrong_types_and_enums(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        brands:
          - name: 12
            meta_keywords: outdoor
        scripts:
          - name: Analytics
            kind: src
            src: https://cdn.example.com/a.js
            location: body
        """,
    )
    assert catalog.errors() == [
        "catalog/a.yaml:2:11: brands[0].name: Input should be a valid string (got 12)",
        "catalog/a.yaml:3:20: brands[0].meta_keywords: Input should be a valid list (got 'outdoor')",
        "catalog/a.yaml:8:15: scripts[0].location: Input should be 'head' or 'footer' (got 'body')",
    ]


def test_missing_required_field_points_at_the_item(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        scripts:
          - kind: src
            src: https://cdn.example.com/a.js
        """,
    )
    assert catalog.errors() == ["catalog/a.yaml:2:5: scripts[0]: missing required field 'name'"]


def test_model_validator_error(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        scripts:
          - name: Inline
            kind: script_tag
            src: https://cdn.example.com/a.js
        """,
    )
    assert catalog.errors() == ["catalog/a.yaml:2:5: scripts[0]: a script of kind 'script_tag' needs 'html'"]


def test_field_validator_error(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        webhooks:
          - scope: store/order/created
            destination: http://hooks.example.com/orders
        """,
    )
    assert catalog.errors() == [
        "catalog/a.yaml:3:18: webhooks[0].destination: "
        "destination must be an https:// URL (BigCommerce only calls port 443)"
    ]


def test_item_that_is_not_a_mapping_and_kind_that_is_not_a_list(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        brands:
          - Acme
        scripts:
          name: S
        """,
    )
    assert catalog.errors() == [
        "catalog/a.yaml:2:5: brands[0]: expected a mapping of fields, got a string",
        "catalog/a.yaml:4:3: scripts: expected a list of items",
    ]


def test_duplicate_brand_names_ignore_case_across_files(catalog: ProjectDir) -> None:
    catalog.write("catalog/a.yaml", "brands:\n  - name: Acme\n")
    catalog.write(
        "catalog/b.yaml",
        """
        brands:
          - name: Other
          - name: ACME
          - name: Other
        """,
    )
    assert catalog.errors() == [
        "catalog/b.yaml:3:5: brands[1]: duplicate brands key 'ACME' "
        "(already declared as 'Acme' at catalog/a.yaml:2:5)",
        "catalog/b.yaml:4:5: brands[2]: duplicate brands key 'Other' "
        "(already declared at catalog/b.yaml:2:5)",
    ]


def test_duplicate_script_names_and_webhooks(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        scripts:
          - {name: S, kind: src, src: "https://x/1.js"}
          - {name: S, kind: src, src: "https://x/2.js"}
        webhooks:
          - {scope: store/order/created, destination: "https://h.example.com/o"}
          - {scope: store/order/created, destination: "https://h.example.com/o", is_active: false}
          - {scope: store/order/updated, destination: "https://h.example.com/o"}
        """,
    )
    assert catalog.errors() == [
        "catalog/a.yaml:3:5: scripts[1]: duplicate scripts key 'S' (already declared at catalog/a.yaml:2:5)",
        "catalog/a.yaml:6:5: webhooks[1]: duplicate webhooks key "
        "'store/order/created https://h.example.com/o' (already declared at catalog/a.yaml:5:5)",
    ]


def test_nested_and_flat_categories(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/categories.yaml",
        """
        categories:
          - name: Apparel
            is_visible: true
            children:
              - name: Shirts
                children:
                  - name: Tees
              - path: Apparel/Pants
          - path: Camping
          - path: Camping/Tents
            description: Tents
        """,
    )
    objects = catalog.load().desired.objects["categories"]
    assert list(objects) == [
        "apparel",
        "apparel/shirts",
        "apparel/shirts/tees",
        "apparel/pants",
        "camping",
        "camping/tents",
    ]
    apparel = objects["apparel"]
    assert apparel.fields == {"path": "Apparel", "is_visible": True}
    assert str(apparel.location) == "catalog/categories.yaml:2:5"
    assert str(apparel.field_locations["is_visible"]) == "catalog/categories.yaml:3:17"
    assert str(objects["apparel/shirts/tees"].location) == "catalog/categories.yaml:7:13"
    assert objects["camping/tents"].fields == {"path": "Camping/Tents", "description": "Tents"}


def test_duplicate_category_nested_and_flat(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/categories.yaml",
        """
        categories:
          - name: Apparel
            children:
              - name: Shirts
          - path: apparel/shirts
        """,
    )
    assert catalog.errors() == [
        "catalog/categories.yaml:5:5: categories[1]: duplicate categories key 'apparel/shirts' "
        "(already declared as 'Apparel/Shirts' at catalog/categories.yaml:4:9)"
    ]


def test_category_problems(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/categories.yaml",
        """
        categories:
          - path: Camping/Tents
          - name: Apparel
            childen: []
            children:
              - nmae: Shirts
              - name: Pants
                default_product_sort: cheapest
        """,
    )
    assert catalog.errors() == [
        "catalog/categories.yaml:2:5: categories: parent 'Camping' of 'Camping/Tents' is not declared",
        "catalog/categories.yaml:4:5: categories[1]: unknown field 'childen' (did you mean 'children'?)",
        "catalog/categories.yaml:6:9: categories[1].children[0]: missing required field 'path'",
        "catalog/categories.yaml:6:9: categories[1].children[0]: unknown field 'nmae' (did you mean 'name'?)",
        "catalog/categories.yaml:8:31: categories[1].children[1].default_product_sort: Input should be "
        "'use_store_settings', 'featured', 'newest', 'best_selling', 'alpha_asc', 'alpha_desc', "
        "'avg_customer_review', 'price_asc' or 'price_desc' (got 'cheapest')",
    ]


def test_sensitive_fields(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/hooks.yaml",
        """
        webhooks:
          - scope: store/order/created
            destination: https://hooks.example.com/${env:HOOK_PATH}
            headers: {X-Signature: "${env:HOOK_SECRET}"}
        scripts:
          - name: Analytics
            kind: src
            src: https://cdn.example.com/a.js
            description: ${env:HOOK_SECRET}
        """,
    )
    environ = {"HOOK_SECRET": "hunter2-very-secret", "HOOK_PATH": "orders"}
    desired = catalog.load(environ=environ).desired
    [hook] = desired.objects["webhooks"].values()
    assert hook.fields["headers"] == {"X-Signature": "hunter2-very-secret"}
    assert hook.sensitive == {"headers", "destination"}
    [script] = desired.objects["scripts"].values()
    assert script.sensitive == {"description"}
    assert script.fields["description"] == "hunter2-very-secret"


def test_sensitive_values_never_appear_in_errors(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/hooks.yaml",
        """
        webhooks:
          - scope: store/order/created
            destination: ${env:HOOK_URL}
            headers: {X-Signature: "${env:HOOK_SECRET}"}
          - scope: store/order/created
            destination: ${env:HOOK_URL}
        brands:
          - name: ${env:HOOK_SECRET}
            page_title: ${env:NUMBER}
            meta_keywords: ${env:HOOK_SECRET}
        categories:
          - path: Top/${env:HOOK_SECRET}
        """,
    )
    environ = {
        "HOOK_SECRET": "hunter2-very-secret",
        "HOOK_URL": "http://hooks.example.com/p4ss",
        "NUMBER": "7",
    }
    errors = catalog.errors(environ=environ)
    assert errors == [
        "catalog/hooks.yaml:3:18: webhooks[0].destination: "
        "destination must be an https:// URL (BigCommerce only calls port 443)",
        "catalog/hooks.yaml:6:18: webhooks[1].destination: "
        "destination must be an https:// URL (BigCommerce only calls port 443)",
        "catalog/hooks.yaml:10:20: brands[0].meta_keywords: Input should be a valid list (got (sensitive))",
        "catalog/hooks.yaml:12:5: categories: parent 'Top' of 'Top/(sensitive)' is not declared",
    ]
    assert not any("hunter2" in e or "p4ss" in e for e in errors)


def test_interpolation_in_resources(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          local:
            sandbox: local.db
            vars: {hooks: "https://hooks.example.com", token: "${env:TOKEN}"}
        webhooks:
          - scope: store/order/created
            destination: ${var.hooks}/orders
            headers: {X-Token: "${var.token}", X-Literal: "$${var.hooks}"}
        """,
    )
    [hook] = project.load(environ={"TOKEN": "tok-abcdef"}).desired.objects["webhooks"].values()
    assert hook.fields["destination"] == "https://hooks.example.com/orders"
    assert hook.fields["headers"] == {"X-Token": "tok-abcdef", "X-Literal": "${var.hooks}"}
    # The var came from the environment, so using it is sensitive too.
    assert "headers" in hook.sensitive and "destination" not in hook.sensitive


def test_undefined_var_and_unset_env(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          local: {sandbox: local.db, vars: {hooks: "https://h.example.com"}}
        webhooks:
          - scope: store/order/created
            destination: ${var.hoks}/orders
            headers: {X-Token: "${env:HOOK_TOKEN}"}
        """,
    )
    assert project.errors() == [
        "storeconf.yaml:6:18: webhooks[0].destination: "
        "undefined var 'hoks' (environment 'local' defines: hooks)",
        "storeconf.yaml:7:24: webhooks[0].headers.X-Token: "
        "environment variable 'HOOK_TOKEN' is not set (in '${env:HOOK_TOKEN}')",
    ]


def test_broken_environment_does_not_flood_resources_with_var_errors(project: ProjectDir) -> None:
    project.write(
        "storeconf.yaml",
        """
        version: 1
        environments:
          production: {store_hash: x, access_token: y, vars: {hooks: "https://h.example.com"}}
        webhooks:
          - scope: store/order/created
            destination: ${var.hooks}/orders
        """,
    )
    assert project.errors("prod") == [
        "storeconf.yaml:2:1: unknown environment 'prod' (did you mean 'production'?); "
        "known environments: production"
    ]


def test_duplicate_key_naming_a_secret_is_masked(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/hooks.yaml",
        """
        webhooks:
          - {scope: store/order/created, destination: "${env:HOOK_URL}"}
          - {scope: store/order/created, destination: "${env:HOOK_URL}"}
        """,
    )
    assert catalog.errors(environ={"HOOK_URL": "https://h.example.com/t0ken"}) == [
        "catalog/hooks.yaml:3:5: webhooks[1]: duplicate webhooks key 'store/order/created (sensitive)' "
        "(already declared at catalog/hooks.yaml:2:5)"
    ]


def test_yaml_problems_through_the_loader(catalog: ProjectDir) -> None:
    catalog.write(
        "catalog/a.yaml",
        """
        brands:
          - name: A
            page_title: x
            page_title: y
        """,
    )
    assert catalog.errors() == [
        "catalog/a.yaml:4:5: brands[0]: duplicate key 'page_title' (first at line 3, column 5)"
    ]


def test_kinds_come_from_the_registry(catalog: ProjectDir) -> None:
    from storeconf.config import load_project
    from storeconf.errors import ConfigError
    from storeconf.kinds import REGISTRY, Registry

    catalog.write("catalog/a.yaml", "brands: [{name: A}]\nscripts: []\n")
    only_brands = Registry((REGISTRY["brands"],))
    with pytest.raises(ConfigError) as caught:
        load_project(catalog.root, registry=only_brands, environ={})
    assert [str(p) for p in caught.value.problems] == [
        "catalog/a.yaml:2:1: unknown top-level key 'scripts'",
    ]


def test_loading_never_opens_a_connection(catalog: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the loader must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    catalog.write(
        "catalog/a.yaml", "webhooks: [{scope: store/order/created, destination: 'https://h.example.com/o'}]\n"
    )
    assert len(catalog.load().desired.objects["webhooks"]) == 1


@pytest.mark.parametrize("depth", [150, 500, 2000])
def test_deep_nesting_is_a_config_error_not_a_recursion_error(catalog: ProjectDir, depth: int) -> None:
    # Found by the loader fuzz: 500 levels passed the C parser and overflowed the interpolation
    # walk; 2,000 overflowed the position-keeping parser; both raised RecursionError.
    nesting = "".join(" " * (i + 2) + f"k{i}:\n" for i in range(depth))
    catalog.write("catalog/brands.yaml", "brands:\n- name: Acme\n" + nesting)
    deep = [e for e in catalog.errors() if e.endswith("lists and mappings nested more than 100 levels deep")]
    assert len(deep) == 1 and deep[0].startswith("catalog/brands.yaml:101:101: "), deep
