"""Compliance per branch and month: held, and exactly the codes quorum notice duration report_late
no_record no_evaluation, with the boundaries of DOMAIN.md."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from builders import Committee, memory_database, rules
from test_rules_attendance import one

from pipelines import metrics

TODAY = date(2026, 11, 23)


@pytest.fixture
def committee() -> Committee:
    c = Committee(memory_database())
    c.branch("甲支部", "一区")
    c.members("甲支部", 5, "甲")
    return c


def violations(c: Committee, topic: str, **overrides: object) -> list[str]:
    c.refresh()
    return list(one(metrics.events(c.con, rules(**overrides), 2025), topic=topic)["violations"])


def test_notice_exactly_5_days_before_is_on_time_4_is_late(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", topic="5天", record={"notice_date": "2025-03-05"})
    committee.activity("甲支部", "2025-04-10", topic="4天", record={"notice_date": "2025-04-06"})
    assert violations(committee, "5天") == []
    assert violations(committee, "4天") == ["notice"]
    assert violations(committee, "5天", schedule__notice_min_days=6) == ["notice"]


def test_record_exactly_2_days_after_is_on_time_3_is_late(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", topic="2天", record={"report_date": "2025-03-12"})
    committee.activity("甲支部", "2025-04-10", topic="3天", record={"report_date": "2025-04-13"})
    assert violations(committee, "2天") == []
    assert violations(committee, "3天") == ["report_late"]
    assert violations(committee, "3天", schedule__report_max_days=3) == []


def test_exactly_3_hours_is_half_a_day(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", topic="3小时", record={"duration_hours": 3.0})
    committee.activity("甲支部", "2025-04-10", topic="2.9小时", record={"duration_hours": 2.9})
    committee.activity("甲支部", "2025-05-10", topic="时间段", record={"duration_hours": None,
                                                                    "start_time": "14:30", "end_time": "17:30"})
    assert violations(committee, "3小时") == []
    assert violations(committee, "2.9小时") == ["duration"]
    assert violations(committee, "时间段") == []
    assert violations(committee, "3小时", schedule__half_day_hours=3.5) == ["duration"]


def test_missing_record_and_evaluation_and_codes_sorted(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", topic="都缺", has_record=False, votes={},
                       unexcused=("甲1", "甲2"))
    assert violations(committee, "都缺") == ["no_evaluation", "no_record", "quorum"]


def test_months_are_counted_to_the_last_complete_month(committee: Committee) -> None:
    committee.activity("甲支部", "2026-01-10", topic="一月", record={"notice_date": "2026-01-08"})
    committee.activity("甲支部", "2026-11-05", topic="本月")
    committee.refresh()
    this_year = metrics.compliance(committee.con, rules(), 2026, today=TODAY)
    assert this_year["month"].to_list() == [f"2026-{m:02d}" for m in range(1, 11)]
    january = one(this_year, month="2026-01")
    assert january["held"] is True and january["violations"] == ["notice"] and january["compliant"] is False
    february = one(this_year, month="2026-02")
    assert february["held"] is False and february["violations"] == [] and february["compliant"] is False
    past = metrics.compliance(committee.con, rules(), 2025, today=TODAY)
    assert past.height == 12 and not past["held"].any()
    assert metrics.compliance(committee.con, rules(), 2027, today=TODAY).height == 0
    assert metrics.counted_months(2026, date(2026, 1, 15)) == []
    assert metrics.counted_months(2026, TODAY, quarter=4) == [date(2026, 10, 1)]


def test_every_branch_appears_every_month(committee: Committee) -> None:
    committee.branch("乙支部", "一区")
    committee.activity("甲支部", "2025-03-10")
    committee.refresh()
    frame = metrics.compliance(committee.con, rules(), 2025, today=TODAY)
    assert frame.group_by("branch").len().sort("branch").rows() == [("乙支部", 12), ("甲支部", 12)]
    assert frame.filter(pl.col("held"))["month"].to_list() == ["2025-03"]


def test_only_missed_months_are_the_calendar_months_not_held(committee: Committee) -> None:
    committee.branch("乙支部", "一区")
    committee.activity("甲支部", "2025-03-10")
    committee.activity("乙支部", "2025-03-12")
    committee.activity("乙支部", "2025-07-02")
    committee.refresh()
    calendar = metrics.compliance(committee.con, rules(), 2025, today=TODAY)
    missed = metrics.compliance(committee.con, rules(), 2025, today=TODAY, only_missed=True)
    assert missed.height == 24 - 3
    assert missed.to_dicts() == calendar.filter(pl.col("held").not_()).to_dicts()
    assert metrics.compliance(committee.con, rules(), 2025, branch="乙支部", today=TODAY, only_missed=True)[
        "month"].to_list() == [f"2025-{m:02d}" for m in range(1, 13) if m not in (3, 7)]
