"""`${env:...}` / `${var.NAME}` substitution (storeconf.config.interpolate)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storeconf.config.interpolate import Scope, escape, expand, interpolate
from storeconf.config.yaml import SourceMap
from storeconf.errors import Location

SCOPE = Scope(
    environ={"TOKEN": "s3cr3t-token", "EMPTY": "", "BRACES": "a${var.x}b"},
    vars={"hooks": "https://hooks.example.com", "x": "X", "secret": "from-env"},
    env_name="staging",
    secret_vars=frozenset({"secret"}),
)


def test_env_and_var_mixed_with_text() -> None:
    done = expand("${var.hooks}/orders?t=${env:TOKEN}&x=${var.x}", SCOPE)
    assert done.text == "https://hooks.example.com/orders?t=s3cr3t-token&x=X"
    assert done.errors == []
    assert done.sensitive
    assert done.secrets == {"s3cr3t-token"}


def test_var_only_is_not_sensitive_unless_the_var_came_from_env() -> None:
    assert not expand("${var.hooks}", SCOPE).sensitive
    assert expand("${var.secret}", SCOPE).sensitive


def test_escape_gives_a_literal() -> None:
    assert expand("price: $${var.x} is ${var.x}", SCOPE).text == "price: ${var.x} is X"
    assert expand("$$${var.x}", SCOPE).text == "$${var.x}"
    assert expand("$$ and $x and {}", SCOPE).text == "$$ and $x and {}"


def test_substituted_values_are_not_scanned_again() -> None:
    assert expand("${env:BRACES}", SCOPE).text == "a${var.x}b"


def test_empty_env_value_is_set() -> None:
    done = expand("[${env:EMPTY}]", SCOPE)
    assert (done.text, done.errors) == ("[]", [])


def test_errors() -> None:
    assert expand("${env:MISSING}", SCOPE).errors == [
        "environment variable 'MISSING' is not set (in '${env:MISSING}')"
    ]
    assert expand("${var.nope}", SCOPE).errors == [
        "undefined var 'nope' (environment 'staging' defines: hooks, secret, x)"
    ]
    assert expand("${nope}", SCOPE).errors == [
        "invalid substitution '${nope}': write ${env:NAME} or ${var.NAME} ('$${' for a literal '${')"
    ]
    assert expand("abc ${env:TOKEN", SCOPE).errors == ["unterminated '${' (write '$${' for a literal '${')"]
    assert expand("${var.x}", Scope({})).errors == ["'${var.x}': vars cannot be used in environment settings"]
    assert expand("${var.x}", Scope({}, {}, "local")).errors == [
        "undefined var 'x' (environment 'local' defines: none)"
    ]


def test_several_errors_in_one_string() -> None:
    assert len(expand("${env:A} ${env:B}", SCOPE).errors) == 2


def test_document_walk_tracks_paths_and_positions() -> None:
    source = SourceMap(
        "f.yaml", values={(): Location("f.yaml", 1, 1), ("a", 0, "h"): Location("f.yaml", 3, 9)}
    )
    data = {"a": [{"h": "${env:TOKEN}", "n": 3, "k": "${var.x}"}], "b": "${env:NOPE}"}
    done = interpolate(data, source, SCOPE)
    assert done.data == {"a": [{"h": "s3cr3t-token", "n": 3, "k": "X"}], "b": "${env:NOPE}"}
    assert done.sensitive == {("a", 0, "h")}
    assert done.is_sensitive(("a", 0)) and not done.is_sensitive(("a", 1))
    assert done.unresolved == {("b",)}
    assert [str(p) for p in done.problems] == [
        "f.yaml:1:1: b: environment variable 'NOPE' is not set (in '${env:NOPE}')"
    ]


def test_broken_environment_skips_var_checks() -> None:
    done = expand("${var.anything}", Scope({}, {}, "x", check_vars=False))
    assert done.errors == [] and done.unresolved


@given(st.text())
def test_escaped_text_interpolates_back_to_itself(text: str) -> None:
    """Whatever the text, escaping leaves nothing for interpolation to resolve or reject."""
    done = expand(escape(text), SCOPE)
    assert done.errors == []
    assert done.text == text
    assert not done.sensitive


@given(st.text(st.characters(blacklist_characters="$")), st.sampled_from(["hooks", "x", "secret"]))
def test_no_substitution_is_left_behind(text: str, var: str) -> None:
    done = expand(f"{text}${{var.{var}}}{text}", SCOPE)
    assert done.text == f"{text}{SCOPE.vars[var]}{text}"  # type: ignore[index]
    assert "${" not in done.text
