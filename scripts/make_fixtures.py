"""Write the ingest fixture workbooks, one per kind and per habit, each with its golden expected result.

    python scripts/make_fixtures.py [OUT_DIR]     (default: tests/fixtures/ingest)

Each case is ``NAME.xlsx`` (or another format a secretary keeps, written by ``fixture_formats.py`` and read
by its content; or a refused file) plus ``NAME.json``: the status, the kind and the figures that loading
it into the small committee of the tests (zones 一区/二区; branches 甲乙丙丁支部, after the 甲支部 roster)
must give. The tests load them in file-name order through the command line and
the library and compare.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixture_formats as ff  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def title(ws: Worksheet, text: str, width: int, info: str | None = None) -> int:
    """A merged title row (and info line); returns the header row."""
    ws.cell(1, 1, text)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    if info is None:
        return 2
    ws.cell(2, 1, info)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    return 3


def rows(ws: Worksheet, start: int, data: list[list[Any]]) -> None:
    """Write ``data`` from row ``start``."""
    for i, r in enumerate(data):
        for j, v in enumerate(r, start=1):
            if v is not None:
                ws.cell(start + i, j, v)


def book(*sheets: tuple[str, Any]) -> Workbook:
    """A workbook with the given (name, writer) sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, write in sheets:
        write(wb.create_sheet(name))
    return wb


def zones(ws: Worksheet) -> None:
    h = title(ws, "某分厂党委党建协作区划分", 3)
    rows(ws, h, [["协作区", "党支部", "支部书记"], ["一区", "甲支部", "张三"], [None, "乙支部", "李四"],
                 ["二区", "丙支部", "王五"], [None, "丁支部", "赵六"]])
    ws.merge_cells(start_row=h + 1, start_column=1, end_row=h + 2, end_column=1)
    ws.merge_cells(start_row=h + 3, start_column=1, end_row=h + 4, end_column=1)


def roles(ws: Worksheet) -> None:
    rows(ws, 1, [["年度", "季度", "协作区", "组长单位", "副组长单位"], [2024, "第一季度", "一区", "甲支部", "乙支部"],
                 [2024, "第2季度", "一区", "乙支部", "甲支部"]])


ROSTER = [["王  芳", "女", datetime(1985, 6, 1), "2010.7.1", "正式党员", "370102198506010021", "13800000001", None],
          ["李强", "男", "1979/3/2", "2005-06-30", "正式党员", "370102197903020011", "13800000002",
           "党员领导干部，分管乙支部"],
          ["ＡＢ", "男", "1990年1月5日", "2015年7月1日", "正式", None, None, None],
          ["张伟", "男", 32874, "2012-07-01", "正式党员", None, None, None],
          ["张伟", "男", "1992-05-05", "2016-07-01", "预备党员", None, None, None],
          ["陈静", "女", "1988.8.8", "2011.7.1", "正式党员", None, None, "长期驻外工作，经党委批准免于参加组织生活"]]


def roster(ws: Worksheet) -> None:
    h = title(ws, "甲支部党员花名册（截至2024年1月）", 8)
    rows(ws, h, [["序號", "黨員姓名", "性別", "出生年月", "入黨時間", "党员类别", "身份证号", "联系电话", "備註"]])
    rows(ws, h + 1, [[i, *r] for i, r in enumerate(ROSTER, start=1)])


def signin(ws: Worksheet) -> None:
    h = title(ws, "甲支部2024年3月主题党日活动签到表", 5,
              "活动主题：学习贯彻党的二十大精神　　时间：2024年3月15日 14:30-17:30　　地点：党员活动室")
    rows(ws, h, [["序号", "姓名", "身份", "簽到情況", "备注"],
                 [1, "王  芳", "正式党员", "√", None], [2, "李强", "正式党员", "请假", "出差，电话13900000002"],
                 [3, "ＡＢ", "正式党员", None, "病假，已补学"], [4, "张伟(1990)", "正式党员", "出席", None],
                 [5, "张伟(1992)", "预备党员", "×", None], [6, "陈静", "正式党员", None, "长期驻外工作（免于参加）"],
                 [7, "刘洋", "入党积极分子", "√", None], [8, "孙敏", "群众代表", "√", None],
                 [None], ["应到5人，实到2人，请假2人，缺席1人"], ["注：√出席，请假写明事由，×缺席；列席人员不计入应到人数。"]])


def signin_wrong_total(ws: Worksheet) -> None:
    h = title(ws, "乙支部2024年3月主题党日签到表", 3, "时间：2024.3.20")
    rows(ws, h, [["姓名", "签到", "备注"], ["周一", "到", None], ["吴二", "假", None], ["郑三", "缺席", None],
                 [None], ["应到3人，实到2人"]])


