#!/usr/bin/env python3
"""The benchmarks of BENCHMARKS.md: our figure, the usual way's figure measured in the same run, the ratio.

    python3 tasks.py bench                      # everything at full scale, results into BENCHMARKS.md
    python3 tasks.py bench --only queries       # a subset: ingest, queries, memory, incremental, browser
    python3 tasks.py bench --only browser       # click to content in Chromium on demo, large and province
    python3 tasks.py bench --only spark         # the year's figures on local Spark over the Parquet lake
    python3 tasks.py bench --tiny               # a tiny committee (seconds): checks the script itself

Scales come from ``python -m pipelines demo --scale``: ``large`` (2,000 branches, its workbooks) for
ingest, ``province`` (20,000 branches, ~600,000 members, 5 years) for the page queries, the app's memory
and the incremental load. Databases and workbooks are built once into ``--work`` (default
``data/bench/``) and reused by later runs.

- ingest: the workbooks through ``pipelines.ingest.ingest_files`` (read, validate, load, refresh) against
  openpyxl/pandas reading the same files and inserting their rows; and the raw read time of the
  fastest reader (fastexcel), the floor.
- queries: the ``pipelines.metrics`` functions behind each page, median and 95th percentile over
  repeated runs (a fresh read connection per run, as a page view has), against pandas computing the same
  figures from the same core tables held in memory.
- memory: peak resident memory of the ingest process and of the Streamlit server while a browser opens
  every page (signed in as the demo committee account).
- incremental: one branch's monthly workbook into the province database, end to end with the refresh.
- browser: what a person waits for, click to content of every page of the navigation in headless
  Chromium, cold and warm, on the ``demo``, ``large`` and ``province`` databases
  (:mod:`benchmarks.browser`).
- spark: the ``province`` database exported to the Parquet lake (``export-lake``: first, then again with
  nothing changed), then the year's events, compliance, ranking and strikes on DuckDB and on Apache
  Spark in local mode (``local[2]``) over the lake, cold and warm, and the two compared row by row.
Every measured piece runs in a child process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import inspect
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"ingest_ratio": 5.0, "ingest_vs_floor": 2.0, "query_median_ms": 150.0, "query_ratio": 10.0,
           "rss_mb": 2048.0, "incremental_s": 2.0}
BENCHMARKS = ("ingest", "queries", "memory", "incremental", "browser", "spark")
BROWSER_SCALES = ("demo", "large", "province")
# Text below this line of an existing report (the analysis, written by hand) is kept by a new run.
NOTES_MARKER = "<!-- analysis: kept across runs -->"


# ------------------------------------------------------------------------------------------- helpers
def log(msg: str) -> None:
    """Progress on stderr (stdout of a child is its JSON result)."""
    sys.stderr.write(f"[bench {dt.datetime.now():%H:%M:%S}] {msg}\n")
    sys.stderr.flush()


def run_child(kind: str, **params: Any) -> dict[str, Any]:
    """Run ``kind`` in a child process; its JSON result plus its own peak resident memory (``rss_mb``)."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", kind],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(params))  # thousands of file names: too long for a command line
    proc.stdin.close()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if result.get("rss_mb") is None:
        result["rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def own_peak_rss_mb() -> float | None:
    """This process's peak resident memory since it started its program (``VmHWM``; ``ru_maxrss`` would
    also count the parent's memory at the fork, which Linux carries over)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def ensure_committee(work: Path, scale: str, seed: int, workbook_branches: int | None = None) -> Path:
    """The database of ``scale`` in ``work`` (its workbooks beside it), built directly when missing."""
    path = work / f"{scale}.duckdb"
    done = path.with_name(path.name + ".built")
    if path.exists() and done.exists():
        return path
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    log(f"building the {scale} committee into {path} (once; later runs reuse it)")
    t0 = time.perf_counter()
    # in a child, so this process stays small for the children it starts later
    summary = run_child("build", db=str(path), scale=scale, seed=seed, workbook_branches=workbook_branches)
    done.write_text(json.dumps(summary, ensure_ascii=False))
    log(f"built {scale} in {time.perf_counter() - t0:.0f} s (peak RSS {summary['rss_mb']:.0f} MB)")
    return path


def workbooks(work: Path, scale: str, branches: int | None) -> list[Path]:
    """The workbooks written beside the ``scale`` database, in upload order (of the first ``branches``)."""
    from pipelines.demo.workbooks import manifest

    return manifest(work / f"{scale}-workbooks", branches)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))
    return ordered[k]


def ratio(slow: float, fast: float) -> float:
    """How many times faster ``fast`` is than ``slow`` (times, not rates)."""
    return slow / fast if fast > 0 else float("inf")


# ------------------------------------------------------------------------------------ child processes
def child_build(db: str, scale: str, seed: int, workbook_branches: int | None) -> dict[str, Any]:
    from pipelines.demo import build

    return build(Path(db), seed=seed, scale=scale, via="direct", workbook_branches=workbook_branches)


def child_ingest_ours(db: str, files: list[str]) -> dict[str, Any]:
    from pipelines import db as dbm
    from pipelines.ingest import ingest_files

    Path(db).unlink(missing_ok=True)
    dbm.ensure_schema(Path(db))
    t0 = time.perf_counter()
    results = ingest_files(Path(db), [Path(f) for f in files], actor="bench")
    seconds = time.perf_counter() - t0
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    first_errors = [f"{r.file}: {i.message('en')}" for r in results if r.status == "rejected" for i in r.issues
                    if i.severity == "error"][:5]
    return {"seconds": seconds, "statuses": statuses, "errors": first_errors}


def child_ingest_baseline(db: str, files: list[str]) -> dict[str, Any]:
    """The usual way: pandas (openpyxl engine) reads every sheet, each row is inserted into DuckDB."""
    import duckdb
    import pandas as pd

    Path(db).unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = duckdb.connect(db)
    width = 20
    cols = ", ".join(f"c{i} varchar" for i in range(width))
    con.execute(f"create table raw_rows (file varchar, sheet varchar, row_no integer, {cols})")
    marks = ", ".join("?" for _ in range(width + 3))
    rows = 0
    for f in files:
        sheets = pd.read_excel(f, sheet_name=None, header=None, engine="openpyxl", dtype=str)
        for name, frame in sheets.items():
            batch = []
            for i, values in enumerate(frame.itertuples(index=False), start=1):
                cells = [None if (isinstance(v, float) or v is None) else str(v) for v in values][:width]
                if not any(cells):
                    continue
                batch.append([f, name, i, *cells, *[None] * (width - len(cells))])
            if batch:
                con.executemany(f"insert into raw_rows values ({marks})", batch)
                rows += len(batch)
    con.close()
    return {"seconds": time.perf_counter() - t0, "rows": rows}


def child_raw_read(files: list[str]) -> dict[str, Any]:
    """The floor: the fastest reader (fastexcel / calamine) reading every sheet, nothing else."""
    import fastexcel

    t0 = time.perf_counter()
    rows = 0
    for f in files:
        reader = fastexcel.read_excel(f)
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, header_row=None)
            rows += sheet.height
    return {"seconds": time.perf_counter() - t0, "rows": rows}


def child_incremental(db: str, file: str) -> dict[str, Any]:
    from pipelines.ingest import ingest_files, undo_upload

    t0 = time.perf_counter()
    [result] = ingest_files(Path(db), [Path(file)], actor="bench")
    seconds = time.perf_counter() - t0
    undo_s = None
    if result.status == "loaded" and result.upload_id is not None:
        t1 = time.perf_counter()
        undo_upload(Path(db), result.upload_id, actor="bench")
        undo_s = time.perf_counter() - t1
    return {"seconds": seconds, "status": result.status, "undo_seconds": undo_s, "summary": result.summary,
            "errors": [i.message("en") for i in result.issues if i.severity == "error"][:5]}


def _same(duck: list[dict[str, Any]], spark: list[dict[str, Any]]) -> str | None:
    """Where two figure lists differ (None: equal; a rate within 1e-12, as tests/test_spark_equality.py)."""
    import math

    if len(duck) != len(spark):
        return f"{len(spark)} rows on Spark, {len(duck)} on DuckDB"
    for n, (d, s) in enumerate(zip(duck, spark, strict=True)):
        for key, want in d.items():
            got = s.get(key)
            if isinstance(want, dict) and isinstance(got, dict):
                inner = _same([want], [got])
                if inner:
                    return f"row {n} {key}: {inner}"
            elif isinstance(want, float) and isinstance(got, float):
                if not math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12):
                    return f"row {n} {key}: {got} != {want}"
            elif got != want:
                return f"row {n} {key}: {got!r} != {want!r}"
    return None


def child_spark(db: str, lake_dir: str, repeat: int) -> dict[str, Any]:
    """Export the database to the lake, then the year's figures on DuckDB and on local Spark."""
    from pipelines import clock, lake, spark_engine
    from pipelines import db as dbm
    from pipelines.commands.figures import FIGURE_KEYS, rows
    from pipelines.config import load_rules

    out = Path(lake_dir)
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    first = lake.export_lake(db, out)
    export_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = lake.export_lake(db, out)
    again_s = time.perf_counter() - t0
    manifest = lake.read_manifest(out) or {}
    files = [out / p["file"] for t in manifest["tables"].values() for p in t["partitions"].values()]
    table_bytes = {name: sum((out / p["file"]).stat().st_size for p in t["partitions"].values())
                   for name, t in manifest["tables"].items()}
    table_rows = {name: t["rows"] for name, t in manifest["tables"].items()}
    today = clock.today()
    with dbm.reading(db) as con:
        year = int(con.execute("select max(year) from out_activity_judged").fetchone()[0])  # type: ignore[index]

    def timed(con: Any, rules: Any) -> tuple[float, dict[str, float], dict[str, Any]]:
        from pipelines import metrics  # the four calls of the figures command, each timed


        parts: dict[str, float] = {}
        frames: dict[str, Any] = {}
        calls = {"events": lambda: metrics.with_month_status(metrics.events(con, rules, year), today),
                 "compliance": lambda: metrics.compliance(con, rules, year, today=today),
                 "ranking": lambda: metrics.ranking(con, rules, year, today=today),
                 "strikes": lambda: metrics.strikes(con, rules, year)}
        for name, call in calls.items():
            t = time.perf_counter()
            frames[name] = call()
            parts[name] = time.perf_counter() - t
        return sum(parts.values()), parts, frames

    duck_runs: list[tuple[float, dict[str, float]]] = []
    for _ in range(repeat):
        with dbm.reading(db) as con:  # a fresh read connection per run, as a page view has
            total, parts, duck = timed(con, load_rules(con))
        duck_runs.append((total, parts))
    t0 = time.perf_counter()
    spark = spark_engine.session("local[2]", shuffle_partitions=4, memory="4g")
    engine = spark_engine.SparkLake(spark, out)
    start_s = time.perf_counter() - t0
    spark_runs: list[tuple[float, dict[str, float]]] = []
    on_spark: dict[str, Any] = {}
    for _ in range(repeat + 1):  # the first is cold (query planning, JIT, file footers), then warm
        total, parts, on_spark = timed(engine, engine.rules())
        spark_runs.append((total, parts))
    # Throughput of a scan at the size of the raw facts: every attendance row of every year counted per
    # branch, year and status, on Spark and on DuckDB over the same Parquet files (for the national sizing)
    scan = "select branch_id, year, status, count(*) as n from attendance group by branch_id, year, status"
    t0 = time.perf_counter()
    frame = engine.spark.read.option("basePath", str(out / "attendance")).parquet(
        *[str(f) for f in lake.files(out, "attendance")])
    frame.createOrReplaceTempView("lake_attendance")
    scan_groups = engine.spark.sql(scan.replace("attendance", "lake_attendance")).count()
    spark_scan_s = time.perf_counter() - t0
    spark.stop()
    import duckdb

    t0 = time.perf_counter()
    duck_con = duckdb.connect()
    duck_con.execute(f"select count(*) from ({scan.replace('attendance', 'read_parquet($f, hive_partitioning = true)')})",
                     {"f": [str(f) for f in lake.files(out, "attendance")]}).fetchone()
    duck_scan_s = time.perf_counter() - t0
    differ = {name: _same(rows(duck[name], FIGURE_KEYS[name]), rows(on_spark[name], FIGURE_KEYS[name]))
              for name in duck}
    warm = spark_runs[1:]
    return {"year": year, "today": today.isoformat(), "export_s": export_s, "export_partitions": first["written"],
            "export_rows": first["rows_written"], "again_s": again_s, "again_written": again["written"],
            "lake_bytes": sum(f.stat().st_size for f in files), "lake_files": len(files),
            "table_bytes": table_bytes, "table_rows": table_rows,
            "duckdb_median_s": statistics.median(r[0] for r in duck_runs),
            "duckdb_parts_s": {k: statistics.median(r[1][k] for r in duck_runs) for k in duck_runs[0][1]},
            "spark_start_s": start_s, "spark_cold_s": spark_runs[0][0],
            "spark_median_s": statistics.median(r[0] for r in warm),
            "spark_parts_s": {k: statistics.median(r[1][k] for r in warm) for k in warm[0][1]},
            "rows": {name: on_spark[name].height for name in on_spark}, "repeat": repeat,
            "scan_rows": table_rows.get("attendance", 0), "scan_groups": scan_groups, "spark_scan_s": spark_scan_s,
            "duckdb_scan_s": duck_scan_s,
            "equal": all(v is None for v in differ.values()), "differences": {k: v for k, v in differ.items() if v}}


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "build": child_build, "ingest_ours": child_ingest_ours, "ingest_baseline": child_ingest_baseline, "raw_read": child_raw_read,
    "incremental": child_incremental, "spark": child_spark,
}


