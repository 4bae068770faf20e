"""pytest plugin: prints the spec conformance totals at the end of the run.

Register it from `tests/conftest.py` with `pytest_plugins = ["tests.conformance_plugin"]`.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conformance import COLLECTOR, skip_reason, specs_available

# Distinct failure / unmatched lines listed under the summary line; beyond this, a count.
MAX_LISTED = 20


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
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