def signin_english(ws: Worksheet) -> None:
    rows(ws, 1, [["Party branch sign-in"], ["Date: 2024-04-10"],
                 ["No.", "Name", "Attendance", "Remarks"], [1, "周一", "present", None], [2, "吴二", "absent", None],
                 [3, "郑三", "leave", "sick"]])


def signature(ws: Worksheet) -> None:
    h = title(ws, "乙支部2024年5月主题党日签到表", 3, "时间：2024/5/8")
    rows(ws, h, [["姓名", "本人签名", "备注"], ["周一", "周一", None], ["吴二", None, "事假"], ["郑三", None, None]])


def year_table(ws: Worksheet) -> None:
    h = title(ws, "丙支部2024年度主题党日活动出勤统计表", 15)
    rows(ws, h, [["序号", "姓名", *[f"{m}月" for m in range(1, 13)], "备注"],
                 [1, "甲一", "√", "√", None, "假", *[None] * 8, "4月病假"],
                 [2, "甲二", "√", "×", None, "√", *[None] * 8, None],
                 [3, "甲三", "√", "√", None, "√", *[None] * 8, None],
                 [None], ["注：√出席，假请假，×缺席；空白月份为未开展活动。"]])


def evaluation_counts(ws: Worksheet) -> None:
    h = title(ws, "甲支部2024年3月主题党日活动测评表", 5, "活动主题：学习贯彻党的二十大精神　时间：2024-03-15")
    rows(ws, h, [["测评项目", "满意", "基本满意", "不满意", "合计"], ["主题特色鲜明", 3, 1, 0, 4],
                 ["内容充实健康", 2, 2, 0, 4], ["方式灵活生动", 2, 1, 1, 4], ["效果突出显著", 3, 0, 1, 4],
                 ["總體評價", 3, 1, 0, 4]])


def evaluation_ballots(ws: Worksheet) -> None:
    h = title(ws, "乙支部2024年3月主题党日测评表", 7, "时间：2024.3.20")
    rows(ws, h, [["票号", "测评人类别", "主题特色鲜明", "内容充实健康", "方式灵活生动", "效果突出显著", "总体评价"],
                 [1, "党员", "满意", "满意", "满意", "满意", "满意"],
                 [2, "党员", "基本满意", "满意", "不满意", "满意", "基本满意"],
                 [3, "群众", "不满意", "不满意", "不满意", "不满意", "不满意"]])


def record(ws: Worksheet) -> None:
    rows(ws, 1, [["主题党日活动纪实表"], ["党支部", "甲支部"], ["活动时间", "2024年3月15日 14:30-17:30"],
                 ["活动地点", "党员活动室"], ["活动主题", "学习贯彻党的二十大精神"], ["主题类别", "必选"],
                 ["主持人", "张三"], ["应到人数", "5人"], ["实到人数", 2], ["请假人数", 2], ["预告日期", "2024.3.8"],
                 ["报送日期", "2024/3/16"], ["是否开放日", "否"], ["活动内容", "集中学习，交流研讨。"]])


def record_four(ws: Worksheet) -> None:
    rows(ws, 1, [["主题党日活动纪实表"], ["党支部", "丁支部", "活动时间", "2024年6月12日下午"],
                 ["活动地点", "会议室", "活动主题", "安全生产开放日"], ["主题类别", "自选", "主持人", "赵六"],
                 ["应到人数", 10, "实到人数", 9], ["是否开放日", "是", "活动级别", "协作区"],
                 ["参加支部", "丁支部、丙支部"]])


def no_name(ws: Worksheet) -> None:
    h = title(ws, "丁支部2024年3月签到表", 3)
    rows(ws, h, [["序号", "签到", "备注"], [1, "√", None]])


def bad_date(ws: Worksheet) -> None:
    rows(ws, 1, [["主题党日活动纪实表"], ["党支部", "丁支部"], ["活动时间", "2024年2月30日"], ["活动主题", "学习"]])


def signin_two_halves(ws: Worksheet) -> None:
    """A sign-in sheet printed as two halves of one page: the table twice, side by side."""
    h = title(ws, "甲支部2024年4月主题党日签到表", 6, "时间：2024年4月12日上午")
    rows(ws, h, [["序号", "姓名", "签到", "序号", "姓名", "签到"],
                 [1, "王  芳", "√", 4, "张伟（1990）", "√"], [2, "李强", "迟到", 5, "张伟（1992）", "事"],
                 [3, "ＡＢ", "病", 6, "陈静", "—"], [None], ["出勤率：50%"]])


