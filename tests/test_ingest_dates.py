"""Ingest: a date that cannot be real, or that contradicts the month of its sheet's title, refuses the file.

Every place a date is read (the title and info line of a sign-in or evaluation sheet, the fields of an
activity record, a roster's title and its dates, a year table's month columns, any cell holding date
text) in the common written forms (2024-13-05, 2024/2/30, 2024.2.30, 24.2.30, 2024年2月30日, Traditional
characters, full-width digits, an 8-digit number). Each workbook is written with openpyxl by the helpers
of scripts/make_fixtures.py, loaded through the library with a pinned ``today``, and must be refused with
exactly the message shown, in Chinese and English, with nothing written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from openpyxl.worksheet.worksheet import Worksheet

from pipelines import db
from pipelines.ingest import ingest_files, preview_files

sys.path.insert(0, str(ROOT / "scripts"))
from make_fixtures import book, rows, save, title  # noqa: E402

TODAY = date(2026, 12, 5)
Write = Callable[[Worksheet], None]


def signin(heading: str, info: str | None, remark: str | None = None) -> Write:
    """A sign-in sheet: title in row 1, the info line (if any) in row 2, the table below."""
    def write(ws: Worksheet) -> None:
        h = title(ws, heading, 3, info)
        rows(ws, h, [["姓名", "签到", "备注"], ["周一", "√", remark], ["吴二", "√", None]])
    return write


def signin_date_cell(heading: str, when: Any) -> Write:
    """A sign-in sheet whose date is a cell of its own beside its label (an Excel date, or text)."""
    def write(ws: Worksheet) -> None:
        title(ws, heading, 3)
        rows(ws, 2, [["时间", when], ["姓名", "签到", "备注"], ["周一", "√", None]])
    return write


def evaluation(heading: str, info: str) -> Write:
    def write(ws: Worksheet) -> None:
        h = title(ws, heading, 4, info)
        rows(ws, h, [["测评项目", "满意", "基本满意", "不满意"], ["总体评价", 4, 1, 0]])
    return write


def record(*fields: tuple[str, Any], heading: str = "主题党日活动纪实表", branch: str = "甲支部") -> Write:
    """An activity record form: a title, then label/value rows from row 2."""
    def write(ws: Worksheet) -> None:
        rows(ws, 1, [[heading], ["党支部", branch], *[list(f) for f in fields], ["活动主题", "学习"]])
    return write


def roster(heading: str, *people: list[Any]) -> Write:
    def write(ws: Worksheet) -> None:
        h = title(ws, heading, 6)
        rows(ws, h, [["序号", "姓名", "性别", "出生年月", "入党时间", "备注"],
                     *[[i, *p] for i, p in enumerate(people, start=1)]])
    return write


def year_table(months: list[str], remark: str | None = None) -> Write:
    def write(ws: Worksheet) -> None:
        h = title(ws, "丙支部2024年度主题党日活动出勤统计表", len(months) + 3)
        rows(ws, h, [["序号", "姓名", *months, "备注"], [1, "甲一", *["√"] * len(months), remark]])
    return write


PEOPLE = [["王芳", "女", "1985-06-01", "2010.7.1", None], ["李强", "男", "1979/3/2", "2005-06-30", None]]

# case: (file, sheet, writer, [(row, column, zh, en)])
CASES: dict[str, tuple[str, str, Write, list[tuple[int, str, str, str]]]] = {
    "signin info line, month 13 (the reported file)": (
        "甲支部_2024年8月签到.xlsx", "签到表", signin("甲支部2024年8月主题党日签到表", "时间：2024年13月5日"),
        [(2, "A", "文件 甲支部_2024年8月签到.xlsx 工作表“签到表” 第 2 行 A 列：日期“2024年13月5日”不存在：月份只能是 1 到 12，"
                  "这里写的是 13。请改为实际的日期（如 2024年3月15日 或 2024-03-15）后重新上传。",
          'File 甲支部_2024年8月签到.xlsx, sheet "签到表", row 2, column A: the date "2024年13月5日" does not exist: '
          "a month is 1 to 12, not 13. Write the real date (such as 2024-03-15) and upload again.")]),
    "signin info line 2024/2/30": (
        "签到.xlsx", "签到表", signin("甲支部2024年2月主题党日签到表", "活动主题：学习　时间：2024/2/30　地点：会议室"),
        [(2, "A", "文件 签到.xlsx 工作表“签到表” 第 2 行 A 列：日期“2024/2/30”不存在：2024年2月只有 1 到 29 日，这里写的是 30 日。"
                  "请改为实际的日期后重新上传。",
          'File 签到.xlsx, sheet "签到表", row 2, column A: the date "2024/2/30" does not exist: 2024-02 has days 1 to '
          "29, not 30. Write the real date and upload again.")]),
    "signin info line 2024.2.30 with a time range": (
        "签到.xlsx", "签到表", signin("甲支部2024年2月主题党日签到表", "时间：2024.2.30 14:30-17:30"),
        [(2, "A", "文件 签到.xlsx 工作表“签到表” 第 2 行 A 列：日期“2024.2.30”不存在：2024年2月只有 1 到 29 日，这里写的是 30 日。"
                  "请改为实际的日期后重新上传。",
          'File 签到.xlsx, sheet "签到表", row 2, column A: the date "2024.2.30" does not exist: 2024-02 has days 1 to '
          "29, not 30. Write the real date and upload again.")]),
    "signin info line 2025-02-29, not a leap year": (
        "签到.xlsx", "签到表", signin("甲支部2025年2月主题党日签到表", "时间：2025-02-29"),
        [(2, "A", "文件 签到.xlsx 工作表“签到表” 第 2 行 A 列：日期“2025-02-29”不存在：2025年2月只有 1 到 28 日，这里写的是 29 日。"
                  "请改为实际的日期后重新上传。",
          'File 签到.xlsx, sheet "签到表", row 2, column A: the date "2025-02-29" does not exist: 2025-02 has days 1 to '
          "28, not 29. Write the real date and upload again.")]),
    "signin in Traditional characters": (
        "簽到.xlsx", "簽到表", signin("甲支部2024年2月主題黨日簽到表", "時間：2024年2月30號"),
        [(2, "A", "文件 簽到.xlsx 工作表“簽到表” 第 2 行 A 列：日期“2024年2月30號”不存在：2024年2月只有 1 到 29 日，这里写的是 30 日。"
                  "请改为实际的日期后重新上传。",
          'File 簽到.xlsx, sheet "簽到表", row 2, column A: the date "2024年2月30號" does not exist: 2024-02 has days 1 '
          "to 29, not 30. Write the real date and upload again.")]),
    "signin with full-width digits": (
        "签到.xlsx", "签到表", signin("甲支部2024年4月主题党日签到表", "时间：２０２４年４月３１日"),
        [(2, "A", "文件 签到.xlsx 工作表“签到表” 第 2 行 A 列：日期“２０２４年４月３１日”不存在：2024年4月只有 1 到 30 日，这里写的是 31 日。"
                  "请改为实际的日期后重新上传。",
          'File 签到.xlsx, sheet "签到表", row 2, column A: the date "２０２４年４月３１日" does not exist: 2024-04 has days '
          "1 to 30, not 31. Write the real date and upload again.")]),
    "signin info line with a two-digit year": (
        "签到.xlsx", "签到表", signin("甲支部2024年2月主题党日签到表", "时间：24.2.30"),
        [(2, "A", "文件 签到.xlsx 工作表“签到表” 第 2 行 A 列：日期“24.2.30”的年份只有两位，无法确定是哪一年。"
                  "请写出四位年份（如 2024-03-15 或 2024年3月15日）后重新上传。",
          'File 签到.xlsx, sheet "签到表", row 2, column A: the date "24.2.30" gives its year in two digits, so the '
          "year is not certain. Write the year in four digits (such as 2024-03-15) and upload again.")]),
    "signin title August, info line September": (
        "签到.xlsx", "签到表", signin("甲支部2024年8月主题党日签到表", "时间：2024年9月5日 14:30-17:30"),
        [(2, "A", "文件 签到.xlsx 工作表“签到表” 第 2 行 A 列：日期“2024年9月5日”与第 1 行标题中的“2024年8月”不一致。"
                  "请核对后更正日期或标题，使两者一致，再重新上传。",
          'File 签到.xlsx, sheet "签到表", row 2, column A: the date "2024年9月5日" is not in "2024年8月", '
          "which the title in row 1 names. Correct the date or the title so that they agree, and upload again.")]),
    "signin title August, a real Excel date in September": (
        "签到.xlsx", "签到表", signin_date_cell("甲支部2024年8月主题党日签到表", datetime(2024, 9, 5)),
        [(2, "B", "文件 签到.xlsx 工作表“签到表” 第 2 行 B 列：日期“2024-09-05”与第 1 行标题中的“2024年8月”不一致。"
                  "请核对后更正日期或标题，使两者一致，再重新上传。",
          'File 签到.xlsx, sheet "签到表", row 2, column B: the date "2024-09-05" is not in "2024年8月", which the '
          "title in row 1 names. Correct the date or the title so that they agree, and upload again.")]),
    "signin title itself month 13": (
        "签到.xlsx", "签到表", signin("甲支部2024年13月主题党日签到表", None),
        [(1, "A", "文件 签到.xlsx 工作表“签到表” 第 1 行 A 列：日期“2024年13月”不存在：月份只能是 1 到 12，这里写的是 13。"
                  "请改为实际的日期（如 2024年3月15日 或 2024-03-15）后重新上传。",
          'File 签到.xlsx, sheet "签到表", row 1, column A: the date "2024年13月" does not exist: a month is 1 to 12, '
          "not 13. Write the real date (such as 2024-03-15) and upload again.")]),
    "signin remark with a month and day of no year": (
        "签到.xlsx", "签到表", signin("甲支部2024年2月主题党日签到表", "时间：2024年2月20日", remark="2月30日已补学"),
        [(4, "C", "文件 签到.xlsx 工作表“签到表” 第 4 行 C 列：日期“2月30日”不存在：2024年2月只有 1 到 29 日，这里写的是 30 日。"
                  "请改为实际的日期后重新上传。",
          'File 签到.xlsx, sheet "签到表", row 4, column C: the date "2月30日" does not exist: 2024-02 has days 1 to 29, '
          "not 30. Write the real date and upload again.")]),
    "evaluation info line 2024-13-05": (
        "测评.xlsx", "测评表", evaluation("甲支部2024年3月主题党日测评表", "时间：2024-13-05"),
        [(2, "A", "文件 测评.xlsx 工作表“测评表” 第 2 行 A 列：日期“2024-13-05”不存在：月份只能是 1 到 12，这里写的是 13。"
                  "请改为实际的日期（如 2024年3月15日 或 2024-03-15）后重新上传。",
          'File 测评.xlsx, sheet "测评表", row 2, column A: the date "2024-13-05" does not exist: a month is 1 to 12, '
          "not 13. Write the real date (such as 2024-03-15) and upload again.")]),
    "evaluation title March, date in April": (
        "测评.xlsx", "测评表", evaluation("甲支部2024年3月主题党日测评表", "时间：2024-04-02"),
        [(2, "A", "文件 测评.xlsx 工作表“测评表” 第 2 行 A 列：日期“2024-04-02”与第 1 行标题中的“2024年3月”不一致。"
                  "请核对后更正日期或标题，使两者一致，再重新上传。",
          'File 测评.xlsx, sheet "测评表", row 2, column A: the date "2024-04-02" is not in "2024年3月", which the '
          "title in row 1 names. Correct the date or the title so that they agree, and upload again.")]),
    "record activity date month 13": (
        "纪实.xlsx", "纪实", record(("活动时间", "2024年13月5日")),
        [(3, "B", "文件 纪实.xlsx 工作表“纪实” 第 3 行 B 列：日期“2024年13月5日”不存在：月份只能是 1 到 12，这里写的是 13。"
                  "请改为实际的日期（如 2024年3月15日 或 2024-03-15）后重新上传。",
          'File 纪实.xlsx, sheet "纪实", row 3, column B: the date "2024年13月5日" does not exist: a month is 1 to 12, '
          "not 13. Write the real date (such as 2024-03-15) and upload again.")]),
    "record activity date in a year no date can be": (
        "纪实.xlsx", "纪实", record(("活动时间", "2204年3月5日")),
        [(3, "B", "文件 纪实.xlsx 工作表“纪实” 第 3 行 B 列：日期“2204年3月5日”的年份 2204 不可能是活动或党员的日期"
                  "（应在 1900 到 2099 年之间）。请改为实际的日期后重新上传。",
          'File 纪实.xlsx, sheet "纪实", row 3, column B: the date "2204年3月5日" is in the year 2204, which no activity '
          "or member date can be (it must be 1900 to 2099). Write the real date and upload again.")]),
    "record notice date without its year": (
        "纪实.xlsx", "纪实", record(("活动时间", "2024年3月5日"), ("预告日期", "2月30日")),
        [(4, "B", "文件 纪实.xlsx 工作表“纪实” 第 4 行 B 列：日期“2月30日”不存在：2024年2月只有 1 到 29 日，这里写的是 30 日。"
                  "请改为实际的日期后重新上传。",
          'File 纪实.xlsx, sheet "纪实", row 4, column B: the date "2月30日" does not exist: 2024-02 has days 1 to 29, '
          "not 30. Write the real date and upload again.")]),
    "record report date day 32": (
        "纪实.xlsx", "纪实", record(("活动时间", "2024年3月5日"), ("报送日期", "2024年3月32日")),
        [(4, "B", "文件 纪实.xlsx 工作表“纪实” 第 4 行 B 列：日期“2024年3月32日”不存在：2024年3月只有 1 到 31 日，这里写的是 32 日。"
                  "请改为实际的日期后重新上传。",
          'File 纪实.xlsx, sheet "纪实", row 4, column B: the date "2024年3月32日" does not exist: 2024-03 has days 1 '
          "to 31, not 32. Write the real date and upload again.")]),
    "record report date with a two-digit year": (
        "纪实.xlsx", "纪实", record(("活动时间", "2024年3月5日"), ("报送日期", "24/3/7")),
        [(4, "B", "文件 纪实.xlsx 工作表“纪实” 第 4 行 B 列：日期“24/3/7”的年份只有两位，无法确定是哪一年。"
                  "请写出四位年份（如 2024-03-15 或 2024年3月15日）后重新上传。",
          'File 纪实.xlsx, sheet "纪实", row 4, column B: the date "24/3/7" gives its year in two digits, so the year '
          "is not certain. Write the year in four digits (such as 2024-03-15) and upload again.")]),
    "record title March, a real Excel date in April": (
        "纪实.xlsx", "纪实", record(("活动时间", datetime(2024, 4, 2)), heading="甲支部2024年3月主题党日活动纪实表"),
        [(3, "B", "文件 纪实.xlsx 工作表“纪实” 第 3 行 B 列：日期“2024-04-02”与第 1 行标题中的“2024年3月”不一致。"
                  "请核对后更正日期或标题，使两者一致，再重新上传。",
          'File 纪实.xlsx, sheet "纪实", row 3, column B: the date "2024-04-02" is not in "2024年3月", which the title '
          "in row 1 names. Correct the date or the title so that they agree, and upload again.")]),
    "roster as-of date month 13": (
        "花名册.xlsx", "花名册", roster("甲支部党员花名册（截至2024年13月）", *PEOPLE),
        [(1, "A", "文件 花名册.xlsx 工作表“花名册” 第 1 行 A 列：日期“2024年13月”不存在：月份只能是 1 到 12，这里写的是 13。"
                  "请改为实际的日期（如 2024年3月15日 或 2024-03-15）后重新上传。",
          'File 花名册.xlsx, sheet "花名册", row 1, column A: the date "2024年13月" does not exist: a month is 1 to 12, '
          "not 13. Write the real date (such as 2024-03-15) and upload again.")]),
    "roster birth and joining dates": (
        "花名册.xlsx", "花名册", roster("甲支部党员花名册（截至2025年3月）", ["王芳", "女", "1985-13-01", "2010.7.1", None],
                                        ["李强", "男", 19790230, "2025-02-29", None]),
        [(3, "D", "文件 花名册.xlsx 工作表“花名册” 第 3 行 D 列：日期“1985-13-01”不存在：月份只能是 1 到 12，这里写的是 13。"
                  "请改为实际的日期（如 2024年3月15日 或 2024-03-15）后重新上传。",
          'File 花名册.xlsx, sheet "花名册", row 3, column D: the date "1985-13-01" does not exist: a month is 1 to 12, '
          "not 13. Write the real date (such as 2024-03-15) and upload again."),
         (4, "D", "文件 花名册.xlsx 工作表“花名册” 第 4 行 D 列：日期“19790230”不存在：1979年2月只有 1 到 28 日，这里写的是 30 日。"
                  "请改为实际的日期后重新上传。",
          'File 花名册.xlsx, sheet "花名册", row 4, column D: the date "19790230" does not exist: 1979-02 has days 1 to '
          "28, not 30. Write the real date and upload again."),
         (4, "E", "文件 花名册.xlsx 工作表“花名册” 第 4 行 E 列：日期“2025-02-29”不存在：2025年2月只有 1 到 28 日，这里写的是 29 日。"
                  "请改为实际的日期后重新上传。",
          'File 花名册.xlsx, sheet "花名册", row 4, column E: the date "2025-02-29" does not exist: 2025-02 has days 1 to '
          "28, not 29. Write the real date and upload again.")]),
    "roster remark, a month and day in no year at all": (
        "花名册.xlsx", "花名册", roster("甲支部党员花名册", ["王芳", "女", "1985-06-01", "2010.7.1", "4月31日转入"]),
        [(3, "F", "文件 花名册.xlsx 工作表“花名册” 第 3 行 F 列：日期“4月31日”不存在：4月最多只有 1 到 30 日，这里写的是 31 日。"
                  "请改为实际的日期后重新上传。",
          'File 花名册.xlsx, sheet "花名册", row 3, column F: the date "4月31日" does not exist: month 4 has days 1 to 30 '
          "at most, not 31. Write the real date and upload again.")]),
    "year table month column 13": (
        "出勤.xlsx", "出勤统计", year_table(["1月", "2月", "3月", "13月"]),
        [(2, "F", "文件 出勤.xlsx 工作表“出勤统计” 第 2 行 F 列：日期“13月”不存在：月份只能是 1 到 12，这里写的是 13。"
                  "请改为实际的日期（如 2024年3月15日 或 2024-03-15）后重新上传。",
          'File 出勤.xlsx, sheet "出勤统计", row 2, column F: the date "13月" does not exist: a month is 1 to 12, not 13. '
          "Write the real date (such as 2024-03-15) and upload again.")]),
    "year table month column of another year": (
        "出勤.xlsx", "出勤统计", year_table(["2024年1月", "2024年2月", "2023年3月"]),
        [(2, "E", "文件 出勤.xlsx 工作表“出勤统计” 第 2 行 E 列：日期“2023年3月”与第 1 行标题中的“2024年”不一致。"
                  "请核对后更正日期或标题，使两者一致，再重新上传。",
          'File 出勤.xlsx, sheet "出勤统计", row 2, column E: the date "2023年3月" is not in "2024年", which the title '
          "in row 1 names. Correct the date or the title so that they agree, and upload again.")]),
    "year table remark": (
        "出勤.xlsx", "出勤统计", year_table(["1月", "2月", "3月"], remark="2024年2月30日补学"),
        [(3, "F", "文件 出勤.xlsx 工作表“出勤统计” 第 3 行 F 列：日期“2024年2月30日”不存在：2024年2月只有 1 到 29 日，这里写的是 30 日。"
                  "请改为实际的日期后重新上传。",
          'File 出勤.xlsx, sheet "出勤统计", row 3, column F: the date "2024年2月30日" does not exist: 2024-02 has days 1 '
          "to 29, not 30. Write the real date and upload again.")]),
}


def written(path: Path) -> tuple[int, ...]:
    with db.reading(path) as con:
        return tuple(con.execute(f"select count(*) from {t}").fetchone()[0]  # type: ignore[index]
                     for t in ("uploads", "branches", "members", "memberships", "activities", "attendance",
                               "evaluation_votes", "activity_records"))


@pytest.mark.parametrize("case", list(CASES))
def test_a_date_that_cannot_be_real_or_contradicts_the_title_refuses_the_file(case: str, tmp_db: Path) -> None:
    file, sheet, write, expected = CASES[case]
    data = save(book((sheet, write)))
    before = written(tmp_db)
    [result] = ingest_files(tmp_db, [(file, data)], actor="test", today=TODAY)
    assert result.status == "rejected" and result.upload_id is None
    errors = [i for i in result.issues if i.severity == "error"]
    assert [(i.sheet, i.row, i.column, i.message("zh"), i.message("en")) for i in errors] == [
        (sheet, row, column, zh, en) for row, column, zh, en in expected]
    assert written(tmp_db) == before
    # The preview says the same, so the page shows it before anything is confirmed.
    [preview] = preview_files([(file, data)], today=TODAY)
    assert [i.message("en") for i in preview.issues if i.severity == "error"] == [en for *_, en in expected]


def test_real_dates_in_every_form_still_load(tmp_db: Path) -> None:
    """29 February of a leap year, the title's month in any form, decimals and clock times in remarks, a
    title naming a range of months: none of these is refused."""
    files = {
        "甲支部_2024年2月.xlsx": book(("签到表", signin("甲支部2024年2月主题党日签到表", "时间：2024年2月29日 14:30-17:30",
                                                    remark="出差 2.5 天，3月1日已补学"))),
        "乙支部_2024年3月.xlsx": book(("签到表", signin_date_cell("乙支部2024.3主题党日签到表", datetime(2024, 3, 29)))),
        "丙支部_2024年一季度.xlsx": book(("签到表", signin("丙支部2024年1-3月主题党日签到表", "時間：2024年2月5號"))),
        "丁支部_纪实.xlsx": book(("纪实", record(("活动时间", "2024.3.5 14:30-17:30"), ("预告日期", "2月29日"),
                                                ("报送日期", "2024/3/7"), heading="丁支部2024年3月主题党日活动纪实表",
                                                branch="丁支部"))),
    }
    results = ingest_files(tmp_db, [(name, save(wb)) for name, wb in files.items()], actor="test", today=TODAY)
    assert [(r.file, r.status, [i.message("en") for i in r.issues if i.severity == "error"]) for r in results] == [
        (name, "loaded", []) for name in files]
    with db.reading(tmp_db) as con:
        got = con.execute("select b.name, a.activity_date from activities a join branches b "
                          "on b.branch_id = a.host_branch_id order by b.name").fetchall()
        assert sorted(got) == sorted([("甲支部", date(2024, 2, 29)), ("乙支部", date(2024, 3, 29)),
                                      ("丙支部", date(2024, 2, 5)), ("丁支部", date(2024, 3, 5))])
        assert con.execute("select notice_date, report_date from activity_records").fetchall() == [
            (date(2024, 2, 29), date(2024, 3, 7))]


@pytest.mark.parametrize("text", ["电话0531-13-05", "出差 2.5 天", "14.30-17.30", "版本1.2.3", "2024.13", "第13月",
                                  "2024年度", "2024年2月29日", "2月29日", "2000-02-29", "2024-12-31 23:59"])
def test_numbers_that_are_no_dates_and_real_dates_are_not_refused(text: str) -> None:
    from pipelines.ingest.values import unreal_in

    assert unreal_in(text) is None