def bench_spark(db_path: Path, work: Path, repeat: int) -> dict[str, Any]:
    """The lake export and the year's figures on Spark against DuckDB (a note when Java is missing)."""
    from pipelines.spark_engine import java_available

    why = java_available()
    if why:
        log(f"spark: not measured: {why}")
        return {"note": f"Spark was not measured: {why}."}
    log("spark: export to the Parquet lake, then the year's figures on DuckDB and on local Spark")
    return run_child("spark", db=str(db_path), lake_dir=str(work / f"{db_path.stem}-lake"), repeat=repeat)


def spark_report(sp: dict[str, Any], scale: str | None) -> list[str]:
    """The Markdown of the Spark section."""
    lines = ["## Spark over the Parquet lake", "", measured(sp), ""]
    if "note" in sp:
        return lines + [sp["note"], ""]
    mb = sp["lake_bytes"] / 2**20
    lines += [f"The `{scale}` database, year {sp['year']} (as of {sp['today']}): "
              f"{', '.join(f'{n} {r:,}' for n, r in sp['rows'].items())} rows of figures.", "",
              f"- `export-lake`: {sp['export_rows']:,} rows into {sp['lake_files']} Parquet files "
              f"({sp['export_partitions']} partitions, {mb:,.0f} MiB, zstd) in **{sp['export_s']:.1f} s**; again "
              f"with nothing changed: {sp['again_written']} partitions written, {sp['again_s']:.1f} s.",
              "- Lake bytes per table (MiB): " + ", ".join(
                  f"{n} {b / 2**20:,.1f} ({sp['table_rows'][n]:,} rows)" for n, b in
                  sorted(sp["table_bytes"].items(), key=lambda kv: -kv[1])[:6]) + ".", "",
              "| the year's events, compliance, ranking, strikes | seconds | events | compliance | ranking | strikes |",
              "|---|---:|---:|---:|---:|---:|"]
    d, s = sp["duckdb_parts_s"], sp["spark_parts_s"]
    lines += [f"| DuckDB, the database (median of {sp['repeat']}) | {sp['duckdb_median_s']:.2f} | "
              + " | ".join(f"{d[k]:.2f}" for k in ("events", "compliance", "ranking", "strikes")) + " |",
              f"| Spark `local[2]`, the lake, warm (median of {sp['repeat']}) | {sp['spark_median_s']:.2f} | "
              + " | ".join(f"{s[k]:.2f}" for k in ("events", "compliance", "ranking", "strikes")) + " |",
              f"| Spark, first run (cold) | {sp['spark_cold_s']:.2f} | | | | |",
              f"| Spark session start | {sp['spark_start_s']:.1f} | | | | |", "",
              "- Spark's figures equal DuckDB's row by row: " + ("**yes**." if sp["equal"] else
                                                                 f"**no**: {sp['differences']}")]
    if "spark_scan_s" in sp:
        lines.append(f"- A scan at the size of the raw facts — all {sp['scan_rows']:,} attendance rows of the lake "
                     f"counted per branch, year and status ({sp['scan_groups']:,} groups): Spark `local[2]` "
                     f"{sp['spark_scan_s']:.1f} s ({sp['scan_rows'] / sp['spark_scan_s'] / 2 / 1e6:.1f} M rows/s per "
                     f"core), DuckDB over the same files {sp['duckdb_scan_s']:.1f} s.")
    lines.append("")
    return lines


