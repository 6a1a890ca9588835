"""年度快照 · Snapshots: take, list, open, check reproducibility, compare and download frozen rankings."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from pipelines import access, snapshot_export, snapshots
from pipelines.errors import PartydayError
from pipelines.ui import common

me = access.require_page(common.user(), "snapshots")
common.page_header("snapshots.page.title", "snapshots.page.caption")

SECTIONS = ("list", "take", "compare") if me.is_committee else ("list", "compare")
VIEWS = ("ranking", "recommended", "best_cases", "strikes", "quorum_failures", "absentees", "uploads")
# Columns each view of an open snapshot shows, in order (labels: snapshots.x.col.<name>).
VIEW_COLUMNS = {
    "ranking": ("rank", "branch", "zone", "zone_rank", "score", "low_satisfaction_events", "eligible",
                "too_little_data"),
    "recommended": ("scope", "place", "rank", "branch", "zone", "score"),
    "best_cases": ("branch", "zone", "date", "topic", "satisfaction", "ballots", "participation"),
    "strikes": ("branch", "zone", "date", "topic", "satisfaction"),
    "quorum_failures": ("branch", "zone", "date", "topic", "expected", "present", "excused", "unexcused",
                        "participation"),
    "absentees": ("branch", "zone", "name", "present", "excused", "unexcused", "warning"),
    "uploads": ("upload_id", "file_name", "kind", "branch", "uploaded_at", "uploaded_by", "sha256"),
    "moved": ("branch", "zone", "rank_then", "rank_now", "zone_rank_then", "zone_rank_now", "score_then",
              "score_now", "eligible_then", "eligible_now"),
    "zones": ("zone", "branches_first", "branches_second", "mean_score_first", "mean_score_second",
              "mean_score_change", "best_rank_first", "best_rank_second"),
    "list": ("id", "name", "period", "taken_by", "taken_at", "note", "superseded_by"),
}
RATE_COLUMNS = {"satisfaction", "participation"}


def label(column: str) -> str:
    """A column header in the user's language."""
    for key in (f"snapshots.x.col.{column}", f"snapshots.page.col.{column}"):
        if common.has_text(key):
            return common.tr(key)
    return column


def frame(rows: list[dict[str, Any]], view: str) -> None:
    """Rows of a stored snapshot as a table with this page's headers, rates shown as percentages."""
    if not rows:
        st.caption(common.tr("snapshots.page.no_rows"))
        return
    columns = [c for c in VIEW_COLUMNS[view] if any(c in r for r in rows)]
    data = pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], infer_schema_length=None)
    data = data.with_columns(pl.col(pl.Null).cast(pl.String)).with_columns(pl.col(pl.String).fill_null(""))
    config = {label(c): st.column_config.NumberColumn(format="percent") for c in columns if c in RATE_COLUMNS}
    # a province's snapshot ranks 20,000 branches: searched and paged on the server like every table
    data = common.paged(common.searched(data, f"snap_{view}", [c for c in ("branch", "zone") if c in columns]),
                        f"snap_{view}")
    st.dataframe(data.rename({c: label(c) for c in columns}), hide_index=True, column_config=config,
                 key=f"snap_table_{view}")


def period(row: dict[str, Any]) -> str:
    """``2026 年度`` / ``2026 年第 4 季度``."""
    return snapshot_export.period(row, common.lang())


def choice(row: dict[str, Any]) -> str:
    """How a snapshot appears in a picker."""
    return f"#{row['id']} · {row['name']} · {period(row)} · {row['taken_at']}"


def take_form() -> None:
    """The committee's form to freeze the ranking of a year or a quarter."""
    with st.form("snap_take_form"):
        year = st.number_input(common.tr("snapshots.page.year"), min_value=2000, max_value=2100,
                               value=int(common.filters().year), step=1, key="snap_take_year")
        quarter = st.selectbox(common.tr("snapshots.page.quarter"), (0, 1, 2, 3, 4), key="snap_take_quarter",
                               format_func=lambda q: common.tr("snapshots.page.whole_year") if q == 0
                               else common.tr("snapshots.page.quarter_n", quarter=q))
        name = st.text_input(common.tr("snapshots.page.name"), key="snap_take_name",
                             placeholder=common.tr("snapshots.page.name_hint"))
        note = st.text_area(common.tr("snapshots.page.note"), key="snap_take_note")
        submitted = st.form_submit_button(common.tr("snapshots.page.take"), type="primary")
    if submitted:
        try:
            head = snapshots.take(common.db_path(), year=int(year), quarter=int(quarter) or None,
                                  name=name.strip() or None, note=note.strip() or None, user=me,
                                  lang=common.lang())
        except PartydayError as exc:
            common.show_issues(exc.issues)
            return
        common.clear_caches()
        st.session_state["snap_done"] = common.tr("snapshots.cli.created", **head)
        st.session_state["snap_goto"] = head["id"]
        st.rerun()


