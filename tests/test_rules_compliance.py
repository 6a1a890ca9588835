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
    # the complete months, then this month, in progress (shown, not counted)
    assert this_year["month"].to_list() == [f"2026-{m:02d}" for m in range(1, 12)]
    assert this_year["status"].to_list() == ["ended"] * 10 + ["in_progress"]
    november = one(this_year, month="2026-11")
    assert (november["held"], november["missed"], november["compliant"]) == (True, False, True)
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


def month_rows(frame: pl.DataFrame, branch: str) -> dict[str, tuple[object, ...]]:
    return {r["month"]: (r["status"], r["held"], r["missed"]) for r in frame.iter_rows(named=True)
            if r["branch"] == branch}


@pytest.mark.parametrize(("today", "in_progress", "ended"), [
    (date(2025, 11, 30), "2025-11", 10),  # the last day of November: November is still in progress
    (date(2025, 12, 1), "2025-12", 11),   # the next day November is over, and missed where not held
    (date(2025, 12, 31), "2025-12", 11),  # New Year's Eve: December still in progress
    (date(2026, 1, 1), None, 12),         # New Year's Day: the whole year is over
])
def test_a_month_in_progress_is_not_a_missed_month(committee: Committee, today: date, in_progress: str | None,
                                                   ended: int) -> None:
    committee.branch("乙支部", "一区")
    committee.activity("甲支部", "2025-11-10")  # 甲 held November; 乙 held nothing; December: no one yet
    committee.refresh()
    calendar = metrics.compliance(committee.con, rules(), 2025, today=today)
    shown = ended + (1 if in_progress else 0)
    assert calendar.group_by("branch").len().sort("branch").rows() == [("乙支部", shown), ("甲支部", shown)]
    months = month_rows(calendar, "乙支部")
    assert [m for m, (status, _, _) in months.items() if status == "ended"] == [f"2025-{m:02d}" for m in
                                                                               range(1, ended + 1)]
    if in_progress:
        assert months[in_progress] == ("in_progress", False, False)  # not held yet, not missed
        assert one(calendar, branch="乙支部", month=in_progress)["compliant"] is None  # not judged yet
    assert month_rows(calendar, "甲支部")["2025-11"][:2] == ("in_progress" if in_progress == "2025-11" else "ended",
                                                           True)
    if ended >= 11:
        assert months["2025-11"] == ("ended", False, True)
    # the missed months (the overview's alerts) are the ended months not held, never the month in progress
    missed = metrics.compliance(committee.con, rules(), 2025, today=today, only_missed=True)
    assert missed.to_dicts() == calendar.filter(pl.col("missed")).to_dicts()
    assert missed.filter(pl.col("branch") == "乙支部")["month"].to_list() == [f"2025-{m:02d}" for m in
                                                                             range(1, ended + 1)]
    assert set(missed["status"].to_list()) == {"ended"}
    # the overview counts the ended months only, and says which month is in progress
    year, *by_month = metrics.overview_months(committee.con, rules(), 2025, today=today, with_year=True).to_dicts()
    held_by_then = 1 if ended >= 11 else 0
    assert (year["status"], year["branch_months"], year["held_months"], year["missed_months"]) == (
        "in_progress" if in_progress else "ended", 2 * ended, held_by_then, 2 * ended - held_by_then)
    status = {r["month"]: r["status"] for r in by_month}
    assert [m for m, s in status.items() if s == "in_progress"] == ([in_progress] if in_progress else [])
    assert [m for m, s in status.items() if s == "to_come"] == (["2025-12"] if in_progress == "2025-11" else [])
    assert next(r for r in by_month if r["month"] == "2025-11")["missed_months"] == (1 if ended >= 11 else 0)
    # the ranking judges compliance on the ended months
    assert {r["months"] for r in metrics.ranking(committee.con, rules(), 2025, today=today).to_dicts()} == {ended}
    # the events of the month in progress say so (the command line's month_status)
    [event] = metrics.with_month_status(metrics.events(committee.con, rules(), 2025), today).to_dicts()
    assert event["month_status"] == ("in_progress" if in_progress == "2025-11" else "ended")


def test_month_status_at_the_boundaries() -> None:
    assert metrics.month_status(date(2026, 11, 1), date(2026, 11, 30)) == "in_progress"
    assert metrics.month_status(date(2026, 11, 1), date(2026, 12, 1)) == "ended"
    assert metrics.month_status(date(2026, 12, 1), date(2026, 11, 30)) == "to_come"
    assert metrics.month_status(date(2026, 12, 1), date(2026, 12, 31)) == "in_progress"
    assert metrics.month_status(date(2026, 12, 1), date(2027, 1, 1)) == "ended"
    assert metrics.month_status(date(2027, 1, 1), date(2026, 12, 31)) == "to_come"
    assert metrics.in_progress_month(2026, date(2026, 12, 31)) == date(2026, 12, 1)
    assert metrics.in_progress_month(2026, date(2027, 1, 1)) is None
    assert metrics.in_progress_month(2027, date(2027, 1, 1)) == date(2027, 1, 1)