def signin_three_columns(ws: Worksheet) -> None:
    """Marks in three columns 出席 / 请假 / 缺席, and leave written only in the remarks."""
    h = title(ws, "甲支部2024年5月主题党日活动签到表", 6, "活动时间：2024-05-10 09:00-12:00")
    rows(ws, h, [["序号", "党员姓名", "出席", "请假", "缺席", "备注"],
                 [1, "王芳", "√", None, None, None], [2, "李强", None, "√", None, "培训"],
                 [3, "AB", None, None, "√", None], [4, "张伟(1990)", "√", None, None, None],
                 [5, "张伟(1992)", None, None, None, "值班"], [6, "陈静", None, "√", None, None]])


def evaluation_units(ws: Worksheet) -> None:
    """Counts with units in the headers: 满意（票）."""
    h = title(ws, "甲支部2024年5月主题党日测评结果", 4)
    rows(ws, h, [["测评内容", "满意（票）", "基本满意（票）", "不满意（票）"], ["总体评价", 4, 1, 0],
                 ["合计", 4, 1, 0]])


def evaluation_loose(ws: Worksheet) -> None:
    """Item labels in a committee's own words, and a row that is not an item."""
    h = title(ws, "丁支部2024年7月主题党日活动满意度测评汇总", 4, "时间：2024年7月9日")
    rows(ws, h, [["测评内容", "满意", "基本满意", "不满意"], ["主题鲜明、特色突出", 5, 1, 0], ["内容充实", 4, 2, 0],
                 ["形式多样", 3, 3, 0], ["效果明显", 6, 0, 0], ["综合评价", 5, 1, 0], ["其他意见", 1, 0, 0]])


def signin_two_row_header(ws: Worksheet) -> None:
    """A header on two rows: 签到情况 merged over 出席 / 请假 / 缺席, the other headers merged down."""
    title(ws, "丁支部2024年8月主题党日签到表", 6, "时间：2024年8月16日（星期五）下午2:30")
    rows(ws, 3, [["序号", "姓名", "签到情况", None, None, "备注"], [None, None, "出席", "请假", "缺席", None],
                 [1, "钱一", "●", None, None, None], [2, "孙二", None, "√", None, "出差"],
                 [3, "李三", None, None, "✕", None]])
    for ref in ("A3:A4", "B3:B4", "C3:E3", "F3:F4"):
        ws.merge_cells(ref)


def record_time_row(ws: Worksheet) -> None:
    """The date in one row, the clock range in another (起止时间)."""
    rows(ws, 1, [["主题党日活动纪实表"], ["党支部", "丁支部"], ["活动时间", datetime(2024, 8, 16)],
                 ["起止时间", "14:30—17:30"], ["活动主题", "安全生产"], ["地点", "会议室"]])


def signin_loose_marks(ws: Worksheet) -> None:
    """Marks in a secretary's own words."""
    h = title(ws, "丁支部2024年9月主题党日签到表", 3, "时间：2024年9月10日 14:30-17:30")
    rows(ws, h, [["姓名", "到会情况", "备注"], ["钱一", "已到会", None], ["孙二", "夜班", None], ["李三", "未参加", None]])


def signin_emoji(ws: Worksheet) -> None:
    """Marks pasted from a chat app: emoji with their variation selector or a skin tone, zero-width
    characters in names and headers (a byte order mark before 姓名)."""
    h = title(ws, "甲支部2024年10月主题党日活动签到表", 4, "时间：2024年10月18日 14:30-17:30")
    rows(ws, h, [["序号", "\ufeff姓名", "簽到情況\ufe0f", "备注"],
                 [1, "王\u200b芳", "✔\ufe0f", None], [2, "李强", "❌", None], [3, "ＡＢ", "✅\u200b", None],
                 [4, "张伟(1990)", "⭕", None], [5, "张伟(1992)", "🙋🏻", None],
                 [6, "陈静\u2060", None, "长期驻外工作（免于参加）"]])


def signin_of(branch: str, month: int, day: int, marks: list[tuple[str, str | None, str | None]]) -> Any:
    """A plain sign-in sheet of ``branch`` for a day of 2024: (name, mark, remark) per member."""
    def write(ws: Worksheet) -> None:
        h = title(ws, f"{branch}2024年{month}月主题党日活动签到表", 4, f"时间：2024年{month}月{day}日 14:30-17:30")
        rows(ws, h, [["序号", "姓名", "签到", "备注"], *[[i, *m] for i, m in enumerate(marks, start=1)]])
    return write


