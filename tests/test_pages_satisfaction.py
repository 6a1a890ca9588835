"""Satisfaction (满意度), compliance (合规) and rankings (协作区排名) against the command line."""

from __future__ import annotations

import shutil

import pytest
from conftest import TODAY
from pages_support import app, cli_json, frames, metric_value, texts

YEAR = TODAY.year


@pytest.fixture(scope="module")
def db(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("pages-satisfaction") / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def test_three_strikes_and_low_activities(db) -> None:
    ranking = cli_json(db, "ranking", "--year", str(YEAR))
    strikes = cli_json(db, "strikes", "--year", str(YEAR))
    at = app(db, page="satisfaction", lang="zh")
    assert not at.exception and not at.error
    ineligible = sorted(r["branch"] for r in ranking if not r["eligible"])
    assert metric_value(at, "取消评先资格的支部") == str(len(ineligible))
    table = frames(at)[0]
    assert sorted(table[table["标记"] == "取消评先资格"]["支部"]) == ineligible
    assert len(frames(at)[1]) == len(strikes)
    assert len(at.get("plotly_chart")) >= 2


def test_compliance_calendar(db) -> None:
    calendar = cli_json(db, "compliance", "--year", str(YEAR))
    at = app(db, page="compliance", lang="en")
    assert not at.exception and not at.error
    due = [c for c in calendar if c["status"] == "ended"]  # the month in progress is listed, not yet due
    assert len(due) < len(calendar) and {c["status"] for c in calendar} == {"ended", "in_progress"}
    assert metric_value(at, "Branch-months due") == str(len(due))
    assert metric_value(at, "Held") == str(sum(1 for c in due if c["held"]))
    assert metric_value(at, "Missed") == str(sum(1 for c in calendar if c["missed"]))
    assert at.get("plotly_chart")


def test_rankings_match_the_command_line(db) -> None:
    ranking = cli_json(db, "ranking", "--year", str(YEAR))
    at = app(db, page="rankings", lang="en")
    assert not at.exception and not at.error
    assert "participation × 0.4" in texts(at)
    shown = {}
    for table in frames(at)[1:5]:
        for _, row in table.iterrows():
            shown[row["Branch"]] = (row["Score"], row["Rank"], row["Rank in zone"])
    assert len(shown) == 15
    for r in ranking:
        score, rank, zone_rank = shown[r["branch"]]
        assert score == r["score"]
        ties = sum(1 for o in ranking if o["rank"] == r["rank"])
        assert rank == ("–" if r["rank"] is None else f"{r['rank']} (tie)" if ties > 1 else str(r["rank"]))
    zones = frames(at)[0]
    assert set(zones["Leader unit"]) and set(zones["Deputy unit"])


def test_a_province_sees_the_items_pooled_per_zone(db, monkeypatch) -> None:
    """Beyond a readable heatmap of branches the page pools the items per zone, never listing every
    activity's five rows; each zone's votes count a joint activity once."""
    import polars as pl

    from pipelines import db as dbm
    from pipelines import metrics
    from pipelines.config import load_rules
    from pipelines.ui import charts

    monkeypatch.setattr(charts, "MAX_HEATMAP_ROWS", 3)  # the demo's 15 branches play a province
    at = app(db, page="satisfaction", lang="en")
    assert not at.exception and not at.error
    table = frames(at)[-1]
    assert list(table.columns[:2]) == ["Zone", "Item"]
    with dbm.reading(db) as con:
        items = metrics.satisfaction_items(con, load_rules(con), YEAR)
    expected = (items.unique(["activity_id", "zone", "item"]).group_by("zone").agg(pl.col("votes").sum())
                .sort("zone").rows())
    shown = table.groupby("Zone")["Votes"].sum().sort_index()
    assert list(shown.items()) == expected
