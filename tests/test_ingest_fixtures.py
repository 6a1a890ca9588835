"""Ingest: every fixture of scripts/make_fixtures.py loaded through the command line and the library,
compared with its golden; each refusal with its exact message; unchanged, corrected and undone uploads."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from pipelines import db
from pipelines.ingest import ingest_files, preview_files, undo_upload

sys.path.insert(0, str(ROOT / "scripts"))
import make_fixtures  # noqa: E402

REFUSALS = {
    "30_无姓名列.xlsx": ("签到表", None, None, 'File 30_无姓名列.xlsx, sheet "签到表": no name column was found. Add a column '
                    'headed "姓名" (name) to the table and upload again, or make a column mapping for this '
                    'layout on the upload page (once only).'),
    "31_日期不存在.xlsx": ("纪实", 3, "B", 'File 31_日期不存在.xlsx, sheet "纪实", row 3, column B: the date "2024年2月30日" '
                     "does not exist: 2024-02 has days 1 to 29, not 30. Write the real date and upload again."),
    "32_扫描件.pdf": (None, None, None, "File 32_扫描件.pdf: this is a PDF (a scan or a print), whose tables cannot be "
                   "read. Upload the original Excel workbook or a CSV export."),
    "33_通知.docx": (None, None, None, "File 33_通知.docx: this is a Word document, not a spreadsheet. Copy the table "
                   "into Excel, save it as a workbook and upload that."),
    "34_加密.xlsx": (None, None, None, "File 34_加密.xlsx: the workbook is password-protected (encrypted) and cannot be "
                   "read. Remove the password in Excel (File → Info → Protect Workbook), save it and upload it again."),
    "35_网页另存.xls": (None, None, None, 'File 35_网页另存.xls: this is a web page or XML file with no table that can be read. '
                    'Open it in Excel, save it as "Excel Workbook (*.xlsx)" and upload that.'),
    "36_截断.xlsx": (None, None, None, "File 36_截断.xlsx: the file is damaged or incomplete (perhaps cut short while "
                   "copying) and cannot be read. Export or copy it again from the original and upload that."),
    "37_空工作簿.xlsx": (None, None, None, "File 37_空工作簿.xlsx: the workbook holds nothing. Check that you chose the "
                     "right file."),
    "38_压缩炸弹.xlsx": (None, None, None, "File 38_压缩炸弹.xlsx: its contents unpack to 300 MB, above the limit of 200 MB, "
                     "so it was refused (possibly a zip bomb). Upload an ordinary workbook, or ask the administrator "
                     "to change the rule limits.max_uncompressed_mb."),
}


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The fixture workbooks, written by the committed script."""
    return make_fixtures.write(tmp_path_factory.mktemp("fixtures"))


def golden(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))


@pytest.fixture
def zoned_db(tmp_db: Path) -> Path:
    with db.writing(tmp_db) as con:
        con.execute("insert into zones (name, sort_order) values ('一区', 1), ('二区', 2)")
    return tmp_db


def counts(path: Path) -> tuple:
    with db.reading(path) as con:
        return con.execute(
            "select (select count(*) from attendance where superseded_by is null), "
            "(select count(*) from evaluation_votes where superseded_by is null), "
            "(select count(*) from activity_records where superseded_by is null), "
            "(select count(*) from memberships where superseded_by is null), "
            "(select coalesce(sum(present), 0) from out_activity_branch)").fetchone()


def derived(path: Path) -> dict[str, list[tuple]]:
    with db.reading(path) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall()
                for t in ("out_activity_branch", "out_activity_item", "out_member_year")}


def assert_figures_as_from_scratch(path: Path) -> None:
    """The figures each load and undo refreshed (only their branches) equal a full recomputation."""
    from pipelines.refresh import refresh

    before = derived(path)
    with db.writing(path) as con:
        refresh(con, None)
    assert derived(path) == before