# The same members with other marks, for the fixtures in the other formats (乙 and 丁: rosters from their
# first sign-in; 甲: the roster of 02, 陈静 exempt).
YI = [("周一", "√", None), ("吴二", "请假", "事假"), ("郑三", "×", None)]
DING = [("钱一", "√", None), ("孙二", "√", None), ("李三", "请假", "病假")]
JIA = [("王芳", "√", None), ("李强", "√", None), ("AB", "请假", "出差"), ("张伟(1990)", "×", None),
       ("张伟(1992)", "√", None), ("陈静", None, "长期驻外工作（免于参加）")]


def record_loose(ws: Worksheet) -> None:
    """Dates without their year, a count in words."""
    rows(ws, 1, [["主题党日活动纪实表"], ["党支部", "丁支部"], ["活动时间", "2024年9月10日 14:30-17:30"],
                 ["活动主题", "学习"], ["应到人数", "全体"], ["预告日期", "9月3日"], ["报送日期", "9.11"]])


def zip_bomb(package: bytes | None = None) -> bytes:
    """A valid small workbook (``package``: any zip-based one, .xlsx by default) with one extra part that
    inflates to 300 MB (ratio ~1000)."""
    base = io.BytesIO(package if package is not None else save(book(("签到表", signin_wrong_total))))
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(block)
    return out.getvalue()


