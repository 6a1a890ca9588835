"""Members (党员) and the activity detail (活动详情): member detail only for those allowed to see it."""

from __future__ import annotations

import shutil

import pytest
from conftest import TODAY
from pages_support import app, cli_json, frames, texts

YEAR = TODAY.year


@pytest.fixture(scope="module")
def db(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("pages-members") / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def _first_branch(db) -> str:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select name from branches order by branch_id limit 1").fetchone()[0]
    finally:
        con.close()


def test_secretary_sees_their_members_by_name(db) -> None:
    branch = _first_branch(db)
    cli = cli_json(db, "members", "--branch", branch, "--year", str(YEAR))
    at = app(db, user="branch1", page="members", lang="zh")
    assert not at.exception and not at.error
    table = frames(at)[0]
    assert list(table["姓名"]) == sorted(table["姓名"])  # by name: never a ranking of members
    assert len(table) == len(cli)
    by_name = {m["name"]: m for m in cli}
    for _, row in table.iterrows():
        m = by_name[row["姓名"]]
        assert (row["实到"], row["请假"], row["缺席"]) == (m["present"], m["excused"], m["unexcused"])
    assert at.get("plotly_chart")


def test_viewer_has_no_members_page(db) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app(db, user="viewer", page="members", lang="en")


def test_activity_detail_matches_the_command_line(db) -> None:
    events = cli_json(db, "events", "--year", str(YEAR))
    event = next(e for e in events if e["quorum_met"] is False)
    at = app(db, page="activity", lang="en", params={"activity": event["activity_id"]})
    assert not at.exception and not at.error
    assert event["topic"] in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Expected"] == str(event["expected"]) and metrics["Present"] == str(event["present"])
    assert "Rule broken: quorum not met." in texts(at)
    sign_in = frames(at)[-1]
    members = sign_in[sign_in["Attendee"] == "member"]
    assert (members["Status"] == "present").sum() == event["present"]
    assert (members["Status"] == "unexcused").sum() == event["unexcused"]


def test_viewer_sees_the_activity_without_the_sign_in_list(db) -> None:
    events = cli_json(db, "events", "--year", str(YEAR))
    at = app(db, user="viewer", page="activity", lang="en", params={"activity": events[0]["activity_id"]})
    assert not at.exception
    assert "The sign-in list is visible to the branch's secretary and the committee only." in texts(at)
    assert all("Name" not in f.columns for f in frames(at))
