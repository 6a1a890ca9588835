"""上传数据 · Upload: several workbooks at once, each previewed (kind, what will load, issues by row),
then loaded on confirmation with progress; the upload history with undo; blank templates."""

from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from pipelines import access, db, templates
from pipelines.errors import PartydayError
from pipelines.ingest import FileResult, ingest_files, preview_files, safety, undo_upload
from pipelines.ingest.describe import activities_label, counts_label, kind_label
from pipelines.ingest.model import KINDS
from pipelines.ui import common, mapping_form, views
from pipelines.ui.filters import MAX_BRANCH_OPTIONS

me = access.require_page(common.user(), "upload")
common.page_header("ui.nav.upload", "ingest.page.caption")
lang = common.lang()
path = common.db_path()
with db.reading(path) as con:
    allowed = access.upload_branch_ids(con, me)
    visible = access.visible_branch_ids(con, me)
branch_rows = common.sql_frame("ui_branches")
if allowed is not None:
    branch_rows = branch_rows.filter(pl.col("branch_id").is_in(sorted(allowed)))
names = branch_rows["branch_name"].to_list()


def issues_frame(result: FileResult) -> pl.DataFrame:
    """The issues of one file as a table sorted by sheet and row."""
    rows = [{"severity": common.tr(f"ingest.page.severity.{i.severity}"), "sheet": i.sheet or "",
             "row": i.row, "column": i.column or "", "message": i.message(lang)} for i in result.issues]
    frame = pl.DataFrame(rows, schema={"severity": pl.String, "sheet": pl.String, "row": pl.Int64,
                                       "column": pl.String, "message": pl.String})
    frame = frame.sort(["sheet", "row"], nulls_last=False)
    return frame.rename({c: common.tr(f"ingest.page.col.{c}") for c in frame.columns})


def show_result(result: FileResult, key: str = "") -> None:
    """One file: status, recognised kind, what will load, issues (``key`` tells apart two showings of it)."""
    box = {"loaded": st.success, "unchanged": st.info, "rejected": st.error}[result.status]
    box(f"{result.file} — {common.tr(f'ingest.page.status.{result.status}')}")
    st.caption(common.tr("ingest.page.kind", kind=kind_label(result.kind, lang)))
    if result.status == "loaded":
        names = result.summary.get("branch_names") or []
        if names:
            st.caption(common.tr("ingest.page.branches", names="、".join(names) if lang == "zh" else ", ".join(names)))
        st.caption(common.tr("ingest.page.will_load", what=counts_label(result.summary.get("counts", {}), lang)))
        labels = result.summary.get("activity_labels") or []
        if labels:
            st.caption(common.tr("ingest.page.activities", what=activities_label(labels, lang)))
        used = [m for m in result.summary.get("mappings") or [] if m]
        if used:
            st.caption(common.tr("ingest.mapping.page.used", names="、".join(used) if lang == "zh" else ", ".join(used)))
    if result.issues:
        st.caption(common.tr("ingest.page.issues"))
        st.dataframe(issues_frame(result), hide_index=True, key=f"up_issues_{key}{result.file}")


choice = st.selectbox(common.tr("ingest.page.branch"), ["", *common.narrowed(names, "up_branch", "ui.pick.branch")],
                      format_func=lambda x: x or common.tr("ingest.page.branch_auto"), key="up_branch")
branch = choice or None
roster_date = st.date_input(common.tr("ingest.page.roster_date"), value=None, key="up_roster_date")
files = st.file_uploader(common.tr("ingest.page.files"), type=list(safety.UPLOAD_SUFFIXES),
                         accept_multiple_files=True, key="up_files")
items = [(f.name, f.getvalue()) for f in files or []]
if "up_mapping_done" in st.session_state:
    st.success(st.session_state.pop("up_mapping_done"))