def word_document() -> bytes:
    """A Word document (.docx): a zip, but no workbook in it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.'
                   'org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>关于召开主题党日的通知</w:t></w:r></w:p>'
                   '</w:body></w:document>')
    return out.getvalue()


def save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# name: (bytes, golden). Goldens: status, kind, and for loaded files the counts the upload summary gives.
def cases() -> dict[str, tuple[bytes, dict[str, Any]]]:
    """Every fixture file with its golden result, in load order."""
    ok = "loaded"
    signin3 = {"status": ok, "kind": "signin", "counts": {"attendance": 3}}
    signin6 = {"status": ok, "kind": "signin", "counts": {"attendance": 6}}
    c: dict[str, tuple[bytes, dict[str, Any]]] = {
        "01_协作区划分.xlsx": (save(book(("协作区划分", zones), ("组长单位轮值", roles))),
                           {"status": ok, "kind": "zones", "counts": {"zone_quarter_roles": 2}}),
        "02_甲支部花名册.xlsx": (save(book(("花名册", roster))),
                           {"status": ok, "kind": "roster", "counts": {"members": 6, "memberships": 6, "exemptions": 1,
                                                                       "roster_lines": 6}}),
        "03_甲支部_2024年3月.xlsx": (save(book(("簽到表", signin), ("测评表", evaluation_counts), ("纪实表", record))),
                                {"status": ok, "kind": "signin+evaluation+record",
                                 "counts": {"attendance": 6, "guest_attendance": 2, "evaluation_votes": 11,
                                            "activity_records": 1}}),
        "04_乙支部_2024年3月签到.xlsx": (save(book(("签到表", signin_wrong_total), ("测评表", evaluation_ballots))),
                                  {"status": ok, "kind": "signin+evaluation",
                                   "counts": {"members": 3, "memberships": 3, "attendance": 3, "evaluation_votes": 15},
                                   "warnings": ["ingest.roster_from_signin", "ingest.totals_differ.present"]}),
        "05_乙支部_2024年4月_english.xlsx": (save(book(("Sheet1", signin_english))),
                                        {"status": ok, "kind": "signin", "counts": {"attendance": 3},
                                         "branch": "乙支部"}),
        "06_乙支部2024年5月签名.xlsx": (save(book(("签到", signature))),
                                  {"status": ok, "kind": "signin", "counts": {"attendance": 3}}),
        "07_丙支部2024年度出勤统计.xlsx": (save(book(("出勤统计", year_table))),
                                   {"status": ok, "kind": "year", "counts": {"attendance": 9, "members": 3}}),
        "08_丁支部纪实表.xlsx": (save(book(("纪实", record_four))),
                           {"status": ok, "kind": "record", "counts": {"activity_records": 1}}),
        "09_甲支部_2024年4月_双栏签到.xlsx": (save(book(("签到", signin_two_halves))),
                                       {"status": ok, "kind": "signin", "counts": {"attendance": 6}}),
        "10_甲支部_2024年5月.xlsx": (save(book(("签到表", signin_three_columns), ("测评", evaluation_units))),
                                {"status": ok, "kind": "signin+evaluation",
                                 "counts": {"attendance": 6, "evaluation_votes": 2}}),
        "11_丁支部_2024年7月测评.xlsx": (save(book(("测评汇总", evaluation_loose))),
                                   {"status": ok, "kind": "evaluation", "counts": {"evaluation_votes": 9},
                                    "warnings": ["ingest.unknown_item"]}),
        "12_丁支部_2024年8月.xlsx": (save(book(("签到表", signin_two_row_header), ("纪实表", record_time_row))),
                                {"status": ok, "kind": "signin+record",
                                 "counts": {"attendance": 3, "members": 3, "activity_records": 1}}),
        "13_丁支部_2024年9月.xlsx": (save(book(("签到表", signin_loose_marks), ("纪实表", record_loose))),
                                {"status": ok, "kind": "signin+record", "counts": {"attendance": 3, "activity_records": 1},
                                 "warnings": ["ingest.bad_count_ignored"]}),
        "14_甲支部_2024年10月_表情符号.xlsx": (save(book(("签到表", signin_emoji))),
                                      {"status": ok, "kind": "signin", "counts": {"attendance": 6}}),
        # The other formats a secretary keeps, each read by its content (the names only say what it is).
        "15_乙支部_2024年7月_旧版.xls": (ff.to_xls(book(("签到表", signin_of("乙支部", 7, 9, YI)))), signin3),
        "16_乙支部_2024年8月_宏.xlsm": (ff.to_xlsm(book(("签到表", signin_of("乙支部", 8, 13, YI)))), signin3),
        "17_乙支部_2024年9月.xlsb": (ff.to_xlsb(book(("签到表", signin_of("乙支部", 9, 11, YI)))), signin3),
        "18_乙支部_2024年10月.ods": (ff.to_ods(book(("签到表", signin_of("乙支部", 10, 15, YI)))), signin3),
        "19_甲支部_2024年7月.csv": (ff.to_text(book(("签到表", signin_of("甲支部", 7, 12, JIA))), "utf-8"), signin6),
        "20_甲支部_2024年8月_CSV_UTF-8.csv": (
            ff.to_text(book(("签到表", signin_of("甲支部", 8, 20, JIA))), "utf-8-sig"), signin6),
        "21_甲支部_2024年9月_GBK.csv": (ff.to_text(book(("签到表", signin_of("甲支部", 9, 13, JIA))), "gbk"), signin6),
        "22_甲支部_2024年11月_Unicode文本.txt": (
            ff.to_text(book(("签到表", signin_of("甲支部", 11, 15, JIA))), "utf-16", "\t"), signin6),
        "23_丁支部_2024年10月_改名的CSV.xlsx": (
            ff.to_text(book(("签到表", signin_of("丁支部", 10, 20, DING))), "gb18030"), signin3),
        "24_丁支部_2024年11月_系统导出.xls": (
            ff.to_html(book(("签到表", signin_of("丁支部", 11, 18, DING))), "gb2312"), signin3),
        # Refused, each with its message.
        "30_无姓名列.xlsx": (save(book(("签到表", no_name))), {"status": "rejected", "kind": "signin"}),
        "31_日期不存在.xlsx": (save(book(("纪实", bad_date))), {"status": "rejected", "kind": "record"}),
        "32_扫描件.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n", {"status": "rejected", "kind": None}),
        "33_通知.docx": (word_document(), {"status": "rejected", "kind": None}),
        "34_加密.xlsx": (ff.encrypt(save(book(("签到表", signin_wrong_total))), "123456"),
                       {"status": "rejected", "kind": None}),
        "35_网页另存.xls": ("<html><head><title>登录超时</title></head><body><p>登录已超时，请重新登录后再导出。</p>"
                        "</body></html>".encode(),
                        {"status": "rejected", "kind": None}),
        "36_截断.xlsx": (save(book(("签到表", signin_wrong_total)))[:1500], {"status": "rejected", "kind": None}),
        "37_空工作簿.xlsx": (save(Workbook()), {"status": "rejected", "kind": None}),
        "38_压缩炸弹.xlsx": (zip_bomb(), {"status": "rejected", "kind": None}),
    }
    return c


def write(out: Path) -> list[Path]:
    """Write every fixture and its golden into ``out``; returns the fixture paths in load order."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (data, golden) in cases().items():
        path = out / name
        path.write_bytes(data)
        path.with_name(path.name + ".json").write_text(json.dumps(golden, ensure_ascii=False, indent=2) + "\n",
                                                       encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "fixtures" / "ingest"
    for p in write(target):
        print(p)
