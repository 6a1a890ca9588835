"""The demo committee of seed 002: its shape, its variety, and that one seed always gives the same data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from conftest import TODAY, run_cli

from pipelines.demo.generate import SCALES, generate

# Tables whose contents the demo determines (timestamps and password hashes aside).
CONTENT_TABLES = {
    "zones": "name, sort_order",
    "branches": "name, zone_id, secretary",
    "zone_quarter_roles": "zone_id, year, quarter, leader_branch_id, deputy_branch_id",
    "members": "member_id, name, sex, birth_date, joined_party_date, member_kind, is_leading_cadre",
    "memberships": "member_id, branch_id, start_date, end_date, change_reason, superseded_by",
    "exemptions": "member_id, start_date, end_date, reason",
    "cadre_guidance": "member_id, branch_id",
    "activities": "activity_id, host_branch_id, activity_month, activity_date, topic, level",
    "activity_branches": "activity_id, branch_id",
    "activity_records": "activity_id, topic, topic_kind, start_time, end_time, duration_hours, place, host, "
                        "notice_date, report_date, is_open_day, expected_count, present_count, leave_count",
    "attendance": "activity_id, member_id, branch_id, status, made_up, remark, superseded_by",
    "guest_attendance": "activity_id, name, guest_kind",
    "evaluation_votes": "activity_id, item, rating, votes, rater_kind, ballot_no",
}


def table_contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every content table, sorted, as plain tuples."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select {cols} from {t} order by all").fetchall() for t, cols in CONTENT_TABLES.items()}
    finally:
        con.close()


def scalar(path: Path, sql: str) -> object:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(sql).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def test_demo_has_the_committee_of_seed_002(demo_db: Path) -> None:
    assert scalar(demo_db, "select count(*) from zones") == 4
    assert scalar(demo_db, "select count(*) from branches") == 15
    assert scalar(demo_db, "select count(*) from branches where name in ('运行一党支部', '检修二党支部', '机关党支部')") == 3
    # Each zone has one leader and one deputy unit per quarter, in rotation, from its own branches.
    assert scalar(demo_db, """
        select count(*) from zone_quarter_roles r
        join branches l on l.branch_id = r.leader_branch_id join branches d on d.branch_id = r.deputy_branch_id
        where l.zone_id <> r.zone_id or d.zone_id <> r.zone_id or r.leader_branch_id = r.deputy_branch_id""") == 0
    assert scalar(demo_db, "select count(distinct leader_branch_id) from zone_quarter_roles") == 15
    members = scalar(demo_db, """select count(distinct member_id) from memberships
                                 where superseded_by is null and end_date is null""")
    assert 300 <= int(members) <= 600  # type: ignore[call-overload]
    # All of last year and this year to date, a theme Party day a month in (nearly) every branch.
    assert scalar(demo_db, "select min(activity_month) from activities") == date(TODAY.year - 1, 1, 1)
    assert scalar(demo_db, "select max(coalesce(activity_date, activity_month)) from activities") <= TODAY


def test_demo_has_the_variety_of_a_real_year(demo_db: Path) -> None:
    # Exactly one branch strikes out on satisfaction (3+ activities below 60% in a year).
    struck = scalar(demo_db, """
        with rate as (
            select a.activity_id, a.host_branch_id, year(coalesce(a.activity_date, a.activity_month)) as y,
                   sum(votes) filter (where rating in ('satisfied', 'basic')) / sum(votes) as r
            from evaluation_votes v join activities a using (activity_id)
            where item = 'overall' and v.superseded_by is null group by all)
        select list(distinct b.name) from (
            select host_branch_id, y from rate where r < 0.6 group by all having count(*) >= 3) s
        join branches b on b.branch_id = s.host_branch_id""")
    assert struck == ["运行四党支部"]
    # Quorum failures, missed months, late notices and records, both kinds of absence, make-up study.
    assert int(scalar(demo_db, """select count(*) from activity_records
                                  where present_count < 0.8 * expected_count""")) >= 5  # type: ignore[call-overload]
    assert scalar(demo_db, """select count(*) from (select b.branch_id, m.month from branches b,
        (select distinct activity_month as month from activities) m) g
        where not exists (select 1 from activity_branches ab join activities a using (activity_id)
                          where ab.branch_id = g.branch_id and a.activity_month = g.month)""")
    assert scalar(demo_db, "select count(*) from activity_records r join activities a using (activity_id) "
                           "where a.activity_date - r.notice_date < 5")
    assert scalar(demo_db, "select count(*) from activity_records r join activities a using (activity_id) "
                           "where r.report_date - a.activity_date > 2")
    statuses = scalar(demo_db, "select list(distinct status order by status) from attendance")
    assert statuses == ["excused", "present", "unexcused"]
    assert scalar(demo_db, "select bool_or(made_up) from attendance")
    # Members joining, leaving and transferring; an exempt member; a leading cadre guiding two branches.
    reasons = set(scalar(demo_db, "select list(distinct change_reason) from memberships"))  # type: ignore[arg-type]
    assert {"joined", "left", "transfer_in", "transfer_out"} <= reasons
    assert scalar(demo_db, "select count(*) from exemptions") == 1
    assert scalar(demo_db, "select count(*) from members where is_leading_cadre") >= 1
    assert int(scalar(demo_db, "select count(*) from cadre_guidance")) >= 2  # type: ignore[call-overload]
    # An open day, a joint zone activity with several branches, non-member attendees.
    assert scalar(demo_db, "select count(*) from activity_records where is_open_day")
    assert int(scalar(demo_db, """select max(n) from (select count(*) as n from activity_branches
                                  group by activity_id)""")) >= 3  # type: ignore[call-overload]
    assert scalar(demo_db, "select count(*) from activities where level = 'zone'")
    assert scalar(demo_db, "select count(*) from guest_attendance")
    # Evaluations both as vote counts and one row per ballot.
    assert scalar(demo_db, "select count(*) from evaluation_votes where ballot_no is null and votes > 1")
    assert scalar(demo_db, "select count(distinct activity_id) from evaluation_votes where ballot_no is not null")


def test_same_seed_gives_the_same_data(demo_db: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    proc = run_cli("demo", "--json", "--out", tmp_path / "wb", db=again, check=True)
    assert json.loads(proc.stdout)["branches"] == 15
    first, second = table_contents(demo_db), table_contents(again)
    for table in CONTENT_TABLES:
        assert first[table] == second[table], table


def test_another_seed_gives_other_data() -> None:
    today = date(2026, 11, 23)
    a, b = generate("demo", 2, today), generate("demo", 3, today)
    assert a.branches["name"].to_list() == b.branches["name"].to_list()
    assert a.members["name"].to_list() != b.members["name"].to_list()
    assert generate("demo", 2, today).members.equals(a.members)


def test_demo_refuses_a_database_that_holds_data(copy_demo_db: Path) -> None:
    proc = run_cli("--lang", "en", "demo", db=copy_demo_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"The database {copy_demo_db} already holds 15 branches. The demo committee is built into an empty "
        "database only: name a new file with --db.")


def test_large_scale_has_the_promised_size() -> None:
    c = generate("large", 2, date(2026, 11, 23))
    assert c.branches.height == 2000 and c.branches["name"].n_unique() == 2000
    current = c.memberships.filter(pl.col("end_date").is_null())["member_id"].n_unique()
    assert 54_000 <= current <= 66_000
    assert len(c.years) == 3


def test_province_scale_is_ten_times_large() -> None:
    # Generating it takes minutes (the benchmarks do); its shape is large's, ten times over, for 5 years.
    large, province = SCALES["large"], SCALES["province"]
    assert province.branches == 20_000 and province.n_years == 5
    assert province.members_per_branch == large.members_per_branch
    mean = sum(province.members_per_branch) / 2
    assert 540_000 <= province.branches * mean <= 660_000


def test_demo_writes_the_workbooks_secretaries_keep(demo_db: Path) -> None:
    from openpyxl import load_workbook

    folder = demo_db.parent / "demo-workbooks"
    division = load_workbook(folder / "00_协作区划分.xlsx")
    ws = division["协作区划分"]
    assert sorted((r.min_row, str(r)) for r in ws.merged_cells.ranges if r.max_col == 1) == \
        [(3, "A3:A6"), (7, "A7:A10"), (11, "A11:A14"), (15, "A15:A17")]
    assert ws["A3"].value == "第一协作区" and ws["B3"].value == "运行一党支部"
    assert division["组长单位轮值"]["A1"].value == "年度"
    month = load_workbook(next(folder.glob("02_主题党日/运行一党支部/运行一党支部_*年03月主题党日.xlsx")))
    assert month.sheetnames == ["签到表", "测评表", "活动纪实表"]
    sign = month["签到表"]
    assert sign["A1"].value.endswith("3月主题党日活动签到表") and sign["A2"].value.startswith("活动主题：")
    assert [c.value for c in sign[3]] == ["序号", "姓名", "身份", "签到", "备注"]
    record = month["活动纪实表"]
    assert [record.cell(r, 1).value for r in range(2, 5)] == ["党支部", "活动时间", "活动地点"]
    rosters = sorted(folder.glob("01_花名册/*.xlsx"))
    assert len(rosters) >= 15
    assert load_workbook(rosters[0]).active["G2"].value == "身份证号"
    assert sorted(folder.glob("03_出勤统计/*.xlsx"))


def test_workbooks_of_the_first_branches_only(tmp_path: Path) -> None:
    from pipelines.demo.workbooks import manifest, write_workbooks

    c = generate("tiny", 2, date(2026, 11, 23))
    files = write_workbooks(c, tmp_path, branches=2)
    assert files[0].name == "00_协作区划分.xlsx"
    names = set(c.branches["name"].to_list()[:2])
    assert {f.name.split("_")[0] for f in files[1:]} == names
    assert manifest(tmp_path) == files
    first = manifest(tmp_path, 1)
    assert first[0] == files[0] and {f.name.split("_")[0] for f in first[1:]} == {c.branches["name"][0]}


def test_province_cannot_go_through_ingest(tmp_path: Path) -> None:
    proc = run_cli("--lang", "en", "demo", "--scale", "province", "--via", "ingest", db=tmp_path / "p.duckdb")
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("The scale province writes no workbooks and is loaded directly (leave out "
                                   "--via ingest). Scales with workbooks: demo, tiny, large")
    assert not (tmp_path / "p.duckdb").exists()
