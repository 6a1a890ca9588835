"""The benchmark script runs end to end on a tiny committee, so it cannot rot between full runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_benchmark_script_runs_at_tiny_scale(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run([sys.executable, "benchmarks/run.py", "--tiny", "--work", str(tmp_path / "work"),
                           "--report", str(report)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = report.read_text(encoding="utf-8")
    for heading in ("# Benchmarks", "## Ingest throughput", "## Page queries", "## Memory", "## Incremental load"):
        assert heading in text
    assert "python3 tasks.py bench --tiny" in text
    results = json.loads((tmp_path / "work" / "bench-results.json").read_text(encoding="utf-8"))
    ingest = results["ingest"]
    assert ingest["files"] > 10 and ingest["rows"] > 100
    assert ingest["baseline_rows_s"] > 0 and ingest["floor_rows_s"] > ingest["baseline_rows_s"]
    pages = results["queries"]["pages"]
    assert set(pages) == {"overview", "participation", "quorum", "satisfaction", "compliance", "rankings",
                          "members", "activity"}
    for figures in pages.values():
        assert figures["pandas_median_ms"] > 0  # the baseline always runs
    memory = results["memory"]
    if "app_rss_mb" in memory:
        assert memory["app_rss_mb"] > 50
        assert "overview" in memory["pages"]
    # The tiny databases are reused by a second run rather than rebuilt.
    assert (tmp_path / "work" / "tiny.duckdb.built").exists()
