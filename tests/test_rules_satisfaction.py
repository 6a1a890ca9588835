"""Satisfaction per activity and per item, and the three strikes, counted by hand."""

from __future__ import annotations

import polars as pl
import pytest
from builders import Committee, memory_database, rules
from test_rules_attendance import one

from pipelines import metrics


@pytest.fixture
def committee() -> Committee:
    c = Committee(memory_database())
    c.branch("甲支部", "一区")
    c.branch("乙支部", "一区")
    c.members("甲支部", 5, "甲")
    c.members("乙支部", 5, "乙")
    return c


def test_overall_item_is_used_when_present(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", votes={"overall": (5, 1, 4), "theme": (10, 0, 0)})
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert row["satisfaction"] == 0.6 and row["ballots"] == 10
    assert row["low_satisfaction"] is False  # exactly 60% is not below 60%


def test_items_are_pooled_without_an_overall_item(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", votes={"theme": (3, 1, 1), "content": (2, 0, 3),
                                                      "format": (4, 0, 1), "effect": (1, 1, 3)})
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    # (3+1 + 2 + 4 + 1+1) satisfied-or-basic of 20 item ratings = 12/20; five ballots
    assert row["satisfaction"] == 0.6 and row["ballots"] == 5
    items = metrics.satisfaction_items(committee.con, rules(), 2025)
    assert one(items, item="content")["satisfaction"] == 0.4
    assert one(items, item="theme")["votes"] == 5


def test_just_below_60_percent_is_a_strike(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", votes={"overall": (59, 0, 41)})
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert row["satisfaction"] == 0.59 and row["low_satisfaction"] is True


def test_counting_satisfied_only_and_pooling_follow_the_configuration(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", votes={"overall": (5, 3, 2), "theme": (1, 0, 9)})
    committee.refresh()
    assert one(metrics.events(committee.con, rules(), 2025), branch="甲支部")["satisfaction"] == 0.8
    only = rules(evaluation__satisfied_ratings=["satisfied"])
    assert one(metrics.events(committee.con, only, 2025), branch="甲支部")["satisfaction"] == 0.5
    pooled = rules(evaluation__primary_item="pooled")
    assert one(metrics.events(committee.con, pooled, 2025), branch="甲支部")["satisfaction"] == 0.1
    stricter = rules(evaluation__satisfaction_threshold=0.85)
    assert one(metrics.events(committee.con, stricter, 2025), branch="甲支部")["low_satisfaction"] is True


def test_per_ballot_rows_count_ballots(committee: Committee) -> None:
    aid = committee.activity("甲支部", "2025-03-10", votes={})
    for ballot, ratings in enumerate((("satisfied", "basic"), ("unsatisfied", "satisfied"), ("basic", "basic")), 1):
        for item, rating in zip(("theme", "content"), ratings, strict=True):
            committee.con.execute("insert into evaluation_votes (activity_id, item, rating, votes, ballot_no) "
                                  "values (?, ?, ?, 1, ?)", [aid, item, rating, ballot])
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert row["ballots"] == 3 and row["satisfaction"] == 5 / 6


def test_no_evaluation_has_no_satisfaction_and_is_a_violation(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", votes={})
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert row["satisfaction"] is None and row["low_satisfaction"] is False
    assert row["violations"] == ["no_evaluation"]


def test_three_strikes_make_a_branch_ineligible_and_list_the_activities(committee: Committee) -> None:
    for month, sat in (("01", 5), ("02", 4), ("03", 9), ("05", 3), ("06", 6)):
        committee.activity("甲支部", f"2025-{month}-10", topic=f"{month}月", votes={"overall": (sat, 0, 10 - sat)})
    committee.activity("甲支部", "2024-12-10", votes={"overall": (1, 0, 9)})  # another calendar year
    for month in ("01", "02"):
        committee.activity("乙支部", f"2025-{month}-10", votes={"overall": (5, 0, 5)})
    committee.refresh()
    s = metrics.strikes(committee.con, rules(), 2025)
    jia = s.filter(pl.col("branch") == "甲支部")
    assert sorted(jia["topic"].to_list()) == ["01月", "02月", "05月"]
    assert set(jia["strikes"]) == {3} and set(jia["eligible"]) == {False}
    yi = s.filter(pl.col("branch") == "乙支部")
    assert yi.height == 2 and set(yi["eligible"]) == {True}
    rank = metrics.ranking(committee.con, rules(), 2025, today=__import__("datetime").date(2026, 1, 1))
    assert one(rank, branch="甲支部")["eligible"] is False
    assert one(rank, branch="甲支部")["low_satisfaction_events"] == 3
    assert one(rank, branch="乙支部")["eligible"] is True
    # the limit is a setting
    assert set(metrics.strikes(committee.con, rules(evaluation__strikes_limit=4), 2025)["eligible"]) == {True}
    assert set(metrics.strikes(committee.con, rules(evaluation__strikes_limit=2), 2025)["eligible"]) == {False}
