"""Participation (参与率) and quorum failures (未达标): the engine's figures, as the command line gives them."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil

import polars as pl
import pytest
from conftest import TODAY
from pages_support import app, cli_json, frames, metric_value

YEAR = TODAY.year


@pytest.fixture(scope="module")
def db(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("pages-participation") / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(scope="module")
def events(db):
    return cli_json(db, "events", "--year", str(YEAR))


def test_participation_heatmap_and_table(db, events) -> None:
    at = app(db, page="participation", lang="en")
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Participation"]
    assert len(at.get("plotly_chart")) >= 2  # heatmap and zone trend
    table = frames(at)[0]
    if len(events) > 50:  # a pager and its caption only when the table is longer than a page
        assert f"of {len(events)}" in " ".join(c.value for c in at.caption)
    assert len(table) == min(len(events), 50)
    first = table.iloc[0]
    match = [e for e in events if e["branch"] == first["Branch"] and e["month"] == first["Month"]
             and e["topic"] == first["Topic"]]
    assert match and match[0]["present"] == first["Present"] and match[0]["expected"] == first["Expected"]


def test_filters_narrow_the_page(db, events) -> None:
    quarter = (TODAY.month - 1) // 3 + 1 if TODAY.month <= 3 else 2  # a quarter the demo's year has begun
    at = app(db, page="participation", lang="en", params={"quarter": f"Q{quarter}"})
    assert not at.exception
    months = [str(m) for m in range(3 * quarter - 2, 3 * quarter + 1)]
    shown = [e for e in events if str(int(e["month"][5:7])) in months]
    assert len(frames(at)[0]) == len(shown) <= 50
    assert at.sidebar.selectbox(key="quarter").value == quarter
    assert at.sidebar.selectbox(key="month").options == ["All", *months]


def test_quorum_failures_with_shortfall_and_absences(db, events) -> None:
    failed = [e for e in events if e["quorum_met"] is False]
    at = app(db, page="quorum", lang="zh")
    assert not at.exception and not at.error
    assert metric_value(at, "未达标活动") == str(len(failed))
    table = frames(at)[0]
    assert len(table) == min(len(failed), 50)
    for _, row in table.iterrows():
        cli = next(e for e in failed if e["branch"] == row["支部"] and e["month"] == row["月份"])
        assert (row["应到"], row["实到"], row["请假"], row["缺席"]) == (
            cli["expected"], cli["present"], cli["excused"], cli["unexcused"])
        assert row["差额（人）"] == math.ceil(0.8 * cli["expected"] - 1e-9) - cli["present"]
    # the members with a warning, as the rules engine gives them (none, early in a year, is possible)
    from pipelines import db as dbm
    from pipelines import metrics
    from pipelines.config import load_rules

    with dbm.reading(db) as con:
        rules = load_rules(con)
        expected = {(b, name) for b in {e["branch"] for e in events}
                    for name in metrics.members(con, rules, b, YEAR).filter(pl.col("warning"))["name"].to_list()}
    if expected:
        warned = frames(at)[1]
        assert set(warned.columns) >= {"支部", "姓名", "缺席", "预警"}
        shown = set(zip(warned["支部"], warned["姓名"], strict=True))  # a page of at most 50 rows
        assert shown <= expected and len(shown) == min(len(expected), 50)
    else:
        assert "所选范围内没有需要预警的党员。" in [s.value for s in at.success]
    assert at.get("plotly_chart")


def test_a_zone_leader_sees_only_their_zone(db) -> None:
    at = app(db, user="zone1", page="participation", lang="zh")
    assert not at.exception
    assert at.sidebar.selectbox(key="zone").options == ["全部", "第一协作区"]
    assert set(frames(at)[0]["协作区"]) == {"第一协作区"}


def month_cells(at, figure: int = 0, trace: int = 1) -> dict[str, dict[str, str]]:
    """The texts of a branch × month chart on the page: {month label: {branch: text}}."""
    spec = json.loads(at.get("plotly_chart")[figure].proto.spec)
    heat = spec["data"][trace]
    return {month: {b: line[j] for b, line in zip(heat["y"], heat["text"], strict=True)}
            for j, month in enumerate(heat["x"])}


def test_the_month_in_progress_is_not_missed_on_the_pages(db, events, monkeypatch) -> None:
    # The demo runs up to the suite's day. On the last day of that month the branches that have not held
    # it yet are in progress (本月进行中), not missed; the next day that month is over (未开展) and the new
    # one is in progress for every branch; across a year's end the year shown is complete.
    last = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    label, next_label = f"{TODAY.month}月", f"{following.month}月"
    held = {e["branch"] for e in events if e["month"] == f"{TODAY.year}-{TODAY.month:02d}"}

    monkeypatch.setenv("PARTYDAY_TODAY", last.isoformat())
    at = app(db, page="participation", lang="zh", params={"year": TODAY.year})
    assert not at.exception
    cells = month_cells(at)
    branches = set(cells[label])
    assert len(branches) == 15 and list(cells)[-1] == label  # no month after today's
    assert {b for b, c in cells[label].items() if c == "本月进行中"} == branches - held
    assert all(cells[label][b].endswith("%") for b in held)
    assert all(c != "本月进行中" for m, column in cells.items() if m != label for c in column.values())
    at = app(db, page="compliance", lang="zh", params={"year": TODAY.year})
    assert not at.exception
    calendar = month_cells(at, trace=0)
    assert {b for b, c in calendar[label].items() if c == "本月进行中"} == branches - held
    assert "未开展" not in calendar[label].values()
    at = app(db, lang="zh", params={"year": TODAY.year})  # the overview: this month is in progress, not missed
    assert metric_value(at, "缺月") == "本月进行中"

    monkeypatch.setenv("PARTYDAY_TODAY", following.isoformat())
    at = app(db, page="participation", lang="zh", params={"year": TODAY.year})
    assert not at.exception
    cells = month_cells(at)
    assert {b for b, c in cells[label].items() if c == "未开展"} == branches - held
    if following.year == TODAY.year:
        assert set(cells[next_label].values()) == {"本月进行中"}
    else:
        assert list(cells)[-1] == "12月"
        assert all(c != "本月进行中" for column in cells.values() for c in column.values())
