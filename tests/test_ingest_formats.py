"""Every format a secretary keeps (.xls, .xlsm, .xlsb, .ods, CSV/text), told by its content: the workbooks of
the fixtures written in each format load to the same hand-counted figures as their .xlsx; the safety rules
(bombs, XML attacks, damage, encryption, size caps) hold for every format; damaged bytes of any format are
refused with a message, never a crash."""

from __future__ import annotations

import io
import random
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT
from openpyxl import Workbook, load_workbook

from pipelines import db
from pipelines.config import default_rules
from pipelines.ingest import ingest_files, preview_files, safety
from pipelines.ingest.read import read_workbook
from pipelines.ingest.safety import Limits

sys.path.insert(0, str(ROOT / "scripts"))
import fixture_formats as ff  # noqa: E402
import make_fixtures  # noqa: E402

WRITERS: dict[str, Callable[[Workbook], bytes]] = {
    "xls": ff.to_xls, "xlsm": ff.to_xlsm, "xlsb": ff.to_xlsb, "ods": ff.to_ods}
LIMITS = Limits.from_rules(default_rules())
CASES = make_fixtures.cases()


def workbook(name: str) -> Workbook:
    return load_workbook(io.BytesIO(CASES[name][0]))


def committee(tmp_path: Path) -> Path:
    path = tmp_path / "partyday.duckdb"
    db.ensure_schema(path)
    with db.writing(path) as con:
        con.execute("insert into zones (name, sort_order) values ('一区', 1), ('二区', 2)")
    return path


def figures(path: Path) -> list[tuple]:
    """What the pages show, per activity and branch: the counts of every member status and the ballots."""
    with db.reading(path) as con:
        return con.execute(
            "select b.name, a.activity_month, a.activity_date, o.roster, o.present, o.excused, o.unexcused, "
            "o.others, o.ov_satisfied, o.ov_basic, o.ov_unsatisfied from out_activity_branch o "
            "join activities a using (activity_id) join branches b on b.branch_id = o.branch_id "
            "order by all").fetchall()


