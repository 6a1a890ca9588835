"""The safe Excel writer: read every download back cell by cell, never byte for byte."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from pipelines.xlsx import is_risky_text, sheet_title, to_xlsx, write_xlsx

RISKY = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\tindent", "\rcr", "=HYPERLINK(\"http://x\",\"点我\")",
         "\x01ctrl", "\x1bescape"]


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_header_frozen_panes_widths_and_types() -> None:
    frame = pl.DataFrame({
        "支部": ["第一党支部", "机关第二党支部（协作区一）"],
        "members": [31, 8],
        "participation_rate": [0.8, 0.8125],
        "activity_date": [dt.date(2026, 3, 5), None],
        "note": [None, "ok"],
    })
    wb = _open(to_xlsx(frame))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["支部", "members", "participation_rate", "activity_date", "note"]
    assert ws[1][0].font.bold
    assert ws.freeze_panes == "A2"
    # numbers stay numbers, rates formatted as percentages, dates as dates
    assert ws["B2"].value == 31 and ws["B2"].data_type == "n"
    assert ws["C3"].value == pytest.approx(0.8125) and ws["C3"].number_format == "0.0%"
    assert ws["D2"].value == dt.datetime(2026, 3, 5) and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["D3"].value is None and ws["E2"].value is None
    # the long Chinese name gets a wide column, a short number column a narrow one
    assert ws.column_dimensions["A"].width >= 26
    assert ws.column_dimensions["B"].width <= 10


def test_formula_like_text_is_written_as_text() -> None:
    frame = pl.DataFrame({"name": RISKY, "n": list(range(len(RISKY)))})
    wb = _open(to_xlsx(frame))
    ws = wb.active
    for row, original in enumerate(RISKY, start=2):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type == "s", original
        assert cell.quotePrefix, original
        expected = original.replace("\x01", "\ufffd").replace("\x1b", "\ufffd")
        # XML reads a bare carriage return back as a line feed
        assert cell.value == expected.replace("\r", "\n")
    # no formula anywhere in the sheet XML
    with io.BytesIO(to_xlsx(frame)) as buf:
        import zipfile

        xml = zipfile.ZipFile(buf).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_plain_text_is_not_prefixed_and_negative_numbers_stay_numbers() -> None:
    frame = pl.DataFrame({"name": ["张三", "a-b"], "delta": [-3, 2]})
    ws = _open(to_xlsx(frame)).active
    assert ws["A2"].value == "张三" and not ws["A2"].quotePrefix
    assert ws["B2"].value == -3 and ws["B2"].data_type == "n"


def test_several_sheets_with_safe_unique_titles(tmp_path) -> None:
    path = tmp_path / "out.xlsx"
    write_xlsx(path, {"a/b": pl.DataFrame({"x": [1]}), "A/B": pl.DataFrame({"y": ["=2"]}),
                      "x" * 40: pl.DataFrame({"z": [0.5]})}, percent=["z"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["a_b", "A_B (2)", "x" * 31]
    assert wb["A_B (2)"]["A2"].value == "=2"
    assert wb["x" * 31]["A2"].number_format == "0.0%"


def test_helpers() -> None:
    assert all(is_risky_text(t) for t in RISKY)
    assert not is_risky_text("第一支部") and not is_risky_text("")
    assert sheet_title("", []) == "Sheet"