def open_snapshot(snapshot_id: int) -> None:
    """One stored snapshot: its header, its parts, the reproducibility check, the download."""
    snap = snapshots.show(common.db_path(), snapshot_id, user=me)
    st.subheader(f"{snap['name']} · {period(snap)}")
    cols = st.columns(4)
    cols[0].metric(common.tr("snapshots.x.cover.branches"), len(snap["ranking"]))
    cols[1].metric(common.tr("snapshots.x.cover.ineligible"), sum(1 for r in snap["ranking"]
                                                                  if r.get("eligible") is False))
    cols[2].metric(common.tr("snapshots.x.cover.uploads"), len(snap["uploads"]))
    cols[3].metric(common.tr("snapshots.x.cover.taken_by"), snap["taken_by"] or "–")
    st.caption(common.tr("snapshots.page.header_line", **snap))
    if snap.get("superseded_by"):
        st.info(common.tr("snapshots.page.superseded", newer=snap["superseded_by"]), icon=":material/history:")

    buttons = st.columns(3)
    check = buttons[0].button(common.tr("snapshots.page.check"), key="snap_check", icon=":material/verified:")
    buttons[1].download_button(
        common.tr("snapshots.page.download"), data=lambda: snapshot_export.to_bytes(snap, common.lang()),
        file_name=f"snapshot-{snapshot_id}.xlsx", mime=common.XLSX_MIME, on_click="ignore",
        icon=":material/download:", key="snap_download")
    if me.is_committee:
        with buttons[2].popover(common.tr("snapshots.page.delete"), icon=":material/delete:"):
            st.warning(common.tr("snapshots.page.delete_warning", id=snapshot_id))
            if st.button(common.tr("snapshots.page.delete_confirm"), key="snap_delete", type="primary"):
                snapshots.delete(common.db_path(), snapshot_id, user=me)
                common.clear_caches()
                st.session_state["snap_done"] = common.tr("snapshots.cli.deleted", **snap)
                st.session_state["snap_goto"] = None
                st.rerun()
    if check:
        result = snapshots.check(common.db_path(), snapshot_id, user=me)
        lines = snapshots.check_summary(result, common.lang()).split("\n")
        (st.success if result["matches"] else st.error)(lines[0])
        for line in lines[1:]:
            st.markdown(f"- {line}")
        if result["moved"]:
            frame(result["moved"], "moved")

    view = st.segmented_control(common.tr("snapshots.page.view"), VIEWS, default="ranking", key="snap_view",
                                format_func=lambda v: common.tr(f"snapshots.page.views.{v}")) or "ranking"
    rows = snap[view]
    if view == "recommended":
        rows = [{**r, "scope": common.tr("snapshots.x.scope_overall") if r["scope"] == "overall"
                 else r.get("zone_scope")} for r in rows]
    frame(rows, view)


def list_section() -> None:
    """Every snapshot, newest first, and the one the user opens."""
    found = snapshots.list_snapshots(common.db_path(), user=me)
    if not found:
        st.info(common.tr("snapshots.page.none"), icon=":material/info:")
        return
    frame([{**r, "period": period(r), "superseded_by": f"#{r['superseded_by']}" if r["superseded_by"] else ""}
           for r in found], "list")
    ids = [r["id"] for r in found]
    current = st.session_state.get("snap_open")
    chosen = st.selectbox(common.tr("snapshots.page.open"), ids, key="snap_pick",
                          index=ids.index(current) if current in ids else 0,
                          format_func=lambda i: choice(next(r for r in found if r["id"] == i)))
    st.session_state["snap_open"] = chosen
    open_snapshot(int(chosen))


def compare_section() -> None:
    """Rank and score movement per branch and per zone between two snapshots."""
    found = snapshots.list_snapshots(common.db_path(), user=me)
    if len(found) < 2:
        st.info(common.tr("snapshots.page.compare_need_two"), icon=":material/info:")
        return
    ids = [r["id"] for r in found]
    by_id = {r["id"]: r for r in found}
    left, right = st.columns(2)
    first = left.selectbox(common.tr("snapshots.page.first"), ids, index=1, key="snap_cmp_first",
                           format_func=lambda i: choice(by_id[i]))
    second = right.selectbox(common.tr("snapshots.page.second"), ids, index=0, key="snap_cmp_second",
                             format_func=lambda i: choice(by_id[i]))
    result = snapshots.compare(common.db_path(), int(first), int(second), user=me)
    if not result["same_rules"]:
        st.warning(common.tr("snapshots.page.rules_differ"), icon=":material/rule:")
    st.subheader(common.tr("snapshots.page.by_branch"))
    frame(result["branches"], "moved")
    st.subheader(common.tr("snapshots.page.by_zone"))
    frame(result["zones"], "zones")


done = st.session_state.pop("snap_done", None)
if done:
    st.success(done, icon=":material/check_circle:")
if "snap_goto" in st.session_state:  # after taking or deleting: back to the list, on the new snapshot
    st.session_state["snap_open"] = st.session_state.pop("snap_goto")
    st.session_state.pop("snap_pick", None)
    st.session_state["snap_section"] = "list"
if st.session_state.get("snap_section") not in SECTIONS:
    st.session_state["snap_section"] = "list"
section = st.segmented_control(common.tr("snapshots.page.section"), SECTIONS, key="snap_section",
                               format_func=lambda s: common.tr(f"snapshots.page.sections.{s}"),
                               label_visibility="collapsed") or "list"
if section == "take":
    take_form()
elif section == "compare":
    compare_section()
else:
    list_section()
