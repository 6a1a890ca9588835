"""Undo an upload: delete its rows, give back what it replaced, restore what it changed in place."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from pipelines.errors import PartydayError, error

FACT_TABLES = ("memberships", "exemptions", "activity_records", "attendance", "guest_attendance", "evaluation_votes")
# The rows an upload replaced are keyed like this; if a later upload replaced the undone upload's rows,
# what it had replaced stays replaced (by that later upload), so nothing is ever counted twice.
KEYS = {"activity_records": ("activity_id",), "attendance": ("activity_id", "branch_id"),
        "guest_attendance": ("activity_id",), "evaluation_votes": ("activity_id",),
        "memberships": ("membership_id",), "exemptions": ("exemption_id",)}


def undo(con: duckdb.DuckDBPyConnection, upload_id: int, *, actor: str | None,
         allowed_branch_ids: set[int] | None) -> dict[str, Any]:
    """Undo ``upload_id`` inside the caller's transaction; returns ``{"years": set, "upload": dict}``."""
    row = con.execute("select file_name, status, branch_id, summary from uploads where upload_id = ?",
                      [upload_id]).fetchone()
    if row is None:
        raise PartydayError(error("ingest.undo_unknown", upload_id=upload_id))
    file_name, status, branch_id, summary_text = row
    if status != "loaded":
        raise PartydayError(error("ingest.undo_again", upload_id=upload_id, file=file_name))
    summary = json.loads(summary_text) if summary_text else {}
    branches = set(summary.get("branch_ids") or ([branch_id] if branch_id is not None else []))
    if allowed_branch_ids is not None and not branches <= allowed_branch_ids:
        raise PartydayError(error("ingest.undo_refused", upload_id=upload_id, file=file_name))
    years = {int(y) for y in summary.get("years", [])}
    years |= {int(r[0]) for r in con.execute(
        "select distinct year(activity_month) from activities where created_upload_id = ?", [upload_id]).fetchall()}
    for table in ("activity_records", "attendance", "guest_attendance", "evaluation_votes"):
        years |= {int(r[0]) for r in con.execute(
            f"select distinct year(a.activity_month) from {table} t join activities a using (activity_id) "
            f"where t.upload_id = ? or t.superseded_by = ?", [upload_id, upload_id]).fetchall()}
    for table in FACT_TABLES:
        if table in ("memberships", "exemptions"):
            con.execute(f"update {table} set superseded_by = null where superseded_by = ?", [upload_id])
        else:
            key = " and ".join(f"n.{k} = t.{k}" for k in KEYS[table])
            con.execute(
                f"update {table} t set superseded_by = (select max(n.superseded_by) from {table} n "
                f"where n.upload_id = $u and {key}) where t.superseded_by = $u", {"u": upload_id})
        con.execute(f"delete from {table} where upload_id = ?", [upload_id])
    undo_info = summary.get("undo", {})
    for table, key, rid, by in undo_info.get("unsuperseded", []):
        if table in ("memberships", "exemptions") and key in ("membership_id", "exemption_id"):
            con.execute(f"update {table} set superseded_by = ? where {key} = ?", [by, rid])
    for aid in undo_info.get("dates_set", []):
        con.execute("update activities set activity_date = null where activity_id = ?", [aid])
    for aid, level in undo_info.get("levels_set", []):
        con.execute("update activities set level = ? where activity_id = ?", [level, aid])
    for aid, bid in undo_info.get("parts_added", []):
        con.execute("delete from activity_branches where activity_id = ? and branch_id = ? and not exists "
                    "(select 1 from attendance where activity_id = ? and branch_id = ?)", [aid, bid, aid, bid])
    for mid, bid in undo_info.get("guidance_added", []):
        con.execute("delete from cadre_guidance where member_id = ? and branch_id = ?", [mid, bid])
    for mid, old, cadre, *name in undo_info.get("members_changed", []):
        con.execute("update members set sex = ?, birth_date = ?, joined_party_date = ?, member_kind = ?, "
                    "is_leading_cadre = ?, name = coalesce(?, name) where member_id = ?",
                    [*old, cadre, name[0] if name else None, mid])
    for bid, zid, secretary in undo_info.get("branches_changed", []):
        con.execute("update branches set zone_id = ?, secretary = ? where branch_id = ?", [zid, secretary, bid])
    for cid in undo_info.get("committee_added", []):
        con.execute("delete from committee where committee_id = ?", [cid])
    for zid, year, quarter in undo_info.get("roles_added", []):
        con.execute("delete from zone_quarter_roles where zone_id = ? and year = ? and quarter = ?", [zid, year, quarter])
    for zid, year, quarter, leader, deputy, old_upload in undo_info.get("roles_changed", []):
        con.execute("delete from zone_quarter_roles where zone_id = ? and year = ? and quarter = ?", [zid, year, quarter])
        con.execute("insert into zone_quarter_roles values (?, ?, ?, ?, ?, ?)",
                    [zid, year, quarter, leader, deputy, old_upload])
    # Things this upload created that nothing live refers to any more.
    con.execute("""delete from activity_branches where activity_id in (
                   select activity_id from activities a where created_upload_id = $u
                   and not exists (select 1 from attendance t where t.activity_id = a.activity_id)
                   and not exists (select 1 from activity_records t where t.activity_id = a.activity_id)
                   and not exists (select 1 from evaluation_votes t where t.activity_id = a.activity_id)
                   and not exists (select 1 from guest_attendance t where t.activity_id = a.activity_id))""",
                {"u": upload_id})
    con.execute("""delete from activities a where created_upload_id = $u
                   and not exists (select 1 from activity_branches t where t.activity_id = a.activity_id)""",
                {"u": upload_id})
    con.execute("""delete from members m where upload_id = $u
                   and not exists (select 1 from memberships t where t.member_id = m.member_id)
                   and not exists (select 1 from attendance t where t.member_id = m.member_id)""", {"u": upload_id})
    con.execute("""delete from branches b where upload_id = $u
                   and not exists (select 1 from memberships t where t.branch_id = b.branch_id)
                   and not exists (select 1 from activity_branches t where t.branch_id = b.branch_id)
                   and not exists (select 1 from activities t where t.host_branch_id = b.branch_id)""",
                {"u": upload_id})
    con.execute("""delete from zones z where upload_id = $u
                   and not exists (select 1 from branches t where t.zone_id = z.zone_id)""", {"u": upload_id})
    con.execute("update uploads set status = 'undone', undone_at = current_timestamp, undone_by = ? "
                "where upload_id = ?", [actor, upload_id])
    touched = summary.get("touched")
    return {"years": years, "file": file_name, "branches": None if touched is None else set(touched)}
