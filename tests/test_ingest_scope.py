"""Ingest refusals that depend on who uploads and what the database holds: another branch's file, a
namesake who cannot be told apart, the size limit from the rules; Traditional branch names match."""

from __future__ import annotations

import io
import json
import sys
import time
import tracemalloc
from pathlib import Path

from conftest import ROOT, run_cli
from openpyxl import Workbook

from pipelines import db
from pipelines.errors import PartydayError
from pipelines.ingest import ingest_files, undo_upload

sys.path.insert(0, str(ROOT / "scripts"))
import make_fixtures  # noqa: E402


def sheet(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "签到表"
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_secretary_uploads_only_for_her_branch(org_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "乙支部签到.xlsx"
    other.write_bytes(sheet([["乙支部2024年3月主题党日签到表"], ["时间：2024-03-20"], ["姓名", "签到"], ["周一", "√"]]))
    proc = run_cli("--lang", "en", "--as-user", "branch1", "ingest", other, "--json", db=org_db)
    assert proc.returncode == 1
    [issue] = json.loads(proc.stdout)["files"][0]["issues"]
    assert issue["message"] == ('File 乙支部签到.xlsx, sheet "签到表": these are data of "乙支部", which you may not '
                                "upload.")
    own = tmp_path / "甲支部签到.xlsx"
    own.write_bytes(sheet([["甲支部2024年3月主题党日签到表"], ["时间：2024-03-20"], ["姓名", "签到"], ["王芳", "√"]]))
    assert run_cli("--as-user", "branch1", "ingest", own, db=org_db).returncode == 0
    [theirs] = ingest_files(org_db, [other], actor="dangwei")
    with db.reading(org_db) as con:
        mine = con.execute("select branch_id from branches where name = '甲支部'").fetchone()[0]
    try:
        undo_upload(org_db, theirs.upload_id, actor="branch1", allowed_branch_ids={mine})
        raise AssertionError("undo of another branch's upload was allowed")
    except PartydayError as exc:
        assert exc.message("en") == (f"Upload {theirs.upload_id} (乙支部签到.xlsx) holds data of other branches; "
                                     "you may not undo it.")


def test_namesakes_are_never_merged_silently(org_db: Path, tmp_path: Path) -> None:
    roster = tmp_path / "丙支部花名册.xlsx"
    roster.write_bytes(sheet([["丙支部党员花名册（截至2024年1月）"], ["姓名", "性别", "出生日期"],
                              ["张伟", "男", "1990-01-01"], ["张伟", "男", "1992-05-05"], ["李娜", "女", "1988-08-08"]]))
    sign = tmp_path / "丙支部签到.xlsx"
    sign.write_bytes(sheet([["丙支部2024年3月主题党日签到表"], ["时间：2024-03-20"], ["姓名", "签到"], ["张伟", "√"],
                            ["李娜", "√"]]))
    [r1, r2] = ingest_files(org_db, [roster, sign], lang="en")
    assert r1.status == "loaded" and r2.status == "rejected"
    assert [(i.row, i.message("en")) for i in r2.issues if i.severity == "error"] == [
        (4, 'File 丙支部签到.xlsx, sheet "签到表", row 4: "丙支部" has 2 members named 张伟, who cannot be told apart. '
            'Add the birth year in brackets after the name, e.g. "张伟(1985)".')]
    dup = tmp_path / "丙支部花名册2.xlsx"
    dup.write_bytes(sheet([["丙支部党员花名册（截至2024年7月）"], ["姓名", "性别"], ["王五", "男"], ["王五", "男"]]))
    [r3] = ingest_files(org_db, [dup], lang="en")
    assert [i.message("en") for i in r3.issues if i.severity == "error"] == [
        'File 丙支部花名册2.xlsx, sheet "签到表", row 4: 王五 has the same name as row 3 and the same (or no) birth '
        "date. If they are two people, fill in their birth dates; if the line is repeated, delete one."]


def test_traditional_branch_names_match_simplified_ones(tmp_db: Path, tmp_path: Path) -> None:
    with db.writing(tmp_db) as con:
        con.execute("insert into branches (name) values ('电气党支部')")
    sign = tmp_path / "sign.xlsx"
    sign.write_bytes(sheet([["電氣黨支部2024年3月主題黨日活動簽到表"], ["時間：2024年3月20日"], ["姓名", "簽到情況", "備註"],
                            ["黃  俊", "已簽到", None], ["劉洋", None, "病假"]]))
    [r] = ingest_files(tmp_db, [sign], lang="en")
    assert r.status == "loaded", [i.message("en") for i in r.issues]
    with db.reading(tmp_db) as con:
        assert con.execute("select count(*) from branches").fetchone()[0] == 1
        assert con.execute("select m.name, a.status from attendance a join members m using (member_id) "
                           "order by 1").fetchall() == [("刘洋", "excused"), ("黄俊", "present")]


def test_size_limit_from_the_rules_and_a_zip_bomb_refused_fast(org_db: Path, tmp_path: Path) -> None:
    run_cli("rules", "set", "limits.max_file_mb=0.01", db=org_db, check=True)
    big = tmp_path / "big.xlsx"
    big.write_bytes(sheet([["甲支部2024年3月签到表"], ["姓名", "签到"], *[[f"人{i}", "√"] for i in range(800)]]))
    proc = run_cli("--lang", "en", "ingest", big, "--json", db=org_db)
    assert proc.returncode == 1
    size = f"{big.stat().st_size / 1024 / 1024:.2f}"
    assert json.loads(proc.stdout)["files"][0]["issues"][0]["message"] == (
        f"File big.xlsx: {size} MB is above the limit of 0.01 MB. Split it into smaller workbooks, or ask the "
        "administrator to change the rule limits.max_file_mb.")
    run_cli("rules", "reset", db=org_db, check=True)
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(make_fixtures.zip_bomb())
    assert bomb.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    [r] = ingest_files(org_db, [bomb])
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert r.status == "rejected" and r.issues[0].code == "ingest.zip_bomb"
    assert elapsed < 5 and peak < 50 * 1024 * 1024


def test_a_corrected_roster_of_the_same_date_replaces_the_earlier_one(org_db: Path) -> None:
    first = sheet([["丁支部党员花名册（截至2024年1月）"], ["姓名", "性别"], ["王方", "女"], ["李强", "男"]])
    sign = sheet([["丁支部2024年3月主题党日签到表"], ["时间：2024-03-15"], ["姓名", "签到"], ["王方", "√"], ["李强", "×"]])
    fixed = sheet([["丁支部党员花名册（截至2024年1月）"], ["姓名", "性别"], ["王芳", "女"], ["李强", "男"]])
    r1, _r2, r3 = ingest_files(org_db, [("花名册.xlsx", first), ("签到.xlsx", sign), ("花名册更正.xlsx", fixed)],
                               lang="en")
    assert r3.status == "loaded"
    assert [i.message("en") for i in r3.issues if i.code == "ingest.roster_replaced"] == [
        f'File 花名册更正.xlsx, sheet "签到表": this roster has the same date (2024-01-01) as upload {r1.upload_id} '
        "(花名册.xlsx) and replaces it as a correction; undoing this upload gives the earlier roster back."]

    def state() -> tuple[list[tuple[object, ...]], tuple[object, ...]]:
        with db.reading(org_db) as con:
            names = con.execute("select m.name from memberships s join members m using (member_id) "
                                "where s.superseded_by is null order by 1").fetchall()
            figures = con.execute("select roster, present, unexcused, others from out_activity_branch").fetchone()
        return names, figures

    # The misspelt member is the same person: her attendance still counts, nobody joined or left.
    assert state() == ([("李强",), ("王芳",)], (2, 1, 1, 0))
    undo_upload(org_db, r3.upload_id, actor="dangwei")
    assert state() == ([("李强",), ("王方",)], (2, 1, 1, 0))
