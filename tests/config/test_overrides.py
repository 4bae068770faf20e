"""Per-environment `overrides:` and `exclude:` (storeconf.config.overrides): merged, located, validated."""

from __future__ import annotations

import textwrap

import pytest

from storeconf.model import LiveState
from storeconf.planner import build_plan
from tests.config.conftest import ProjectDir

HOOKS = """
scripts:
  - name: Analytics
    kind: src
    src: https://cdn.example.com/a.js
  - name: Chat
    kind: src
    src: https://cdn.example.com/chat.js
webhooks:
  - scope: store/order/created
    destination: ${var.hooks}/orders
"""


PROJECT = """
version: 1
include: [hooks.yaml]
environments:
  local:
    sandbox: local.db
    vars: {hooks: https://hooks.example.com}
  staging:
    sandbox: staging.db
    vars: {hooks: https://hooks.staging.example.com}
"""


def _project(project: ProjectDir, staging: str) -> None:
    """The project with `staging` (YAML, any indentation) added to the staging environment;
    its first line is line 10 of storeconf.yaml."""
    block = textwrap.indent(textwrap.dedent(staging).strip("\n"), "    ")
    manage = "manage:\n  scripts: {prune: true}\n  webhooks: {prune: true}\n"
    project.write("storeconf.yaml", PROJECT + block + "\n" + manage)
    project.write("hooks.yaml", HOOKS)


def test_override_applies_only_in_its_environment(project: ProjectDir) -> None:
    _project(
        project,
        """
        overrides:
          scripts:
            Analytics: {src: https://cdn.example.com/a-staging.js, enabled: false}
        """,
    )
    staging = project.load("staging").desired.objects["scripts"]["Analytics"]
    assert staging.fields["src"] == "https://cdn.example.com/a-staging.js"
    assert staging.fields["enabled"] is False
    assert {k: str(v) for k, v in staging.overridden.items()} == {
        "src": "storeconf.yaml:12:21",
        "enabled": "storeconf.yaml:12:64",
    }
    assert staging.base is not None and staging.base.fields["src"] == "https://cdn.example.com/a.js"
    local = project.load("local").desired.objects["scripts"]["Analytics"]
    assert local.fields["src"] == "https://cdn.example.com/a.js" and not local.overridden


def test_plan_names_the_override_a_value_comes_from(project: ProjectDir) -> None:
    _project(project, "overrides:\n  scripts:\n    Analytics: {enabled: false}\n")
    desired = project.load("staging").desired
    plan = build_plan(desired, LiveState({"scripts": {}, "webhooks": {}}), environment="staging")
    analytics = next(c for c in plan.changes if c.key == "Analytics")
    assert analytics.overrides == {"enabled": "storeconf.yaml:12:21"}
    assert analytics.to_dict()["overrides"] == {"enabled": "storeconf.yaml:12:21"}
    chat = next(c for c in plan.changes if c.key == "Chat")
    assert chat.overrides == {} and "overrides" not in chat.to_dict()


def test_override_keys_use_vars_and_may_change_the_key(project: ProjectDir) -> None:
    _project(
        project,
        """
        overrides:
          webhooks:
            "store/order/created ${var.hooks}/orders":
              destination: https://hooks.staging.example.com/v2/orders
              is_active: false
        """,
    )
    hooks = project.load("staging").desired.objects["webhooks"]
    assert list(hooks) == ["store/order/created https://hooks.staging.example.com/v2/orders"]
    (hook,) = hooks.values()
    assert hook.fields["is_active"] is False
    assert (
        hook.base is not None
        and hook.base.key == "store/order/created https://hooks.staging.example.com/orders"
    )


def test_override_values_from_the_environment_are_sensitive(project: ProjectDir) -> None:
    _project(project, "overrides:\n  scripts:\n    Analytics: {src: '${env:STAGING_SRC}'}\n")
    loaded = project.load("staging", environ={"STAGING_SRC": "https://cdn.example.com/secret.js"})
    obj = loaded.desired.objects["scripts"]["Analytics"]
    assert "src" in obj.sensitive
    plan = build_plan(loaded.desired, LiveState({"scripts": {}, "webhooks": {}}))
    assert "secret.js" not in str(plan.to_dict())


def test_excluded_objects_are_neither_declared_nor_pruned(project: ProjectDir) -> None:
    _project(project, "exclude:\n  scripts: [chat, Chat]\n")
    assert project.errors("staging") == [
        "storeconf.yaml:11:17: environments.staging.exclude.scripts: no scripts object has the key 'chat' "
        "(did you mean 'Chat'?)"
    ]
    _project(project, "exclude:\n  scripts: [Chat]\n")
    desired = project.load("staging").desired
    assert list(desired.objects["scripts"]) == ["Analytics"]
    from storeconf.model import Live

    chat = Live("scripts", "Chat", "uuid-1", {"name": "Chat", "kind": "src", "src": "https://x/c.js"})
    plan = build_plan(desired, LiveState({"scripts": {"Chat": chat}, "webhooks": {}}))
    assert [c.address for c in plan.changes if c.action.value == "delete"] == []