# ------------------------------------------------------------------------------------------- ingest
def bench_ingest(work: Path, scale: str, baseline_every: int, branches: int | None) -> dict[str, Any]:
    """Ingest throughput of the ``scale`` workbooks: ours, the openpyxl/pandas baseline, the raw-read floor."""
    files = [str(p) for p in workbooks(work, scale, branches)]
    sample = files[::baseline_every]
    log(f"ingest: raw read of {len(files)} workbooks (fastexcel)")
    floor = run_child("raw_read", files=files)
    sample_floor = run_child("raw_read", files=sample) if baseline_every > 1 else floor
    log(f"ingest: baseline (pandas/openpyxl + row inserts) on {len(sample)} workbooks")
    base = run_child("ingest_baseline", db=str(work / "ingest-baseline.duckdb"), files=sample)
    out: dict[str, Any] = {"files": len(files), "branches": branches, "rows": floor["rows"], "floor_s": floor["seconds"],
                           "floor_rows_s": floor["rows"] / floor["seconds"],
                           "baseline_files": len(sample), "baseline_s": base["seconds"],
                           "baseline_rows_s": sample_floor["rows"] / base["seconds"]}
    log(f"ingest: ours (pipelines.ingest.ingest_files) on {len(files)} workbooks")
    try:
        ours = run_child("ingest_ours", db=str(work / f"ingest-{scale}.duckdb"), files=files)
    except RuntimeError as exc:
        out["note"] = f"our ingest failed on these workbooks: {exc} (see the log above)"
        return out
    out.update(ours_s=ours["seconds"], ours_rows_s=floor["rows"] / ours["seconds"], statuses=ours["statuses"],
               errors=ours["errors"], ingest_rss_mb=ours["rss_mb"])
    out["ratio"] = out["ours_rows_s"] / out["baseline_rows_s"]
    out["vs_floor"] = ours["seconds"] / floor["seconds"]
    return out