@pytest.fixture(scope="module")
def as_xlsx(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    path = committee(tmp_path_factory.mktemp("xlsx"))
    loaded = [n for n, (_, g) in CASES.items() if g["status"] == "loaded" and n.endswith(".xlsx")
              and n < "15"]
    ingest_files(path, [(n, CASES[n][0]) for n in loaded], actor="test")
    return figures(path)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_fixture_workbook_in_each_format_loads_to_its_golden_figures(
        fmt: str, as_xlsx: list[tuple], tmp_path: Path) -> None:
    path = committee(tmp_path)
    for name, (_, golden) in CASES.items():
        if golden["status"] != "loaded" or not name.endswith(".xlsx") or name >= "15":
            continue
        renamed = name.removesuffix(".xlsx") + "." + fmt
        [r] = ingest_files(path, [(renamed, WRITERS[fmt](workbook(name)))], actor="test", lang="en")
        assert (r.status, r.kind) == (golden["status"], golden["kind"]), (renamed, [i.message("en") for i in r.issues])
        for key, value in golden.get("counts", {}).items():
            assert r.summary["counts"].get(key) == value, (renamed, key, r.summary["counts"])
    assert figures(path) == as_xlsx


def test_a_zone_written_once_above_blank_cells_covers_the_branches_below(tmp_path: Path) -> None:
    """.xlsb and .ods readers do not report merged ranges, and some secretaries never merge: a blank zone
    cell below a zone belongs to that zone, in every format."""
    wb = Workbook()
    ws = wb.active
    ws.title = "协作区划分"
    for row in [["协作区", "党支部"], ["一区", "甲支部"], [None, "乙支部"], ["二区", "丙支部"], [None, "丁支部"]]:
        ws.append(row)
    for fmt, data in [("xlsx", make_fixtures.save(wb)), *((f, w(wb)) for f, w in WRITERS.items())]:
        path = committee(tmp_path / fmt)
        [r] = ingest_files(path, [(f"协作区.{fmt}", data)], actor="test")
        assert r.status == "loaded", fmt
        with db.reading(path) as con:
            assert con.execute("select b.name, z.name from branches b join zones z using (zone_id) order by 1"
                               ).fetchall() == [("丁支部", "二区"), ("丙支部", "二区"), ("乙支部", "一区"), ("甲支部", "一区")]


def refusal(name: str, data: bytes, limits: Limits = LIMITS) -> list[tuple[str, str]]:
    """(code, English message) of each reason ``data`` is refused, by the checks then the reader."""
    issues = safety.check(name, data, limits) or read_workbook(name, data, limits)[1]
    return [(i.code, i.message("en")) for i in issues]


SIGNIN = make_fixtures.book(("签到表", make_fixtures.signin_wrong_total))


@pytest.mark.parametrize("fmt", ["xlsx", "xlsm", "xlsb", "ods"])
def test_a_zip_bomb_is_refused_in_every_zip_based_format(fmt: str) -> None:
    package = make_fixtures.save(SIGNIN) if fmt == "xlsx" else WRITERS[fmt](SIGNIN)
    assert refusal(f"炸弹.{fmt}", make_fixtures.zip_bomb(package)) == [(
        "ingest.zip_bomb", f"File 炸弹.{fmt}: its contents unpack to 300 MB, above the limit of 200 MB, so it was "
        "refused (possibly a zip bomb). Upload an ordinary workbook, or ask the administrator to change the rule "
        "limits.max_uncompressed_mb.")]


def with_part(package: bytes, part: str, content: bytes) -> bytes:
    """The package with ``part`` replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info))
        dst.writestr(part, content)
    return out.getvalue()


ENTITY = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;</x>'


@pytest.mark.parametrize(("fmt", "part"), [("xlsx", "xl/workbook.xml"), ("xlsm", "xl/workbook.xml"),
                                           ("ods", "content.xml"), ("xlsb", "[Content_Types].xml")])
def test_xml_entities_are_refused_in_every_format(fmt: str, part: str) -> None:
    package = make_fixtures.save(SIGNIN) if fmt == "xlsx" else WRITERS[fmt](SIGNIN)
    assert refusal(f"实体.{fmt}", with_part(package, part, ENTITY)) == [(
        "ingest.xml_attack", f"File 实体.{fmt}: part {part} holds an XML document type definition or entity "
        "declaration, a sign of a malicious file, so it was refused. Save it again in Excel and upload that.")]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_file_cut_short_is_damaged_in_every_format(fmt: str) -> None:
    data = WRITERS[fmt](SIGNIN)
    assert refusal(f"截断.{fmt}", data[: len(data) // 2]) == [(
        "ingest.corrupt", f"File 截断.{fmt}: the file is damaged or incomplete (perhaps cut short while copying) and "
        "cannot be read. Export or copy it again from the original and upload that.")]


def test_a_compound_file_above_the_cap_is_refused_before_it_is_read() -> None:
    small = Limits(LIMITS.max_file_bytes, 4096, LIMITS.max_ratio, LIMITS.max_sheets, LIMITS.max_rows,
                   LIMITS.max_cells, LIMITS.file_mb, 0.004)
    big = Workbook()
    big.active.append(["姓名", "签到"])
    for i in range(400):
        big.active.append([f"人{i}", "√"])
    data = ff.to_xls(big)
    codes = [c for c, _ in refusal("大.xls", data, small)]
    assert codes == ["ingest.ole_too_big"]
    assert refusal("大.xls", data) == []


def test_encrypted_workbooks_are_refused_whatever_their_format() -> None:
    message = ("File 密.{}: the workbook is password-protected (encrypted) and cannot be read. Remove the password "
               "in Excel (File → Info → Protect Workbook), save it and upload it again.")
    for fmt, data in [("xlsx", make_fixtures.save(SIGNIN)), ("xlsm", ff.to_xlsm(SIGNIN)), ("xlsb", ff.to_xlsb(SIGNIN))]:
        assert refusal(f"密.{fmt}", ff.encrypt(data, "123456")) == [("ingest.encrypted", message.format(fmt))], fmt
    manifest = (b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
                b'manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
                b'</manifest:file-entry></manifest:manifest>')
    ods = with_part(ff.to_ods(SIGNIN), "META-INF/manifest.xml", manifest)
    assert refusal("密.ods", ods) == [("ingest.encrypted", message.format("ods"))]
    # An .xls with an opening password carries a FILEPASS record among its workbook globals.
    assert safety._biff_has_password(b"\x09\x08\x10\x00" + b"\0" * 16 + b"\x2f\x00\x02\x00\x00\x00")
    assert not safety._biff_has_password(b"\x09\x08\x10\x00" + b"\0" * 16 + b"\x0a\x00\x00\x00")


def test_macros_are_never_read_a_macro_workbook_gives_its_values() -> None:
    """The VBA project of an .xlsm is neither inflated nor parsed: even a damaged one does not matter."""
    package = ff.to_xlsm(SIGNIN)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, data)
    damaged = bytearray(out.getvalue())
    start = damaged.find(b"Sub AutoOpen()")
    assert start > 0  # the VBA part's bytes, stored: damage them (its CRC no longer matches)
    damaged[start:start + 5] = b"XXXXX"
    [r] = preview_files([("宏.xlsm", bytes(damaged))], lang="en")
    assert r.status == "loaded" and r.summary["counts"]["attendance"] == 3, [i.message("en") for i in r.issues]


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ","), ("utf-8-sig", ","), ("gbk", ","),
                                                     ("gb18030", ";"), ("utf-16", "\t"), ("utf-8", "\t")])
def test_text_exports_in_every_encoding_read_as_one_sheet_named_after_the_file(encoding: str, delimiter: str) -> None:
    data = ff.to_text(SIGNIN, encoding, delimiter)
    assert safety.check("乙支部_2024年3月.txt", data, LIMITS) == []
    [sheet], issues = read_workbook("乙支部_2024年3月.txt", data, LIMITS)
    assert issues == [] and sheet.name == "乙支部_2024年3月"
    assert sheet.cells[:5] == [["乙支部2024年3月主题党日签到表", "", ""], ["时间：2024.3.20", "", ""],
                               ["姓名", "签到", "备注"], ["周一", "到", ""], ["吴二", "假", ""]]


def test_text_cells_read_as_excel_opens_them() -> None:
    data = '编号,姓名,备注\r\n007,王芳,"出差，\r\n已补学"\r\n12,李强,3.5\r\n'.encode()
    [sheet], _ = read_workbook("x.csv", data, LIMITS)
    assert sheet.cells == [["编号", "姓名", "备注"], ["007", "王芳", "出差，\r\n已补学"], [12, "李强", 3.5]]


def test_excels_separator_hint_line_names_the_separator() -> None:
    [sheet], _ = read_workbook("x.csv", "sep=;\r\n姓名;签到\r\n王芳,二;√\r\n".encode(), LIMITS)
    assert sheet.cells == [["姓名", "签到"], ["王芳,二", "√"]]


def test_text_above_the_row_cap_and_what_is_not_text_are_refused() -> None:
    small = Limits(LIMITS.max_file_bytes, LIMITS.max_uncompressed_bytes, LIMITS.max_ratio, LIMITS.max_sheets, 3,
                   LIMITS.max_cells)
    assert [c for c, _ in refusal("长.csv", b"a\nb\nc\nd\ne\n", small)] == ["ingest.too_many_rows"]
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))
    assert refusal("照片.xlsx", png) == [(
        "ingest.not_spreadsheet", "File 照片.xlsx: this is not a spreadsheet and cannot be read. Upload a workbook "
        "saved by Excel or WPS (.xlsx, .xlsm, .xls, .xlsb, .ods) or a CSV/text export (.csv, .txt).")]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_damaged_bytes_of_every_format_are_loaded_or_refused_never_a_crash(fmt: str) -> None:
    rng = random.Random(2026)
    base = WRITERS[fmt](make_fixtures.book(("签到表", make_fixtures.signin)))
    files = []
    for i in range(80):
        data = bytearray(base)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        files.append((f"甲支部_2024年3月_{i}.{fmt}", bytes(data)))
    for r in preview_files(files, lang="en"):
        assert r.status in ("loaded", "rejected")
        if r.status == "rejected":
            assert any(i.severity == "error" and i.message("en").startswith("File ") for i in r.issues), r.file


def test_a_web_systems_html_export_reads_like_excel_opens_it() -> None:
    page = ('<html><head><meta charset="gbk"></head><body><h1>导出</h1><table>'
            '<tr><th colspan="3">甲支部2024年3月签到表</th></tr>'
            '<tr><td>协作区</td><td>姓名</td><td>签到</td></tr>'
            '<tr><td rowspan="2">一区</td><td>王&nbsp;芳</td><td>&#8730;</td></tr>'
            '<tr><td>李<br>强</td><td>007</td></tr>'
            '<tr><td><table><tr><td>inner</td></tr></table>二区</td><td>张伟</td><td>×</td></tr>'
            '</table></body></html>').encode("gbk")
    assert safety.check("导出.xls", page, LIMITS) == []
    [sheet], issues = read_workbook("导出.xls", page, LIMITS)
    assert issues == [] and sheet.name == "导出"
    assert sheet.cells == [["甲支部2024年3月签到表"] * 3, ["协作区", "姓名", "签到"], ["一区", "王 芳", "√"],
                           ["一区", "李 强", "007"], ["二区", "张伟", "×"]]


def test_a_file_is_read_as_what_it_is_whatever_its_name() -> None:
    for fmt, writer in WRITERS.items():
        for name in ("签到.xlsx", "签到.xls", "签到.csv", "签到"):
            [r] = preview_files([(name, writer(SIGNIN))], lang="en")
            assert (r.status, r.summary["counts"]["attendance"]) == ("loaded", 3), (fmt, name)
