"""The ranking: score from rates with the configured weights, ties share a rank, too little data, ineligible
branches kept, ranks within zones, change against the previous period; scored by hand."""

from __future__ import annotations

from datetime import date

import pytest
from builders import Committee, memory_database, rules
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rules_attendance import one

from pipelines import metrics

TODAY = date(2026, 11, 23)
FEW = {"ranking__min_activities_year": 1, "ranking__min_activities_quarter": 1}


@pytest.fixture
def committee() -> Committee:
    """A 一区 B 一区 C 二区 D 二区 E 二区; one January activity each except E."""
    c = Committee(memory_database())
    for name, zone in (("A支部", "一区"), ("B支部", "一区"), ("C支部", "二区"), ("D支部", "二区"), ("E支部", "二区")):
        c.branch(name, zone)
        c.members(name, 5, name[0])
    c.activity("A支部", "2025-01-10")                                   # participation 1.0
    c.activity("B支部", "2025-01-10", unexcused=("B5",))                # 0.8, quorum met
    c.activity("C支部", "2025-01-10", excused=("C1",))                  # 0.8, quorum met
    c.activity("D支部", "2025-01-10", unexcused=("D4", "D5"))           # 0.6, quorum failed
    return c


def test_scores_ties_and_zone_ranks(committee: Committee) -> None:
    committee.refresh()
    r = metrics.ranking(committee.con, rules(**FEW), 2025, today=TODAY)
    # score = 100 * (0.4 * participation + 0.3 * satisfaction + 0.3 * compliant months / 12)
    expected = {"A支部": (72.5, 1, 1), "B支部": (64.5, 2, 2), "C支部": (64.5, 2, 1), "D支部": (54.0, 4, 2)}
    for branch, (score, rank, zone_rank) in expected.items():
        row = one(r, branch=branch)
        assert (row["score"], row["rank"], row["zone_rank"]) == (score, rank, zone_rank), branch
    a = one(r, branch="A支部")
    assert a["components"] == {"participation": 1.0, "satisfaction": 1.0, "compliance": 1 / 12, "open_day_bonus": 0.0}
    e = one(r, branch="E支部")
    assert e["too_little_data"] is True and e["rank"] is None and e["zone_rank"] is None and e["activities"] == 0
    assert r.height == 5  # every branch of the committee appears


def test_too_little_data_by_default_minimum(committee: Committee) -> None:
    committee.refresh()
    r = metrics.ranking(committee.con, rules(), 2025, today=TODAY)
    assert r["too_little_data"].all() and r["rank"].is_null().all()
    assert r.height == 5


def test_ineligible_branch_stays_ranked_and_marked(committee: Committee) -> None:
    for month in ("02", "03", "04"):
        committee.activity("A支部", f"2025-{month}-10", votes={"overall": (1, 0, 9)})
    committee.refresh()
    r = metrics.ranking(committee.con, rules(**FEW), 2025, today=TODAY)
    a = one(r, branch="A支部")
    assert a["eligible"] is False and a["low_satisfaction_events"] == 3 and a["rank"] is not None


def test_open_day_bonus_and_weights_follow_the_configuration(committee: Committee) -> None:
    committee.activity("D支部", "2025-02-10", record={"is_open_day": True})
    committee.refresh()
    d = one(metrics.ranking(committee.con, rules(**FEW), 2025, today=TODAY), branch="D支部")
    # participation (0.6 + 1.0) / 2, satisfaction 1, compliance 1/12 (February), + 2 points
    assert d["score"] == round(100 * (0.4 * 0.8 + 0.3 * 1 + 0.3 / 12) + 2, 2)
    bigger = one(metrics.ranking(committee.con, rules(**FEW, ranking__open_day_bonus=5.0), 2025, today=TODAY),
                 branch="D支部")
    assert bigger["score"] == round(d["score"] + 3, 2)
    weights = rules(**FEW, ranking__weight_participation=0.8, ranking__weight_satisfaction=0.1,
                    ranking__weight_compliance=0.1)
    b = one(metrics.ranking(committee.con, weights, 2025, today=TODAY), branch="B支部")
    assert b["score"] == round(100 * (0.8 * 0.8 + 0.1 * 1 + 0.1 / 12), 2)


def test_score_is_capped_at_100() -> None:
    c = Committee(memory_database())
    c.branch("满分支部")
    c.members("满分支部", 3)
    for month in range(1, 13):
        c.activity("满分支部", f"2025-{month:02d}-10", record={"is_open_day": True})
    c.refresh()
    row = one(metrics.ranking(c.con, rules(), 2025, today=TODAY), branch="满分支部")
    assert row["score"] == 100.0 and row["rank"] == 1 and row["compliance"] == 1.0


def test_change_against_the_previous_period(committee: Committee) -> None:
    committee.activity("D支部", "2024-01-10")
    committee.activity("A支部", "2024-01-10", unexcused=("A1", "A2", "A3"))
    committee.refresh()
    r = metrics.ranking(committee.con, rules(**FEW), 2025, today=TODAY)
    d = one(r, branch="D支部")
    assert (d["prev_rank"], d["rank"], d["rank_change"]) == (1, 4, -3)
    a = one(r, branch="A支部")
    assert (a["prev_rank"], a["rank"], a["rank_change"]) == (2, 1, 1)
    assert one(r, branch="B支部")["prev_rank"] is None


def test_quarter_ranking_counts_the_quarter_only(committee: Committee) -> None:
    committee.activity("E支部", "2025-04-10")
    committee.refresh()
    q2 = metrics.ranking(committee.con, rules(**FEW), 2025, quarter=2, today=TODAY)
    assert one(q2, branch="E支部")["rank"] == 1
    assert one(q2, branch="A支部")["too_little_data"] is True
    assert one(q2, branch="E支部")["months"] == 3
    q1 = metrics.ranking(committee.con, rules(**FEW), 2025, quarter=1, today=TODAY)
    assert one(q1, branch="A支部")["rank"] == 1 and one(q1, branch="A支部")["compliance"] == 1 / 3


def test_scope_filters_rows_but_not_ranks(committee: Committee) -> None:
    committee.refresh()
    ids = {committee.branch_ids["D支部"]}
    r = metrics.ranking(committee.con, rules(**FEW), 2025, branch_ids=ids, today=TODAY)
    assert r["branch"].to_list() == ["D支部"] and r["rank"].to_list() == [4]


def _ranks(order: list[int], present: list[int]) -> dict[str, tuple[int | None, int | None]]:
    c = Committee(memory_database())
    for i in order:
        name = f"支部{i}"
        c.branch(name, f"区{i % 2}")
        c.members(name, 5, name)
        c.activity(name, "2025-03-10", present=[f"{name}{k}" for k in range(1, present[i] + 1)])
    c.refresh()
    r = metrics.ranking(c.con, rules(**FEW), 2025, today=TODAY)
    return {row["branch"]: (row["rank"], row["zone_rank"]) for row in r.to_dicts()}


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_rank_never_depends_on_row_order(present: list[int], rnd: object) -> None:
    order = list(range(len(present)))
    shuffled = order[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    first = _ranks(order, present)
    assert first == _ranks(shuffled, present)
    # competition ranking: a rank is 1 + the number of branches strictly ahead
    for i, p in enumerate(present):
        ahead = sum(1 for q in present if q > p)
        assert first[f"支部{i}"][0] == ahead + 1
