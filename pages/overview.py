"""总览 Overview: this month and year to date, the alerts leading to their detail, the trend by month."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.ui import charts, common, views
from pipelines.ui.filters import Filters

ALERTS_SHOWN = 15

common.page_header("ui.nav.overview")
lang = common.lang()
if common.branches().is_empty():
    common.empty_state("ui.overview.empty")
    st.stop()

f = common.filters()
ids = common.scope_ids(f)
rules = common.rules()
today = common.today()
focus = f.month or (today.month if f.year == today.year else 12)
figures = common.metric("overview_months", f.year, branch_ids=ids, with_year=True)  # year, months, trend
year = figures.filter(pl.col("month").is_null()).row(0, named=True)
by_month = figures.filter(pl.col("month").is_not_null())
month = by_month.filter(pl.col("month") == f"{f.year}-{focus:02d}").row(0, named=True)
events = common.metric("events", f.year, branch_ids=ids, ordered=False, only="flagged",  # the alerts' rows
                       columns=views.ALERT_COLUMNS)
if year["activities"] == 0:
    common.empty_state("ui.overview.no_activities", year=f.year, branches=year["branches"])
    st.stop()

late = views.with_violation(events, "report_late", "no_record")
scope = common.branches_in(ids)
st.caption(common.tr("ui.overview.committee", branches=scope.height, zones=scope["zone_id"].drop_nulls().n_unique()))


def kpis(row: dict, title: str, records_late: int) -> None:
    st.subheader(title)
    # a month in progress is not due yet: none of it is missed (the year counts its ended months)
    waiting = row["month"] is not None and row["status"] == "in_progress"
    missed = common.tr("ui.chart.in_progress") if waiting else row["missed_months"]
    figures = [
        ("ui.kpi.branches", row["branches"], None), ("ui.kpi.members", row["members"], None),
        ("ui.kpi.activities", row["activities"], None),
        ("ui.kpi.participation", common.percent(row["participation"]), None),
        ("ui.kpi.quorum_failures", row["quorum_failures"], None),
        ("ui.kpi.satisfaction", common.percent(row["satisfaction"]), None),
        ("ui.kpi.at_risk", row["branches_at_risk"], common.tr("ui.kpi.at_risk_help", ineligible=row["branches_ineligible"])),
        ("ui.kpi.missed", missed, common.tr("ui.kpi.missed_help")),
        ("ui.kpi.late", records_late, common.tr("ui.kpi.late_help")),
    ]
    for start in range(0, len(figures), 3):
        cols = st.columns(3)
        for col, (key, value, help_text) in zip(cols, figures[start:start + 3], strict=True):
            col.metric(common.tr(key), value, help=help_text)


left, right = st.columns(2, gap="large")
with left:
    kpis(month, common.tr("ui.overview.this_month", year=f.year, month=focus),
         late.filter(pl.col("month") == f"{f.year}-{focus:02d}").height)
with right:
    kpis(year, common.tr("ui.overview.year_to_date", year=f.year), late.height)
st.caption(common.tr("ui.overview.ineligible", count=year["branches_ineligible"],
                     limit=rules.get("evaluation.strikes_limit")))

st.subheader(common.tr("ui.overview.alerts"))
found = common.alerts_shown(f)
if not found:
    st.success(common.tr("ui.overview.no_alerts"))
for alert in found[:ALERTS_SHOWN]:
    icon = ":material/error:" if alert.severity == "error" else ":material/warning:"
    if alert.activity_id is not None:
        common.activity_link(alert.activity_id, alert.text, icon=icon)
    elif alert.page:
        common.page_link(alert.page, alert.text, icon=icon, branch=alert.branch)
if len(found) > ALERTS_SHOWN:
    with st.expander(common.tr("ui.overview.all_alerts", count=len(found))):
        frame = pl.DataFrame([{"alert_month": a.month, "alert": a.text} for a in found])
        common.table(frame, "overview_alerts", file_name="alerts", search=["alert"])

st.subheader(common.tr("ui.overview.trend"))
shown = views.month_keys(Filters(year=f.year), today)
trend = by_month.filter(pl.col("month").is_in(shown))
common.chart(charts.month_trend(trend, lang, {
    "participation": float(rules.get("attendance.quorum_threshold")),
    "satisfaction": float(rules.get("evaluation.satisfaction_threshold"))}), "overview_trend")
common.table(trend, "overview_trend", file_name=f"overview-{f.year}",
             columns=["month", "activities", "participation", "quorum_failures", "satisfaction",
                      "low_satisfaction_events", "held_months", "missed_months", "compliance"])