def test_every_fixture_through_the_library_matches_its_golden(fixtures: list[Path], zoned_db: Path) -> None:
    for path in fixtures:
        g = golden(path)
        [r] = ingest_files(zoned_db, [path], actor="test", lang="en")
        assert (r.status, r.kind) == (g["status"], g["kind"]), (path.name, [i.message("en") for i in r.issues])
        for key, value in g.get("counts", {}).items():
            assert r.summary["counts"].get(key) == value, (path.name, key, r.summary["counts"])
        if "warnings" in g:
            assert sorted({i.code for i in r.issues if i.severity == "warning"}) == sorted(g["warnings"]), path.name
        if r.status == "loaded":
            assert not [i for i in r.issues if i.severity == "error"]
        if path.name in REFUSALS:
            sheet, row, column, message = REFUSALS[path.name]
            errors = [i for i in r.issues if i.severity == "error"]
            assert [(i.sheet, i.row, i.column, i.message("en")) for i in errors] == [(sheet, row, column, message)]
    with db.reading(zoned_db) as con:
        # Habits: padded and full-width names folded, namesakes told apart by birth year, leave in remarks,
        # make-up study, non-members kept apart, no ID-card or phone number anywhere.
        names = {r[0] for r in con.execute("select name from members").fetchall()}
        assert {"王芳", "AB", "张伟", "陈静", "李强"} <= names
        statuses = dict(con.execute(
            "select m.name || coalesce(cast(year(m.birth_date) as varchar), ''), a.status from attendance a "
            "join members m using (member_id) join activities t using (activity_id) "
            "where t.activity_date = date '2024-03-15'").fetchall())
        assert statuses == {"王芳1985": "present", "李强1979": "excused", "AB1990": "excused", "张伟1990": "present",
                            "张伟1992": "unexcused", "陈静1988": "excused"}
        assert con.execute("select bool_or(made_up) from attendance").fetchone()[0] is True
        guests = con.execute("select name, guest_kind from guest_attendance order by name").fetchall()
        assert guests == [("刘洋", "activist"), ("孙敏", "masses")]
        dump = json.dumps([con.execute(f"select * from {t}").fetchall() for t in
                           ("members", "attendance", "activity_records", "exemptions", "uploads", "audit_log")],
                          default=str, ensure_ascii=False)
        assert "370102" not in dump and "13800000001" not in dump and "13900000002" not in dump
        assert ("出差，电话***",) in con.execute("select remark from attendance where remark like '出差%'").fetchall()
        assert con.execute("select count(*) from cadre_guidance").fetchone()[0] == 1
        rec = con.execute("select topic_kind, duration_hours, notice_date, report_date, expected_count, is_open_day "
                          "from activity_records order by record_id").fetchall()
        assert [tuple(map(str, r)) for r in rec] == [
            ("mandatory", "3.0", "2024-03-08", "2024-03-16", "5", "False"),
            ("optional", "3.0", "None", "None", "10", "True"), ("None", "3.0", "None", "None", "None", "False"),
            ("None", "3.0", "2024-09-03", "2024-09-11", "None", "False")]
        joint = con.execute("select level, (select count(*) from activity_branches b where b.activity_id = a.activity_id) "
                            "from activities a where activity_month = date '2024-06-01'").fetchall()
        assert joint == [("zone", 2)]

        def statuses_in(month: str) -> dict[str, str]:  # name and birth year: two 张伟 are told apart
            return dict(con.execute(
                "select m.name || coalesce(cast(year(m.birth_date) as varchar), ''), a.status from attendance a "
                "join members m using (member_id) join activities t using (activity_id) "
                "where t.activity_month = cast(? as date) and m.name in ('王芳', '李强', 'AB', '张伟', '陈静')",
                [month]).fetchall())

        def statuses_on(day: str) -> list[tuple[str, str]]:
            return con.execute(
                "select m.name, t.status from attendance t join members m using (member_id) join activities a "
                "using (activity_id) where a.activity_date = cast(? as date) order by t.status", [day]).fetchall()

        april = statuses_in("2024-04-01")
        assert april == {"王芳1985": "present", "李强1979": "present", "AB1990": "excused", "张伟1990": "present",
                         "张伟1992": "excused", "陈静1988": "unexcused"}
        may = statuses_in("2024-05-01")
        assert may == {"王芳1985": "present", "李强1979": "excused", "AB1990": "unexcused", "张伟1990": "present",
                       "张伟1992": "excused", "陈静1988": "excused"}
        assert con.execute("select duration_hours from activity_records r join activities a using (activity_id) "
                           "where a.activity_date = date '2024-06-12'").fetchone()[0] == 3.0
        august = statuses_on("2024-08-16")
        assert august == [("孙二", "excused"), ("钱一", "present"), ("李三", "unexcused")]
        assert con.execute("select start_time, end_time, duration_hours from activity_records r join activities a "
                           "using (activity_id) where a.activity_date = date '2024-08-16'").fetchone() == (
            dt.time(14, 30), dt.time(17, 30), 3.0)
        september = statuses_on("2024-09-10")
        assert september == [("孙二", "excused"), ("钱一", "present"), ("李三", "unexcused")]
        assert con.execute("select notice_date, report_date, expected_count from activity_records r join activities a "
                           "using (activity_id) where a.activity_date = date '2024-09-10'").fetchone() == (
            dt.date(2024, 9, 3), dt.date(2024, 9, 11), None)
        # The other formats, each read by its content: .xls, .xlsm (values only), .xlsb, .ods for 乙; CSV in
        # UTF-8, UTF-8 with BOM, GBK and "Unicode text" (UTF-16, tabs) for 甲; a CSV renamed .xlsx and a web
        # system's HTML "Excel" export (GB2312, merged cells as spans) for 丁.
        for day in ("2024-07-09", "2024-08-13", "2024-09-11", "2024-10-15"):
            assert statuses_on(day) == [("吴二", "excused"), ("周一", "present"), ("郑三", "unexcused")], day
        for month in ("2024-07-01", "2024-08-01", "2024-09-01", "2024-11-01"):
            assert statuses_in(month) == {"王芳1985": "present", "李强1979": "present", "AB1990": "excused",
                                          "张伟1990": "unexcused", "张伟1992": "present", "陈静1988": "excused"}, month
        assert sorted(statuses_on("2024-11-18")) == sorted([("孙二", "present"), ("钱一", "present"), ("李三", "excused")])
        assert sorted(statuses_on("2024-10-20")) == sorted([("孙二", "present"), ("钱一", "present"), ("李三", "excused")])
        months = con.execute("select list(month(activity_month) order by activity_month) from activities a "
                             "join branches b on b.branch_id = a.host_branch_id where b.name = '丙支部'").fetchone()[0]
        assert months == [1, 2, 4]  # March is empty in the year table: no activity, not a month of absences


