"""One SQL, two engines: the demo committee exported to the Parquet lake, its figures of a year computed by
Apache Spark (local mode) and by DuckDB, equal row by row.

Equal means: the same rows in the same order with the same columns, every count, id, name, date, flag,
list, score and rank identical; a rate (a float) within 1e-12 of DuckDB's. The means of the ranking are
summed exactly as decimals in both engines, but DuckDB turns the decimal mean into a double by another
route than Spark does, and the two can differ in the last binary place (1 part in 10^16).

Spark needs Java 17 or newer: ``python3 tasks.py test`` installs Debian's openjdk-17-jre-headless when it
runs as root and finds no ``java``; where it cannot, these tests skip and print why.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY

from pipelines import cli, db, lake
from pipelines.commands.figures import FIGURE_KEYS, rows, year_figures
from pipelines.config import load_rules

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _skip(reason: str) -> None:
    print(f"\nSKIPPED the Spark equality tests: {reason}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole test session (its start takes seconds)."""
    from pipelines.errors import PartydayError
    from pipelines.spark_engine import session

    try:
        spark = session("local[2]", shuffle_partitions=4)
    except PartydayError as exc:
        _skip(exc.message("en"))
    except Exception as exc:  # a JVM that would not start
        _skip(f"Spark did not start: {exc}")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def demo_lake(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark") / "lake"
    lake.export_lake(demo_db, out)
    return out


def assert_equal(duck: list[dict[str, Any]], spark: list[dict[str, Any]], what: str) -> None:
    assert len(spark) == len(duck), f"{what}: {len(spark)} rows on Spark, {len(duck)} on DuckDB"
    assert duck, f"{what}: no rows to compare"
    for n, (d, s) in enumerate(zip(duck, spark, strict=True)):
        assert list(s) == list(d), f"{what} row {n}: columns differ"
        for key, want in d.items():
            got = s[key]
            if isinstance(want, dict):
                assert_equal([want], [got], f"{what} row {n} {key}")
            elif isinstance(want, float) and isinstance(got, float):
                assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), f"{what} row {n} {key}: {got} != {want}"
            else:
                assert got == want, f"{what} row {n} {key}: {got!r} on Spark, {want!r} on DuckDB"


def figures_both(demo_db: Path, demo_lake: Path, spark: Any, year: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from pipelines.spark_engine import SparkLake

    with db.reading(demo_db) as con:
        duck = year_figures(con, load_rules(con), year, TODAY)
    engine = SparkLake(spark, demo_lake)
    on_spark = year_figures(engine, engine.rules(), year, TODAY)
    return ({k: rows(f, FIGURE_KEYS[k]) for k, f in duck.items()},
            {k: rows(f, FIGURE_KEYS[k]) for k, f in on_spark.items()})


@pytest.mark.parametrize("year", [TODAY.year, TODAY.year - 1])
def test_spark_gives_duckdbs_figures_row_by_row(demo_db: Path, demo_lake: Path, spark: Any, year: int) -> None:
    duck, on_spark = figures_both(demo_db, demo_lake, spark, year)
    for name in ("events", "compliance", "ranking", "strikes"):
        assert_equal(duck[name], on_spark[name], f"{name} {year}")
    assert any(r["low_satisfaction"] for r in duck["events"])  # the comparison covers strikes and violations
    assert any(r["violations"] for r in duck["compliance"])
    assert len({r["rank"] for r in duck["ranking"]}) > 3


def test_under_other_rules_both_engines_judge_the_counts_alike(demo_db: Path, demo_lake: Path, spark: Any,
                                                               tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[attendance]\nquorum_threshold = 0.9\n[evaluation]\nsatisfaction_threshold = 0.95\n",
                     encoding="utf-8")
    monkeypatch.setenv("PARTYDAY_RULES", str(rules))  # not the rules the kept judgement was made under
    duck, on_spark = figures_both(demo_db, demo_lake, spark, TODAY.year)
    for name in ("events", "compliance", "ranking", "strikes"):
        assert_equal(duck[name], on_spark[name], f"{name} under other rules")
    monkeypatch.delenv("PARTYDAY_RULES")
    kept, _ = figures_both(demo_db, demo_lake, spark, TODAY.year)
    assert len(duck["strikes"]) > len(kept["strikes"])  # the stricter rules did change the figures


def test_the_command_line_on_spark_prints_duckdbs_json(demo_db: Path, demo_lake: Path, spark: Any,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    args = ["figures", "--year", str(TODAY.year), "--today", TODAY.isoformat(), "--json"]
    assert cli.main(["--db", str(demo_db), *args]) == 0
    duck = json.loads(capsys.readouterr().out)
    assert cli.main(["--engine", "spark", "--lake", str(demo_lake), *args]) == 0
    on_spark = json.loads(capsys.readouterr().out)
    assert list(on_spark) == ["events", "compliance", "ranking", "strikes"]
    for name in on_spark:
        assert_equal(duck[name], on_spark[name], f"cli {name}")
    assert cli.main(["--engine", "spark", "--lake", str(demo_lake), "events", "--year", str(TODAY.year),
                     "--branch", on_spark["events"][0]["branch"], "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one and {r["branch"] for r in one} == {on_spark["events"][0]["branch"]}


def test_members_are_not_computed_on_spark(demo_lake: Path, spark: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--lang", "en", "--engine", "spark", "--lake", str(demo_lake), "members", "--year", "2026",
                     "--branch", "x"])
    assert code == 1
    assert capsys.readouterr().err.strip() == ("The Spark engine computes the committee-wide events, compliance, "
                                               "ranking, strikes and figures only; for members use the default "
                                               "duckdb engine.")


def test_the_lake_month_is_a_date_on_both(demo_lake: Path, spark: Any) -> None:
    from pipelines.spark_engine import SparkLake

    frame = SparkLake(spark, demo_lake).run("select min(activity_month) as m from out_activity_judged", {})
    assert isinstance(frame["m"][0], date)
