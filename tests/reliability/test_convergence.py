"""Point 5: with 10 % of requests faulted, apply converges (re-plan empty) in one apply, or
two when a fault leaves a multi-request create half-done; no duplicates; objects the config
does not manage are byte-for-byte unchanged."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.reliability.convergence import converge, project


@pytest.mark.parametrize("seed", [1, 2])
def test_converges_under_ten_percent_faults(seed: int, tmp_path: Path) -> None:
    figures = asyncio.run(converge(project(tmp_path / "shop", 30), rate=0.1, seed=seed))
    assert sum(figures.faults.values()) >= 8, figures.faults
    assert figures.replan_changes == 0, figures.failures
    assert figures.applies <= 2, figures.failures
    assert figures.duplicates == 0
    assert figures.unmanaged_changed == 0
