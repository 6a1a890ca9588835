"""党员 Members: each member's attendance over the year within one branch; never a ranking of members."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.ui import charts, common, views
from pipelines.ui.filters import MAX_BRANCH_OPTIONS

common.page_header("ui.nav.members", "ui.members.caption")
lang = common.lang()
f = common.filters()
allowed = common.member_ids()
visible = common.visible_ids()
branches = common.branches()
if allowed is not None:
    branches = branches.filter(pl.col("branch_id").is_in(list(allowed)))
if visible is not None:
    branches = branches.filter(pl.col("branch_id").is_in(list(visible)))
if branches.is_empty():
    st.info(common.tr("ui.members.no_scope"))
    st.stop()

if f.branch_id and f.branch_id in set(branches["branch_id"].to_list()):
    branch_id = f.branch_id
elif branches.height == 1:
    branch_id = int(branches["branch_id"][0])
else:
    if f.zone_id:
        branches = branches.filter(pl.col("zone_id") == f.zone_id)
    if branches.height > MAX_BRANCH_OPTIONS:  # a province: a zone first, not a list of 20,000 names
        st.info(common.tr("ui.members.pick_zone", count=branches.height))
        st.stop()
    names = dict(zip(branches["branch_id"].to_list(), branches["branch_name"].to_list(), strict=True))
    picked = st.selectbox(common.tr("ui.members.pick"), list(names), key="members_branch",
                          format_func=lambda b: names.get(b, str(b)), help=common.tr("ui.members.choose"))
    if picked is None:
        st.stop()
    branch_id = int(picked)

branch = str(common.branches().filter(pl.col("branch_id") == branch_id)["branch_name"][0])
st.subheader(common.tr("ui.members.branch", branch=branch, year=f.year))
members = common.metric("members", branch, f.year)
if members.is_empty():
    common.empty_state("ui.members.empty", branch=branch, year=f.year)
    st.stop()

cols = st.columns(4)
cols[0].metric(common.tr("ui.members.count"), members.filter(pl.col("on_roster_at_year_end")).height)
cols[1].metric(common.tr("ui.members.warnings"), members.filter(pl.col("warning")).height)
cols[2].metric(common.tr("ui.members.cadres"), members.filter(pl.col("is_leading_cadre")).height)
cols[3].metric(common.tr("ui.col.made_up"), int(members["made_up"].sum() or 0))

events = common.metric("events", f.year, branch=branch)
events = events.filter(pl.col("branch_id") == branch_id).sort("month")
months = views.month_keys(f, common.today())
events = views.in_months(events, months)
if not events.is_empty():
    details = common.metric("activity_details", tuple(events["activity_id"].to_list()))
    statuses = views.member_statuses(details, events, branch_id)
    if not statuses.is_empty():
        common.chart(charts.member_calendar(statuses, months, lang), "members_calendar")

shown = views.translated(views.with_warning_text(members, lang), "member_kind", "ui.kind", lang,
                         "member_kind_name").sort("name")
columns = ["name", "member_kind_name", "is_leading_cadre", "expected", "present", "excused", "unexcused", "made_up", "exempt",
           "participation", "warning_text"]
if shown["is_leading_cadre"].any():
    columns += ["guided_branches", "guided_activities", "guided_present"]
common.table(shown, "members", file_name=f"members-{branch}-{f.year}", search=["name"], columns=columns)