# ------------------------------------------------------------------------------------------ queries
def page_calls(con: Any, year: int,
               today: dt.date | None = None) -> dict[str, list[tuple[str, tuple[Any, ...], dict[str, Any]]]]:
    """The metrics calls each page makes for a committee account with no filter (the whole scope, the
    whole year), as ``pages/*.py`` make them at province scale (more branches than a heatmap shows); a
    call two parts of a page share (cached) is listed once. ``tests/test_benchmarks.py`` checks this
    list against the calls the pages really make."""
    from pipelines import clock
    from pipelines.ui.filters import Filters
    from pipelines.ui.views import ALERT_COLUMNS, COMPLIANCE_COLUMNS, PARTICIPATION_COLUMNS, month_keys

    branch_id, branch = con.execute("select branch_id, name from branches order by branch_id limit 1").fetchone()
    activity = con.execute("select max(activity_id) from activities where year(activity_month) = ?",
                           [year]).fetchone()[0]
    held = tuple(r[0] for r in con.execute(
        "select distinct activity_id from out_activity_branch where branch_id = ? and year = ? order by 1",
        [branch_id, year]).fetchall())
    months = tuple(month_keys(Filters(year=year), today or clock.today()))
    counts = ("event_counts", (year,), {})
    overview = ("overview_months", (year,), {"with_year": True})
    return {
        "overview": [overview,
                     ("events", (year,), {"ordered": False, "only": "flagged", "columns": ALERT_COLUMNS}),
                     ("compliance", (year,), {"only_missed": True}), ("strikes", (year,), {})],
        "participation": [("events", (year,), {"ordered": False,
                                               "columns": tuple(dict.fromkeys(("month", *PARTICIPATION_COLUMNS)))}),
                          ("zone_quarters", (year,), {})],
        "quorum": [("events", (year,), {"ordered": False, "only": "quorum_failed"}), counts],
        "satisfaction": [counts, ("strikes", (year,), {}),
                         ("events", (year,), {"ordered": False, "columns": ("month", "satisfaction")}),
                         ("item_totals", (year,), {"per": "zone", "months": months})],
        "compliance": [overview, counts, ("events", (year,), {"ordered": False, "only": "violating",
                                                             "columns": tuple(dict.fromkeys(("month", *COMPLIANCE_COLUMNS)))}),
                       ("zone_quarters", (year,), {})],
        "rankings": [("ranking", (year,), {}), ("zone_quarters", (year,), {})],
        "members": [("members", (branch, year), {}), ("events", (year,), {"branch": branch}),
                    ("activity_details", (held,), {})],
        "activity": [("events", (year,), {"activity_id": activity}),
                     ("satisfaction_items", (year,), {"activity_id": activity}), ("activity_detail", (activity,), {})],
    }


