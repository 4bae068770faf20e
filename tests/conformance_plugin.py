"""pytest plugin: prints the spec conformance totals at the end of the run, fails the run
when the specs are configured but missing, and fails a test during which the sandbox
answered something the specs do not allow.

Register it from `tests/conftest.py` with `pytest_plugins = ["tests.conformance_plugin"]`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests.conformance import (
    COLLECTOR,
    SANDBOX_RESPONSE_FAILURES,
    skip_reason,
    specs_available,
    specs_configured_but_missing,
)

# Distinct failure / unmatched lines listed under the summary line; beyond this, a count.
MAX_LISTED = 20


def pytest_configure(config: pytest.Config) -> None:
    if missing := specs_configured_but_missing():
        raise pytest.UsageError(f"spec conformance: {missing}")


@pytest.fixture(autouse=True)
def sandbox_answers_conform() -> Iterator[None]:
    """A sandbox response that breaks the specs fails the test that provoked it."""
    yield from fail_on_new_sandbox_failures()


def fail_on_new_sandbox_failures() -> Iterator[None]:
    before = len(SANDBOX_RESPONSE_FAILURES)
    yield
    if new := SANDBOX_RESPONSE_FAILURES[before:]:
        pytest.fail("sandbox responses that break the specs:\n" + "\n".join(new), pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not specs_available():
        _fold_spec_skips(terminalreporter)
    terminalreporter.write_sep("-", "spec conformance")
    if not specs_available() and not COLLECTOR.pairs_validated:
        terminalreporter.write_line(f"spec conformance: skipped ({skip_reason()})")
        return
    terminalreporter.write_line(COLLECTOR.summary())
    for title, lines in (("failure", COLLECTOR.failures), ("unmatched", COLLECTOR.unmatched)):
        counts = Counter(lines)
        for line, count in list(counts.items())[:MAX_LISTED]:
            times = f" (x{count})" if count > 1 else ""
            terminalreporter.write_line(f"  {title}: {line}{times}")
        if len(counts) > MAX_LISTED:
            terminalreporter.write_line(f"  ... and {len(counts) - MAX_LISTED} more distinct {title} lines")


def _fold_spec_skips(terminalreporter: pytest.TerminalReporter) -> None:
    """Every test skipped for want of the specs, as one line of pytest's short summary
    (`SKIPPED [N] tests/conformance.py: reason`) instead of one line per test location.

    pytest folds skips by (file, line, reason); giving them all one place folds them.
    Runs before pytest prints that summary (its own summary hook wraps the plugins').
    """
    reason = skip_reason()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and len(longrepr) == 3 and reason in str(longrepr[2]):
            report.longrepr = ("tests/conformance.py", None, f"Skipped: {reason}")  # type: ignore[assignment]
