"""The kept judgement (out_activity_judged): pages read what the last refresh judged, and it is always
what judging the counts now under the same rules gives; other rules are judged on read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines import db, metrics
from pipelines.config import build_rules, load_rules
from tests.conftest import run_cli

TODAY = date(2026, 11, 23)

FIGURES: dict[str, Callable[[duckdb.DuckDBPyConnection, Any, int], pl.DataFrame]] = {
    "events": lambda con, rules, year: metrics.events(con, rules, year),
    "compliance": lambda con, rules, year: metrics.compliance(con, rules, year, today=TODAY),
    "ranking": lambda con, rules, year: metrics.ranking(con, rules, year, today=TODAY),
    "strikes": lambda con, rules, year: metrics.strikes(con, rules, year),
    "zone_quarters": lambda con, rules, year: metrics.zone_quarters(con, year, rules, today=TODAY),
    "overview_months": lambda con, rules, year: metrics.overview_months(con, rules, year, today=TODAY),
    "satisfaction_items": lambda con, rules, year: metrics.satisfaction_items(con, rules, year),
    "missed_months": lambda con, rules, year: metrics.compliance(con, rules, year, today=TODAY, only_missed=True),
    "event_counts": lambda con, rules, year: metrics.event_counts(con, rules, year),
    "item_totals": lambda con, rules, year: metrics.item_totals(con, rules, year, per="zone"),
    "flagged_events": lambda con, rules, year: metrics.events(con, rules, year, only="flagged", columns=("activity_id", "violations")),
}


def judged_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every figure judge the counts on read, as if nothing had been kept (until ``monkeypatch.undo``)."""
    monkeypatch.setattr(metrics, "judged_under", lambda con: None)


def kept_path_is_taken(con: duckdb.DuckDBPyConnection, rules: Any) -> bool:
    return metrics.judged_under(con) == metrics.rules_fingerprint(rules)


@pytest.mark.parametrize("figure", sorted(FIGURES))
def test_kept_judgement_equals_judging_now(demo_db: Path, figure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with db.reading(demo_db) as con:
        rules = load_rules(con)
        assert kept_path_is_taken(con, rules), "the demo build leaves the judgement kept"
        years = [r[0] for r in con.execute("select distinct year from out_activity_judged order by 1").fetchall()]
        assert years
        kept = {y: FIGURES[figure](con, rules, y) for y in years}
        judged_now(monkeypatch)
        for year in years:
            now = FIGURES[figure](con, rules, year)
            assert now.height > 0 or figure in ("strikes", "missed_months")
            assert_frame_equal(kept[year], now)


def test_a_rule_change_judges_everything_again(copy_demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with db.reading(copy_demo_db) as con:
        before = metrics.events(con, load_rules(con), 2025)
    run_cli("rules", "set", "attendance.quorum_threshold=0.95", "evaluation.satisfaction_threshold=0.99",
            db=copy_demo_db, check=True)
    with db.reading(copy_demo_db) as con:
        rules = load_rules(con)
        assert rules.get("attendance.quorum_threshold") == 0.95
        assert kept_path_is_taken(con, rules)
        after = metrics.events(con, rules, 2025)
        judged_now(monkeypatch)
        assert_frame_equal(after, metrics.events(con, rules, 2025))
        monkeypatch.undo()
    # a stricter quorum fails more activities, a stricter satisfaction threshold strikes more
    assert after["quorum_met"].sum() < before["quorum_met"].sum()
    assert after["low_satisfaction"].sum() > before["low_satisfaction"].sum()
    run_cli("rules", "reset", db=copy_demo_db, check=True)
    with db.reading(copy_demo_db) as con:
        rules = load_rules(con)
        assert kept_path_is_taken(con, rules)
        assert_frame_equal(metrics.events(con, rules, 2025), before)


def test_other_rules_are_judged_on_read(demo_db: Path) -> None:
    """A snapshot's stored rules, or PARTYDAY_RULES in another process: never the kept judgement."""
    with db.reading(demo_db) as con:
        in_force = load_rules(con)
        other = build_rules({"attendance.quorum_threshold": 0.5})
        assert not kept_path_is_taken(con, other)
        lenient = metrics.events(con, other, 2025)
        strict = metrics.events(con, in_force, 2025)
    judged = lenient.filter(pl.col("participation").is_not_null())
    assert judged["quorum_met"].to_list() == (judged["participation"] >= 0.5).to_list()
    assert lenient["quorum_met"].sum() > strict["quorum_met"].sum()


def test_a_database_before_the_kept_judgement_is_judged_on_read_until_its_next_refresh(tmp_path: Path) -> None:
    from pipelines.demo import build
    from pipelines.refresh import refresh

    path = tmp_path / "old.duckdb"
    build(path, scale="tiny", via="direct")
    with db.writing(path) as con:  # as an upgraded database finds it: the table empty, no fingerprint
        con.execute("delete from out_activity_judged")
        con.execute("delete from out_judged_rules")
    with db.reading(path) as con:
        rules = load_rules(con)
        assert metrics.judged_under(con) is None
        year = con.execute("select max(year) from out_activity_branch").fetchone()[0]  # type: ignore[index]
        on_read = metrics.events(con, rules, year)
    assert on_read.height > 0
    with db.writing(path) as con:
        refresh(con, {year})  # any refresh judges everything when nothing was kept
    with db.reading(path) as con:
        assert kept_path_is_taken(con, rules)
        assert_frame_equal(metrics.events(con, rules, year), on_read)


def test_a_scoped_refresh_keeps_what_judging_everything_gives(copy_demo_db: Path) -> None:
    """After a load touching one branch, the kept judgement and held months are exactly what judging
    every activity again gives."""
    import json

    from pipelines.refresh import refresh, rejudge

    def kept(con: duckdb.DuckDBPyConnection) -> tuple[list[Any], list[Any]]:
        return (con.execute("select * from out_activity_judged order by all").fetchall(),
                con.execute("select * from out_held_months order by all").fetchall())

    with db.writing(copy_demo_db) as con:
        aid, bid, year = con.execute(
            "select r.activity_id, a.host_branch_id, year(a.activity_month) from activity_records as r "
            "join activities as a using (activity_id) where r.superseded_by is null order by 1 desc limit 1").fetchone()
        held_before = con.execute("select compliant from out_held_months where branch_id = ? and activity_month = "
                                  "(select activity_month from activities where activity_id = ?)", [bid, aid]).fetchone()
        # the branch's record of that activity withdrawn, as a load of that branch would
        con.execute("delete from activity_records where activity_id = ?", [aid])
        con.execute("insert into uploads (upload_id, file_name, sha256, status, summary) values "
                    "(999999, 'x.xlsx', 'x', 'loaded', ?)", [json.dumps({"branch_ids": [bid]})])
        refresh(con, {year})
        after_refresh = kept(con)
        held_after = con.execute("select compliant from out_held_months where branch_id = ? and activity_month = "
                                 "(select activity_month from activities where activity_id = ?)", [bid, aid]).fetchone()
        rejudge(con)
        assert after_refresh == kept(con)
    assert held_before is not None and held_after == (False,)  # no record: the month is no longer compliant