if items:
    fingerprint = hashlib.sha256(b"".join(hashlib.sha256(d).digest() for _, d in items)
                                 + f"{branch}|{roster_date}".encode()).hexdigest()
    if st.session_state.get("up_preview_key") != fingerprint:
        st.session_state["up_preview"] = preview_files(items, branch=branch, db_path=path, allowed_branch_ids=allowed,
                                                       roster_date=roster_date, lang=lang)
        st.session_state["up_preview_key"] = fingerprint
        st.session_state.pop("up_done", None)
    st.subheader(common.tr("ingest.page.preview"))
    previews: list[FileResult] = st.session_state["up_preview"]
    for index, (item, result) in enumerate(zip(items, previews, strict=True)):
        show_result(result)
        if mapping_form.mappable(result):
            # A layout not recognised: the secretary teaches it here once (pipelines/ingest/mapping.py).
            mapping_form.teach(item, f"up_map_{index}", show_result, path=path, branch=branch, allowed=allowed,
                               roster_date=roster_date, actor=me.name)
    loadable = [it for it, r in zip(items, previews, strict=True) if r.status == "loaded"]
    if st.button(common.tr("ingest.page.confirm"), type="primary", disabled=not loadable, key="up_confirm"):
        bar = st.progress(0.0)

        def progress(i: int, n: int, file: str) -> None:
            bar.progress(i / max(n, 1), text=common.tr("ingest.page.loading", file=file, i=i + 1, n=n))

        done = ingest_files(path, loadable, branch=branch, actor=me.name, allowed_branch_ids=allowed, lang=lang,
                            roster_date=roster_date, progress=progress)
        bar.progress(1.0)
        common.clear_caches()
        st.session_state["up_done"] = done
        st.session_state.pop("up_preview_key", None)
    done_results: list[FileResult] | None = st.session_state.get("up_done")
    if done_results:
        n = {s: sum(r.status == s for r in done_results) for s in ("loaded", "unchanged", "rejected")}
        st.success(common.tr("ingest.page.done", **n))
        for result in done_results:
            if result.status == "rejected":
                show_result(result)

st.subheader(common.tr("ingest.page.history"))
if "up_undone" in st.session_state:
    st.success(st.session_state.pop("up_undone"))
history = common.upload_history(visible)
if history.is_empty():
    st.caption(common.tr("ingest.page.no_history"))
else:
    # searched and paged here on the server: the browser gets the 50 rows shown, not a province's years
    shown = common.searched(history, "up_history", ["file", "branch", "uploaded_by"])
    view = common.paged(shown, "up_history")
    view = views.translated(view, "status", "ingest.page.upload_status", lang, "status").with_columns(
        pl.Series("kind", [kind_label(k, lang) for k in view["kind"]], dtype=pl.String))  # "signin+evaluation"
    st.dataframe(view.rename({c: common.tr(f"ingest.page.col.{c}") for c in view.columns}), hide_index=True,
                 key="up_history")
    mine = shown.filter((pl.col("status") == "loaded") & (pl.lit(allowed is None) | pl.col("branch").is_in(names)))
    if mine.height > MAX_BRANCH_OPTIONS:
        st.caption(common.tr("ingest.page.undo_recent", count=MAX_BRANCH_OPTIONS))
        mine = mine.head(MAX_BRANCH_OPTIONS)
    if not mine.is_empty():
        labels = {u: f"{u} · {f}" for u, f in mine.select("upload_id", "file").iter_rows()}
        pick = st.selectbox(common.tr("ingest.page.undo_pick"), list(labels), format_func=lambda u: labels[u],
                            key="up_undo_pick")
        if st.button(common.tr("ingest.page.undo"), key="up_undo"):
            try:
                undone = undo_upload(path, int(pick), actor=me.name, allowed_branch_ids=allowed)
                common.clear_caches()
                st.session_state["up_undone"] = common.tr("ingest.page.undone", upload_id=undone["upload_id"],
                                                          file=undone["file"])
                st.rerun()
            except PartydayError as exc:
                common.show_issues(exc.issues)

if me.is_committee:
    mapping_form.manage(path, me)

st.subheader(common.tr("ingest.page.templates"))
columns = st.columns(len(KINDS))
for column, kind in zip(columns, KINDS, strict=True):
    with column:
        st.download_button(common.tr(f"ingest.kind.{kind}"), data=templates.template(kind),
                           file_name=templates.template_name(kind), mime=common.XLSX_MIME,
                           icon=":material/download:", key=f"up_tpl_{kind}", on_click="ignore")
