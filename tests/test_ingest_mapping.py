"""Column mappings (pipelines/ingest/mapping.py, mapping_store.py): the header fingerprint, a mapped sheet
read through the regular parse path, the mapping remembered with its load and audit entry, scopes, and
the command line (``ingest --mapping``, ``mappings list|show|delete --json``).

The sheets are the 到会登记 rolls of scripts/mapping_layouts.py, a layout the reader does not recognise.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from openpyxl import load_workbook

from pipelines import db
from pipelines.access import OPERATOR, User
from pipelines.config import default_rules
from pipelines.errors import PartydayError
from pipelines.ingest import ingest_files, mapping, mapping_store, preview_files
from pipelines.ingest.parse import parse_file
from pipelines.ingest.safety import Limits

sys.path.insert(0, str(ROOT / "scripts"))
import mapping_layouts  # noqa: E402

LIMITS = Limits.from_rules(default_rules())
COLUMNS = {"name": 1, "status": 3, "remark": 4}
WORDS = {"来了": "present", "有事": "excused", "嘉宾": "guest"}
JUNE = mapping_layouts.roll("甲支部", 2024, 6, mapping_layouts.JUNE)
JULY = mapping_layouts.roll("甲支部", 2024, 7, mapping_layouts.JULY)


def sheet_of(data: bytes) -> mapping.Sheet:
    return mapping.sheets("x.xlsx", data, LIMITS)[0]


def taught(data: bytes = JUNE) -> mapping.Mapping:
    return mapping.taught(sheet_of(data), 2, COLUMNS, WORDS)


def edited(data: bytes, **cells: str) -> bytes:
    """``data`` with some cells rewritten (``D3="签到"``)."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for ref, value in cells.items():
        ws[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def branch_id(path: Path, name: str) -> int:
    with db.reading(path) as con:
        return int(con.execute("select branch_id from branches where name = ?", [name]).fetchone()[0])


def test_the_fingerprint_is_the_header_shape_not_the_title_nor_the_writing() -> None:
    june, july = sheet_of(JUNE), sheet_of(JULY)
    assert mapping.row_fingerprint(june, 2) == mapping.row_fingerprint(july, 2) == taught().fingerprint
    # The title, merged across the table, is never taken for a header.
    assert mapping.row_fingerprint(june, 0) is None and mapping.row_fingerprint(june, 2) is not None
    # Traditional characters, full-width letters and padding fold to the same key; another header does not.
    assert mapping.fingerprint(["编号", "人员", "部门", "到会情况", "说明"]) == \
        mapping.fingerprint(["編號", "人 员", "部門", "到會情況", "說明"]) == taught().fingerprint
    assert mapping.fingerprint(["编号", "人员", "部门", "到会情况"]) != taught().fingerprint
    assert mapping.fingerprint(["编号", "", "人员"]) != mapping.fingerprint(["编号", "人员"])
    # Found in any of the first rows: one more title row above still matches.
    shifted = mapping.Sheet("登记", [["标题"]] + june.cells)
    found = mapping.find(shifted, [taught()])
    assert found is not None and found[1] == 3


def test_the_unrecognised_roll_is_refused_with_the_offer_of_a_mapping() -> None:
    result = preview_files([("甲支部_2024年6月到会登记.xlsx", JUNE)])[0]
    assert result.status == "rejected"
    assert [i.message("en") for i in result.issues] == [
        'File 甲支部_2024年6月到会登记.xlsx, sheet "登记": no name column was found. Add a column headed "姓名" (name) '
        "to the table and upload again, or make a column mapping for this layout on the upload page (once only)."]
    assert [i.message("zh") for i in result.issues] == [
        "文件 甲支部_2024年6月到会登记.xlsx 工作表“登记”：没有找到姓名列。请在表头加上“姓名”列（也可写作“党员姓名”）后再上传，"
        "或在“上传数据”页为这种表格建立列对应关系（只需一次）。"]
    # The form asks exactly about the words the parser would refuse, in sheet order (缺 is known).
    assert mapping.unknown_words(sheet_of(JUNE), 2, COLUMNS) == ["来了", "有事", "嘉宾"]
    assert mapping.guess(sheet_of(JUNE)).header_row == 2
    # A header of which nothing is known: the whole file is unrecognised, and the same offer is made.
    strange = edited(JUNE, D3="到没到", E3="附注")
    result = preview_files([("甲支部_6月.xlsx", strange)])[0]
    assert [i.message("en") for i in result.issues] == [
        "File 甲支部_6月.xlsx: no roster, sign-in sheet, year attendance table, evaluation sheet, activity record or "
        "zone division was recognised. Compare the headers with the templates on the upload page, or name the kind "
        "with --kind; for a sign-in sheet, a year table or a roster, a column mapping can be made on the upload page "
        "(once only).", 'File 甲支部_6月.xlsx, sheet "登记": not recognised, skipped (the other sheets are not affected).']
    assert (mapping.guess(sheet_of(strange)).kind, mapping.guess(sheet_of(strange)).header_row) == ("signin", 2)
    mapped = preview_files([("甲支部_6月.xlsx", strange)], mapping=mapping.taught(sheet_of(strange), 2, COLUMNS, WORDS))
    assert mapped[0].status == "loaded" and mapped[0].summary["statuses"] == {"present": 3, "excused": 1,
                                                                             "unexcused": 1, "guests": 1}


def test_a_mapped_sheet_gives_the_records_of_the_same_sheet_written_in_the_declared_vocabulary() -> None:
    canonical = edited(JUNE, B3="姓名", D3="签到情况", E3="备注", F3="身份", D4="√", D5="请假", D6="√", D8="√",
                       D9="√", F9="群众")
    plain = parse_file("甲支部_2024年6月.xlsx", canonical, LIMITS)
    mapped = parse_file("甲支部_2024年6月.xlsx", JUNE, LIMITS, mappings=[taught()])
    assert [p.issues for p in plain.sheets] == [p.issues for p in mapped.sheets] == [[]]
    (a,), (b,) = plain.sheets, mapped.sheets
    assert [(m.name, m.row, m.column, m.status, m.remark) for m in a.marks] == \
        [(m.name, m.row, m.column, m.status, m.remark) for m in b.marks]
    assert [(m.status, m.row, m.column) for m in b.marks] == [
        ("present", 4, "D"), ("excused", 5, "D"), ("present", 6, "D"), ("unexcused", 7, "D"), ("present", 8, "D")]
    assert [(g.name, g.kind, g.row) for g in a.guests] == [(g.name, g.kind, g.row) for g in b.guests] == [
        ("周宾", "masses", 9)]
    assert (b.ctx.branch, b.ctx.day) == ("甲支部", a.ctx.day) and str(b.ctx.day) == "2024-06-18"
    assert [m.name for m in mapped.mapped] == [None]


def test_confirming_remembers_the_mapping_and_next_month_loads_without_it(org_db: Path) -> None:
    jia = branch_id(org_db, "甲支部")
    (june,) = ingest_files(org_db, [("甲支部_2024年6月到会登记.xlsx", JUNE)], actor="branch1",
                           allowed_branch_ids={jia}, mapping=taught(), remember=True)
    assert june.status == "loaded" and june.summary["statuses"] == {"present": 3, "excused": 1, "unexcused": 1,
                                                                   "guests": 1}
    name = june.summary["mappings"][0]
    assert name == f"甲支部·签到表·{taught().fingerprint[:6]}"
    with db.reading(org_db) as con:
        audit = con.execute("select actor, action, target from audit_log where actor <> 'demo' order by audit_id"
                                ).fetchall()
        (stored,) = mapping_store.stored(con, {jia})
    assert audit == [("branch1", "mapping.create", name), ("branch1", "upload.load", str(june.upload_id))]
    assert (stored.branch_id, stored.header_row, stored.columns, stored.words) == (jia, 2, COLUMNS, WORDS)
    (july,) = ingest_files(org_db, [("甲支部_2024年7月到会登记.xlsx", JULY)], actor="branch1",
                           allowed_branch_ids={jia})
    assert july.status == "loaded" and july.summary["mappings"] == [name]
    assert july.summary["statuses"] == {"present": 4, "excused": 1, "unexcused": 0, "guests": 1}
    # Another branch's secretary is not given 甲支部's mapping: her file of that layout is refused.
    yi = mapping_layouts.roll("乙支部", 2024, 6, mapping_layouts.JUNE)
    (other,) = ingest_files(org_db, [("乙支部_2024年6月到会登记.xlsx", yi)], actor="branch2",
                            allowed_branch_ids={branch_id(org_db, "乙支部")})
    assert other.status == "rejected" and [i.code for i in other.issues] == ["ingest.no_name_column"]
    # Nor may she ask for it by name.
    (named,) = ingest_files(org_db, [("乙支部_2024年6月到会登记.xlsx", yi)], actor="branch2",
                            allowed_branch_ids={branch_id(org_db, "乙支部")}, mapping=name)
    assert [i.message("en") for i in named.issues] == [
        f'There is no column mapping named "{name}". List the saved mappings with python -m pipelines mappings list.']


def test_a_refused_load_remembers_nothing(org_db: Path) -> None:
    yi = branch_id(org_db, "乙支部")
    (result,) = ingest_files(org_db, [("甲支部_2024年6月到会登记.xlsx", JUNE)], actor="branch2",
                             allowed_branch_ids={yi}, mapping=taught(), remember=True)
    assert result.status == "rejected"
    with db.reading(org_db) as con:
        assert con.execute("select count(*) from column_mappings").fetchone()[0] == 0
        assert con.execute("select count(*) from audit_log where action like 'mapping.%'").fetchone()[0] == 0


def test_the_committee_edits_and_deletes_a_mapping_a_secretary_may_not(org_db: Path) -> None:
    ingest_files(org_db, [("甲支部_2024年6月到会登记.xlsx", JUNE)], actor="dangwei", mapping=taught(), remember=True)
    (row,) = mapping_store.list_mappings(org_db, OPERATOR)
    secretary = User("branch1", "secretary", branch_id=branch_id(org_db, "甲支部"))
    assert [r["name"] for r in mapping_store.list_mappings(org_db, secretary)] == [row["name"]]
    assert mapping_store.list_mappings(org_db, User("branch2", "secretary", branch_id=branch_id(org_db, "乙支部"))) \
        == []
    with pytest.raises(PartydayError) as refused:
        mapping_store.delete(org_db, row["name"], secretary)
    assert refused.value.message("en") == ('User branch1 (role secretary) may not do "mappings": only committee '
                                           "accounts may.")
    # 有事 now means unexcused: July's 赵敏 is counted so.
    changed = mapping_store.update(org_db, row["id"], OPERATOR, name="到会登记", header_row=2, columns=COLUMNS,
                                   words={**WORDS, "有事": "unexcused"})
    assert (changed["name"], changed["columns"], changed["words"]["有事"]) == (
        "到会登记", {"name": "B", "status": "D", "remark": "E"}, "unexcused")
    (july,) = ingest_files(org_db, [("甲支部_2024年7月到会登记.xlsx", JULY)], actor="dangwei")
    assert july.summary["statuses"] == {"present": 4, "excused": 0, "unexcused": 1, "guests": 1}
    mapping_store.delete(org_db, "到会登记", OPERATOR)
    with db.reading(org_db) as con:
        actions = con.execute("select action, target from audit_log where action like 'mapping.%' "
                              "order by audit_id").fetchall()
    assert actions == [("mapping.create", row["name"]), ("mapping.update", "到会登记"), ("mapping.delete", "到会登记")]
    (again,) = preview_files([("甲支部_2024年8月到会登记.xlsx", edited(JULY, A1="甲支部2024年8月主题党日到会登记"))],
                             db_path=org_db)
    assert again.status == "rejected"


def test_the_command_line_applies_lists_shows_and_deletes(org_db: Path, tmp_path: Path) -> None:
    ingest_files(org_db, [("甲支部_2024年6月到会登记.xlsx", JUNE)], actor="dangwei", mapping=taught(), remember=True)
    name = f"甲支部·签到表·{taught().fingerprint[:6]}"
    listed = json.loads(run_cli("mappings", "list", "--json", db=org_db, check=True).stdout)
    assert [(m["name"], m["branch"], m["kind"], m["header_row"], m["columns"], m["words"])
            for m in listed["mappings"]] == [(name, "甲支部", "signin", 3, {"name": "B", "status": "D", "remark": "E"},
                                              WORDS)]
    shown = json.loads(run_cli("mappings", "show", name, "--json", db=org_db, check=True).stdout)
    assert shown == listed["mappings"][0]
    # A header changed by one column is no longer the same shape: refused, unless the mapping is named.
    changed = tmp_path / "甲支部_2024年7月到会登记.xlsx"
    changed.write_bytes(edited(JULY, F3="签字"))
    plain = run_cli("ingest", changed, "--json", db=org_db)
    assert plain.returncode == 1
    named = run_cli("ingest", changed, "--mapping", name, "--json", db=org_db)
    assert named.returncode == 0, named.stdout
    assert json.loads(named.stdout)["files"][0]["status"] == "loaded"
    refused = run_cli("--as-user", "branch1", "mappings", "delete", name, "--json", db=org_db)
    assert refused.returncode == 1 and json.loads(refused.stdout)["errors"][0]["message"].startswith("用户 branch1")
    deleted = json.loads(run_cli("mappings", "delete", name, "--json", db=org_db, check=True).stdout)
    assert deleted["ok"] is True and deleted["deleted"]["name"] == name
    assert json.loads(run_cli("mappings", "list", "--json", db=org_db, check=True).stdout) == {"mappings": []}
    missing = run_cli("--lang", "en", "mappings", "show", name, db=org_db)
    assert missing.returncode == 1 and missing.stderr.strip() == (
        f'There is no column mapping named "{name}". List the saved mappings with python -m pipelines mappings list.')


@pytest.mark.parametrize(("kind", "data", "columns", "words", "counts"), [
    ("year", mapping_layouts.year_table("丙支部", 2024), {"name": 0, "remark": 7}, {"来了": "present", "有事": "excused"},
     {"attendance": 12, "members": 3, "memberships": 3}),
    ("roster", mapping_layouts.roster("丙支部"), {"name": 1}, {}, {"members": 3, "memberships": 3, "roster_lines": 3}),
])
def test_a_year_table_and_a_roster_are_taught_the_same_way(org_db: Path, kind: str, data: bytes,
                                                           columns: dict[str, int], words: dict[str, str],
                                                           counts: dict[str, int]) -> None:
    sheet = sheet_of(data)
    first = mapping.guess(sheet)
    assert (first.kind, first.header_row) == (kind, 1)
    assert mapping.unknown_words(sheet, 1, columns, kind=kind) == list(words)
    (refused,) = preview_files([(f"丙支部_{kind}.xlsx", data)], db_path=org_db)
    assert [i.code for i in refused.issues] == ["ingest.no_name_column"]
    taught_here = mapping.taught(sheet, 1, columns, words, kind)
    (loaded,) = ingest_files(org_db, [(f"丙支部_{kind}.xlsx", data)], actor="dangwei", mapping=taught_here,
                             remember=True, roster_date=dt.date(2024, 1, 1))
    assert loaded.status == "loaded" and {k: v for k, v in loaded.summary["counts"].items() if v} == counts
    if kind == "year":  # hand-counted in scripts/mapping_layouts.py
        assert loaded.summary["statuses"] == {"present": 7, "excused": 2, "unexcused": 3, "guests": 0}
    # The same layout again (another year, another title) needs no question.
    again = edited(data, A1=f"丙支部2025年度{'党员出勤统计表' if kind == 'year' else '党员花名册'}")
    (second,) = preview_files([(f"丙支部_{kind}_2025.xlsx", again)], db_path=org_db, roster_date=dt.date(2025, 1, 1))
    assert second.status == "loaded" and second.summary["mappings"] == [loaded.summary["mappings"][0]]
    with pytest.raises(PartydayError):
        mapping.taught(sheet, 1, columns, {"来了": "guest"}, kind)  # a non-member only on a sign-in line


def test_two_branches_teaching_one_template_each_get_their_own(org_db: Path) -> None:
    yi_roll = mapping_layouts.roll("乙支部", 2024, 6, mapping_layouts.JUNE)
    ingest_files(org_db, [("甲支部_2024年6月到会登记.xlsx", JUNE)], actor="dangwei", mapping=taught(), remember=True)
    strict = mapping.taught(sheet_of(yi_roll), 2, COLUMNS, {**WORDS, "有事": "unexcused"})
    (yi,) = ingest_files(org_db, [("乙支部_2024年6月到会登记.xlsx", yi_roll)], actor="dangwei", mapping=strict,
                         remember=True)
    assert yi.summary["mappings"] == [f"乙支部·签到表·{strict.fingerprint[:6]}"]
    assert strict.fingerprint == taught().fingerprint
    # July, uploaded by the committee with no branch chosen: each file is read by its own branch's mapping.
    yi_july = mapping_layouts.roll("乙支部", 2024, 7, mapping_layouts.JULY)
    jia_july, yi_july_result = ingest_files(org_db, [("甲支部_2024年7月到会登记.xlsx", JULY),
                                                     ("乙支部_2024年7月到会登记.xlsx", yi_july)], actor="dangwei")
    assert jia_july.summary["mappings"] == [f"甲支部·签到表·{strict.fingerprint[:6]}"]
    assert yi_july_result.summary["mappings"] == [f"乙支部·签到表·{strict.fingerprint[:6]}"]
    assert jia_july.summary["statuses"]["excused"] == 1 and yi_july_result.summary["statuses"]["excused"] == 0
    # 丙支部 taught nothing: its file of that template is not read through another branch's mapping.
    (bing,) = preview_files([("丙支部_2024年7月到会登记.xlsx", mapping_layouts.roll("丙支部", 2024, 7,
                                                                                mapping_layouts.JULY))], db_path=org_db)
    assert bing.status == "rejected" and [i.code for i in bing.issues] == ["ingest.no_name_column"]
