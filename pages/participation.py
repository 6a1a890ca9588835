"""参与率 Participation: branch × month heatmap (click a cell for the activity), trend per zone, distribution."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.ui import charts, common, views

common.page_header("ui.nav.participation", "ui.participation.caption")
lang = common.lang()
f = common.filters()
ids = common.scope_ids(f)
rules = common.rules()
threshold = float(rules.get("attendance.quorum_threshold"))
today = common.today()
months = views.month_keys(f, today)
events = common.events_shown(f, columns=views.PARTICIPATION_COLUMNS, order=("month", "branch", "date", "activity_id"))

scope = common.branches_in(ids)
if scope.height > charts.MAX_HEATMAP_ROWS:
    # Thousands of branches: zones first, then the user picks a zone or a branch on the left.
    st.info(common.tr("ui.participation.too_many", count=scope.height, limit=charts.MAX_HEATMAP_ROWS))
    zones = common.metric("zone_quarters", f.year)
    zones = zones.filter(pl.col("zone_id").is_in(scope["zone_id"].unique().to_list()))
    if zones["zone_id"].n_unique() <= charts.MAX_HEATMAP_ROWS:
        common.chart(charts.zone_quarter_heatmap(zones, "participation", threshold, lang), "participation_zones")
    else:
        common.chart(charts.distribution(events["participation"], threshold, lang,
                                         "ui.col.participation"), "participation_distribution_all")
        common.table(zones.sort("participation", nulls_last=True), "participation_zone_table",
                     file_name=f"participation-zones-{f.year}", search=["zone"],
                     columns=["zone", "quarter", "branches", "activities", "participation", "quorum_failures"])
else:
    clicked = common.chart(charts.participation_heatmap(events, months, threshold, lang,
                                                        branches=scope["branch_name"].to_list(),
                                                        in_progress=views.in_progress_key(f, today)),
                           "participation_heatmap", clickable=True)
    if clicked is not None:
        common.open_activity(int(clicked))

zones = common.metric("zone_quarters", f.year)
zones = zones.filter(pl.col("zone_id").is_in(scope["zone_id"].drop_nulls().unique().to_list()))
if not zones.is_empty():  # of many zones: the lowest and the others' median
    common.chart(charts.zone_trend(zones, "participation", threshold, lang), "participation_zone_trend")
if scope.height <= charts.MAX_HEATMAP_ROWS and common.heavy("distribution"):
    common.chart(charts.distribution(events["participation"], threshold, lang,
                                     "ui.col.participation"), "participation_distribution")

st.subheader(common.tr("ui.participation.table"))
st.caption(common.tr("ui.table.click_row"))
row = common.table(events, "participation",
                   file_name=f"participation-{f.year}",
                   search=["branch", "zone", "topic"], selectable=True,
                   columns=["branch", "zone", "month", "date", "topic", "expected", "present", "excused",
                            "unexcused", "participation", "quorum_met"])
if row is not None:
    common.open_activity(int(row["activity_id"]))