@pytest.mark.parametrize(
    ("staging", "expected"),
    [
        (
            "overrides:\n  scrpts:\n    Analytics: {enabled: false}\n",
            "storeconf.yaml:11:7: environments.staging.overrides: "
            "unknown kind 'scrpts' (did you mean 'scripts'?)",
        ),
        (
            "overrides:\n  scripts:\n    Analytics: {enabeld: false}\n",
            "storeconf.yaml:12:21: environments.staging.overrides.scripts.Analytics: "
            "unknown field 'enabeld' (did you mean 'enabled'?)",
        ),
        (
            "overrides:\n  scripts:\n    Analytics: {enabled: maybe}\n",
            "storeconf.yaml:12:30: environments.staging.overrides.scripts.Analytics.enabled: "
            "Input should be a valid boolean, unable to interpret input (got 'maybe')",
        ),
        (
            "overrides:\n  scripts:\n    Analytics: {html: '<script></script>'}\n",
            "storeconf.yaml:12:20: environments.staging.overrides.scripts.Analytics: "
            "a script of kind 'src' must not set 'html'",
        ),
        (
            "overrides:\n  scripts:\n    Analytics: [enabled]\n",
            "storeconf.yaml:12:20: environments.staging.overrides.scripts.Analytics: "
            "expected a mapping of fields",
        ),
        (
            "overrides:\n  scripts:\n    Analytics: {enabled: false}\nexclude:\n  scripts: [Analytics]\n",
            "storeconf.yaml:14:17: environments.staging.exclude.scripts[0]: "
            "scripts 'Analytics' is both overridden and excluded",
        ),
        (
            "exclude:\n  scripts: Chat\n",
            "storeconf.yaml:11:16: environments.staging.exclude.scripts: expected a list of object keys",
        ),
        (
            "overrides:\n  scripts:\n    ${var.nope}: {enabled: false}\n",
            "storeconf.yaml:12:9: environments.staging.overrides.scripts.${var.nope}: undefined var 'nope' "
            "(environment 'staging' defines: hooks)",
        ),
    ],
)
def test_override_errors_are_located(project: ProjectDir, staging: str, expected: str) -> None:
    _project(project, staging)
    assert project.errors("staging") == [expected]


def test_other_environments_overrides_are_checked_for_shape_only(project: ProjectDir) -> None:
    _project(project, "overrides:\n  scripts:\n    Nope: {enabled: false}\n")
    # Not selected: a key naming nothing is only reported when that environment is used.
    assert project.load("local").desired.objects["scripts"]["Analytics"].overridden == {}
    assert "no scripts object has the key 'Nope'" in project.errors("staging")[0]


def test_item_protect_is_read_by_storeconf_and_never_sent(project: ProjectDir) -> None:
    project.write("storeconf.yaml", "version: 1\ninclude: [b.yaml]\n")
    project.write(
        "b.yaml", "brands:\n  - name: Acme\n    protect: true\n  - name: Beta\n    protect: maybe\n"
    )
    assert project.errors() == ["b.yaml:5:14: brands[1].protect: expected true or false"]
    project.write("b.yaml", "brands:\n  - name: Acme\n    protect: true\n  - name: Beta\n")
    objects = project.load().desired.objects["brands"]
    assert objects["acme"].protect and "protect" not in objects["acme"].fields
    assert not objects["beta"].protect


def test_protected_item_may_not_have_a_part_replaced() -> None:
    from storeconf.errors import PlanError
    from storeconf.model import Desired, DesiredState, Manage
    from storeconf.plan import Action, Change
    from storeconf.planner import check_protected

    desired = DesiredState(
        {"products": {"tent": Desired("products", "TENT", {"sku": "TENT"}, protect=True)}},
        {"products": Manage()},
    )
    variant = [Change("variant", "TENT-RED", Action.DELETE), Change("variant", "TENT-RED", Action.CREATE)]
    replaced = Change("products", "TENT", Action.UPDATE, children=tuple(variant))
    with pytest.raises(
        PlanError, match="products/TENT is protected, but the plan replaces its variant TENT-RED"
    ):
        check_protected([replaced], desired)
    check_protected([Change("products", "TENT", Action.UPDATE, children=(variant[0],))], desired)
