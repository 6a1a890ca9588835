"""Chart builders and page views as plain functions (no Streamlit): what a reader of the chart sees."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.config import build_rules, default_rules
from pipelines.ui import charts, views
from pipelines.ui.filters import Filters, branch_scope, default_year, matching, month_options, year_options

EVENTS = pl.DataFrame({
    "activity_id": [1, 2, 3, 4],
    "branch": ["一支部", "一支部", "一支部", "二支部"],
    "branch_id": [1, 1, 1, 2],
    "zone": ["一区", "一区", "一区", "二区"],
    "month": ["2026-01", "2026-02", "2026-02", "2026-01"],
    "date": [dt.date(2026, 1, 5), dt.date(2026, 2, 3), dt.date(2026, 2, 20), None],
    "expected": [10, 10, 10, 20],
    "present": [8, 9, 7, 15],
    "excused": [1, 1, 2, 3],
    "unexcused": [1, 0, 1, 2],
    "participation": [0.8, 0.9, 0.7, 0.75],
    "quorum_met": [True, True, False, False],
    "satisfaction": [0.9, 0.5, 0.95, None],
    "low_satisfaction": [False, True, False, False],
    "violations": [[], ["no_evaluation"], ["notice", "quorum"], ["quorum"]],
})


def test_participation_heatmap_cells_lead_to_their_activity() -> None:
    fig = charts.participation_heatmap(EVENTS, ["2026-01", "2026-02", "2026-03"], 0.8, "zh")
    grey, heat, layer = fig.data
    assert grey.z[1][2] == 1 and grey.z[0][0] is None  # months without an activity shown grey
    assert list(heat.y) == ["一支部", "二支部"] and list(heat.x) == ["1月", "2月", "3月"]
    # two activities in February: the cell shows the lower one and opens it
    assert heat.z[0][1] == pytest.approx(0.7) and heat.text[0][1] == "70%"
    assert heat.z[1][2] is None and heat.text[1][2] == "未开展"
    assert sorted(layer.customdata) == [1, 3, 4]
    assert "达标线 80%" in fig.layout.title.text


def test_the_month_in_progress_is_not_shown_as_missed() -> None:
    fig = charts.participation_heatmap(EVENTS, ["2026-01", "2026-02", "2026-03"], 0.8, "zh", in_progress="2026-03")
    under, heat, _ = fig.data
    # 二支部 held nothing in February (over: grey, 未开展) nor yet in March (in progress: pale blue)
    assert (heat.text[1][1], under.z[1][1]) == ("未开展", 1)
    assert (heat.text[1][2], under.z[1][2]) == ("本月进行中", 0)
    assert (heat.text[0][2], under.z[0][2]) == ("本月进行中", 0)
    assert under.colorscale[0][1] == charts.PALE_BLUE and under.colorscale[-1][1] == charts.GREY
    en = charts.participation_heatmap(EVENTS, ["2026-01", "2026-02"], 0.8, "en", in_progress="2026-02")
    assert en.data[1].text[1][1] == "in progress"
    calendar = pl.DataFrame({"branch": ["一支部", "一支部", "二支部", "二支部"],
                             "month": ["2026-01", "2026-02", "2026-01", "2026-02"],
                             "status": ["ended", "in_progress", "ended", "in_progress"],
                             "held": [False, True, False, False], "violations": [[], [], [], []]})
    heat = charts.compliance_calendar(calendar, ["2026-01", "2026-02"], "zh").data[0]
    assert [list(line) for line in heat.z] == [[0, 2], [0, -1]]
    assert [list(line) for line in heat.text] == [["未开展", "✓"], ["未开展", "本月进行中"]]
    assert heat.colorscale[0][1] == charts.PALE_BLUE and heat.zmin == -1


def test_threshold_scale_turns_at_the_threshold() -> None:
    scale = charts.threshold_scale(0.6)
    assert scale[0][0] == 0 and scale[-1][0] == 1
    assert scale[1][0] < 0.6 <= scale[2][0]


def test_compliance_calendar_names_the_broken_rules() -> None:
    calendar = pl.DataFrame({"branch": ["一支部", "一支部", "二支部"], "month": ["2026-01", "2026-02", "2026-01"],
                             "held": [True, True, False], "violations": [[], ["notice", "quorum"], []]})
    fig = charts.compliance_calendar(calendar, ["2026-01", "2026-02"], "en")
    heat = fig.data[0]
    assert heat.z[0] == (2, 1) or list(heat.z[0]) == [2, 1]
    assert heat.text[0][1] == "notice<br>quorum"
    assert heat.text[1][0] == "none"


def test_score_breakdown_adds_up_to_the_score() -> None:
    ranking = pl.DataFrame({"branch": ["甲", "乙"], "score": [80.0, 62.0], "participation": [0.9, 0.8],
                            "satisfaction": [0.8, 0.6], "compliance": [0.6, 0.4], "open_day_bonus": [2.0, 0.0]})
    weights = {"participation": 0.4, "satisfaction": 0.3, "compliance": 0.3}
    fig = charts.score_breakdown(ranking, weights, "en")
    totals = [sum(bar.x[i] for bar in fig.data) for i in range(2)]
    assert totals == pytest.approx([80.0, 62.0])
    assert fig.data[0].name == "Participation (weight 0.4)"


def test_quorum_shortfall_at_the_boundary() -> None:
    rules = default_rules()
    assert views.quorum_needed(10, rules) == 8  # exactly 80% meets the quorum
    assert views.quorum_needed(29, rules) == 24
    strict = build_rules({"attendance.quorum_inclusive": False})
    assert views.quorum_needed(10, strict) == 9
    failures = views.quorum_failures(EVENTS, rules)
    assert failures["activity_id"].to_list() == [3, 4]
    assert failures["shortfall"].to_list() == [1, 1]


def test_alerts_lead_to_the_activity_or_page() -> None:
    strikes = pl.DataFrame({"branch": ["一支部"] * 2, "month": ["2026-02", "2026-03"], "strikes": [2, 2]})
    calendar = pl.DataFrame({"branch": ["二支部", "二支部"], "month": ["2026-02", "2026-03"], "held": [False, False],
                             "status": ["ended", "in_progress"], "missed": [True, False]})
    found = views.alerts(EVENTS, strikes, calendar, default_rules(), "en")
    texts = [a.text for a in found]
    assert "二支部 held no theme Party day in 2026-03" not in texts  # the month in progress raises none
    assert "一支部 2026-02-20: participation 70.0% (7/10), under 80.0%" in texts
    assert "一支部 2026-02-03: satisfaction 50.0%, under 60.0%" in texts
    assert "二支部 held no theme Party day in 2026-02" in texts
    assert "一支部: 2 low-satisfaction activities this year, one more makes it ineligible (3)" in texts
    assert next(a for a in found if "7/10" in a.text).activity_id == 3


def test_ties_and_marks_in_the_ranking() -> None:
    ranking = pl.DataFrame({"branch": ["甲", "乙", "丙", "丁"], "zone_id": [1, 1, 2, 2], "rank": [1, 2, 2, None],
                            "zone_rank": [1, 2, 1, None], "rank_change": [1, 0, -2, None],
                            "too_little_data": [False, False, False, True], "eligible": [True, True, False, True],
                            "activities": [11, 11, 11, 3], "low_satisfaction_events": [0, 0, 3, 0]})
    marked = views.ranking_marks(ranking, "zh")
    assert marked["rank_text"].to_list() == ["1", "2（并列）", "2（并列）", "–"]
    assert marked["change_text"].to_list() == ["↑1", "＝", "↓2", "–"]
    assert marked["status_text"].to_list() == ["", "", "取消评先资格（满意度不达标 3 次）", "数据不足（3 次活动）"]


def test_filters() -> None:
    today = dt.date(2026, 11, 23)
    assert default_year([2025], today) == 2025 and default_year([2025, 2026], today) == 2026
    assert year_options([2024], today) == [2026, 2024]
    assert month_options(2) == [0, 4, 5, 6]
    f = Filters(year=2026, quarter=4)
    assert views.month_keys(f, today) == ["2026-10", "2026-11"]
    assert views.month_keys(Filters(year=2025), today)[-1] == "2025-12"
    branches = pl.DataFrame({"branch_id": [1, 2, 3], "zone_id": [7, 7, 8]})
    assert branch_scope(Filters(year=2026, zone_id=7), None, branches) == {1, 2}
    assert branch_scope(Filters(year=2026, zone_id=7), {2, 3}, branches) == {2}
    assert branch_scope(Filters(year=2026), None, branches) is None


def test_searching_names_ignores_case_and_spaces_and_caps_the_list() -> None:
    names = ["运行一党支部", "运行二党支部", "Finance Branch", "机关党支部"]
    assert matching(names, "  运行 ") == (["运行一党支部", "运行二党支部"], 2)
    assert matching(names, "finance") == (["Finance Branch"], 1)
    assert matching(names, "党支部", limit=2) == (["运行一党支部", "运行二党支部"], 3)
    assert matching(names, "   ") == ([], 0) and matching(names, "九") == ([], 0)


# A province in small: more zones than a chart may have series, more branches than a heatmap has rows.
MANY_ZONES = 30
MANY = [f"{z + 1}区" for z in range(MANY_ZONES)]
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def _province_frames() -> dict[str, pl.DataFrame]:
    rows = [{"activity_id": 100 * z + m, "branch": f"{zone}支部{m % 3}", "branch_id": 10 * z + m % 3, "zone": zone,
             "month": MONTHS[m - 1], "date": dt.date(2026, m, 5), "expected": 10, "present": 5 + (z + m) % 5,
             "excused": 2, "unexcused": 1, "participation": (5 + (z + m) % 5) / 10, "quorum_met": False,
             "satisfaction": 0.5 + z / 100, "needed": 8, "shortfall": 3 - (z + m) % 3}
            for z, zone in enumerate(MANY) for m in range(1, 13)]
    events = pl.DataFrame(rows)
    zones = pl.DataFrame([{"zone": zone, "zone_id": z, "zone_order": z, "quarter": q, "participation": 0.5 + z / 100,
                           "compliance": 0.6 + q / 20, "satisfaction": 0.7} for z, zone in enumerate(MANY)
                          for q in (1, 2, 3, 4)])
    ranking = pl.DataFrame([{"branch": f"{zone}支部{b}", "zone": zone, "zone_id": z, "score": 50.0 + z + b,
                             "participation": 0.8, "satisfaction": 0.7, "compliance": 0.9, "open_day_bonus": 1.0}
                            for z, zone in enumerate(MANY) for b in range(3)])
    items = pl.DataFrame([{"zone": zone, "branch": zone, "item": item, "votes": 10, "satisfied": 6, "basic": 2,
                           "unsatisfied": 2, "satisfaction": 0.8} for zone in MANY[:5] for item in charts.ITEMS])
    return {"events": events, "zones": zones, "ranking": ranking, "items": items}


def _every_chart(lang: str) -> dict[str, object]:
    """Every chart builder of :mod:`pipelines.ui.charts` called on the province in small."""
    f = _province_frames()
    events, zones, ranking = f["events"], f["zones"], f["ranking"]
    calendar = events.select("branch", "month", pl.lit(True).alias("held"),
                             pl.lit(["notice"]).alias("violations"))
    trend = pl.DataFrame({"month": MONTHS, "participation": [0.8] * 12, "satisfaction": [0.7] * 12,
                          "compliance": [0.9] * 12, "quorum_failures": [3] * 12})
    statuses = events.head(40).select(pl.col("activity_id").alias("member_id"), pl.col("branch").alias("name"),
                                      pl.lit("present").alias("status"), "month")
    per_zone = events.group_by("zone").agg(pl.len().alias("quorum_failures"))
    return {
        "participation_heatmap": charts.participation_heatmap(events.head(charts.MAX_HEATMAP_ROWS), MONTHS, 0.8, lang),
        "zone_quarter_heatmap": charts.zone_quarter_heatmap(zones, "participation", 0.8, lang),
        "zone_trend": charts.zone_trend(zones, "participation", 0.8, lang),
        "distribution": charts.distribution(events["participation"], 0.8, lang, "ui.col.participation"),
        "month_trend": charts.month_trend(trend, lang, {"participation": 0.8, "satisfaction": 0.6}),
        "failures_by_zone_month": charts.failures_by_zone_month(events, MONTHS, lang),
        "ranked_bars": charts.ranked_bars(per_zone, "zone", "quorum_failures", lang, "ui.chart.zones_most_failures"),
        "count_distribution": charts.count_distribution(per_zone["quorum_failures"].to_list(), lang,
                                                        "ui.chart.failures_per_zone", "ui.col.quorum_failures"),
        "absence_split": charts.absence_split(events.head(60), lang),
        "item_heatmap": charts.item_heatmap(f["items"], 0.6, lang, label="zone"),
        "activity_items": charts.activity_items(f["items"].head(5), lang),
        "compliance_calendar": charts.compliance_calendar(calendar.head(charts.MAX_HEATMAP_ROWS), MONTHS, lang),
        "violation_counts": charts.violation_counts({"notice": 3, "quorum": 2}, lang),
        "score_breakdown": charts.score_breakdown(ranking, {"participation": 0.4, "satisfaction": 0.3,
                                                            "compliance": 0.3}, lang),
        "zone_scores": charts.zone_scores(ranking, lang),
        "member_calendar": charts.member_calendar(statuses, MONTHS, lang),
    }


def test_every_chart_builder_is_checked_for_its_series() -> None:
    import inspect

    builders = {name for name, func in inspect.getmembers(charts, inspect.isfunction)
                if func.__module__ == charts.__name__ and not name.startswith("_")
                and inspect.signature(func).return_annotation == "go.Figure"}
    assert builders == set(_every_chart("zh")), "a new chart builder needs a case in _every_chart"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_chart_has_more_series_than_the_limit(lang: str) -> None:
    """Given 30 zones, no chart names more than MAX_SERIES series, and every legend lies under the plot
    (horizontal: it wraps, never scrolls)."""
    for name, fig in _every_chart(lang).items():
        named = [tr.name for tr in fig.data if tr.name]  # type: ignore[attr-defined]
        assert len(named) <= charts.MAX_SERIES, (name, len(named))
        assert len(fig.data) <= charts.MAX_SERIES + 2, (name, len(fig.data))  # type: ignore[attr-defined]
        assert fig.layout.legend.orientation == "h", name  # type: ignore[attr-defined]


def test_the_zones_beyond_the_limit_become_others() -> None:
    events = _province_frames()["events"]
    # zone k fails k times more than zone 0: keep the 11 with most failures, pool the other 19
    heavy = pl.concat([events.filter(pl.col("zone") == z).sample(1 + i % 12, with_replacement=True, seed=i)
                       for i, z in enumerate(MANY)])
    fig = charts.failures_by_zone_month(heavy, MONTHS, "zh")
    names = [tr.name for tr in fig.data]
    assert len(names) == charts.MAX_SERIES and names[-1] == "其他 19 个"
    totals = {tr.name: sum(tr.y) for tr in fig.data}
    assert sum(totals.values()) == heavy.height  # nothing lost in the pooling
    assert min(totals[n] for n in names[:-1]) >= heavy.group_by("zone").len()["len"].sort(descending=True)[10]
    assert fig.data[-1].marker.color == charts.OTHERS
    trend = charts.zone_trend(_province_frames()["zones"], "participation", 0.8, "en")
    assert [tr.name for tr in trend.data][:2] == ["1区", "2区"] and trend.data[-1].name == "19 others"


def test_failures_per_zone_counts_zones_without_failures() -> None:
    failures = views.quorum_failures(EVENTS, default_rules())
    scope = pl.DataFrame({"branch_id": [1, 2, 3], "branch_name": ["一支部", "二支部", "三支部"],
                          "zone_id": [1, 2, 3], "zone_name": ["一区", "二区", "三区"]})
    per_zone = views.failures_per_zone(failures, scope)
    assert per_zone.rows() == [("一区", 1, 1, 1), ("二区", 1, 1, 1), ("三区", 1, 0, 0)]
