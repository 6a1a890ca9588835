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
