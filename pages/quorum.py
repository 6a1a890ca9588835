"""未达标 Quorum failures: every activity under the threshold, its shortfall, absences, and member warnings."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.ui import charts, common, views

MAX_BRANCHES_FOR_MEMBERS = 40

common.page_header("ui.nav.quorum", "ui.quorum.caption")
lang = common.lang()
f = common.filters()
ids = common.scope_ids(f)
rules = common.rules()
threshold = float(rules.get("attendance.quorum_threshold"))
months = views.month_keys(f, common.today())
failures = views.quorum_failures(common.events_shown(f, only="quorum_failed"), rules)
judged = int(common.counts_shown(f)["quorum_judged"].sum())
cols = st.columns(4)
cols[0].metric(common.tr("ui.quorum.failures"), failures.height)
cols[1].metric(common.tr("ui.quorum.judged"), judged)
cols[2].metric(common.tr("ui.quorum.short_people"), int(failures["shortfall"].sum() or 0))
cols[3].metric(common.tr("ui.quorum.threshold"), common.percent(threshold, 0))

if failures.is_empty():
    st.success(common.tr("ui.quorum.none", threshold=common.percent(threshold, 0)))
else:
    common.chart(charts.failures_by_zone_month(failures, months, lang), "quorum_by_zone")
    zones = views.failures_per_zone(failures, common.branches_in(ids))
    if zones.height > charts.MAX_SERIES:
        # Many zones: the worst of them and how failures spread over all, then every zone in a table.
        left, right = st.columns(2)
        with left:
            common.chart(charts.ranked_bars(zones, "zone", "quorum_failures", lang, "ui.chart.zones_most_failures"),
                         "quorum_top_zones")
        with right:
            common.chart(charts.count_distribution(zones["quorum_failures"].to_list(), lang,
                                                   "ui.chart.failures_per_zone", "ui.col.quorum_failures"),
                         "quorum_zone_distribution")
        with st.expander(common.tr("ui.quorum.zone_table", count=zones.height)):
            common.table(zones, "quorum_zones", file_name=f"quorum-zones-{f.year}", search=["zone"],
                         columns=["zone", "branches", "quorum_failures", "shortfall"])
    if common.heavy("absence_split"):
        clicked = common.chart(charts.absence_split(failures.head(60), lang), "quorum_split", clickable=True)
        if clicked is not None:
            common.open_activity(int(clicked))
    st.subheader(common.tr("ui.quorum.list"))
    st.caption(common.tr("ui.table.click_row"))
    row = common.table(failures, "quorum", file_name=f"quorum-failures-{f.year}", search=["branch", "zone", "topic"],
                       selectable=True,
                       columns=["branch", "zone", "month", "date", "topic", "expected", "needed", "present",
                                "shortfall", "excused", "unexcused", "participation"])
    if row is not None:
        common.open_activity(int(row["activity_id"]))

st.subheader(common.tr("ui.quorum.members"))
allowed = common.member_ids()
scope = common.branches_in(ids)
if allowed is not None:
    scope = scope.filter(pl.col("branch_id").is_in(list(allowed)))
if scope.is_empty():
    st.caption(common.tr("ui.quorum.members_hidden"))
elif scope.height > MAX_BRANCHES_FOR_MEMBERS:
    st.info(common.tr("ui.quorum.members_narrow", count=scope.height))
else:
    members = common.metric_per_branch("members", scope["branch_name"].to_list(), f.year)
    warned = members.filter(pl.col("warning")) if not members.is_empty() else members
    if warned.is_empty():
        st.success(common.tr("ui.quorum.no_warnings"))
    else:
        warned = views.with_warning_text(warned, lang)
        st.caption(common.tr("ui.quorum.warning_rule", row=rules.get("warnings.unexcused_in_a_row"),
                             year=rules.get("warnings.unexcused_per_year")))
        common.table(warned, "quorum_members", file_name=f"member-warnings-{f.year}", search=["branch", "name"],
                     columns=["branch", "name", "expected", "present", "excused", "unexcused", "max_unexcused_run",
                              "warning_text"])
