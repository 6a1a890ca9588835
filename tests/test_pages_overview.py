"""The overview (总览): real figures on the demo committee, equal to the command line's; empty database."""

from __future__ import annotations

import pytest
from conftest import TODAY
from pages_support import app, cli_json, metric_value, texts

YEAR = TODAY.year


@pytest.fixture(scope="module")
def db(demo_db, tmp_path_factory):
    import shutil

    path = tmp_path_factory.mktemp("pages-overview") / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def test_overview_shows_the_committee_in_both_languages(db) -> None:
    events = cli_json(db, "events", "--year", str(YEAR))
    branches = {e["branch"] for e in events}
    zones = {e["zone"] for e in events}
    at = app(db, lang="zh")
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"]
    # the year-to-date column is the second set of metrics
    year_metrics = [m for m in at.metric if m.label == "支部"]
    assert [m.value for m in year_metrics] == ["15", "15"] and len(branches) == 15
    assert len(zones) == 4
    assert at.sidebar.selectbox(key="zone").options == ["全部", "第一协作区", "第二协作区", "第三协作区", "第四协作区"]
    failures = sum(1 for e in events if e["quorum_met"] is False)
    assert [m.value for m in at.metric if m.label == "到会未达标"][1] == str(failures)
    activities = len({e["activity_id"] for e in events})
    assert [m.value for m in at.metric if m.label == "开展活动"][1] == str(activities)
    assert "预警" in texts(at) and at.get("plotly_chart")

    en = app(db, lang="en")
    assert not en.exception
    assert [t.value for t in en.title] == ["Overview"]
    assert metric_value(en, "Branches") == "15"
    assert "15 branches in 4 collaboration zones." in texts(en)


def test_alerts_lead_to_the_activity_detail(db) -> None:
    at = app(db, lang="en")
    links = [p for p in at.get("page_link") if "participation" in p.proto.label and "under" in p.proto.label]
    assert links, "a quorum alert is listed"
    assert links[0].proto.page.endswith("activity") or "activity" in links[0].proto.page


def test_empty_database_says_what_to_upload(tmp_path) -> None:
    from pipelines import auth
    from pipelines import db as pdb

    path = tmp_path / "empty.duckdb"
    pdb.ensure_schema(path)
    with pdb.writing(path) as con:
        auth.create_demo_accounts(con)
    at = app(path, lang="en")
    assert not at.exception
    assert [t.value for t in at.title] == ["Overview"]
    message = [i.value for i in at.info][0]
    assert message.startswith("There are no branches or members in the database yet. Upload, in this order:")
    for page in ("participation", "quorum", "satisfaction", "compliance", "rankings", "members", "activity", "rules"):
        other = app(path, lang="en", page=page)
        assert not other.exception, page
        assert not other.error, (page, [e.value for e in other.error])


def test_a_failing_page_shows_a_friendly_message_not_a_trace(demo_db, tmp_path, monkeypatch) -> None:
    import shutil

    from pipelines import metrics

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail that must not reach the page")

    monkeypatch.setattr(metrics, "events", broken)
    at = app(path, lang="en")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Something went wrong and this page could not be shown. Reload the page to try again; if it happens "
        "again, tell the committee's administrator which page and filters you used."]
    assert "internal detail" not in texts(at)


def test_a_change_made_by_the_command_line_is_seen_at_once(demo_db, tmp_path) -> None:
    import shutil

    from conftest import run_cli

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    before = app(path, lang="en")
    failures = [m.value for m in before.metric if m.label == "Quorum failures"][1]
    run_cli("rules", "set", "attendance.quorum_threshold=0.5", db=path, check=True)
    after = app(path, lang="en")
    assert int([m.value for m in after.metric if m.label == "Quorum failures"][1]) < int(failures)
