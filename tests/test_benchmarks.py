"""The benchmark script runs end to end on a tiny committee, so it cannot rot between full runs, and the
page queries it measures are the calls the pages make."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pages_support import app

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
    spark = results["spark"]  # the lake and Spark: measured and equal, or a note saying why not
    assert "## Spark over the Parquet lake" in text
    if "note" not in spark:
        assert spark["equal"] is True and spark["export_rows"] > 1000 and spark["spark_median_s"] > 0
    else:
        assert spark["note"].startswith("Spark was not measured: ")
    # The tiny databases are reused by a second run rather than rebuilt.
    assert (tmp_path / "work" / "tiny.duckdb.built").exists()


PAGES = ("overview", "participation", "quorum", "satisfaction", "compliance", "rankings", "members", "activity")
# Arguments that name one branch or activity (or lists of them): the demo's differ from the province's, so
# only their kind is compared; every other value (the year, ``only``, ``columns``, ``per``, ``months``...)
# must be the same.
ID_KWARGS = {"activity_id", "branch", "branch_ids"}


def _call_key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], year: int) -> tuple[Any, ...]:
    """A metrics call as compared: the year as such, ids by their kind, a keyword given as None (the
    default: a committee with no filter) as if left out."""
    def loose(value: Any) -> Any:
        if isinstance(value, list | tuple | set | frozenset):
            return "<ids>"
        return type(value).__name__

    shown_args = tuple("<year>" if a == year and isinstance(a, int) else loose(a) for a in args)
    shown_kwargs = tuple(sorted((k, loose(v) if k in ID_KWARGS else (tuple(v) if isinstance(v, list) else v))
                                for k, v in kwargs.items() if v is not None))
    return name, shown_args, shown_kwargs


@pytest.fixture(scope="module")
def bench_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    path = tmp_path_factory.mktemp("bench-calls") / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.mark.parametrize("page", PAGES)
def test_the_benchmark_makes_the_calls_each_page_makes(bench_db: Path, page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``benchmarks.run.page_calls`` lists, per page, the ``pipelines.metrics`` calls the page makes for a
    committee account with no filter at province scale: run each page with the demo's 15 branches playing a
    province (more than a heatmap shows) and compare what it asked for."""
    from benchmarks.run import page_calls
    from pipelines import db
    from pipelines.ui import charts, common

    with db.reading(bench_db) as con:
        year = int(con.execute("select max(year(activity_month)) from activities").fetchone()[0])  # type: ignore[index]
        listed = page_calls(con, year)[page]
        branch = con.execute("select name from branches order by branch_id limit 1").fetchone()[0]  # type: ignore[index]
    monkeypatch.setattr(charts, "MAX_HEATMAP_ROWS", 3)  # the demo's 15 branches play a province
    made: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    original = common.metric

    def recording(name: str, *args: Any, **kwargs: Any) -> Any:
        made.append((name, args, dict(kwargs)))
        return original(name, *args, **kwargs)

    monkeypatch.setattr(common, "metric", recording)
    # The members page needs a branch and the activity page an activity, as page_calls chooses them.
    params: dict[str, Any] = {}
    if page == "members":
        params["branch"] = branch
    if page == "activity":
        activity = next(args[0] for name, args, _ in listed if name == "activity_detail")
        params["activity"] = activity
    at = app(bench_db, page=None, lang="en", params=params)  # the shell and its first page (overview)
    if page != "overview":
        made.clear()
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception and not at.error, (at.exception, at.error)
    assert made, f"the {page} page made no metrics call"
    assert {_call_key(*call, year=year) for call in made} == {_call_key(*call, year=year) for call in listed}


@pytest.mark.slow
@pytest.mark.browser
def test_browser_benchmark_runs_at_tiny_scale(tmp_path: Path) -> None:
    """``--only browser`` serves the tiny committee, signs in, clicks every page of the menu cold and warm
    in headless Chromium and reports each page's click-to-content figures."""
    from conftest import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed")
    report = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run([sys.executable, "benchmarks/run.py", "--tiny", "--only", "browser", "--work",
                           str(tmp_path / "work"), "--report", str(report)], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "## Browser: click to content" in report.read_text(encoding="utf-8")
    results = json.loads((tmp_path / "work" / "bench-results.json").read_text(encoding="utf-8"))
    tiny = results["browser"]["scales"]["tiny"]
    assert "failed" not in tiny, tiny
    # every page of the committee's menu, each clicked cold and warm, each click timed
    assert set(tiny["pages"]) == {"overview", "participation", "quorum", "satisfaction", "compliance", "rankings",
                                  "members", "activity", "upload", "snapshots", "rules", "admin"}
    for figures in tiny["pages"].values():
        assert figures["cold"]["n"] == 1 and figures["warm"]["n"] == 1
        assert 0 < figures["warm"]["median_ms"] < 60_000 and 0 < figures["cold"]["median_ms"] < 60_000
    assert not (tmp_path / "work" / "browser-tiny.duckdb").exists()  # the copy it served is removed
    assert all(len(tiny["cpu_check_ms"]) == 2 and 0 < ms < 60_000 for ms in tiny["cpu_check_ms"])
    assert "CPU check (a fixed Python loop; lower is faster)" in report.read_text(encoding="utf-8")

    # --profile splits a warm visit's click to content by where the browser's main thread spent it
    shutil.copy(tmp_path / "work" / "tiny.duckdb", tmp_path / "served.duckdb")
    proc = subprocess.run([sys.executable, "benchmarks/browser.py", "--db", str(tmp_path / "served.duckdb"),
                           "--profile", "--rounds", "1", "--pages", "participation,activity", "--json",
                           str(tmp_path / "profile.json")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    profile = json.loads((tmp_path / "profile.json").read_text(encoding="utf-8"))
    assert set(profile) == {"participation", "activity"}
    for spent in profile.values():
        groups = sum(v for k, v in spent.items() if k != "ms")
        assert 0.5 * spent["ms"] < groups <= 1.1 * spent["ms"], spent  # the samples cover the click's span
        assert spent["Streamlit frontend (JS)"] > 0
    assert "| participation |" in proc.stdout
