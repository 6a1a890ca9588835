"""合规 Compliance: a calendar of branch × month (held, rules broken) and the activities that broke a rule."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.i18n import t
from pipelines.ui import charts, common, views

common.page_header("ui.nav.compliance", "ui.compliance.caption")
lang = common.lang()
f = common.filters()
ids = common.scope_ids(f)
rules = common.rules()
months = views.month_keys(f, common.today())
calendar = views.in_months(common.metric("compliance", f.year, branch_ids=ids), months)
events = views.in_months(common.metric("events", f.year, branch_ids=ids, ordered=False), months)
if calendar.is_empty():
    common.empty_state("ui.compliance.empty", year=f.year)
    st.stop()

cols = st.columns(4)
cols[0].metric(common.tr("ui.compliance.due"), calendar.height)
cols[1].metric(common.tr("ui.compliance.held"), calendar.filter(pl.col("held")).height)
cols[2].metric(common.tr("ui.compliance.compliant"), calendar.filter(pl.col("compliant")).height)
cols[3].metric(common.tr("ui.compliance.missed"), calendar.filter(pl.col("held").not_()).height)
st.caption(common.tr("ui.compliance.rules", notice=rules.get("schedule.notice_min_days"),
                     report=rules.get("schedule.report_max_days"), hours=rules.get("schedule.half_day_hours")))

shown_months = sorted(calendar["month"].unique().to_list())
if calendar["branch"].n_unique() > charts.MAX_HEATMAP_ROWS:
    st.info(common.tr("ui.participation.too_many", count=calendar["branch"].n_unique(), limit=charts.MAX_HEATMAP_ROWS))
    zones = common.metric("zone_quarters", f.year)
    zones = zones.filter(pl.col("zone_id").is_in(calendar["zone_id"].drop_nulls().unique().to_list()))
    if zones["zone_id"].n_unique() <= charts.MAX_HEATMAP_ROWS:
        common.chart(charts.zone_quarter_heatmap(zones, "compliance", None, lang), "compliance_zones")
    else:
        common.table(zones.sort("compliance", nulls_last=True), "compliance_zone_table",
                     file_name=f"compliance-zones-{f.year}", search=["zone"],
                     columns=["zone", "quarter", "branches", "branch_months", "held_months", "compliance"])
else:
    scope = common.branches()
    order = [b for b in scope["branch_name"].to_list() if b in set(calendar["branch"].to_list())]
    common.chart(charts.compliance_calendar(calendar, shown_months, lang, branches=order), "compliance_calendar")

counts = views.violation_counts(events)
if counts:
    common.chart(charts.violation_counts(counts, lang), "compliance_counts")

st.subheader(common.tr("ui.compliance.list"))
broken = views.with_violation_text(events.filter(pl.col("violations").list.len() > 0), lang).sort("month", "branch")
if broken.is_empty():
    st.success(common.tr("ui.compliance.none"))
else:
    code = st.selectbox(common.tr("ui.compliance.rule_filter"), ["", *sorted(counts)], key="compliance_rule",
                        format_func=lambda c: t("ui.filter.all", lang) if not c else t(
                            f"ui.violation.{c}", lang))
    if code:
        broken = views.with_violation(broken, code)
    st.caption(common.tr("ui.table.click_row"))
    row = common.table(broken, "compliance_list", file_name=f"compliance-{f.year}", search=["branch", "topic"],
                       selectable=True,
                       columns=["branch", "zone", "month", "date", "topic", "notice_days", "report_days",
                                "duration_hours", "violation_text"])
    if row is not None:
        common.open_activity(int(row["activity_id"]))

with st.expander(common.tr("ui.compliance.calendar_table")):
    cal = views.with_violation_text(calendar, lang)
    common.table(cal, "compliance_calendar_table", file_name=f"compliance-calendar-{f.year}", search=["branch"],
                 columns=["branch", "zone", "month", "held", "activities", "compliant", "violation_text"])
