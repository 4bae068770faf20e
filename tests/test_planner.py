"""The planner on plain data: no sandbox, no I/O."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from storeconf.kinds import REGISTRY
from storeconf.model import Desired, DesiredState, Live, LiveState, Manage
from storeconf.plan import Action, FieldChange
from storeconf.planner import build_plan, unsafe_deletes
from storeconf.targets import select


def desired(
    kind: str, *items: dict[str, Any], manage: Manage | None = None, sensitive: frozenset[str] = frozenset()
) -> DesiredState:
    k = REGISTRY[kind]
    objs = {}
    for fields in items:
        key = k.key(k.spec.model_validate(fields))  # type: ignore[arg-type]
        objs[k.identity(key)] = Desired(kind, key, fields, sensitive=sensitive)
    return DesiredState({kind: objs}, {kind: manage or Manage()})


def live(kind: str, *items: dict[str, Any]) -> LiveState:
    k = REGISTRY[kind]
    objs = {}
    for i, raw in enumerate(items, start=1):
        fields = k.normalise(raw)
        key = k.live_key(fields)
        objs[k.identity(key)] = Live(kind, key, i, fields, raw)
    return LiveState({kind: objs})


def test_create_when_absent_live() -> None:
    plan = build_plan(desired("brands", {"name": "Acme", "page_title": "Acme"}), live("brands"))
    assert [(c.action, c.key) for c in plan.changes] == [(Action.CREATE, "Acme")]
    assert plan.changes[0].fields == {"name": "Acme", "page_title": "Acme"}


def test_update_shows_only_changed_configured_fields() -> None:
    plan = build_plan(
        desired("brands", {"name": "Acme", "page_title": "New"}),
        live("brands", {"id": 1, "name": "Acme", "page_title": "Old", "meta_description": "server side"}),
    )
    (change,) = plan.changes
    assert change.action is Action.UPDATE
    assert change.diff == (FieldChange("page_title", "Old", "New"),)
    assert change.live_id == 1 and change.fingerprint


def test_unconfigured_and_server_computed_fields_never_diff() -> None:
    plan = build_plan(
        desired("brands", {"name": "Acme"}),
        live(
            "brands",
            {
                "id": 9,
                "name": "Acme",
                "page_title": "x",
                "custom_url": {"url": "/a/", "is_customized": False},
            },
        ),
    )
    assert plan.empty


def test_nested_object_compares_only_configured_keys() -> None:
    plan = build_plan(
        desired("brands", {"name": "Acme", "custom_url": {"url": "/acme/"}}),
        live("brands", {"id": 1, "name": "Acme", "custom_url": {"url": "/acme/", "is_customized": True}}),
    )
    assert plan.empty
    plan = build_plan(
        desired("brands", {"name": "Acme", "custom_url": {"url": "/acme-2/"}}),
        live("brands", {"id": 1, "name": "Acme", "custom_url": {"url": "/acme/", "is_customized": True}}),
    )
    assert plan.changes[0].diff == (FieldChange("custom_url.url", "/acme/", "/acme-2/"),)


def test_numbers_normalised_and_names_case_insensitive() -> None:
    plan = build_plan(
        desired("categories", {"path": "Camping", "sort_order": 1}),
        live("categories", {"category_id": 1, "path": "camping", "sort_order": 1.0}),
    )
    assert [c.action for c in plan.changes] == [Action.UPDATE]
    assert plan.changes[0].diff == (FieldChange("path", "camping", "Camping"),)


def test_prune_on_deletes_and_prune_off_keeps() -> None:
    state = live("brands", {"id": 1, "name": "Keep"}, {"id": 2, "name": "Gone"})
    kept = build_plan(desired("brands", {"name": "Keep"}), state)
    assert kept.empty
    pruned = build_plan(desired("brands", {"name": "Keep"}, manage=Manage(prune=True)), state)
    assert [(c.action, c.key, c.live_id) for c in pruned.changes] == [(Action.DELETE, "Gone", 2)]


def test_ignore_skips_fields_on_update_but_not_on_create() -> None:
    manage = Manage(ignore=frozenset({"page_title"}))
    plan = build_plan(
        desired(
            "brands", {"name": "A", "page_title": "mine"}, {"name": "B", "page_title": "mine"}, manage=manage
        ),
        live("brands", {"id": 1, "name": "A", "page_title": "theirs"}),
    )
    assert [(c.action, c.key) for c in plan.changes] == [(Action.CREATE, "B")]
    assert plan.changes[0].fields["page_title"] == "mine"


def test_unmanaged_kind_is_never_touched() -> None:
    state = DesiredState({}, {})
    plan = build_plan(state, live("brands", {"id": 1, "name": "Theirs"}))
    assert plan.empty


def test_parents_created_before_children_and_deleted_after() -> None:
    paths = ["A/B/C", "A", "A/B", "Z"]
    plan = build_plan(desired("categories", *({"path": p} for p in paths)), live("categories"))
    assert [c.key for c in plan.changes] == ["A", "Z", "A/B", "A/B/C"]
    state = live(
        "categories",
        {"category_id": 1, "path": "A"},
        {"category_id": 2, "path": "A/B"},
        {"category_id": 3, "path": "A/B/C"},
    )
    plan = build_plan(desired("categories", manage=Manage(prune=True, delete_threshold=1.0)), state)
    assert [c.key for c in plan.changes] == ["A/B/C", "A/B", "A"]


def test_writes_follow_kind_dependency_order_and_deletes_come_last_reversed() -> None:
    d = DesiredState(
        {
            "brands": {"acme": Desired("brands", "Acme", {"name": "Acme"})},
            "scripts": {"s": Desired("scripts", "s", {"name": "s", "kind": "src", "src": "https://x/a.js"})},
        },
        {
            "brands": Manage(prune=True, delete_threshold=1),
            "scripts": Manage(),
            "categories": Manage(prune=True),
        },
    )
    lv = LiveState(
        {
            "brands": {"old": Live("brands", "Old", 5, {"name": "Old"})},
            "categories": {"x": Live("categories", "X", 7, {"path": "X"})},
        }
    )
    plan = build_plan(d, lv)
    assert [(c.action.value, c.kind) for c in plan.changes] == [
        ("create", "brands"),
        ("create", "scripts"),
        ("delete", "categories"),
        ("delete", "brands"),
    ]


def test_sensitive_values_masked_in_plan_dict() -> None:
    plan = build_plan(
        desired(
            "webhooks",
            {
                "scope": "store/order/created",
                "destination": "https://h.example/o",
                "headers": {"X-K": "s3cret"},
            },
        ),
        live("webhooks"),
    )
    dumped = str(plan.to_dict())
    assert "s3cret" not in dumped
    assert "(sensitive)" in dumped


def test_sensitive_update_is_masked_per_field() -> None:
    plan = build_plan(
        desired(
            "webhooks",
            {"scope": "store/a", "destination": "https://h.example/o", "headers": {"X-K": "s3cret-new"}},
        ),
        live(
            "webhooks",
            {
                "id": 3,
                "scope": "store/a",
                "destination": "https://h.example/o",
                "headers": {"X-K": "s3cret-old"},
            },
        ),
    )
    (change,) = plan.changes
    assert change.diff == (FieldChange("headers", {"X-K": "s3cret-old"}, {"X-K": "s3cret-new"}, True),)
    assert "s3cret" not in str(change.to_dict())


def test_free_form_dict_diff_reported_per_key() -> None:
    plan = build_plan(
        desired(
            "webhooks",
            {"scope": "store/a", "destination": "https://h.example/o", "headers": {"A": "1", "B": "2"}},
        ),
        live(
            "webhooks",
            {"id": 3, "scope": "store/a", "destination": "https://h.example/o", "headers": {"A": "1"}},
        ),
    )
    # headers are sensitive: reported whole and masked, never per key with values
    assert [d.path for d in plan.changes[0].diff] == ["headers"]


def test_targets_narrow_the_plan() -> None:
    d = desired("brands", {"name": "A"}, {"name": "B"})
    plan = build_plan(d, live("brands"), targets=["brands/a"])
    assert [c.key for c in plan.changes] == ["A"]
    assert len(build_plan(d, live("brands"), targets=["brands"]).changes) == 2
    assert build_plan(d, live("brands"), targets=["scripts"]).empty


def test_unsafe_delete_threshold() -> None:
    state = live("brands", *({"id": i, "name": f"b{i}"} for i in range(10)))
    plan = build_plan(desired("brands", manage=Manage(prune=True)), state)
    assert len(plan.changes) == 10
    assert unsafe_deletes(plan.changes, state, {"brands": Manage(prune=True)})
    assert plan.warnings
    one = build_plan(
        desired("brands", *({"name": f"b{i}"} for i in range(1, 10)), manage=Manage(prune=True)), state
    )
    assert not unsafe_deletes(one.changes, state, {"brands": Manage(prune=True)})


def test_plan_checksum_is_stable() -> None:
    d = desired("brands", {"name": "A"})
    assert build_plan(d, live("brands")).to_dict() == build_plan(d, live("brands")).to_dict()


names = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12)


@given(
    st.lists(names, unique_by=str.casefold, max_size=8), st.lists(names, unique_by=str.casefold, max_size=8)
)
def test_apply_then_replan_is_empty(config_names: list[str], live_names: list[str]) -> None:
    """Whatever the starting store, the store the plan describes plans to nothing."""
    d = desired(
        "brands", *({"name": n, "page_title": n.upper()} for n in config_names), manage=Manage(prune=True)
    )
    plan = build_plan(d, live("brands", *({"id": i, "name": n} for i, n in enumerate(live_names))))
    after = {c.key.casefold() for c in plan.changes if c.action is not Action.DELETE}
    unchanged = {n.casefold() for n in live_names} & {n.casefold() for n in config_names}
    assert after | unchanged >= {n.casefold() for n in config_names}
    result = live(
        "brands", *({"id": i, "name": n, "page_title": n.upper()} for i, n in enumerate(config_names))
    )
    assert build_plan(d, result).empty


def test_fingerprint_ignores_ignored_and_secret_fields() -> None:
    from storeconf.planner import live_fingerprint

    kind = REGISTRY["brands"]
    a = Live("brands", "A", 1, {"name": "A", "page_title": "x", "search_keywords": "k1"})
    b = Live("brands", "A", 1, {"name": "A", "page_title": "x", "search_keywords": "k2"})
    assert live_fingerprint(kind, a) != live_fingerprint(kind, b)
    ignore = frozenset({"search_keywords"})
    assert live_fingerprint(kind, a, ignore) == live_fingerprint(kind, b, ignore)


def test_nested_secret_does_not_mask_unrelated_fields() -> None:
    from storeconf.diff import diff_fields
    from storeconf.kinds.brands import Brand

    changes = diff_fields(
        {"page_title": "new", "custom_url": {"url": "/s3cret/"}},
        {"page_title": "old", "custom_url": {"url": "/old/"}},
        Brand,
        sensitive={"custom_url"},
    )
    assert changes == (
        FieldChange("page_title", "old", "new", False),
        FieldChange("custom_url.url", "/old/", "/s3cret/", True),
    )


def test_null_in_config_means_not_set() -> None:
    kind = REGISTRY["categories"]
    item = kind.spec.model_validate({"path": "A", "description": None})
    assert kind.to_fields(item) == {"path": "A"}


def test_batch_errors_are_described_readably() -> None:
    from storeconf.errors import describe_error_body

    body = {"batch_errors": [{"data": {"sku": "X"}, "field_errors": {"price": "must be positive"}}]}
    assert describe_error_body(body) == "price: must be positive"


def test_applied_rename_forgets_the_old_key() -> None:
    from storeconf.applier import ApplyReport, _record
    from storeconf.kinds.base import Context, Outcome
    from storeconf.plan import Change

    ctx = Context(ids={("brands", "old"): 7}, keys={("brands", 7): "Old"})
    change = Change("brands", "New", Action.UPDATE, {"name": "New"}, (), 7)
    _record(ApplyReport(), REGISTRY["brands"], ctx, Outcome(change, None, 7))
    assert ctx.ids == {("brands", "new"): 7} and ctx.keys == {("brands", 7): "New"}


_SKUS = [f"SKU-{i}" for i in range(6)]


@given(
    declared=st.lists(
        st.tuples(st.sampled_from(_SKUS), st.integers(0, 3)), unique_by=lambda t: t[0], max_size=5
    ),
    stored=st.lists(
        st.tuples(st.sampled_from(_SKUS), st.integers(0, 3)), unique_by=lambda t: t[0], max_size=5
    ),
    picked=st.lists(st.sampled_from(_SKUS), min_size=1, max_size=3, unique=True),
)
def test_a_targeted_plan_is_the_whole_plan_narrowed(
    declared: list[tuple[str, int]], stored: list[tuple[str, int]], picked: list[str]
) -> None:
    """Products are planned only where a target can reach (the targeted and the read ones, and
    renames onto them): the result is the whole plan's changes that `--target` selects. Names
    repeat across SKUs (`n`), so SKU changes (renames by name) are among the cases."""
    names = {n for _, n in declared}
    if len(names) < len(declared):
        return  # the config refuses two products with one name
    want = desired(
        "products",
        *({"sku": s, "name": f"P{n}", "type": "physical", "price": 10 + n, "weight": 1} for s, n in declared),
        manage=Manage(prune=True),
    )
    have = live(
        "products",
        *(
            {"id": i, "sku": s, "name": f"P{n}", "type": "physical", "price": 20, "weight": 1}
            for i, (s, n) in enumerate(stored, 1)
        ),
    )
    targets = [f"products/{s}" for s in picked]
    whole = build_plan(want, have).changes
    narrowed = build_plan(want, have, targets=targets).changes
    expected = select(whole, targets, REGISTRY)
    assert [(c.action, c.key, c.renamed_from) for c in narrowed] == [
        (c.action, c.key, c.renamed_from) for c in expected
    ]
