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
due = views.in_months(common.metric("overview_months", f.year, branch_ids=ids, with_year=True), months)
if int(due["branch_months"].sum()) == 0:
    common.empty_state("ui.compliance.empty", year=f.year)
    st.stop()

cols = st.columns(4)
for col, (key, column) in zip(cols, (("due", "branch_months"), ("held", "held_months"),
                                     ("compliant", "compliant_months"), ("missed", "missed_months")), strict=True):
    col.metric(common.tr(f"ui.compliance.{key}"), int(due[column].sum()))
st.caption(common.tr("ui.compliance.rules", notice=rules.get("schedule.notice_min_days"),
                     report=rules.get("schedule.report_max_days"), hours=rules.get("schedule.half_day_hours")))

scope = common.branches_in(ids)
many = scope.height > charts.MAX_HEATMAP_ROWS  # a province: zones first, the calendar of every branch on request
calendar = None if many else views.in_months(common.metric("compliance", f.year, branch_ids=ids), months)
if calendar is None:
    st.info(common.tr("ui.participation.too_many", count=scope.height, limit=charts.MAX_HEATMAP_ROWS))
    zones = common.metric("zone_quarters", f.year)
    zones = zones.filter(pl.col("zone_id").is_in(scope["zone_id"].drop_nulls().unique().to_list()))
    if zones["zone_id"].n_unique() <= charts.MAX_HEATMAP_ROWS:
        common.chart(charts.zone_quarter_heatmap(zones, "compliance", None, lang), "compliance_zones")
    else:
        common.table(zones.sort("compliance", nulls_last=True), "compliance_zone_table",
                     file_name=f"compliance-zones-{f.year}", search=["zone"],
                     columns=["zone", "quarter", "branches", "branch_months", "held_months", "compliance"])
else:
    shown_months = sorted(calendar["month"].unique().to_list())
    order = [b for b in scope["branch_name"].to_list() if b in set(calendar["branch"].to_list())]
    common.chart(charts.compliance_calendar(calendar, shown_months, lang, branches=order), "compliance_calendar")

counts = views.violation_counts(common.counts_shown(f))
if counts:
    common.chart(charts.violation_counts(counts, lang), "compliance_counts")

st.subheader(common.tr("ui.compliance.list"))
broken = views.with_violation_text(common.events_shown(f, "ui.compliance.empty", only="violating",
                                                      columns=views.COMPLIANCE_COLUMNS,
                                                      order=("month", "branch", "activity_id")), lang)
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
    if calendar is None and common.heavy("calendar_table"):
        calendar = views.in_months(common.metric("compliance", f.year, branch_ids=ids), months)
    if calendar is not None:
        cal = views.translated(views.with_violation_text(calendar, lang), "status", "ui.month_status", lang,
                               "month_status")
        common.table(cal, "compliance_calendar_table", file_name=f"compliance-calendar-{f.year}", search=["branch"],
                     columns=["branch", "zone", "month", "month_status", "held", "activities", "compliant",
                              "violation_text"])
