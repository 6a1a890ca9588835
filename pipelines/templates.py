"""Blank templates for every kind of workbook the upload accepts: a title, the header row, drop-down
lists (data validation) for the status words, one example row. Made with openpyxl."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.ingest.model import KINDS

BOLD = Font(bold=True)
ROWS = 200  # rows the drop-downs cover

# kind: (sheet name, title, header, example row, {column letter: drop-down choices})
LAYOUTS: dict[str, tuple[str, str, list[str], list[object], dict[str, list[str]]]] = {
    "zones": ("协作区划分", "党建协作区划分", ["协作区", "党支部", "支部书记", "备注"],
              ["第一协作区", "运行一党支部", "张三", ""], {}),
    "roster": ("党员花名册", "XX党支部党员花名册（截至2024年1月）",
               ["序号", "姓名", "性别", "出生日期", "入党时间", "党员类别", "备注"],
               [1, "王芳", "女", "1985-06-01", "2010-07-01", "正式党员", ""],
               {"C": ["男", "女"], "F": ["正式党员", "预备党员"]}),
    "signin": ("签到表", "XX党支部2024年3月主题党日活动签到表", ["序号", "姓名", "身份", "签到", "备注"],
               [1, "王芳", "正式党员", "√", ""],
               {"C": ["正式党员", "预备党员", "入党积极分子", "发展对象", "团员青年", "群众代表", "观摩"],
                "D": ["√", "请假", "×"]}),
    "year": ("出勤统计", "XX党支部2024年度主题党日活动出勤统计表", ["序号", "姓名", *[f"{m}月" for m in range(1, 13)], "备注"],
             [1, "王芳", "√", "假", "√", *[""] * 9, "2月病假"],
             {chr(ord("C") + i): ["√", "假", "×"] for i in range(12)}),
    "evaluation": ("测评表", "XX党支部2024年3月主题党日活动测评表",
                   ["票号", "测评人类别", "主题特色鲜明", "内容充实健康", "方式灵活生动", "效果突出显著", "总体评价"],
                   [1, "党员", "满意", "满意", "基本满意", "满意", "满意"],
                   {"B": ["党员", "非党员", "观摩", "党委联系人"],
                    **{c: ["满意", "基本满意", "不满意"] for c in "CDEFG"}}),
    "record": ("活动纪实表", "主题党日活动纪实表", ["项目", "内容"], [], {}),
}
RECORD_LABELS = [("党支部", "XX党支部"), ("活动时间", "2024年3月15日 14:30-17:30"), ("活动地点", "党员活动室"),
                 ("活动主题", "学习贯彻党的二十大精神"), ("主题类别", "必选"), ("主持人", "张三"), ("应到人数", 20),
                 ("实到人数", 18), ("请假人数", 2), ("预告日期", "2024-03-08"), ("报送日期", "2024-03-16"),
                 ("是否开放日", "否"), ("活动级别", "支部"), ("参加支部", ""), ("活动内容", "")]


def _dropdown(ws: Worksheet, column: str, choices: list[str], first: int) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"{column}{first}:{column}{first + ROWS}")


def template(kind: str) -> bytes:
    """The blank template of ``kind`` as ``.xlsx`` bytes."""
    if kind not in KINDS:
        raise ValueError(kind)
    sheet, title, header, example, drops = LAYOUTS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    if kind == "record":
        for i, (label, value) in enumerate(RECORD_LABELS, start=2):
            ws.cell(i, 1, label).font = BOLD
            ws.cell(i, 2, value)
        _dropdown(ws, "B", ["必选", "自选"], 6)
        _dropdown(ws, "B", ["是", "否"], 13)
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["B"].width = 60
    else:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        for col, label in enumerate(header, start=1):
            ws.cell(2, col, label).font = BOLD
        for col, value in enumerate(example, start=1):
            if value != "":
                ws.cell(3, col, value)
        for column, choices in drops.items():
            _dropdown(ws, column, choices, 3)
        ws.freeze_panes = "A3"
    if kind == "zones":
        roles = wb.create_sheet("组长单位轮值")
        for col, label in enumerate(["年度", "季度", "协作区", "组长单位", "副组长单位"], start=1):
            roles.cell(1, col, label).font = BOLD
        for col, value in enumerate([2024, "第1季度", "第一协作区", "运行一党支部", ""], start=1):
            roles.cell(2, col, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_name(kind: str) -> str:
    """The file name a template downloads as."""
    return f"模板_{LAYOUTS[kind][0]}.xlsx"
