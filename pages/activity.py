"""活动详情 Activity detail: the record, the sign-in list, the evaluation by item, the rules broken."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines import access
from pipelines.ui import charts, common, views

MAX_CHOICES = 2000

common.page_header("ui.nav.activity")
lang = common.lang()
f = common.filters()
visible = common.visible_ids()


def _requested() -> int | None:
    raw = str(st.query_params.get("activity") or "")
    return int(raw) if raw.isdigit() else None


def _pick() -> None:
    """Choose an activity among those the filters cover."""
    events = common.events_shown(f, "ui.activity.none")
    count = events["activity_id"].n_unique()  # before sorting: a province's year is 200,000 rows
    if count > MAX_CHOICES:
        st.info(common.tr("ui.activity.narrow", count=count))
        st.stop()
    choices = (events.sort("month", "branch", "date", "activity_id", nulls_last=True)
               .unique("activity_id", keep="first", maintain_order=True))
    labels = {r["activity_id"]: f"{r['month']} · {r['branch']} · {r['topic'] or ''}"
              for r in choices.iter_rows(named=True)}
    picked = st.selectbox(common.tr("ui.activity.pick"), list(labels), index=None,
                          format_func=lambda i: labels.get(i, str(i)), key="activity_pick",
                          placeholder=common.tr("ui.activity.pick_hint"))
    if picked is not None:
        st.query_params["activity"] = str(picked)
        st.rerun()


activity_id = _requested()
rows = pl.DataFrame()
if activity_id is not None:
    found = common.sql_frame("ui_activity_year", activity_id=activity_id)
    if not found.is_empty():
        year = int(found["year"][0])
        rows = common.metric("events", year, activity_id=activity_id)
        if visible is not None:
            rows = rows.filter(pl.col("branch_id").is_in(list(visible)))
    if rows.is_empty():
        st.warning(common.tr("ui.activity.not_found", activity_id=activity_id))
if rows.is_empty():
    _pick()
    st.stop()

first = rows.row(0, named=True)
year = int(first["year"])
st.subheader(first["topic"] or common.tr("ui.activity.no_topic"))
st.caption(common.tr("ui.activity.when", when=first["date"] or first["month"], level=common.tr(f"ui.level.{first['level']}"),
                     host=first["host_branch"] or "–", branches="、".join(rows["branch"].to_list())))

cols = st.columns(4)
cols[0].metric(common.tr("ui.col.expected"), int(rows["expected"].fill_null(0).sum()))
cols[1].metric(common.tr("ui.col.present"), int(rows["present"].fill_null(0).sum()))
cols[2].metric(common.tr("ui.col.participation"), common.percent(first["participation"]) if rows.height == 1 else "–")
cols[3].metric(common.tr("ui.col.satisfaction"), common.percent(first["satisfaction"]))

st.markdown(f"**{common.tr('ui.activity.record')}**")
record = [
    ("ui.col.notice_days", first["notice_days"]), ("ui.col.report_days", first["report_days"]),
    ("ui.col.duration_hours", first["duration_hours"]),
    ("ui.col.is_open_day", common.tr("ui.rules.yes" if first["is_open_day"] else "ui.rules.no")),
    ("ui.col.has_record", common.tr("ui.rules.yes" if first["has_record"] else "ui.rules.no")),
    ("ui.col.has_evaluation", common.tr("ui.rules.yes" if first["has_evaluation"] else "ui.rules.no")),
    ("ui.col.ballots", first["ballots"]), ("ui.col.guests", first["guests"]), ("ui.col.others", first["others"]),
]
common.table(pl.DataFrame({"field": [common.tr(k) for k, _ in record],
                           "value": ["–" if v is None else str(v) for _, v in record]}), "activity_record",
             file_name=f"activity-record-{activity_id}")

st.markdown(f"**{common.tr('ui.activity.figures')}**")
figures = views.with_violation_text(rows, lang)
common.table(figures, "activity_branches", file_name=f"activity-{activity_id}",
             columns=["branch", "roster", "exempt", "expected", "present", "excused", "unexcused", "made_up",
                      "participation", "quorum_met", "satisfaction", "violation_text"])
broken = sorted({c for v in rows["violations"].to_list() for c in (v or [])})
if broken:
    for code in broken:
        st.warning(common.tr("ui.activity.broke", rule=common.tr(f"ui.violation.{code}"),
                             why=common.tr(f"ui.activity.why.{code}")), icon=":material/gavel:")
else:
    st.success(common.tr("ui.activity.no_violation"))

st.markdown(f"**{common.tr('ui.activity.evaluation')}**")
items = common.metric("satisfaction_items", year, activity_id=activity_id).filter(
    pl.col("branch_id") == first["branch_id"])
if items.is_empty():
    st.info(common.tr("ui.activity.no_evaluation"))
else:
    common.chart(charts.activity_items(items, lang), "activity_items")
    order = {item: n for n, item in enumerate(charts.ITEMS)}
    items = views.translated(items, "item", "ui.item", lang, "item_name").sort(
        pl.col("item").replace_strict(order, default=len(order)))
    common.table(items, "activity_items_table", file_name=f"evaluation-{activity_id}",
                 columns=["item_name", "satisfied", "basic", "unsatisfied", "votes", "satisfaction"])

st.markdown(f"**{common.tr('ui.activity.sign_in')}**")
allowed = common.member_ids()
detail = common.metric("activity_detail", activity_id)
if allowed is not None and not any(access.in_scope(allowed, b) for b in rows["branch_id"].to_list()):
    st.caption(common.tr("ui.activity.sign_in_hidden"))
elif detail.is_empty():
    st.info(common.tr("ui.activity.no_sign_in"))
else:
    if allowed is None:
        mine = detail
    else:  # guests of the activity are shown to whoever may see a taking-part branch's members
        mine = detail.filter(pl.col("branch_id").is_in(list(allowed)) | (pl.col("kind") == "guest"))
    shown = views.translated(views.translated(mine, "kind", "ui.attendee", lang, "kind_name"),
                             "status", "ui.status", lang, "status_name").sort("kind", "branch", "status", "name",
                                                                             nulls_last=True)
    counts = shown.group_by("kind_name").len().sort("kind_name")
    st.caption(" · ".join(f"{k}: {n}" for k, n in counts.iter_rows()))
    common.table(shown, "activity_sign_in", file_name=f"sign-in-{activity_id}", search=["name"],
                 columns=["kind_name", "branch", "name", "status_name", "made_up", "remark"])
