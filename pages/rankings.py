"""协作区排名 Zone rankings: zones side by side, branches within each zone, the score breakdown and weights."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.ui import charts, common, views

common.page_header("ui.nav.rankings")
lang = common.lang()
f = common.filters()
ids = common.scope_ids(f)
rules = common.rules()
quarter = f.period_quarter()
weights = {k: float(rules.get(f"ranking.weight_{k}")) for k in ("participation", "satisfaction", "compliance")}
period = common.tr("ui.rankings.period_quarter", year=f.year, quarter=quarter) if quarter else common.tr(
    "ui.rankings.period_year", year=f.year)
st.caption(common.tr("ui.rankings.caption", period=period, wp=weights["participation"],
                     ws=weights["satisfaction"], wc=weights["compliance"], bonus=rules.get("ranking.open_day_bonus"),
                     minimum=rules.get("ranking.min_activities_quarter" if quarter else "ranking.min_activities_year")))

ranking = common.metric("ranking", f.year, quarter=quarter, branch_ids=ids)
if ranking.is_empty() or int(ranking["activities"].sum() or 0) == 0:
    common.empty_state("ui.rankings.empty", period=period)
    st.stop()
ranking = views.ranking_marks(ranking, lang)

st.subheader(common.tr("ui.rankings.zones"))
zones = common.metric("zone_quarters", f.year)
zones = zones.filter(pl.col("zone_id").is_in(ranking["zone_id"].drop_nulls().unique().to_list()))
if not quarter and zones["zone_id"].n_unique() > charts.MAX_SERIES and not zones.is_empty():
    # Many zones: one quarter at a time (2,500 zones × 4 quarters is no table to read), the latest by default.
    shown = sorted(zones["quarter"].unique().to_list())
    quarter_shown = st.segmented_control(common.tr("ui.rankings.zone_quarter"), shown, default=shown[-1],
                                         format_func=lambda q: f"Q{q}", key="rankings_zone_quarter")
    zones = zones.filter(pl.col("quarter") == (quarter_shown or shown[-1]))
elif quarter:
    zones = zones.filter(pl.col("quarter") == quarter)
common.chart(charts.zone_scores(ranking, lang), "rankings_zone_scores")
common.table(zones.sort("zone_order", "quarter"), "rankings_zones", file_name=f"zones-{f.year}", search=["zone"],
             columns=["zone", "quarter", "leader", "deputy", "branches", "activities", "participation",
                      "quorum_failures", "satisfaction", "low_satisfaction_events", "open_days", "compliance"])

st.subheader(common.tr("ui.rankings.branches"))
st.caption(common.tr("ui.rankings.ties"))
columns = ["rank_text", "zone_rank_text", "branch", "zone", "score", "change_text", "status_text", "activities",
           "participation", "satisfaction", "compliance", "open_day_bonus", "low_satisfaction_events"]
if f.zone_id or f.branch_id or ranking["zone"].n_unique() > 8:
    common.table(ranking.sort("rank", "branch", nulls_last=True), "rankings_all", file_name=f"ranking-{f.year}",
                 search=["branch", "zone"], columns=columns)
else:
    for zone, part in ranking.sort("zone_id", "zone_rank", "branch", nulls_last=True).group_by(
            "zone", maintain_order=True):
        st.markdown(f"**{zone[0]}**")
        common.table(part, f"rankings_zone_{part['zone_id'][0]}", columns=columns)
    common.download_xlsx(ranking.sort("rank", "branch", nulls_last=True), f"ranking-{f.year}", columns=columns,
                         key="rankings_all_xlsx")

scored = ranking.filter(pl.col("score").is_not_null()).sort("score", "branch", descending=[True, False])
if scored.height <= charts.MAX_HEATMAP_ROWS:
    common.chart(charts.score_breakdown(scored, weights, lang), "rankings_breakdown")
elif common.heavy("score_breakdown"):  # of thousands of branches: the best and the worst
    common.chart(charts.score_breakdown(pl.concat([scored.head(charts.RANKED_BARS), scored.tail(charts.RANKED_BARS)]),
                                        weights, lang), "rankings_breakdown")
