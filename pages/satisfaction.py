"""满意度 Satisfaction: per branch and item, the activities below the threshold, the three-strikes table."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.ui import charts, common, views

common.page_header("ui.nav.satisfaction", "ui.satisfaction.caption")
lang = common.lang()
f = common.filters()
ids = common.scope_ids(f)
rules = common.rules()
threshold = float(rules.get("evaluation.satisfaction_threshold"))
limit = int(rules.get("evaluation.strikes_limit"))
months = views.month_keys(f, common.today())
counts = common.counts_shown(f)
rated = int(counts["rated"].sum())
if rated == 0:
    common.empty_state("ui.satisfaction.empty", year=f.year)
    st.stop()

strikes = common.metric("strikes", f.year, branch_ids=ids)
table = views.strike_table(strikes, lang)
cols = st.columns(4)
cols[0].metric(common.tr("ui.satisfaction.rated"), rated)
cols[1].metric(common.tr("ui.satisfaction.low"), int(counts["low_satisfaction"].sum()))
cols[2].metric(common.tr("ui.satisfaction.ineligible"), table.filter(pl.col("eligible").not_()).height)
cols[3].metric(common.tr("ui.satisfaction.threshold"), common.percent(threshold, 0))

st.subheader(common.tr("ui.satisfaction.strikes", limit=limit))
st.caption(common.tr("ui.satisfaction.strikes_rule", threshold=common.percent(threshold, 0), limit=limit))
if table.is_empty():
    st.success(common.tr("ui.satisfaction.no_strikes", year=f.year))
else:
    marked = table.with_columns(pl.when(pl.col("eligible")).then(pl.lit(common.tr("ui.satisfaction.still_eligible")))
                                .otherwise(pl.lit(common.tr("ui.satisfaction.not_eligible"))).alias("status_text"))
    common.table(marked, "satisfaction_strikes", file_name=f"three-strikes-{f.year}", search=["branch"],
                 columns=["branch", "zone", "strikes", "status_text", "strike_activities"])

st.subheader(common.tr("ui.satisfaction.low_list", threshold=common.percent(threshold, 0)))
# the low-satisfaction activities are the strikes, within the months shown
low = views.in_months(strikes, months).sort("satisfaction", "month", "branch", "activity_id")
if low.is_empty():
    st.success(common.tr("ui.satisfaction.none_low"))
else:
    st.caption(common.tr("ui.table.click_row"))
    row = common.table(low, "satisfaction_low", file_name=f"low-satisfaction-{f.year}",
                       search=["branch", "topic"], selectable=True,
                       columns=["branch", "zone", "month", "date", "topic", "ballots", "satisfaction"])
    if row is not None:
        common.open_activity(int(row["activity_id"]))

st.subheader(common.tr("ui.satisfaction.by_item"))
rates = common.events_shown(f, "ui.satisfaction.empty", columns=("satisfaction",))["satisfaction"].drop_nulls()
common.chart(charts.distribution(rates, threshold, lang, "ui.col.satisfaction"), "satisfaction_distribution")
if common.branches_in(ids).height <= charts.MAX_HEATMAP_ROWS:
    # a few branches: each activity's items, pooled per branch in the chart
    items = views.in_months(common.metric("satisfaction_items", f.year, branch_ids=ids), months)
    common.chart(charts.item_heatmap(items, threshold, lang), "satisfaction_items")
    items = views.translated(items, "item", "ui.item", lang, "item_name")
    common.table(items, "satisfaction_items_table", file_name=f"satisfaction-items-{f.year}",
                 search=["branch", "topic"],
                 columns=["branch", "zone", "month", "topic", "item_name", "satisfied", "basic", "unsatisfied", "votes",
                          "satisfaction"])
else:
    # a province: the items pooled per zone, never every activity's five rows
    items = common.metric("item_totals", f.year, per="zone", branch_ids=ids, months=tuple(months))
    if items["zone"].n_unique() <= charts.MAX_HEATMAP_ROWS:
        common.chart(charts.item_heatmap(items, threshold, lang, label="zone"), "satisfaction_items")
    elif common.heavy("item_heatmap"):  # more zones than rows a heatmap can show: the lowest of them
        common.chart(charts.item_heatmap(views.lowest_zones(items, charts.RANKED_BARS), threshold, lang, label="zone"),
                     "satisfaction_items")
    items = views.translated(items, "item", "ui.item", lang, "item_name")
    common.table(items, "satisfaction_items_table", file_name=f"satisfaction-items-{f.year}", search=["zone"],
                 columns=["zone", "item_name", "satisfied", "basic", "unsatisfied", "votes", "satisfaction"])