def test_command_line_json_shape_and_exit_codes(fixtures: list[Path], zoned_db: Path) -> None:
    good = [p for p in fixtures if golden(p)["status"] == "loaded"]
    proc = run_cli("--lang", "en", "ingest", *good, "--json", db=zoned_db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert [(f["file"], f["status"], f["kind"]) for f in out["files"]] == [
        (p.name, "loaded", golden(p)["kind"]) for p in good]
    assert all(set(i) == {"severity", "sheet", "row", "column", "message"} for f in out["files"] for i in f["issues"])
    again = json.loads(run_cli("ingest", good[0], "--json", db=zoned_db).stdout)
    assert again == {"files": [{"file": good[0].name, "status": "unchanged", "kind": "zones", "issues": []}]}
    bad = [p for p in fixtures if p.name in REFUSALS]
    proc = run_cli("--lang", "en", "ingest", *bad, "--json", db=zoned_db)
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    for f in out["files"]:
        sheet, row, column, message = REFUSALS[f["file"]]
        assert f["status"] == "rejected"
        assert [(i["sheet"], i["row"], i["column"], i["message"]) for i in f["issues"] if i["severity"] == "error"] \
            == [(sheet, row, column, message)]
    assert run_cli("ingest", db=zoned_db).returncode == 2
    assert run_cli("ingest", "no-such-file.xlsx", db=zoned_db).returncode == 2
    assert run_cli("ingest", good[0], "--kind", "nonsense", db=zoned_db).returncode == 2


def test_chinese_is_the_default_language(fixtures: list[Path], zoned_db: Path) -> None:
    path = next(p for p in fixtures if p.name.startswith("33_"))
    out = json.loads(run_cli("ingest", path, "--json", db=zoned_db).stdout)
    assert out["files"][0]["issues"][0]["message"] == (
        "文件 33_通知.docx：这是 Word 文档，不是表格。请把表格复制到 Excel 中保存为工作簿后再上传。")


def test_corrected_sheet_replaces_and_undo_restores(fixtures: list[Path], zoned_db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ingest_files(zoned_db, [p for p in fixtures if golden(p)["status"] == "loaded"])
    before = counts(zoned_db)
    src = next(p for p in fixtures if p.name.startswith("03_"))
    wb = load_workbook(src)
    wb["簽到表"]["D8"] = "√"  # 张伟(1992) was absent: the corrected sheet says present
    fixed = tmp_path / "甲支部_2024年3月_更正.xlsx"
    wb.save(fixed)
    [r] = ingest_files(zoned_db, [fixed])
    assert r.status == "loaded"
    after = counts(zoned_db)
    assert after[0] == before[0] and after[4] == before[4] + 1  # replaced, not counted twice
    assert_figures_as_from_scratch(zoned_db)
    undo_upload(zoned_db, r.upload_id, actor="test")
    assert counts(zoned_db) == before
    assert_figures_as_from_scratch(zoned_db)
    listed = json.loads(run_cli("uploads", "--json", db=zoned_db).stdout)["uploads"]
    assert listed[0]["upload_id"] == r.upload_id and listed[0]["status"] == "undone"
    proc = run_cli("--lang", "en", "undo", str(r.upload_id), db=zoned_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"Upload {r.upload_id} (甲支部_2024年3月_更正.xlsx) has already been undone."


def test_refused_file_changes_nothing_and_preview_writes_nothing(fixtures: list[Path], zoned_db: Path) -> None:
    shutil.copy(zoned_db, zoned_db.with_name("copy.duckdb"))
    before = counts(zoned_db)
    previews = preview_files(fixtures[:3], db_path=zoned_db)
    assert [p.status for p in previews] == ["loaded", "loaded", "loaded"]
    assert counts(zoned_db) == before
    [r] = ingest_files(zoned_db, [next(p for p in fixtures if p.name.startswith("31_"))])
    assert r.status == "rejected" and counts(zoned_db) == before


def test_an_evaluation_of_tens_of_thousands_of_votes_loads_and_is_judged(zoned_db: Path, tmp_path: Path) -> None:
    """A joint activity of a whole system can collect tens of thousands of ballots: judging it (votes times the
    threshold in parts per million) once overflowed a 32-bit integer and refused the file as unreadable."""

    def evaluation_many(ws: make_fixtures.Worksheet) -> None:
        h = make_fixtures.title(ws, "甲支部2024年3月主题党日活动测评表", 5, "活动主题：学习贯彻党的二十大精神　时间：2024-03-15")
        make_fixtures.rows(ws, h, [["测评项目", "满意", "基本满意", "不满意", "合计"]]
                           + [[item, 30_000, 15_116, 4_000, 49_116]
                              for item in ("主题特色鲜明", "内容充实健康", "方式灵活生动", "效果突出显著", "总体评价")])

    path = tmp_path / "甲支部_2024年3月_万人测评.xlsx"
    path.write_bytes(make_fixtures.save(make_fixtures.book(("簽到表", make_fixtures.signin), ("测评表", evaluation_many),
                                                           ("纪实表", make_fixtures.record))))
    results = ingest_files(zoned_db, [path], actor="test", lang="en")
    assert [r.status for r in results] == ["loaded"], [i.message("en") for r in results for i in r.issues]
    with db.reading(zoned_db) as con:
        overall = con.execute("select ov_satisfied, ov_basic, ov_unsatisfied from out_activity_branch").fetchall()
    assert overall == [(30_000, 15_116, 4_000)]


def test_marks_pasted_as_emoji_read_as_their_plain_marks(fixtures: list[Path], zoned_db: Path) -> None:
    """Fixture 14: ✔️ (✔ + U+FE0F), ✅, ⭕ and 🙋🏻 are present, ❌ absent; the zero-width characters in names
    and headers are gone from what is stored (hand-counted: 4 present, 1 absent without leave, 陈静 exempt by the roster with her leave in the remarks)."""
    chosen = [p for p in fixtures if p.name[:2] in ("01", "02", "14")]
    results = ingest_files(zoned_db, chosen, actor="test", lang="en")
    assert [r.status for r in results] == ["loaded"] * 3, [i.message("en") for r in results for i in r.issues]
    with db.reading(zoned_db) as con:
        statuses = con.execute(
            "select m.name || coalesce(cast(year(m.birth_date) as varchar), ''), t.status from attendance t "
            "join members m using (member_id) join activities a using (activity_id) "
            "where a.activity_date = date '2024-10-18' order by 1").fetchall()
        figures = con.execute("select expected, present, excused, unexcused from out_activity_branch").fetchall()
    assert statuses == [("AB1990", "present"), ("张伟1990", "present"), ("张伟1992", "present"),
                        ("李强1979", "unexcused"), ("王芳1985", "present"), ("陈静1988", "excused")]
    assert figures == [(5, 4, 0, 1)]