def call_label(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """``name(arg, key=value)`` for the report; a list of ids is given by its length."""
    def shown(v: Any) -> str:
        return f"<{len(v)} ids>" if isinstance(v, tuple | list) else repr(v)

    return f"{name}({', '.join([*map(shown, args), *(f'{k}={shown(v)}' for k, v in kwargs.items())])})"


def call_metric(metrics: Any, name: str, con: Any, rules: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``metrics.<name>`` with the rules where its signature takes them (as ``pipelines.ui.common.metric``)."""
    func = getattr(metrics, name)
    params = list(inspect.signature(func).parameters)
    if len(params) > 1 and params[1] == "rules":
        return func(con, rules, *args, **kwargs)
    if "rules" in params:
        return func(con, *args, rules=rules, **kwargs)
    return func(con, *args, **kwargs)


def model_breakdown(metrics: Any, db_path: Path, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]],
                    rules: Any) -> dict[str, float]:
    """One more run of a page's calls with the SQL-model runner of ``pipelines.metrics`` timed: where the
    time goes, model by model (empty when metrics has no such runner)."""
    from pipelines import db

    runner_name = next((n for n in ("run_model", "_frame") if hasattr(metrics, n)), None)
    if runner_name is None:
        return {}
    runner = getattr(metrics, runner_name)
    spent: dict[str, float] = {}

    def timed(con: Any, model: str, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return runner(con, model, *args, **kwargs)
        finally:
            spent[model] = spent.get(model, 0.0) + (time.perf_counter() - t0) * 1000

    setattr(metrics, runner_name, timed)
    try:
        with db.reading(db_path) as con:
            for name, args, kwargs in calls:
                call_metric(metrics, name, con, rules, args, kwargs)
    finally:
        setattr(metrics, runner_name, runner)
    return dict(sorted(spent.items(), key=lambda kv: -kv[1]))


def bench_queries(db_path: Path, repeat: int) -> dict[str, Any]:
    """Median and p95 of every page's metrics calls, ours against pandas on the same tables."""
    from pipelines import db
    from pipelines.config import load_rules

    with db.reading(db_path) as con:
        year = int(con.execute("select max(year(activity_month)) from activities").fetchone()[0])  # type: ignore[index]
        calls = page_calls(con, year)
        rules = load_rules(con)
    from pipelines import metrics

    pages: dict[str, Any] = {}
    for page, page_calls_ in calls.items():
        missing = [name for name, _, _ in page_calls_ if not hasattr(metrics, name)]
        if missing:
            pages[page] = {"missing": missing}
            continue
        times: dict[str, list[float]] = {"fresh": [], "kept": []}
        per_call: dict[str, list[float]] = {}
        try:
            # "kept": as the server reads between loads (one connection kept open, already open);
            # "fresh": the first page view after a load, which opens the file again
            for mode in ("fresh", "kept"):
                db.keep_readers_open(mode == "kept")
                with db.reading(db_path):
                    pass
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    with db.reading(db_path) as con:
                        for name, args, kwargs in page_calls_:
                            t1 = time.perf_counter()
                            call_metric(metrics, name, con, rules, args, kwargs)
                            if mode == "kept":
                                label = call_label(name, args, kwargs)
                                per_call.setdefault(label, []).append((time.perf_counter() - t1) * 1000)
                    times[mode].append((time.perf_counter() - t0) * 1000)
        except Exception as exc:  # noqa: BLE001 - another area's code failing is reported, not fatal
            pages[page] = {"failed": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
            log(f"queries: {page} failed: {pages[page]['failed']}")
            continue
        finally:
            db.keep_readers_open(False)
        pages[page] = {"median_ms": statistics.median(times["kept"]), "p95_ms": percentile(times["kept"], 0.95),
                       "fresh_median_ms": statistics.median(times["fresh"]),
                       "calls_median_ms": {k: statistics.median(v) for k, v in per_call.items()},
                       "models_ms": model_breakdown(metrics, db_path, page_calls_, rules)}
        log(f"queries: {page} ours median {pages[page]['median_ms']:.1f} ms")
    from benchmarks.pandas_pages import PandasPages

    t0 = time.perf_counter()
    pp = PandasPages.load(db_path, rules)
    load_s = time.perf_counter() - t0
    log(f"queries: pandas baseline loaded the core tables in {load_s:.1f} s")
    base_repeat = max(3, repeat // 4)
    for page in calls:
        times = []
        for _ in range(base_repeat):
            t0 = time.perf_counter()
            pp.page(page, year)
            times.append((time.perf_counter() - t0) * 1000)
        entry = pages[page]
        entry.update(pandas_median_ms=statistics.median(times), pandas_p95_ms=percentile(times, 0.95))
        if "median_ms" in entry:
            entry["ratio"] = ratio(entry["pandas_median_ms"], entry["median_ms"])
        log(f"queries: {page} pandas median {entry['pandas_median_ms']:.0f} ms")
    return {"year": year, "repeat": repeat, "pandas_repeat": base_repeat, "pandas_load_s": load_s, "pages": pages}


# ------------------------------------------------------------------------------------------- memory
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_app_memory(db_path: Path, settle_s: float) -> dict[str, Any]:
    """Peak resident memory of the Streamlit server while a browser signs in and opens every page."""
    import psutil

    from benchmarks.browser import signed_in

    port = _free_port()
    env = dict(os.environ, PARTYDAY_DB=str(db_path))
    server = subprocess.Popen([sys.executable, "-m", "pipelines.ui.serve", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    proc = psutil.Process(server.pid)

    def sample() -> None:
        nonlocal peak
        try:
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
        except psutil.Error:
            return
        peak = max(peak, rss / 2**20)

    visited: list[str] = []
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        from playwright.sync_api import sync_playwright

        chromium = os.environ.get("PARTYDAY_CHROMIUM", "/usr/bin/chromium")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                         args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)

            def wait(seconds: float) -> None:
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    sample()
                    page.wait_for_timeout(200)
                for _ in range(600):  # until the app stops running (at most ~2 minutes)
                    sample()
                    if not page.locator('[data-testid="stStatusWidget"]').count():
                        break
                    page.wait_for_timeout(200)

            page.wait_for_selector("input[type=password]", timeout=60_000)
            page.locator("input[type=text]").first.fill("dangwei")
            page.locator("input[type=password]").first.fill("demo1234")
            page.locator("input[type=password]").first.press("Enter")
            signed_in(page, 120)
            wait(settle_s)
            links = page.locator('[data-testid="stSidebarNav"] a')
            hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
            for i, href in enumerate(hrefs):
                page.locator('[data-testid="stSidebarNav"] a').nth(i).click()
                wait(settle_s)
                visited.append(href.rsplit("/", 1)[-1] or "overview")
            browser.close()
    finally:
        sample()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"app_rss_mb": peak, "pages": visited}


# ------------------------------------------------------------------------------------------ browser
def cpu_check_ms() -> float:
    """How fast the machine is right now: the median of 5 runs of a fixed pure-Python loop (ms). The
    machines are shared: between runs the same code's page times move with this figure."""
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        sum(i * i for i in range(2_000_000))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_browser_scales(work: Path, scales: list[str], seed: int, rounds: int) -> dict[str, Any]:
    """:func:`benchmarks.browser.bench_browser` on a copy of each scale's database (signing in writes a
    session, and the cold visits move the file's modification stamp)."""
    from benchmarks.browser import bench_browser

    out: dict[str, Any] = {"rounds": rounds, "scales": {}}
    for scale in scales:
        source = ensure_committee(work, scale, seed)
        copy = work / f"browser-{scale}.duckdb"
        shutil.copy(source, copy)
        log(f"browser: {scale}, {rounds} rounds of every page")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        cpu = cpu_check_ms()
        try:
            result = bench_browser(copy, rounds, progress=lambda msg, s=scale: log(f"browser {s}: {msg}"))
        except Exception as exc:  # noqa: BLE001 - one scale failing is reported, the others still run
            out["scales"][scale] = {"failed": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
            log(f"browser: {scale} failed: {out['scales'][scale]['failed']}")
            continue
        finally:
            copy.unlink(missing_ok=True)
        result["load_at_start"] = load
        result["load_at_end"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        result["cpu_check_ms"] = [cpu, cpu_check_ms()]
        result["measured_at"] = f"{dt.datetime.now():%Y-%m-%d %H:%M}"
        out["scales"][scale] = result
    return out


def cpu_check(result: dict[str, Any]) -> str:
    """The CPU check of a scale's run (:func:`cpu_check_ms`), for the report ("" for older figures)."""
    if not result.get("cpu_check_ms"):
        return ""
    start, end = result["cpu_check_ms"]
    return f"CPU check (a fixed Python loop; lower is faster) {start:.0f} ms at the start, {end:.0f} ms at the end; "


def browser_report(section: dict[str, Any], queries: dict[str, Any] | None) -> list[str]:
    """The Markdown of the browser section: per scale and page, cold and warm click to content beside
    the query-only median of the same page (province) and the target."""
    from benchmarks.browser import TARGETS_MS

    lines = ["## Browser: click to content", "", measured(section), "",
             f"Every page of the navigation clicked in headless Chromium as the committee account, "
             f"rounds: {section['rounds']} (`benchmarks/browser.py`), from the click to the page idle with its "
             "charts drawn. Cold: the first visit after the data changed (every cached query misses, as after "
             "a load); warm: the page visited again. Script run: how long the server ran the page, as the "
             "browser saw it (the rest of click to content is the request and the drawing).", ""]
    query_pages = (queries or {}).get("pages", {})
    for scale, r in section["scales"].items():
        if "failed" in r:
            lines += [f"### {scale}", "", f"Not measured: {r['failed']}", ""]
            continue
        target = TARGETS_MS.get(scale)
        goal = (f"target: median warm < {target['warm']:.0f} ms, cold < {target['cold']:.0f} ms" if target
                else "no target")
        when = f"Measured {r['measured_at']}; load" if r.get("measured_at") else "Load"
        lines += [f"### {scale}", "",
                  f"{when} average at the start {r['load_at_start']}, at the end {r['load_at_end']}; signing in took "
                  f"{r['sign_in_s']:.1f} s; {cpu_check(r)}{goal}.", "",
                  "| page | cold median ms | cold p95 ms | warm median ms | warm p95 ms | warm script run ms | "
                  + ("query-only median ms | " if scale == "province" else "") + "median under target |",
                  "|---|---:|---:|---:|---:|---:|" + ("---:|" if scale == "province" else "") + "---|"]
        for page, e in r["pages"].items():
            cold, warm, run = e.get("cold") or {}, e.get("warm") or {}, e.get("run") or {}

            def ms(part: dict[str, Any], key: str) -> str:
                return f"{part[key]:.0f}" if part else "–"

            ok = None
            if target and cold and warm:
                ok = warm["median_ms"] < target["warm"] and cold["median_ms"] < target["cold"]
            query = query_pages.get(page, {}).get("median_ms")
            lines.append(f"| {page} | {ms(cold, 'median_ms')} | {ms(cold, 'p95_ms')} | {ms(warm, 'median_ms')} | "
                         f"{ms(warm, 'p95_ms')} | {ms(run, 'median_ms')} | "
                         + ((f"{query:.0f} | " if query is not None else "– | ") if scale == "province" else "")
                         + f"{verdict(ok)} |")
        lines.append("")
    return lines


# -------------------------------------------------------------------------------------- incremental
def one_branch_workbook(scale: str, seed: int, out: Path) -> tuple[Path, str]:
    """The monthly workbook of the first branch for its latest activity, as its secretary would upload it."""
    from pipelines.demo.generate import generate
    from pipelines.demo.workbooks import Writer

    c = generate(scale, seed)
    facts = c.facts(c.chunks()[0], 0)
    writer = Writer(c, out, facts=facts, packaging="monthly")
    branch = 0
    # Whatever the branch's habit, this month's workbook carries a sign-in sheet: the attendance is what
    # a load has to recount.
    writer.habits[branch] = dataclasses.replace(writer.habits[branch], year_table=False)
    activity = writer.by_branch[branch][-1]
    path = writer.monthly(branch, activity)
    assert path is not None
    return path, writer.branches[branch]["name"]


def bench_incremental(db_path: Path, scale: str, seed: int, work: Path) -> dict[str, Any]:
    """One branch's monthly workbook into the big database, end to end (then undone, so runs repeat)."""
    path, branch = one_branch_workbook(scale, seed, work / "incremental")
    log(f"incremental: {path.name} into {db_path.name}")
    try:
        result = run_child("incremental", db=str(db_path), file=str(path))
    except RuntimeError as exc:
        return {"note": f"our ingest failed on {path.name}: {exc} (see the log above)"}
    result["file"] = path.name
    result["branch"] = branch
    return result


# ------------------------------------------------------------------------------------------- report
def machine() -> dict[str, str]:
    """Machine and versions for the report."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil

    versions = {}
    for mod in ("duckdb", "polars", "pandas", "openpyxl", "fastexcel", "streamlit", "numpy", "pyarrow"):
        try:
            versions[mod] = importlib.import_module(mod).__version__
        except Exception:  # noqa: BLE001 - a missing library is reported, not fatal
            versions[mod] = "missing"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return {"load": load, "cpu": f"{cpu}, {os.cpu_count()} cores", "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
            "os": platform.platform(), "python": platform.python_version(),
            "versions": ", ".join(f"{k} {v}" for k, v in versions.items())}


def measured(section: dict[str, Any]) -> str:
    """When and by which command a section was measured."""
    by = f" by `{section['command']}`" if section.get("command") else ""
    return f"Measured {section.get('measured_at', '')}{by}."


def ordinal(n: int) -> str:
    """``2nd``, ``3rd``, ``10th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


# The heading of each section in the report (a run that measured a section writes it anew).
HEADINGS = {"ingest": "## Ingest throughput", "queries": "## Page queries", "memory": "## Memory",
            "incremental": "## Incremental load", "browser": "## Browser: click to content",
            "spark": "## Spark over the Parquet lake"}


def report_sections(text: str) -> dict[str, str]:
    """The sections of an existing report (above the analysis), by benchmark: its Markdown as written."""
    body = text.split(NOTES_MARKER, 1)[0]
    found: dict[str, str] = {}
    for name, heading in HEADINGS.items():
        start = body.find("\n" + heading + "\n")
        if start < 0:
            continue
        end = body.find("\n## ", start + 1)
        found[name] = body[start + 1:end if end >= 0 else len(body)].rstrip() + "\n"
    return found


def query_medians(markdown: str) -> dict[str, dict[str, float]]:
    """``{page: {"median_ms": ...}}`` from the page-queries table of a report as written."""
    out: dict[str, dict[str, float]] = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2:
            try:
                out[cells[0]] = {"median_ms": float(cells[1])}
            except ValueError:
                continue
    return out


def report(results: dict[str, Any], args: argparse.Namespace, command: str,
           kept: dict[str, str] | None = None) -> str:
    """The Markdown of BENCHMARKS.md; ``kept``: sections of the existing report for the benchmarks that
    neither this run nor the saved results of earlier runs measured."""
    kept = {k: v for k, v in (kept or {}).items() if not results.get(k)}
    q_figures: dict[str, Any] | None = None
    m = machine()
    lines = ["# Benchmarks", "", f"Last run {dt.date.today().isoformat()}: `{command}`. Each section says when it was "
             "measured (a run of a subset keeps the other sections of earlier runs). Run everything with "
             "`python3 tasks.py bench`; `--tiny` checks the script in seconds.", "",
             f"- Machine: {m['cpu']}, {m['memory']} RAM, {m['os']}",
             f"- Python {m['python']}; {m['versions']}",
             f"- Load average when the report was written (1, 5, 15 min): {m['load']}; at the start: "
             f"{results.get('load_at_start')}. Other work on the machine slows every figure alike.",
             f"- Scales: ingest `{results.get('ingest_scale')}`, queries/memory/incremental "
             f"`{results.get('big_scale')}`, browser "
             f"`{', '.join((results.get('browser') or {}).get('scales', {})) or ', '.join(BROWSER_SCALES)}`"
             f" (seed {args.seed}); built by `python -m pipelines demo --scale NAME`.",
             ""]
    ing = results.get("ingest")
    if "ingest" in kept:
        lines += [kept["ingest"]]
    if ing:
        lines += ["## Ingest throughput", "", measured(ing), "",
                  f"{ing['files']} workbooks"
                  + (f" (the committee's zone division and every workbook of its first {ing['branches']} branches, "
                     "whole zones)" if ing.get("branches") else "")
                  + f", {ing['rows']:,} sheet rows. The baseline (pandas `read_excel` with "
                  f"openpyxl, then one `INSERT` per row) ran on {ing['baseline_files']} of them"
                  + (f" (every {ordinal(args.baseline_every)}; rows per second is a rate, so a sample measures it)."
                     if args.baseline_every > 1 else "."), "",
                  "| | seconds | rows/s |", "|---|---:|---:|"]
        if "ours_s" in ing:
            lines.append(f"| ours: `ingest_files` (read, validate, load, refresh) | {ing['ours_s']:.1f} | "
                         f"{ing['ours_rows_s']:,.0f} |")
        lines += [f"| baseline: pandas/openpyxl + row inserts | {ing['baseline_s']:.1f} | {ing['baseline_rows_s']:,.0f} |",
                  f"| floor: fastexcel raw read only | {ing['floor_s']:.1f} | {ing['floor_rows_s']:,.0f} |", ""]
        if "ratio" in ing:
            lines += [f"- Ours vs baseline: **{ing['ratio']:.1f}×** faster (target ≥ {TARGETS['ingest_ratio']:.0f}×: "
                      f"{verdict(ing['ratio'] >= TARGETS['ingest_ratio'])}).",
                      f"- Ours vs the raw read floor: **{ing['vs_floor']:.1f}×** the floor's time (target ≤ "
                      f"{TARGETS['ingest_vs_floor']:.0f}×: {verdict(ing['vs_floor'] <= TARGETS['ingest_vs_floor'])}).",
                      f"- File statuses: {ing['statuses']}" + (f"; first errors: {ing['errors']}" if ing["errors"] else ""),
                      ""]
        else:
            lines += [f"- {ing.get('note')}", ""]
    q = results.get("queries")
    if "queries" in kept:
        lines += [kept["queries"]]
        q_figures = {"pages": query_medians(kept["queries"])}
    if q:
        lines += ["## Page queries", "", measured(q), "",
                  f"Year {q['year']}, the committee's whole scope. Ours: the `pipelines.metrics` calls behind each "
                  f"page, {q['repeat']} runs, on the read connection the server keeps open between loads "
                  "(`db.keep_readers_open`); beside it the first view after a load, which opens the file afresh. "
                  f"Baseline: pandas computing the same figures from the core tables already in memory "
                  f"({q['pandas_repeat']} runs; loading them took {q['pandas_load_s']:.0f} s, not counted).", "",
                  "| page | ours median ms | ours p95 ms | first after a load median ms | pandas median ms | "
                  "pandas p95 ms | ratio | median < 150 ms | ≥ 10× |",
                  "|---|---:|---:|---:|---:|---:|---:|---|---|"]
        for page, e in q["pages"].items():
            if "missing" in e or "failed" in e:
                why = (f"`pipelines.metrics` lacks {', '.join(e['missing'])}" if "missing" in e
                       else f"failed: {e['failed']}")
                lines.append(f"| {page} | not measured ({why}) | | | "
                             f"{e.get('pandas_median_ms', 0):.0f} | {e.get('pandas_p95_ms', 0):.0f} | | — | — |")
                continue
            fresh = e.get("fresh_median_ms")
            lines.append(f"| {page} | {e['median_ms']:.1f} | {e['p95_ms']:.1f} | "
                         f"{'–' if fresh is None else f'{fresh:.1f}'} | {e['pandas_median_ms']:.0f} | "
                         f"{e['pandas_p95_ms']:.0f} | {e['ratio']:.1f}× | "
                         f"{verdict(e['median_ms'] < TARGETS['query_median_ms'])} | "
                         f"{verdict(e['ratio'] >= TARGETS['query_ratio'])} |")
        lines += ["", "Where our time goes (median ms of each `pipelines.metrics` call):", ""]
        for page, e in q["pages"].items():
            calls = "; ".join(f"`{call}` {ms:.0f} ms" for call, ms in e.get("calls_median_ms", {}).items())
            models = ", ".join(f"`{m}` {ms:.0f}" for m, ms in list(e.get("models_ms", {}).items())[:4])
            if calls:
                lines.append(f"- **{page}**: {calls}" + (f" — heaviest SQL models (ms, one run): {models}" if models else ""))
        lines.append("")
    mem = results.get("memory")
    if "memory" in kept:
        lines += [kept["memory"]]
    if mem:
        lines += ["## Memory", "", measured(mem), "", "| process | peak RSS MB | target < 2048 MB |", "|---|---:|---|"]
        ingest_rss = (ing or {}).get("ingest_rss_mb") or mem.get("ingest_rss_mb")
        if ingest_rss is not None:
            lines.append(f"| ingest of the {results.get('ingest_scale')} workbooks (measured with the ingest "
                         f"throughput) | {ingest_rss:.0f} | {verdict(ingest_rss < TARGETS['rss_mb'])} |")
        if mem.get("app_rss_mb") is not None:
            lines.append(f"| Streamlit server, every page opened ({', '.join(mem['pages'])}) | {mem['app_rss_mb']:.0f} | "
                         f"{verdict(mem['app_rss_mb'] < TARGETS['rss_mb'])} |")
        if mem.get("note"):
            lines.append(f"\n{mem['note']}")
        lines.append("")
    inc = results.get("incremental")
    if "incremental" in kept:
        lines += [kept["incremental"]]
    if inc:
        lines += ["## Incremental load", "", measured(inc), ""]
        if "seconds" in inc:
            lines += [f"`{inc['file']}` ({inc['branch']}) into the {results.get('big_scale')} database: "
                      f"**{inc['seconds']:.2f} s** end to end, status `{inc['status']}` (target < 2 s: "
                      f"{verdict(inc['seconds'] < TARGETS['incremental_s'])}); peak RSS {inc['rss_mb']:.0f} MB."
                      + (f" Undoing it took {inc['undo_seconds']:.2f} s." if inc.get("undo_seconds") else "")
                      + (f" Errors: {inc['errors']}" if inc.get("errors") else ""), ""]
        else:
            lines += [f"{inc.get('note')}", ""]
    browser = results.get("browser")
    if "browser" in kept:
        lines += [kept["browser"]]
    if browser:
        lines += browser_report(browser, q or q_figures)
    sp = results.get("spark")
    if "spark" in kept:
        lines += [kept["spark"]]
    if sp:
        lines += spark_report(sp, results.get("big_scale"))
    for note in results.get("notes", []):
        lines.append(note)
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks and write the report."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset of " + ", ".join(BENCHMARKS))
    parser.add_argument("--tiny", action="store_true", help="a tiny committee for every benchmark (checks the script)")
    parser.add_argument("--work", default=None, help="folder for the databases and workbooks (default data/bench)")
    parser.add_argument("--report", default=None, help="where to write the Markdown (default BENCHMARKS.md; "
                                                       "with --tiny: <work>/BENCHMARKS-tiny.md)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=None, help="runs per page query (default 20, tiny 3)")
    parser.add_argument("--baseline-every", type=int, default=None,
                        help="the ingest baseline reads every n-th workbook (default 2, tiny 1)")
    parser.add_argument("--branches", type=int, default=None,
                        help="ingest the workbooks of this many branches (default 100 of large; tiny: all)")
    parser.add_argument("--rounds", type=int, default=None, help="browser: rounds of every page (default 5, tiny 1)")
    parser.add_argument("--browser-scales", default=None,
                        help="browser: comma-separated scales (default demo,large,province; tiny: tiny)")
    parser.add_argument("--report-only", action="store_true",
                        help="write the report from the saved results of earlier runs, measuring nothing")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = CHILDREN[args.child](**json.loads(sys.stdin.read()))
        print(json.dumps({**result, "rss_mb": own_peak_rss_mb()}, default=str))
        return 0
    only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = set(only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    if args.report_only:
        only = []
    work = Path(args.work) if args.work else ROOT / "data" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    ingest_scale, big_scale = ("tiny", "tiny") if args.tiny else ("large", "province")
    repeat = args.repeat or (3 if args.tiny else 20)
    args.baseline_every = args.baseline_every or (1 if args.tiny else 2)
    args.branches = args.branches or (None if args.tiny else 100)
    command = "python3 tasks.py bench" + (" " + " ".join(sys.argv[1:]) if len(sys.argv) > 1 else "")
    saved = work / "bench-results.json"
    results: dict[str, Any] = {"ingest_scale": ingest_scale, "big_scale": big_scale, "notes": [],
                               "load_at_start": ", ".join(f"{x:.1f}" for x in os.getloadavg())}
    if "ingest" in only:
        ensure_committee(work, ingest_scale, args.seed, args.branches)
    if {"queries", "memory", "incremental", "spark"} & set(only):
        big = ensure_committee(work, big_scale, args.seed)
    if "ingest" in only:
        results["ingest"] = bench_ingest(work, ingest_scale, args.baseline_every, args.branches)
    if "queries" in only:
        results["queries"] = bench_queries(big, repeat)
    if "memory" in only:
        mem: dict[str, Any] = {"ingest_rss_mb": results.get("ingest", {}).get("ingest_rss_mb")}
        if shutil.which("chromium") or Path(os.environ.get("PARTYDAY_CHROMIUM", "/usr/bin/chromium")).exists():
            log("memory: Streamlit server with every page opened in headless Chromium")
            mem.update(bench_app_memory(big, settle_s=0.5 if args.tiny else 2.0))
        else:
            mem["note"] = "chromium is not installed: the app's memory was not measured"
        results["memory"] = mem
    if "incremental" in only:
        results["incremental"] = bench_incremental(big, big_scale, args.seed, work)
    if "browser" in only:
        scales = (args.browser_scales.split(",") if args.browser_scales
                  else (["tiny"] if args.tiny else list(BROWSER_SCALES)))
        results["browser"] = bench_browser_scales(work, scales, args.seed, args.rounds or (1 if args.tiny else 5))
    if "spark" in only:
        results["spark"] = bench_spark(big, work, 1 if args.tiny else 3)
    for section in only:
        if section in results:
            results[section]["measured_at"] = f"{dt.datetime.now():%Y-%m-%d %H:%M}"
            results[section]["command"] = command
    if set(only) != set(BENCHMARKS) and saved.exists():
        # A subset run keeps the other sections of the last runs (each says when it was measured), and
        # a browser run of some scales the other scales (each scale says when it was measured).
        previous = json.loads(saved.read_text(encoding="utf-8"))
        if previous.get("big_scale") == big_scale:
            for section in BENCHMARKS:
                if section not in only and section in previous:
                    results[section] = previous[section]
            before = previous.get("browser", {})
            if "browser" in only and before.get("rounds") == results["browser"]["rounds"]:
                scales = {**before.get("scales", {}), **results["browser"]["scales"]}
                order = [s for s in BROWSER_SCALES if s in scales] + [s for s in scales if s not in BROWSER_SCALES]
                results["browser"]["scales"] = {s: scales[s] for s in order}
    target = Path(args.report) if args.report else (work / "BENCHMARKS-tiny.md" if args.tiny else ROOT / "BENCHMARKS.md")
    old = report_sections(target.read_text(encoding="utf-8")) if target.exists() else {}
    text = report(results, args, command, old)
    kept = ""
    if target.exists() and NOTES_MARKER in target.read_text(encoding="utf-8"):
        kept = target.read_text(encoding="utf-8").split(NOTES_MARKER, 1)[1]
    text = text + "\n" + NOTES_MARKER + (kept or "\n")
    target.write_text(text, encoding="utf-8")
    saved.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    print(text)
    log(f"report written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
