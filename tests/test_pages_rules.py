"""The Rules page: the configuration in force; the committee changes it, bad values are refused by key."""

from __future__ import annotations

import duckdb
import pytest
from pages_support import app, texts

from pipelines.config import load_rules


@pytest.fixture
def db(copy_demo_db):
    return copy_demo_db


def _stored(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return load_rules(con).flat()
    finally:
        con.close()


def test_shows_every_setting_in_force(db) -> None:
    at = app(db, page="rules")
    assert not at.exception
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["类别", "含义", "配置项", "现行值", "默认值", "来源"]
    row = frame[frame["配置项"] == "attendance.quorum_threshold"].iloc[0]
    assert row["现行值"] == "0.8" and row["来源"] == "默认"
    assert len(frame) == len(_stored(db))


def test_committee_changes_a_rule_and_it_is_audited(db) -> None:
    at = app(db, page="rules", lang="en")
    at.number_input(key="rules_in_attendance.quorum_threshold").set_value(0.75)
    next(b for b in at.button if b.label == "Save rules").click()
    at.run()
    assert not at.exception
    assert "Rules saved" in texts(at)
    assert _stored(db)["attendance.quorum_threshold"] == 0.75
    con = duckdb.connect(str(db), read_only=True)
    actor, action = con.execute("select actor, action from audit_log order by audit_id desc limit 1").fetchone()
    con.close()
    assert (actor, action) == ("dangwei", "rules.set")
    frame = at.dataframe[0].value
    row = frame[frame["Setting"] == "attendance.quorum_threshold"].iloc[0]
    assert row["In force"] == "0.75" and row["Source"] == "set by the committee"


def test_bad_value_is_refused_with_the_key_named(db) -> None:
    at = app(db, page="rules", lang="en")
    at.number_input(key="rules_in_attendance.quorum_threshold").set_value(1.5)
    next(b for b in at.button if b.label == "Save rules").click()
    at.run()
    assert [e.value for e in at.error] == [
        "Rule setting attendance.quorum_threshold = 1.5 is out of range: it must lie between 0.0 and 1.0."]
    assert _stored(db)["attendance.quorum_threshold"] == 0.8


def test_weights_that_do_not_add_up_are_refused(db) -> None:
    at = app(db, page="rules", lang="zh")
    at.text_area(key="rules_toml").set_value("[ranking]\nweight_participation = 0.9\n")
    next(b for b in at.button if b.label == "保存文本").click()
    at.run()
    assert [e.value for e in at.error] == [
        "规则配置 ranking.weight_participation、ranking.weight_satisfaction、ranking.weight_compliance "
        "之和应为 1，现为 1.5。"]


def test_only_the_committee_may_open_the_rules_page(db) -> None:
    for name in ("viewer", "zone1", "branch1"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app(db, user=name, page="rules", lang="en")
