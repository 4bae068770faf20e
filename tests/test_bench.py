"""The benchmark at 300 products: request counts only (never time), against the sandbox in its own process."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def load_bench() -> object:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module
    spec.loader.exec_module(module)
    return module


def test_bench_request_counts_at_300_products() -> None:
    bench: Any = load_bench()
    results = bench.main(bench.parse(["--products", "300", "--latency-ms", "0", "--quiet"]))
    requests = {step: r["requests"] for step, r in results.items()}
    minimum = {step: r["minimum"] for step, r in results.items()}
    # Reads, no-op plans and edits cost exactly the minimum the API's page and batch sizes allow.
    for step in ("load", "plan", "cli", "inproc", "edit", "since", "export"):
        assert requests[step] == minimum[step], (step, results[step]["endpoints"])
    # A full apply adds only the read-back of the options the API made from variants: ten products a request.
    with_variants = 150
    assert requests["apply"] == minimum["apply"] + with_variants // 10, results["apply"]["endpoints"]
    assert requests["apply"] <= 1.05 * minimum["apply"]
    assert results["apply"]["endpoints"].get("GET /v3/catalog/products/{id}/options", 0) == 0
    assert requests["naive"] == minimum["naive"] == 3 + 30
    # --changed-since reads the 3 edited products, not the 300.
    assert requests["since"] == 8 and results["since"]["endpoints"]["GET /v3/catalog/products"] == 2
    assert all(r["rate_limited"] == 0 for r in results.values() if "rate_limited" in r)
