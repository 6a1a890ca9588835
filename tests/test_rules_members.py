"""Members within their branch: attendance per member, warnings (unexcused in a row / per year), leading
cadres at their own branch and at the branches they guide; zones per quarter with leader and deputy."""

from __future__ import annotations

from datetime import date

import pytest
from builders import Committee, memory_database, rules
from test_rules_attendance import one

from pipelines import metrics
from pipelines.errors import PartydayError


@pytest.fixture
def committee() -> Committee:
    c = Committee(memory_database())
    c.branch("甲支部", "一区")
    c.branch("乙支部", "一区")
    c.branch("丙支部", "二区")
    c.members("甲支部", 4, "甲")
    c.members("乙支部", 4, "乙")
    c.members("丙支部", 4, "丙")
    c.member("王书记", "甲支部", cadre=True)
    c.guidance("王书记", "乙支部")
    c.guidance("王书记", "丙支部")
    # 甲1: unexcused Jan, Feb (two in a row); 甲2: unexcused Jan, Mar, May (three, never in a row)
    c.activity("甲支部", "2025-01-10", unexcused=("甲1", "甲2"))
    c.activity("甲支部", "2025-02-10", unexcused=("甲1",), excused=("甲2",))
    c.activity("甲支部", "2025-03-10", unexcused=("甲2",))
    c.activity("甲支部", "2025-04-10", present=None)  # no sign-in: neither breaks nor extends a run
    c.activity("甲支部", "2025-05-10", unexcused=("甲2",), excused=("甲3",))
    c.activity("乙支部", "2025-03-12", extra_attendance={"王书记": "present"})
    c.activity("丙支部", "2025-03-14")
    return c


def test_member_record_and_warnings(committee: Committee) -> None:
    committee.refresh()
    m = metrics.members(committee.con, rules(), "甲支部", 2025)
    first = one(m, name="甲1")
    assert (first["expected"], first["present"], first["excused"], first["unexcused"]) == (4, 2, 0, 2)
    assert first["max_unexcused_run"] == 2 and first["warning_in_a_row"] is True and first["warning"] is True
    second = one(m, name="甲2")
    assert (second["present"], second["excused"], second["unexcused"]) == (0, 1, 3)
    assert second["max_unexcused_run"] == 2  # Mar and May: the April activity had no sign-in
    assert second["warning_per_year"] is True and second["warning"] is True
    third = one(m, name="甲3")
    assert (third["excused"], third["warning"]) == (1, False)
    assert m["name"].to_list()[:2] == ["甲2", "甲1"]  # warnings first, most unexcused first


def test_warnings_follow_the_configuration(committee: Committee) -> None:
    committee.refresh()
    m = metrics.members(committee.con, rules(warnings__unexcused_in_a_row=3, warnings__unexcused_per_year=4),
                        "甲支部", 2025)
    assert not m["warning"].any()


def test_leading_cadre_attendance_at_own_and_guided_branches(committee: Committee) -> None:
    committee.refresh()
    cadre = one(metrics.members(committee.con, rules(), "甲支部", 2025), name="王书记")
    assert cadre["is_leading_cadre"] is True
    assert (cadre["expected"], cadre["present"]) == (4, 4)  # own branch, as an ordinary member
    assert (cadre["guided_branches"], cadre["guided_activities"], cadre["guided_present"]) == (2, 2, 1)
    # at the guided branch he is listed, not counted
    ev = metrics.events(committee.con, rules(), 2025, branch="乙支部")
    assert (one(ev, branch="乙支部")["expected"], one(ev, branch="乙支部")["others"]) == (4, 1)


def test_unknown_branch_is_refused_with_a_message(committee: Committee) -> None:
    with pytest.raises(PartydayError) as exc:
        metrics.members(committee.con, rules(), "戊支部", 2025)
    assert exc.value.message("zh") == "没有名为“戊支部”的支部。请检查支部名称（例如：丙支部、乙支部、甲支部）。"
    assert exc.value.message("en") == ('There is no branch called "戊支部". Check the branch name '
                                       "(for example: 丙支部、乙支部、甲支部).")


def test_zones_per_quarter_with_leader_and_deputy(committee: Committee) -> None:
    committee.zone_roles("一区", 2025, 1, leader="甲支部", deputy="乙支部")
    committee.zone_roles("一区", 2025, 2, leader="乙支部", deputy="甲支部")
    committee.refresh()
    z = metrics.zone_quarters(committee.con, 2025, rules(), today=date(2026, 1, 1))
    assert z.height == 8  # two zones, four quarters each
    q1 = one(z, zone="一区", quarter=1)
    assert (q1["leader"], q1["deputy"], q1["branches"], q1["activities"]) == ("甲支部", "乙支部", 2, 4)
    # 甲: Jan 0.5, Feb 0.75, Mar 0.75 (王书记 counts at 甲), 乙: Mar 1.0
    assert q1["participation"] == pytest.approx((3 / 5 + 3 / 5 + 4 / 5 + 4 / 4) / 4)
    assert one(z, zone="一区", quarter=2)["leader"] == "乙支部"
    assert one(z, zone="二区", quarter=3)["leader"] is None


def test_overview(committee: Committee) -> None:
    committee.refresh()
    o = metrics.overview(committee.con, rules(), 2025, today=date(2026, 1, 1)).to_dicts()[0]
    assert (o["branches"], o["members"], o["activities"]) == (3, 13, 7)
    assert o["branch_months"] == 36 and o["held_months"] == 7
    march = metrics.overview(committee.con, rules(), 2025, month=3, today=date(2026, 1, 1)).to_dicts()[0]
    assert (march["activities"], march["held_months"], march["missed_months"]) == (3, 3, 0)


def test_overview_months_match_the_monthly_overview(committee: Committee) -> None:
    committee.refresh()
    today = date(2025, 6, 15)
    months = metrics.overview_months(committee.con, rules(), 2025, today=today)
    assert months["month"].to_list() == [f"2025-{m:02d}" for m in range(1, 13)]
    for m in (1, 3, 4, 5, 6, 12):
        single = metrics.overview(committee.con, rules(), 2025, month=m, today=today).to_dicts()
        assert single == [months.row(m - 1, named=True)]
    may = months.row(4, named=True)
    assert (may["activities"], may["branch_months"], may["held_months"]) == (1, 3, 1)
    assert months.row(5, named=True)["branch_months"] == 0  # June is not complete on 15 June
