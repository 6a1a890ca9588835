"""Properties that hold for any data: the counts add up, rates stay rates, a refresh is repeatable."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
from builders import Committee, memory_database, rules
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import metrics
from pipelines.refresh import refresh

STATUSES = st.sampled_from(["present", "excused", "unexcused", None, "twice"])

member_st = st.tuples(
    st.integers(0, 2),                                  # branch
    st.integers(-60, 400),                              # start, days from 2025-01-01
    st.one_of(st.none(), st.integers(0, 400)),          # length of membership in days, None = still
    st.one_of(st.none(), st.integers(0, 400)),          # exemption start
)
activity_st = st.tuples(
    st.integers(0, 2),                                  # host branch
    st.integers(0, 364),                                # day of 2025
    st.booleans(),                                      # month only
    st.booleans(),                                      # joint with the next branch
    st.lists(STATUSES, min_size=12, max_size=12),       # status per member index (None: no row)
    st.booleans(),                                      # sign-in at all
)


def build(members: list[tuple[int, int, int | None, int | None]],
          activities: list[tuple[int, int, bool, bool, list[str | None], bool]]) -> Committee:
    c = Committee(memory_database())
    base = date(2025, 1, 1)
    names = ["甲支部", "乙支部", "丙支部"]
    for b in names:
        c.branch(b, "一区")
    for i, (b, start, length, exempt) in enumerate(members):
        s = base + timedelta(days=start)
        c.member(f"m{i}", names[b], s, None if length is None else s + timedelta(days=length))
        if exempt is not None:
            c.exempt(f"m{i}", base + timedelta(days=exempt), base + timedelta(days=exempt + 30))
    for host, day, month_only, joint, statuses, signed in activities:
        d = base + timedelta(days=day)
        aid = c.activity(names[host], None if month_only else d, month=d.strftime("%Y-%m"),
                         joint=(names[(host + 1) % 3],) if joint else (), present=None, votes={})
        if not signed:
            continue
        for i, status in enumerate(statuses[: len(members)]):
            if status is None:
                continue
            for s in (["present", "unexcused"] if status == "twice" else [status]):
                c.con.execute("insert into attendance (activity_id, member_id, branch_id, status) values (?, ?, ?, ?)",
                              [aid, c.member_ids[f"m{i}"], c.branch_ids[names[host]], s])
    c.refresh()
    return c


@settings(max_examples=25, deadline=None)
@given(st.lists(member_st, min_size=1, max_size=12), st.lists(activity_st, min_size=1, max_size=6))
def test_counts_add_up_to_expected(members: list, activities: list) -> None:  # type: ignore[type-arg]
    c = build(members, activities)
    ev = metrics.events(c.con, rules(), 2025)
    for row in ev.to_dicts():
        assert row["expected"] == row["roster"] - row["exempt"] >= 0
        if row["has_sign_in"]:
            assert row["present"] + row["excused"] + row["unexcused"] == row["expected"]
            if row["expected"]:
                assert 0.0 <= row["participation"] <= 1.0
                assert row["quorum_met"] == (row["present"] * 5 >= row["expected"] * 4)
        else:
            assert row["present"] is None and row["quorum_met"] is None
    # every member's yearly record adds up too, and never exceeds the activities of the branch
    for branch in ("甲支部", "乙支部", "丙支部"):
        m = metrics.members(c.con, rules(), branch, 2025)
        assert (m["present"] + m["excused"] + m["unexcused"] == m["expected"]).all()
        held = ev.filter(pl.col("branch") == branch).height
        assert (m["expected"] + m["exempt"] <= held).all()


@settings(max_examples=10, deadline=None)
@given(st.lists(member_st, min_size=1, max_size=8), st.lists(activity_st, min_size=1, max_size=4))
def test_refresh_is_repeatable_and_per_year(members: list, activities: list) -> None:  # type: ignore[type-arg]
    c = build(members, activities)
    tables = ("out_activity_branch", "out_activity_item", "out_member_year")

    def snapshot() -> list[list[tuple[object, ...]]]:
        return [sorted(c.con.execute(f"select * from {t}").fetchall(), key=repr) for t in tables]

    once = snapshot()
    refresh(c.con, {2025})
    assert snapshot() == once
    refresh(c.con, None)
    assert snapshot() == once
    refresh(c.con, {2025}, branch_ids={c.branch_ids["甲支部"]})
    assert snapshot() == once
    # a change to one branch's data, refreshed for that branch only, gives what a full refresh gives
    jia = c.branch_ids["甲支部"]
    c.con.execute("delete from attendance where branch_id = ? and member_id in "
                  "(select member_id from attendance where branch_id = ? order by all limit 2)", [jia, jia])
    c.con.execute("update memberships set end_date = date '2025-06-30' where branch_id = ? and member_id = "
                  "(select min(member_id) from memberships where branch_id = ?)", [jia, jia])
    refresh(c.con, {2025}, branch_ids={jia})
    partial = snapshot()
    refresh(c.con, None)
    assert snapshot() == partial
    r = metrics.ranking(c.con, rules(ranking__min_activities_year=0), 2025, today=date(2026, 1, 1))
    assert r.height == 3 and ((r["score"] >= 0) & (r["score"] <= 100)).all()


def test_undo_like_change_is_followed_by_refresh() -> None:
    c = Committee(memory_database())
    c.branch("甲支部")
    c.members("甲支部", 5, "甲")
    aid = c.activity("甲支部", "2025-03-10")
    c.refresh()
    assert metrics.events(c.con, rules(), 2025)["present"].to_list() == [5]
    c.con.execute("delete from attendance where activity_id = ? and member_id = ?", [aid, c.member_ids["甲1"]])
    refresh(c.con, {2025})
    assert metrics.events(c.con, rules(), 2025)["unexcused"].to_list() == [1]
    c.con.execute("delete from activity_branches where activity_id = ?", [aid])
    c.con.execute("delete from activities where activity_id = ?", [aid])
    refresh(c.con, {2025}, branch_ids={c.branch_ids["甲支部"]})  # as an undo of that branch's upload would
    assert metrics.events(c.con, rules(), 2025).height == 0
    for table in ("out_member_year", "out_activity_item", "out_activity_branch"):
        assert c.con.execute(f"select count(*) from {table}").fetchone() == (0,)


def two_branches_in_june() -> tuple[Committee, int]:
    """甲支部 and 乙支部, four members each, an activity each in June 2025 (甲's id returned), refreshed."""
    c = Committee(memory_database())
    c.branch("甲支部")
    c.branch("乙支部")
    c.members("甲支部", 4, "甲")
    c.members("乙支部", 4, "乙")
    jia = c.activity("甲支部", "2025-06-10")
    c.activity("乙支部", "2025-06-12")
    c.refresh()
    return c, jia


def test_branch_refresh_follows_a_transfer_to_the_old_branch() -> None:
    c, _ = two_branches_in_june()
    # 乙's new roster says 甲1 transferred in on 1 June: loading it touches 乙, and 甲 through 甲1
    c.transfer("甲1", "乙支部", on="2025-06-01")
    refresh(c.con, {2025}, branch_ids={c.branch_ids["乙支部"]})
    ev = {r["branch"]: r for r in metrics.events(c.con, rules(), 2025).to_dicts()}
    assert (ev["甲支部"]["expected"], ev["乙支部"]["expected"]) == (3, 5)


def test_refresh_of_years_recomputes_only_the_branches_of_new_uploads() -> None:
    c, jia = two_branches_in_june()
    yi_id, jia_id = c.branch_ids["乙支部"], c.branch_ids["甲支部"]
    # a marker on 乙's figures (its counts and their kept judgement): a refresh that recomputed 乙 would
    # wipe it out
    for table in ("out_activity_branch", "out_activity_judged"):
        c.con.execute(f"update {table} set guests = 99 where branch_id = ?", [yi_id])
    c.con.execute("delete from attendance where activity_id = ? and member_id = ?", [jia, c.member_ids["甲1"]])
    c.con.execute("insert into uploads (upload_id, file_name, sha256, status, summary) values "
                  "(100000, 'x.xlsx', 'x', 'loaded', ?)", [json.dumps({"branch_ids": [jia_id]})])
    refresh(c.con, {2025})
    ev = {r["branch"]: r for r in metrics.events(c.con, rules(), 2025).to_dicts()}
    assert ev["甲支部"]["unexcused"] == 1 and ev["乙支部"]["guests"] == 99
    # undoing it is a change of that upload again; nothing new since: every branch of the year
    c.con.execute("update uploads set status = 'undone', undone_at = current_timestamp")
    refresh(c.con, {2025})
    assert metrics.events(c.con, rules(), 2025, branch="乙支部")["guests"].to_list() == [99]
    refresh(c.con, {2025})
    assert metrics.events(c.con, rules(), 2025, branch="乙支部")["guests"].to_list() == [0]
