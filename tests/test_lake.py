"""The Parquet lake: partitioned as documented, checksummed, equal to the database table by table when read
back by DuckDB and polars, incremental (a second export writes only what changed), refusals that change
nothing; and the models the Spark engine runs transpile to Spark SQL (no Java needed here)."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from conftest import run_cli

from pipelines import db, lake, metrics
from pipelines.errors import PartydayError
from pipelines.i18n import t
from pipelines.ingest import undo_upload, uploads
from pipelines.spark_engine import dialect_files, spark_type, to_spark


def db_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with db.reading(path) as con:
        return con.execute(f'select * from "{table}" order by all').fetchall()


def lake_rows(out: Path, table: str) -> list[tuple[Any, ...]]:
    """The rows of ``table`` as DuckDB reads them from the files the manifest lists (Hive partitions)."""
    manifest = lake.read_manifest(out)
    assert manifest is not None
    entry = manifest["tables"][table]
    files = [str(f) for f in lake.files(out, table)]
    if not files:
        return []
    keep = ", ".join(f'"{name}"' for name, _ in entry["columns"])
    con = duckdb.connect()
    return con.execute(f"select {keep} from read_parquet($files, hive_partitioning = true) order by all",
                       {"files": files}).fetchall()


@pytest.fixture(scope="module")
def exported(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lake") / "lake"
    proc = run_cli("export-lake", "--out", out, "--json", db=demo_db, check=True)
    summary = json.loads(proc.stdout)
    assert summary["written"] > 0 and summary["kept"] == 0
    return out


def test_every_core_and_out_table_is_in_the_lake_and_equal_to_the_database(demo_db: Path, exported: Path) -> None:
    manifest = lake.verify(exported)
    with db.reading(demo_db) as con:
        expected = lake.lake_tables(con)
        assert manifest["schema_version"] == db.schema_version(con)
    assert sorted(manifest["tables"]) == sorted(expected)
    assert {"attendance", "evaluation_votes", "out_activity_judged", "out_held_months", "branches"} <= set(expected)
    assert "users" not in manifest["tables"] and "sessions" not in manifest["tables"]
    for table in expected:
        want = db_rows(demo_db, table)
        assert lake_rows(exported, table) == want, table
        assert manifest["tables"][table]["rows"] == len(want), table


def test_the_lake_is_partitioned_by_committee_and_year(demo_db: Path, exported: Path) -> None:
    manifest = lake.read_manifest(exported)
    assert manifest is not None
    attendance = manifest["tables"]["attendance"]
    assert attendance["partition_by"] == ["committee_id", "year"]
    with db.reading(demo_db) as con:
        years = Counter({int(y): int(n) for y, n in con.execute(
            "select year(a.activity_month), count(*) from attendance t join activities a using (activity_id) "
            "group by 1").fetchall()})
    assert {k: v["rows"] for k, v in attendance["partitions"].items()} == {
        f"committee_id=1/year={y}": n for y, n in years.items()}
    for part in attendance["partitions"].values():
        assert re.fullmatch(r"attendance/committee_id=1/year=\d{4}/part-\d{8}T\d{6}Z-[0-9a-f]{8}\.parquet", part["file"])
        names = duckdb.connect().execute("select name from parquet_schema($f)",
                                         {"f": str(exported / part["file"])}).fetchall()
        assert ("year",) not in names and ("committee_id",) not in names  # in the path, not the file
    assert manifest["tables"]["branches"]["partition_by"] == ["committee_id"]
    assert manifest["tables"]["out_activity_judged"]["partition_by"] == ["committee_id", "year"]
    assert manifest["committees"]["1"]["judged_rules"]


def test_polars_reads_the_lake_with_its_partitions(demo_db: Path, exported: Path) -> None:
    frame = pl.read_parquet(exported / "out_activity_judged" / "**" / "*.parquet", hive_partitioning=True)
    with db.reading(demo_db) as con:
        per_year = dict(con.execute("select year, count(*) from out_activity_judged group by 1").fetchall())
    got = frame.group_by("year").len()
    assert {int(y): n for y, n in got.iter_rows()} == per_year
    assert frame["committee_id"].unique().to_list() == [1]


def test_a_second_export_writes_only_what_an_undo_changed(copy_demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "lake"
    first = lake.export_lake(copy_demo_db, out)
    again = lake.export_lake(copy_demo_db, out)
    assert again["written"] == 0 and again["removed"] == 0 and again["kept"] == first["written"]
    before = lake.read_manifest(out)
    assert before is not None
    latest = next(u for u in uploads(copy_demo_db) if u["status"] == "loaded" and u["kind"] == "signin")
    undo_upload(copy_demo_db, latest["upload_id"])
    changed = lake.export_lake(copy_demo_db, out)
    assert 0 < changed["written"] < first["written"] / 2
    after = lake.read_manifest(out)
    assert after is not None
    rewritten = {(name, key) for name, table in after["tables"].items() for key, part in table["partitions"].items()
                 if before["tables"][name]["partitions"].get(key, {}).get("file") != part["file"]}
    assert ("attendance", "committee_id=1/year=2026") in rewritten or \
        ("attendance", "committee_id=1/year=2025") in rewritten
    assert all(name != "members" for name, _ in rewritten)  # an undo of a sign-in leaves the roster alone
    for name in ("attendance", "uploads", "out_activity_branch", "out_activity_judged", "memberships"):
        assert lake_rows(out, name) == db_rows(copy_demo_db, name), name
    listed = {out / p["file"] for table in after["tables"].values() for p in table["partitions"].values()}
    assert set(out.rglob("*.parquet")) == listed  # the replaced files are gone, no temporary file left


def test_a_folder_that_is_not_a_lake_is_refused_and_left_alone(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "other"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(PartydayError) as caught:
        lake.export_lake(demo_db, out)
    assert caught.value.message("en") == t("lake.not_a_lake", "en", path=str(out))
    assert caught.value.message("en") == (f"The folder {out} is not empty and is not a Party Day Dashboard lake "
                                          "(no manifest.json); nothing was exported so that its files are not "
                                          "overwritten. Choose a new folder.")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    proc = run_cli("--lang", "zh", "export-lake", "--out", out, db=demo_db)
    assert proc.returncode == 1 and "不是党日看板的数据湖" in proc.stderr


def test_a_damaged_lake_file_is_found(exported: Path, tmp_path: Path) -> None:
    copy = tmp_path / "lake"
    shutil.copytree(exported, copy)
    manifest = lake.read_manifest(copy)
    assert manifest is not None
    part = next(iter(manifest["tables"]["attendance"]["partitions"].values()))
    with (copy / part["file"]).open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(PartydayError, match="attendance"):
        lake.verify(copy)


def test_spark_needs_a_lake_and_says_so(demo_db: Path) -> None:
    proc = run_cli("--lang", "en", "--engine", "spark", "events", "--year", "2026", db=demo_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "--engine spark needs --lake: the folder written by export-lake."


FIGURE_MODELS = [("events", ("judged_activity_branch", *metrics.FIGURES), metrics.KEPT),
                 ("events", (*metrics.JUDGEMENT, *metrics.FIGURES), None),
                 ("compliance", ("judged_activity_branch", *metrics.MONTHS), metrics.KEPT),
                 ("compliance", (*metrics.JUDGEMENT, *metrics.MONTHS), None),
                 ("ranking", ("judged_activity_branch", *metrics.HELD), metrics.KEPT),
                 ("ranking", (*metrics.JUDGEMENT, *metrics.HELD), None),
                 ("strikes", ("judged_activity_branch", *metrics.FIGURES), metrics.KEPT),
                 ("strikes", (*metrics.JUDGEMENT, *metrics.FIGURES), None)]


@pytest.mark.parametrize(("model", "upstream", "sources"), FIGURE_MODELS)
def test_the_figure_models_transpile_to_spark_sql(model: str, upstream: tuple[str, ...],
                                                  sources: dict[str, str] | None) -> None:
    text, params, tables = to_spark(metrics.composed_sql(model, upstream, sources))
    assert "$" not in text
    names = re.findall(r"(?:WITH|,)\s+(\w+) AS \(", text)
    assert len(names) == len(set(names)), names  # Spark refuses a CTE name twice
    assert "LENGTH(:" not in text and "LIST_" not in text.upper().replace("ARRAY_", "")
    assert set(tables) <= {"out_activity_judged", "out_held_months", "out_activity_branch", "branches", "zones"}
    assert params and all(re.fullmatch(r"[a-z_]+", p) for p in params)
    if model == "strikes":
        assert text.rstrip().endswith("activity_id NULLS LAST")  # the model's order, on the outermost select


def test_no_model_needs_a_spark_file_of_its_own_today() -> None:
    assert dialect_files() == []  # README "Scale" lists them; keep both in step


def test_lake_column_types_map_to_spark() -> None:
    assert spark_type("VARCHAR[]") == "array<string>"
    assert spark_type("DECIMAL(18,3)") == "decimal(18,3)"
    assert spark_type("TIMESTAMP") == "timestamp_ntz"


def test_the_figures_command_gives_the_single_commands_lists(demo_db: Path) -> None:
    year, today = "2026", "2026-11-23"
    both = json.loads(run_cli("figures", "--year", year, "--today", today, "--json", db=demo_db, check=True).stdout)
    assert list(both) == ["events", "compliance", "ranking", "strikes"]
    for name in both:
        args = [name, "--year", year, "--json"] + (["--today", today] if name != "strikes" else [])
        assert both[name] == json.loads(run_cli(*args, db=demo_db, check=True).stdout), name
