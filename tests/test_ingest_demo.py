"""Ingest on the demo committee's workbooks (every habit of seed 002's secretaries: Traditional
characters, padded names, four date forms, marks and words, leave in remarks, ballots and counts, year
tables, joint zone activities): loading them gives exactly the facts the generator drew, loaded directly."""

from __future__ import annotations

from pathlib import Path

import duckdb
from conftest import run_cli

# Facts per activity, keyed by what the workbooks state (host branch name and date), not by ids.
FACTS = {
    "attendance": """select h.name, a.activity_date, b.name, m.name, t.status, t.made_up
                     from attendance t join activities a using (activity_id) join branches h on h.branch_id = a.host_branch_id
                     join branches b on b.branch_id = t.branch_id join members m using (member_id)
                     where t.superseded_by is null order by all""",
    "votes": """select h.name, a.activity_date, v.item, v.rating, sum(v.votes)
                from evaluation_votes v join activities a using (activity_id) join branches h on h.branch_id = a.host_branch_id
                where v.superseded_by is null group by all order by all""",
    "records": """select h.name, a.activity_date, a.level, r.topic, r.topic_kind, r.start_time, r.end_time, r.duration_hours,
                  r.notice_date, r.report_date, r.is_open_day, r.expected_count, r.present_count, r.leave_count
                  from activity_records r join activities a using (activity_id) join branches h on h.branch_id = a.host_branch_id
                  where r.superseded_by is null order by all""",
    "parts": """select h.name, a.activity_date, b.name from activity_branches ab join activities a using (activity_id)
                join branches h on h.branch_id = a.host_branch_id join branches b on b.branch_id = ab.branch_id order by all""",
    "guests": """select h.name, a.activity_date, g.name, g.guest_kind from guest_attendance g join activities a using (activity_id)
                 join branches h on h.branch_id = a.host_branch_id where g.superseded_by is null order by all""",
    "members_now": """select b.name, m.name, m.sex, m.birth_date, m.member_kind, m.is_leading_cadre from memberships s
                      join members m using (member_id) join branches b using (branch_id)
                      where s.superseded_by is null and s.end_date is null order by all""",
    "exemptions": "select m.name, e.start_date, e.reason from exemptions e join members m using (member_id) order by all",
    "zones": """select z.name, b.name, b.secretary from branches b join zones z using (zone_id) order by all""",
    "roles": """select z.name, r.year, r.quarter, l.name, d.name from zone_quarter_roles r join zones z using (zone_id)
                join branches l on l.branch_id = r.leader_branch_id left join branches d on d.branch_id = r.deputy_branch_id
                order by all""",
}


def facts(path: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {k: con.execute(q).fetchall() for k, q in FACTS.items()}
    finally:
        con.close()


def test_demo_workbooks_load_to_the_generated_facts(demo_db: Path, tmp_path: Path) -> None:
    direct = tmp_path / "direct.duckdb"
    run_cli("demo", "--via", "direct", "--out", tmp_path / "wb", db=direct, check=True)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        assert con.execute("select count(*), count(*) filter (where status = 'loaded') from uploads").fetchone() \
            == (402, 402)
        leaves = con.execute("select list(distinct change_reason order by change_reason) from memberships").fetchone()
        assert leaves[0] == ["joined", "left", "roster", "transfer_in", "transfer_out"]
    ours, theirs = facts(demo_db), facts(direct)
    # Branches that keep a year table write no sign-in sheets, so the non-members at their own
    # activities are on no workbook: only the generator knows them.
    year_table = {p.name.split("_")[0] for p in (demo_db.parent / "demo-workbooks" / "03_出勤统计").glob("*.xlsx")}
    assert len(year_table) == 2
    theirs["guests"] = [g for g in theirs["guests"] if g[0] not in year_table]
    for key in FACTS:
        assert len(ours[key]) == len(theirs[key]), key
        assert ours[key] == theirs[key], key
