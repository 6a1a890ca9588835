"""Sign-in sheets in a layout no fixture has and the reader does not recognise, for the column mapping
tests: a 到会登记 roll whose name column is headed 人员, whose mark column is headed 到会情况 and whose
marks are the branch's own words (来了, 有事, 嘉宾), under a title and an info line that change monthly.

``python scripts/mapping_layouts.py OUT_DIR`` writes the two months the tests use.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from openpyxl import Workbook

HEADER = ["编号", "人员", "部门", "到会情况", "说明"]
# (name, department, mark, remark): hand-counted as 3 present, 1 excused, 1 unexcused, 1 not a member.
JUNE = [("王芳", "一车间", "来了", None), ("李强", "一车间", "有事", "出差"), ("赵敏", "二车间", "来了", None),
        ("钱进", "二车间", "缺", None), ("孙丽", "三车间", "来了", None), ("周宾", "厂外", "嘉宾", None)]
# July: 4 present, 1 excused, 0 unexcused, 1 not a member.
JULY = [("王芳", "一车间", "来了", None), ("李强", "一车间", "来了", None), ("赵敏", "二车间", "有事", "病假"),
        ("钱进", "二车间", "来了", None), ("孙丽", "三车间", "来了", None), ("吴客", "厂外", "嘉宾", None)]


def roll(branch: str, year: int, month: int, people: list[tuple[str, str, str, str | None]]) -> bytes:
    """One month's 到会登记 of ``branch`` as .xlsx bytes: title, info line, header in row 3, people below."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "登记"
    ws.cell(1, 1, f"{branch}{year}年{month}月主题党日到会登记")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.cell(2, 1, f"活动时间：{year}年{month}月18日 下午")
    for j, head in enumerate(HEADER, start=1):
        ws.cell(3, j, head)
    for i, (name, dept, mark, remark) in enumerate(people, start=1):
        for j, v in enumerate((i, name, dept, mark, remark), start=1):
            if v is not None:
                ws.cell(3 + i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _book(title: str, header: list[str], rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.cell(1, 1, title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for j, head in enumerate(header, start=1):
        ws.cell(2, j, head)
    for i, row in enumerate(rows, start=3):
        for j, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(i, j, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# A year table headed 人员 with the branch's own marks; hand-counted: 7 present, 2 excused, 3 unexcused
# (two months with no activity left blank).
YEAR_HEADER = ["人员", "1月", "2月", "3月", "4月", "5月", "6月", "说明"]
YEAR = [["王芳", "来了", "来了", "有事", None, None, "来了", "3月出差"], ["李强", "来了", "没到", "来了", None, None, "有事", None],
        ["赵敏", "来了", "×", "没到", None, None, "来了", None]]
# A roster headed 人员: 3 members, dates and kinds read by their usual headers.
ROSTER_HEADER = ["序号", "人员", "性别", "出生年月", "入党时间", "党员类别"]
ROSTER = [[1, "王芳", "女", "1985-03-02", "2010-07-01", "正式党员"], [2, "李强", "男", "1990-11-20", "2015-06-30", "正式党员"],
          [3, "赵敏", "女", "1998-01-15", "2024-01-10", "预备党员"]]


def year_table(branch: str, year: int) -> bytes:
    """``branch``'s year attendance table (months as columns) in the 人员 layout."""
    return _book(f"{branch}{year}年度党员出勤统计表", YEAR_HEADER, YEAR)


def roster(branch: str) -> bytes:
    """``branch``'s roster in the 人员 layout."""
    return _book(f"{branch}党员花名册", ROSTER_HEADER, ROSTER)


def write(out: Path, branch: str = "甲支部") -> list[Path]:
    """The June and July rolls of ``branch`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for month, people in ((6, JUNE), (7, JULY)):
        path = out / f"{branch}_2024年{month}月到会登记.xlsx"
        path.write_bytes(roll(branch, 2024, month, people))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write(Path(sys.argv[1] if len(sys.argv) > 1 else "mapping-layouts")):
        print(p)
