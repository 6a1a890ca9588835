"""Expected, present, excused, unexcused, participation and quorum per activity and branch, counted by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from builders import Committee, memory_database, rules

from pipelines import metrics


def one(frame: pl.DataFrame, **match: Any) -> dict[str, Any]:
    """The single row of ``frame`` whose columns equal ``match``."""
    rows = frame.filter(*[pl.col(k) == v for k, v in match.items()]).to_dicts()
    assert len(rows) == 1, f"{len(rows)} rows match {match}"
    return rows[0]


@pytest.fixture
def committee() -> Committee:
    c = Committee(memory_database())
    c.branch("甲支部", "一区")
    c.branch("乙支部", "一区")
    c.members("甲支部", 5, "甲")
    c.members("乙支部", 4, "乙")
    return c


def test_exactly_80_percent_meets_the_quorum_and_60_does_not(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", topic="八成", unexcused=("甲5",))
    committee.activity("甲支部", "2025-04-10", topic="六成", excused=("甲4",), unexcused=("甲5",))
    committee.refresh()
    ev = metrics.events(committee.con, rules(), 2025)
    eighty = one(ev, topic="八成")
    assert (eighty["expected"], eighty["present"], eighty["excused"], eighty["unexcused"]) == (5, 4, 0, 1)
    assert eighty["participation"] == 0.8 and eighty["quorum_met"] is True
    assert eighty["violations"] == []
    sixty = one(ev, topic="六成")
    assert (sixty["present"], sixty["excused"], sixty["unexcused"]) == (3, 1, 1)
    assert sixty["quorum_met"] is False and sixty["violations"] == ["quorum"]


def test_quorum_follows_the_configuration(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", topic="八成", unexcused=("甲5",))
    committee.activity("甲支部", "2025-04-10", topic="六成", excused=("甲4",), unexcused=("甲5",))
    committee.refresh()
    strict = metrics.events(committee.con, rules(attendance__quorum_inclusive=False), 2025)
    assert one(strict, topic="八成")["quorum_met"] is False
    low = metrics.events(committee.con, rules(attendance__quorum_threshold=0.6), 2025)
    assert one(low, topic="六成")["quorum_met"] is True


def test_quorum_compares_exactly_where_floating_point_would_not() -> None:
    # 0.14 * 100 is 14.000000000000002 in floating point: 14 of 100 must still meet a 14% quorum.
    c = Committee(memory_database())
    c.branch("大支部")
    c.members("大支部", 100, "员")
    c.activity("大支部", "2025-03-10", present=[f"员{i}" for i in range(1, 15)])
    c.refresh()
    row = one(metrics.events(c.con, rules(attendance__quorum_threshold=0.14), 2025), branch="大支部")
    assert (row["expected"], row["present"], row["unexcused"]) == (100, 14, 86)
    assert row["quorum_met"] is True


def test_roster_member_missing_from_the_sign_in_is_unexcused(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", present=["甲1", "甲2", "甲3"], excused=("甲4",))
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert (row["expected"], row["present"], row["excused"], row["unexcused"]) == (5, 3, 1, 1)


def test_without_a_sign_in_attendance_is_unknown_not_a_failure(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-10", present=None)
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert row["expected"] == 5 and row["has_sign_in"] is False
    assert row["present"] is None and row["participation"] is None and row["quorum_met"] is None
    assert "quorum" not in row["violations"]


def test_member_joined_mid_month_counts_from_the_day_they_joined(committee: Committee) -> None:
    committee.member("新人", "甲支部", start="2025-03-15")
    committee.activity("甲支部", "2025-03-10", topic="入党前")
    committee.activity("甲支部", "2025-03-20", topic="入党后")
    committee.refresh()
    ev = metrics.events(committee.con, rules(), 2025)
    assert one(ev, topic="入党前")["expected"] == 5
    after = one(ev, topic="入党后")
    assert after["expected"] == 6 and after["present"] == 6


def test_month_only_activity_uses_the_roster_of_the_last_day_of_the_month(committee: Committee) -> None:
    committee.member("新人", "甲支部", start="2025-03-31")
    committee.member("离开", "甲支部", start="2020-01-01", end="2025-03-30")
    committee.activity("甲支部", month="2025-03", present=["甲1", "甲2", "甲3", "甲4", "甲5"])
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert row["date"] is None and row["month"] == "2025-03"
    # on 31 March: five members + 新人 (joined that day); 离开 left on the 30th
    assert (row["expected"], row["present"], row["unexcused"]) == (6, 5, 1)
    assert row["violations"] == []  # no date: notice and report rules cannot be judged


def test_transfer_between_branches_counts_for_each_branch_on_its_own_dates(committee: Committee) -> None:
    committee.member("调动", "甲支部", start="2020-01-01")
    committee.transfer("调动", "乙支部", on="2025-04-01")
    committee.activity("甲支部", "2025-03-20", topic="甲三月")
    committee.activity("甲支部", "2025-04-20", topic="甲四月", extra_attendance={"调动": "present"})
    committee.activity("乙支部", "2025-04-25", topic="乙四月")
    committee.refresh()
    ev = metrics.events(committee.con, rules(), 2025)
    assert one(ev, topic="甲三月")["expected"] == 6
    april = one(ev, topic="甲四月")
    # 调动 came to his old branch after the transfer: listed as another member, never counted
    assert (april["expected"], april["present"], april["others"]) == (5, 5, 1)
    assert one(ev, topic="乙四月")["expected"] == 5
    m = metrics.members(committee.con, rules(), "乙支部", 2025)
    assert one(m, name="调动")["expected"] == 1


def test_exempt_member_is_out_of_the_denominator_and_shown(committee: Committee) -> None:
    committee.exempt("甲5", "2025-01-01", "2025-06-30", reason="出国")
    committee.activity("甲支部", "2025-03-10", topic="豁免期内", present=["甲1", "甲2", "甲3", "甲4", "甲5"])
    committee.activity("甲支部", "2025-07-10", topic="豁免期后", present=["甲1", "甲2", "甲3", "甲4"])
    committee.refresh()
    ev = metrics.events(committee.con, rules(), 2025)
    during = one(ev, topic="豁免期内")
    assert (during["roster"], during["exempt"], during["expected"], during["present"]) == (5, 1, 4, 4)
    assert during["participation"] == 1.0
    after = one(ev, topic="豁免期后")
    assert (after["exempt"], after["expected"], after["present"], after["unexcused"]) == (0, 5, 4, 1)
    detail = metrics.activity_detail(committee.con, during["activity_id"])
    assert one(detail, name="甲5")["status"] == "exempt" and one(detail, name="甲5")["counted"] is False


def test_two_activities_in_one_month_are_both_counted(committee: Committee) -> None:
    committee.activity("甲支部", "2025-03-05", topic="第一次")
    committee.activity("甲支部", "2025-03-25", topic="第二次", unexcused=("甲1", "甲2"))
    committee.refresh()
    ev = metrics.events(committee.con, rules(), 2025)
    assert ev.filter(pl.col("month") == "2025-03").height == 2
    assert one(ev, topic="第二次")["quorum_met"] is False
    compliance = metrics.compliance(committee.con, rules(), 2025, today=date(2026, 1, 1))
    march = one(compliance, branch="甲支部", month="2025-03")
    assert march["held"] is True and march["activities"] == 2 and march["violations"] == ["quorum"]


def test_joint_activity_counts_each_branch_against_its_own_roster(committee: Committee) -> None:
    committee.activity("甲支部", "2025-05-10", joint=("乙支部",), unexcused=("乙4",), guests=3)
    committee.refresh()
    ev = metrics.events(committee.con, rules(), 2025)
    assert ev.height == 2
    host = one(ev, branch="甲支部")
    guest = one(ev, branch="乙支部")
    assert (host["expected"], host["present"], host["participation"]) == (5, 5, 1.0)
    assert (guest["expected"], guest["present"], guest["unexcused"], guest["participation"]) == (4, 3, 1, 0.75)
    assert guest["quorum_met"] is False and host["quorum_met"] is True
    # non-members are shown apart and never counted
    assert host["guests"] == 3 and host["present"] == 5
    assert guest["host_branch"] == "甲支部" and guest["level"] == "zone"


def test_superseded_rows_are_not_counted(committee: Committee) -> None:
    aid = committee.activity("甲支部", "2025-03-10", unexcused=("甲1", "甲2", "甲3"))
    committee.con.execute("update attendance set superseded_by = 999 where activity_id = ?", [aid])
    for name in ("甲1", "甲2", "甲3", "甲4", "甲5"):
        committee.con.execute("insert into attendance (activity_id, member_id, branch_id, status) values (?, ?, ?, 'present')",
                              [aid, committee.member_ids[name], committee.branch_ids["甲支部"]])
    committee.refresh()
    row = one(metrics.events(committee.con, rules(), 2025), branch="甲支部")
    assert (row["expected"], row["present"], row["unexcused"]) == (5, 5, 0)


def test_activity_detail_lists_everyone_and_refuses_an_unknown_id(committee: Committee) -> None:
    committee.member("外支部党员", "乙支部")
    aid = committee.activity("甲支部", "2025-03-10", excused=("甲2",), unexcused=("甲3",), guests=2,
                             extra_attendance={"外支部党员": "present"})
    committee.refresh()
    detail = metrics.activity_detail(committee.con, aid)
    assert detail.group_by("kind").len().sort("kind").rows() == [("guest", 2), ("member", 5), ("other_member", 1)]
    assert one(detail, name="甲2")["status"] == "excused" and one(detail, name="甲3")["counted"] is True
    assert one(detail, name="外支部党员")["counted"] is False
    from pipelines.errors import PartydayError

    with pytest.raises(PartydayError) as exc:
        metrics.activity_detail(committee.con, 999999)
    assert exc.value.message("en") == "There is no activity with id 999999."


@pytest.mark.parametrize("kept", [True, False], ids=["kept judgement", "judged on read"])
def test_a_joint_activity_counts_once_per_zone_and_once_for_the_committee(
        committee: Committee, kept: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    committee.branch("丙支部", "二区")
    committee.members("丙支部", 3, "丙")
    committee.activity("甲支部", "2025-05-10", joint=("乙支部", "丙支部"))  # 一区 twice, 二区 once
    committee.activity("甲支部", "2025-05-20")
    committee.activity("丙支部", "2025-08-03")
    committee.refresh()
    if not kept:
        monkeypatch.setattr(metrics, "judged_under", lambda con: None)
    today = date(2026, 1, 15)
    year = metrics.overview(committee.con, rules(), 2025, today=today).row(0, named=True)
    may = metrics.overview(committee.con, rules(), 2025, month=5, today=today).row(0, named=True)
    assert (year["activities"], year["branch_activities"]) == (3, 5)
    assert (may["activities"], may["branch_activities"]) == (2, 4)
    zones = metrics.zone_quarters(committee.con, 2025, rules(), today=today)
    per_zone = {(r["zone"], r["quarter"]): r["activities"] for r in zones.iter_rows(named=True) if r["activities"]}
    assert per_zone == {("一区", 2): 2, ("二区", 2): 1, ("二区", 3): 1}
