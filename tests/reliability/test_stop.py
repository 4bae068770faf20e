"""Point 2: after the first failure no change starts; the output has one line per cause."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Cli, Recorder
from tests.reliability.support import Timeline, boots, boots_project, dying_cli

EXTRA = "".join(
    f"  - sku: X{i:02d}\n    name: Extra {i}\n    type: physical\n    price: 1\n    weight: 1\n"
    for i in range(40)
)


def test_lost_connection_stops_starting_and_reports_one_cause(tmp_path: Path, recorder: Recorder) -> None:
    project = boots_project(tmp_path / "shop")
    (project / "products.yaml").write_text(boots(10, 10, extra=EXTRA))
    timeline = Timeline()
    # Alive for the plan's reads and the first product creates, then the store goes away.
    result = dying_cli(project, 6, timeline)("apply", "--auto-approve")

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "ConnectError" in errors[0]
    # Only the creates already waiting for a connection may still try; no new product starts.
    late = timeline.after_failure()
    assert len(late) < 8, late
    applied, failed, not_started = (
        int(re.search(rf"{title} \((\d+)\)", result.stderr).group(1))  # type: ignore[union-attr]
        for title in ("Applied", "Failed", "Not started")
    )
    assert failed == len(late) + 1
    assert applied + failed + not_started == 51
    assert not_started > 35

    replan = Cli(project, recorder)("plan", "--detailed-exitcode")
    assert (
        f"Plan for local (sandbox .storeconf/local.db): {failed + not_started} to create, "
        "0 to update, 0 to delete." in replan.stdout
    )
    # The dead run could not release its store lock: the next apply is refused, naming it,
    # until told the run is gone.
    refused = Cli(project, recorder)("apply", "--auto-approve")
    assert refused.exit_code == 1 and "the store is locked by" in refused.stderr
    assert Cli(project, recorder)("apply", "--auto-approve", "--break-lock").exit_code == 0
    assert Cli(project, recorder)("plan", "--detailed-exitcode").exit_code == 0


def test_failures_are_grouped_by_cause_with_counts(tmp_path: Path) -> None:
    project = boots_project(tmp_path / "shop")
    (project / "products.yaml").write_text(boots(10, 10, extra=EXTRA))
    timeline = Timeline()
    # Dies while the plan's reads run concurrently: the same cause for every request in flight.
    result = dying_cli(project, 2, timeline)("apply", "--auto-approve")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
