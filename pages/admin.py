"""管理 · Admin (committee only): accounts, the audit log and backups."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from pipelines import access, auth, backup, clock, db
from pipelines.audit import record
from pipelines.errors import PartydayError
from pipelines.ui import common

me = access.require_page(common.user(), "admin")
access.require_committee(me, "admin")
common.page_header("access.admin.title")

SECTIONS = ("users", "audit", "backup")
section = st.segmented_control(common.tr("access.admin.section"), SECTIONS, default="users",
                               format_func=lambda s: common.tr(f"access.admin.{s}"), key="admin_section",
                               label_visibility="collapsed") or "users"


def role_label(role: str) -> str:
    """The role's name in the user's language."""
    return common.tr(f"access.role.{role}")


def headed(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with this page's column headers in the user's language (empty text cells as a dash)."""
    frame = frame.with_columns(pl.col(pl.String).fill_null("—"))
    return frame.rename({c: common.tr(f"access.col.{c}") for c in frame.columns})


def write(action: str, func: object, *args: object, **kwargs: object) -> None:
    """Run one account change in a write transaction; show the result and refresh the page."""
    try:
        with db.writing(common.db_path()) as con:
            func(con, *args, actor=me.name, **kwargs)  # type: ignore[operator]
    except PartydayError as exc:
        common.show_issues(exc.issues)
        return
    common.clear_caches()
    st.session_state["admin_done"] = common.tr(f"access.admin.done.{action}", name=args[0])
    st.rerun()


done = st.session_state.pop("admin_done", None)
if done:
    st.success(done, icon=":material/check_circle:")

if section == "users":
    users = common.sql_frame("access_users")
    shown = users.with_columns(pl.col("role").map_elements(role_label, return_dtype=pl.Utf8))
    st.dataframe(headed(shown.drop("demo")), hide_index=True, key="admin_users_table")

    branches = common.branches()
    zones = branches.select("zone_id", "zone_name").unique().drop_nulls().sort("zone_id")
    st.subheader(common.tr("access.admin.add_user"))
    # a province's 20,000 branches and 2,500 zones are searched here, outside the form, not all listed
    branch_names = common.narrowed(branches["branch_name"].to_list(), "admin_branch", "ui.pick.branch")
    zone_names = common.narrowed(zones["zone_name"].to_list(), "admin_zone", "ui.pick.zone")
    with st.form("admin_add_user", clear_on_submit=True):
        cols = st.columns(2)
        name = cols[0].text_input(common.tr("access.col.name"))
        role = cols[1].selectbox(common.tr("access.col.role"), access.ROLES, format_func=role_label)
        branch = cols[0].selectbox(common.tr("access.col.branch"), [None, *branch_names], format_func=lambda b: b or "—")
        zone = cols[1].selectbox(common.tr("access.col.zone"), [None, *zone_names], format_func=lambda z: z or "—")
        password = cols[0].text_input(common.tr("access.ui.password"), type="password")
        email = cols[1].text_input(common.tr("access.col.email"))
        if st.form_submit_button(common.tr("access.admin.add_user"), type="primary"):
            write("add", auth.create_user, name, role, password=password or None, branch=branch, zone=zone,
                  email=email or None)

    st.subheader(common.tr("access.admin.manage_user"))
    names = users["name"].to_list()
    chosen = st.selectbox(common.tr("access.col.name"), names, key="admin_manage_name")
    if chosen:
        active = bool(users.filter(pl.col("name") == chosen)["active"][0])
        cols = st.columns(2)
        if active and cols[0].button(common.tr("access.admin.disable"), key="admin_disable"):
            write("disable", auth.disable_user, chosen)
        if not active and cols[0].button(common.tr("access.admin.enable"), key="admin_enable"):
            write("enable", auth.enable_user, chosen)
        with cols[1].form("admin_set_password", clear_on_submit=True):
            new = st.text_input(common.tr("access.ui.new_password"), type="password")
            if st.form_submit_button(common.tr("access.admin.set_password")):
                write("password", auth.set_password, chosen, new)

elif section == "audit":
    cols = st.columns(3)
    # Label -> prefix of the audit actions it covers (login.success, upload.load, rules.set, user.add ...).
    kinds = {"login": "login", "logout": "logout", "upload": "upload.load", "undo": "upload.undo",
             "rules": "rules", "snapshot": "snapshot", "user": "user", "backup": "backup",
             "mapping": "mapping"}
    kind = cols[0].selectbox(common.tr("access.col.action"), [None, *kinds], key="admin_audit_kind",
                             format_func=lambda k: common.tr(f"access.admin.kind.{k}") if k else "—")
    actor = cols[1].text_input(common.tr("access.col.actor"), key="admin_audit_actor").strip() or None
    since = cols[2].date_input(common.tr("access.admin.since"), value=None, key="admin_audit_since")
    log = common.sql_frame("access_audit", actor=actor, action=kinds[kind] if kind else None, limit=100_000,
                           since=dt.datetime.combine(since, dt.time()) if since else None)
    st.caption(common.tr("access.admin.audit_count", count=log.height))
    view = common.paged(log, "admin_audit")
    st.dataframe(headed(view), hide_index=True, key="admin_audit_table")
    common.download_xlsx({"audit": headed(log)}, f"audit-{clock.today().isoformat()}.xlsx",
                         "access.admin.download_audit", key="admin_audit_xlsx")

else:
    st.write(common.tr("access.admin.backup_help"))

    def _backup_bytes() -> bytes:
        data = backup.backup_zip(common.db_path())
        with db.writing(common.db_path()) as con:
            record(con, me.name, "backup.download", None, {"bytes": len(data)})
        return data

    st.download_button(common.tr("access.admin.download_backup"), data=_backup_bytes,
                       file_name=f"partyday-backup-{clock.today().isoformat()}.zip", mime="application/zip",
                       on_click="ignore", icon=":material/download:", key="admin_backup_zip")
