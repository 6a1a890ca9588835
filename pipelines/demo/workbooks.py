"""Write a generated committee as the Excel workbooks secretaries keep, in their local habits.

Kinds (issue 3): the zone division (zone cells merged down their rows, a second sheet with each
quarter's leader and deputy unit), member rosters (title with 截至…, ID-card and phone columns the
product must drop), sign-in sheets (title, info line, marks or words, leave in remarks, non-members,
totals and a legend below), year attendance tables (months as columns), evaluation sheets (vote counts
per item, or one row per ballot) and two-column activity records. Branches differ in habits: marks
(√ / 出席 / 已签到), date forms, padded names, one branch writes in Traditional characters.

Packaging: ``monthly`` writes one workbook per branch and month (sign-in, evaluation, record sheets);
``yearly`` writes one ledger per branch and year with a sheet per month and kind. The list returned is
in upload order: zone division, then rosters and activity workbooks by date, year tables at year end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from pipelines.demo.generate import Committee, Facts

ITEM_LABELS = {"theme": "主题特色鲜明", "content": "内容充实健康", "format": "方式灵活生动", "effect": "效果突出显著",
               "overall": "总体评价"}
RATING_LABELS = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
GUEST_LABELS = {"activist": "入党积极分子", "development_target": "发展对象", "league_member": "团员青年",
                "masses": "群众代表", "observer": "观摩", "leading_cadre": "党员领导干部（分管）"}
KIND_LABELS = {"full": "正式党员", "probationary": "预备党员"}
# Marks per habit: (present, excused, unexcused); an empty excused mark puts the leave in the remarks.
MARKS = [("√", "请假", "×"), ("出席", "请假", "缺席"), ("已签到", "", "未到")]
YEAR_MARKS = {"present": "√", "excused": "假", "unexcused": "×"}
MANIFEST = "upload-order.txt"  # the workbooks of a folder in the order they are uploaded
TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center")
# One branch keeps its sheets in Traditional characters (a habit of some offices).
TRADITIONAL = {"姓名": "姓名", "签到": "簽到情況", "备注": "備註", "身份": "身份", "序号": "序號",
               "党支部": "黨支部", "签到表": "簽到表", "主题党日": "主題黨日", "活动": "活動", "电气": "電氣"}


@dataclass(frozen=True)
class Habit:
    """How one branch writes its sheets."""

    marks: tuple[str, str, str]
    date_form: int        # 0: 2025年3月15日, 1: 2025.3.15, 2: 2025/3/15, 3: 2025-03-15
    pad_names: bool       # "王  芳"
    traditional: bool
    ballots: bool
    year_table: bool


def habit_of(branch: dict[str, Any], demo: bool) -> Habit:
    """The writing habits of a branch, fixed by its position so the same seed writes the same files."""
    i = int(branch["branch_id"])
    return Habit(MARKS[i % 3], i % 4, i % 5 == 2, demo and branch["name"] == "电气党支部",
                 bool(branch["ballots"]), bool(branch["year_table"]))


def fmt_date(d: date, form: int) -> str:
    """A date in one of the forms secretaries type."""
    return [f"{d.year}年{d.month}月{d.day}日", f"{d.year}.{d.month}.{d.day}", f"{d.year}/{d.month}/{d.day}",
            d.isoformat()][form]


def hm(t: time) -> str:
    """``14:30``."""
    return f"{t.hour:02d}:{t.minute:02d}"


def pad(name: str, on: bool) -> str:
    """Two-character names padded to the width of three, the way many rosters align them."""
    return f"{name[0]}  {name[1]}" if on and len(name) == 2 else name


def to_traditional(text: str, on: bool) -> str:
    """The few labels and names a Traditional-character office writes differently."""
    if not on:
        return text
    for simplified, traditional in TRADITIONAL.items():
        text = text.replace(simplified, traditional)
    return text


def title_rows(ws: Worksheet, title: str, width: int, info: str | None = None) -> int:
    """A merged, bold title (and an info line under it); returns the next free row."""
    ws.cell(1, 1, title).font = TITLE
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    if info is None:
        return 2
    ws.cell(2, 1, info)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    return 3


def header(ws: Worksheet, row: int, labels: list[str]) -> None:
    """A bold header row."""
    for col, label in enumerate(labels, start=1):
        ws.cell(row, col, label).font = BOLD


def widths(ws: Worksheet, cols: list[int]) -> None:
    """Column widths in characters."""
    for i, w in enumerate(cols):
        ws.column_dimensions[chr(ord("A") + i)].width = w


class Writer:
    """Writes every workbook of a generated committee into a folder."""

    def __init__(self, c: Committee, out: Path, facts: Facts | None = None, packaging: str | None = None) -> None:
        self.c = c
        self.out = out
        self.demo = c.scale.name == "demo"
        self.packaging = packaging or ("monthly" if c.scale.name in ("demo", "tiny") else "yearly")
        f = facts or c.all_facts()
        self.members = {r[0]: r for r in c.members.iter_rows()}  # id -> (id, name, sex, kind, cadre, birth, joined)
        self.branches = {r["branch_id"]: r for r in c.branches.iter_rows(named=True)}
        self.habits = {b: habit_of(r, self.demo) for b, r in self.branches.items()}
        self.activities = {r["activity_id"]: r for r in c.activities.iter_rows(named=True)}
        self.records = {r["activity_id"]: r for r in f.records.iter_rows(named=True)}
        self.att: dict[tuple[int, int], list[tuple[Any, ...]]] = defaultdict(list)
        for r in f.attendance.sort("activity_id", "branch_id", "member_id").iter_rows():
            self.att[(r[0], r[2])].append(r)
        self.guests: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for r in f.guests.iter_rows():
            self.guests[r[0]].append(r)
        self.votes: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for r in f.votes.iter_rows():
            self.votes[r[0]].append(r)
        self.parts: dict[int, list[int]] = defaultdict(list)
        for a, b in c.activity_branches.sort("activity_id", "branch_id").iter_rows():
            self.parts[a].append(b)
        self.by_branch: dict[int, list[int]] = defaultdict(list)
        for a, b in c.activity_branches.join(c.activities.select("activity_id", "activity_date"), on="activity_id")\
                .sort("activity_date", "activity_id").select("activity_id", "branch_id").iter_rows():
            self.by_branch[b].append(a)
        self.ships: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        for m, b, start, end in c.memberships.select("member_id", "branch_id", "start_date", "end_date").iter_rows():
            self.ships[b].append((m, start, end))
        self.exempt = {r["member_id"]: r for r in c.exemptions.iter_rows(named=True)}
        self.cadres_of = defaultdict(list)
        for m, b in c.cadre_guidance.iter_rows():
            self.cadres_of[m].append(self.branches[b]["name"])

    # --- helpers ------------------------------------------------------------------------------
    def bname(self, b: int) -> str:
        return to_traditional(self.branches[b]["name"], self.habits[b].traditional)

    def save(self, wb: Workbook, rel: str) -> Path:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        return path

    def roster_on(self, b: int, d: date) -> list[int]:
        return sorted(m for m, start, end in self.ships[b] if start <= d and (end is None or d <= end))

    # --- zone division ------------------------------------------------------------------------
    def zone_division(self) -> Path:
        """协作区划分: zone cells merged down their rows; a second sheet with each quarter's units."""
        wb = Workbook()
        ws = wb.active
        ws.title = "协作区划分"
        row = title_rows(ws, f"{self.c.committee_name}党建协作区划分", 4)
        header(ws, row, ["协作区", "党支部", "支部书记", "备注"])
        row += 1
        zone_name = dict(self.c.zones.select("zone_id", "name").iter_rows())
        for z, grp in self.c.branches.sort("zone_id", "sort_order").group_by("zone_id", maintain_order=True):
            first = row
            for r in grp.iter_rows(named=True):
                ws.cell(row, 2, r["name"])
                ws.cell(row, 3, r["secretary"])
                row += 1
            ws.cell(first, 1, zone_name[z[0]]).alignment = CENTER
            if row - first > 1:
                ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
        if self.demo:
            ws.cell(row + 1, 1, "注：第一、第三协作区负责上半年“主题党日+”活动方案编制及实施，第二、第四协作区负责下半年。")
        widths(ws, [14, 24, 12, 30])
        ws2 = wb.create_sheet("组长单位轮值")
        header(ws2, 1, ["年度", "季度", "协作区", "组长单位", "副组长单位"])
        names = {b: r["name"] for b, r in self.branches.items()}
        for i, r in enumerate(self.c.zone_roles.sort("year", "quarter", "zone_id").iter_rows(named=True), start=2):
            ws2.cell(i, 1, r["year"])
            ws2.cell(i, 2, f"第{r['quarter']}季度")
            ws2.cell(i, 3, zone_name[r["zone_id"]])
            ws2.cell(i, 4, names[r["leader_branch_id"]])
            ws2.cell(i, 5, names.get(r["deputy_branch_id"], ""))
        widths(ws2, [8, 10, 14, 24, 24])
        return self.save(wb, "00_协作区划分.xlsx")

    # --- rosters ------------------------------------------------------------------------------
    def roster(self, b: int, d: date, members: list[int]) -> Path:
        """党员花名册 as it stood on ``d``, with the ID-card and phone columns rosters carry."""
        h = self.habits[b]
        wb = Workbook()
        ws = wb.active
        ws.title = "党员花名册"
        row = title_rows(ws, f"{self.bname(b)}党员花名册（截至{d.year}年{d.month}月）", 9)
        header(ws, row, [to_traditional(x, h.traditional) for x in
                         ["序号", "姓名", "性别", "出生日期", "入党时间", "党员类别", "身份证号", "联系电话", "备注"]])
        for i, m in enumerate(members, start=1):
            _, name, sex, kind, cadre, birth, joined = self.members[m]
            r = row + i
            ws.cell(r, 1, i)
            ws.cell(r, 2, pad(name, h.pad_names))
            ws.cell(r, 3, sex)
            if h.date_form == 0:
                ws.cell(r, 4, datetime(birth.year, birth.month, birth.day)).number_format = "yyyy-mm-dd"
            else:
                ws.cell(r, 4, fmt_date(birth, h.date_form))
            ws.cell(r, 5, fmt_date(joined, h.date_form))
            ws.cell(r, 6, KIND_LABELS[kind])
            ws.cell(r, 7, f"3701{(m * 7919) % 100:02d}{birth:%Y%m%d}{m % 1000:03d}{m % 10}")
            ws.cell(r, 8, f"13{(m * 104729) % 1_000_000_000:09d}")
            notes = []
            if cadre:
                notes.append("党员领导干部" + (f"，分管{'、'.join(self.cadres_of[m])}" if self.cadres_of[m] else ""))
            ex = self.exempt.get(m)
            if ex and ex["start_date"] <= d and (ex["end_date"] is None or d <= ex["end_date"]):
                notes.append(f"{ex['reason']}，经党委批准免于参加组织生活")
            ws.cell(r, 9, "；".join(notes) or None)
        widths(ws, [6, 10, 6, 12, 12, 10, 20, 14, 30])
        return self.save(wb, f"01_花名册/{self.branches[b]['name']}_党员花名册_截至{d.year}年{d.month:02d}月.xlsx")

    # --- sheets of one activity ---------------------------------------------------------------
    def when(self, a: int, h: Habit) -> str:
        act, rec = self.activities[a], self.records[a]
        return f"{fmt_date(act['activity_date'], h.date_form)} {hm(rec['start_time'])}-{hm(rec['end_time'])}"

    def signin(self, ws: Worksheet, a: int, b: int) -> None:
        """签到表 of branch ``b`` for activity ``a``: title, info line, members, non-members, totals, legend."""
        h, act, rec = self.habits[b], self.activities[a], self.records[a]
        d = act["activity_date"]
        joint = act["level"] == "zone"
        info = f"活动主题：{rec['topic']}　　时间：{self.when(a, h)}　　地点：{rec['place']}"
        if joint:
            info += f"　　（协作区联合活动，主办：{self.branches[act['host_branch_id']]['name']}）"
        row = title_rows(ws, to_traditional(f"{self.bname(b)}{d.year}年{d.month}月主题党日活动签到表", h.traditional), 5,
                         info)
        header(ws, row, [to_traditional(x, h.traditional) for x in ["序号", "姓名", "身份", "签到", "备注"]])
        present_mark, excused_mark, unexcused_mark = h.marks
        n = {"present": 0, "excused": 0, "unexcused": 0}
        i = 0
        for _, m, _, status, _made_up, remark in self.att[(a, b)]:
            i += 1
            r = row + i
            _, name, _, kind, _, _, _ = self.members[m]
            ws.cell(r, 1, i)
            ws.cell(r, 2, pad(name, h.pad_names))
            ws.cell(r, 3, KIND_LABELS[kind])
            mark = {"present": present_mark, "excused": excused_mark, "unexcused": unexcused_mark}[status]
            ws.cell(r, 4, mark or None)
            ws.cell(r, 5, remark)
            if m not in self.exempt or status != "excused":
                n[status] += 1
        if b == act["host_branch_id"]:
            for _, gname, kind in self.guests.get(a, []):
                i += 1
                ws.cell(row + i, 1, i)
                ws.cell(row + i, 2, gname)
                ws.cell(row + i, 3, GUEST_LABELS[kind])
                ws.cell(row + i, 4, present_mark)
        expected = n["present"] + n["excused"] + n["unexcused"]
        ws.cell(row + i + 2, 1, f"应到{expected}人，实到{n['present']}人，请假{n['excused']}人，缺席{n['unexcused']}人")
        excused = f"“{excused_mark}”为请假（备注写明事由）" if excused_mark else "请假的在备注中写明事由"
        ws.cell(row + i + 3, 1, f"注：签到栏“{present_mark}”为出席，{excused}，“{unexcused_mark}”为缺席；"
                                "列席人员不计入应到人数。")
        widths(ws, [6, 12, 16, 10, 28])

    def evaluation(self, ws: Worksheet, a: int, b: int) -> None:
        """测评表: vote counts per item, or one row per ballot."""
        h, act, rec = self.habits[b], self.activities[a], self.records[a]
        d = act["activity_date"]
        votes = self.votes.get(a, [])
        title = f"{self.bname(b)}{d.year}年{d.month}月主题党日活动测评表"
        info = f"活动主题：{rec['topic']}　　时间：{self.when(a, h)}"
        if h.ballots:
            ballots: dict[int, dict[str, str]] = defaultdict(dict)
            kinds: dict[int, str] = {}
            for _, item, rating, _, rater, ballot in votes:
                ballots[ballot][item] = RATING_LABELS[rating]
                kinds[ballot] = "党员" if rater == "member" else "非党员"
            row = title_rows(ws, title, 7, info)
            header(ws, row, ["票号", "测评人类别", *ITEM_LABELS.values()])
            for i, ballot in enumerate(sorted(ballots), start=1):
                ws.cell(row + i, 1, ballot)
                ws.cell(row + i, 2, kinds[ballot])
                for col, item in enumerate(ITEM_LABELS, start=3):
                    ws.cell(row + i, col, ballots[ballot].get(item))
            widths(ws, [6, 10, 14, 14, 14, 14, 12])
            return
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for _, item, rating, n, _, _ in votes:
            counts[item][rating] += n
        total = max((sum(v.values()) for v in counts.values()), default=0)
        row = title_rows(ws, title, 5, info + f"　　发放测评票{total}张，收回{total}张")
        header(ws, row, ["测评项目", "满意", "基本满意", "不满意", "合计"])
        for i, (item, label) in enumerate(ITEM_LABELS.items(), start=1):
            c = counts[item]
            ws.cell(row + i, 1, label)
            for col, rating in enumerate(RATING_LABELS, start=2):
                ws.cell(row + i, col, c[rating])
            ws.cell(row + i, 5, sum(c.values()))
        widths(ws, [16, 10, 10, 10, 10])

    def record(self, ws: Worksheet, a: int, b: int) -> None:
        """活动纪实表: the two-column label/value form."""
        h, act, rec = self.habits[b], self.activities[a], self.records[a]
        title_rows(ws, "主题党日活动纪实表", 2)
        joint = act["level"] == "zone"
        pairs: list[tuple[str, Any]] = [
            ("党支部", self.bname(b)),
            ("活动时间", self.when(a, h)),
            ("活动地点", rec["place"]),
            ("活动主题", rec["topic"]),
            ("主题类别", "必选" if rec["topic_kind"] == "mandatory" else "自选"),
            ("主持人", rec["host"]),
            ("应到人数", rec["expected_count"]),
            ("实到人数", rec["present_count"]),
            ("请假人数", rec["leave_count"]),
            ("预告日期", fmt_date(rec["notice_date"], h.date_form)),
            ("报送日期", fmt_date(rec["report_date"], h.date_form)),
            ("是否开放日", "是" if rec["is_open_day"] else "否"),
            ("活动级别", "协作区" if joint else "支部"),
        ]
        if joint:
            pairs.append(("参加支部", "、".join(self.branches[x]["name"] for x in self.parts[a])))
        pairs.append(("活动内容", rec["content"]))
        for i, (label, value) in enumerate(pairs, start=2):
            ws.cell(i, 1, label).font = BOLD
            ws.cell(i, 2, value)
        widths(ws, [14, 60])

    def year_table(self, ws: Worksheet, b: int, year: int) -> None:
        """年度出勤统计表: members as rows, 1月…12月 as columns; a month with no activity stays empty."""
        h = self.habits[b]
        row = title_rows(ws, f"{self.bname(b)}{year}年度主题党日活动出勤统计表", 15)
        header(ws, row, ["序号", "姓名", *[f"{m}月" for m in range(1, 13)], "备注"])
        marks: dict[int, dict[int, str]] = defaultdict(dict)
        remarks: dict[int, list[str]] = defaultdict(list)
        for a in self.by_branch[b]:
            d = self.activities[a]["activity_date"]
            if d.year != year:
                continue
            for _, m, _, status, _made_up, remark in self.att[(a, b)]:
                marks[m][d.month] = YEAR_MARKS[status]
                if status != "present" and remark:
                    remarks[m].append(f"{d.month}月{remark}")
        for i, m in enumerate(sorted(marks), start=1):
            ws.cell(row + i, 1, i)
            ws.cell(row + i, 2, pad(self.members[m][1], h.pad_names))
            for month, mark in marks[m].items():
                ws.cell(row + i, 2 + month, mark)
            ws.cell(row + i, 15, "；".join(remarks[m]) or None)
        n = len(marks)
        ws.cell(row + n + 2, 1, "注：√出席，假请假，×缺席；空白月份为未开展活动或不在本支部。")
        widths(ws, [6, 12, *[5] * 12, 30])

    # --- packaging ------------------------------------------------------------------------------
    def activity_sheets(self, wb: Workbook, a: int, b: int, prefix: str = "") -> None:
        """The sheets branch ``b`` keeps for activity ``a``."""
        h = self.habits[b]
        if not h.year_table:
            self.signin(wb.create_sheet(to_traditional(f"{prefix}签到表", h.traditional)), a, b)
        if b == self.activities[a]["host_branch_id"]:
            self.evaluation(wb.create_sheet(f"{prefix}测评表"), a, b)
            self.record(wb.create_sheet(f"{prefix}活动纪实表"), a, b)

    def monthly(self, b: int, a: int) -> Path | None:
        """One branch's workbook for one month."""
        wb = Workbook()
        wb.remove(wb.active)
        self.activity_sheets(wb, a, b)
        if not wb.sheetnames:
            return None
        d = self.activities[a]["activity_date"]
        name = self.branches[b]["name"]
        return self.save(wb, f"02_主题党日/{name}/{name}_{d.year}年{d.month:02d}月主题党日.xlsx")

    def ledger(self, b: int, year: int) -> Path | None:
        """One branch's ledger for one year: a sheet per month and kind, and the year table."""
        wb = Workbook()
        wb.remove(wb.active)
        for a in self.by_branch[b]:
            d = self.activities[a]["activity_date"]
            if d.year == year:
                self.activity_sheets(wb, a, b, prefix=f"{d.month}月")
        if self.habits[b].year_table:
            self.year_table(wb.create_sheet("年度出勤统计"), b, year)
        if not wb.sheetnames:
            return None
        name = self.branches[b]["name"]
        return self.save(wb, f"02_主题党日/{name}/{name}_{year}年主题党日台账.xlsx")

    def year_table_book(self, b: int, year: int) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = "出勤统计"
        self.year_table(ws, b, year)
        name = self.branches[b]["name"]
        return self.save(wb, f"03_出勤统计/{name}_{year}年度主题党日出勤统计表.xlsx")

    def write_branches(self, branch_ids: list[int]) -> list[Item]:
        """Every workbook of the given branches, each with its upload date, order and branch."""
        items: list[Item] = []
        first = self.c.roster_dates[0]
        for b in branch_ids:
            prev: list[int] | None = None
            for d in self.c.roster_dates:
                members = self.roster_on(b, d)
                exempt_starts = any(e["start_date"] == d for m, e in self.exempt.items() if m in members)
                if members != prev or exempt_starts:
                    items.append((d if d != first else date.min, 1, str(self.roster(b, d, members)), b))
                prev = members
            if self.packaging == "monthly":
                for a in self.by_branch[b]:
                    p = self.monthly(b, a)
                    if p:
                        items.append((self.activities[a]["activity_date"], 2, str(p), b))
                if self.habits[b].year_table:
                    for y in self.c.years:
                        items.append((min(date(y, 12, 31), self.c.today), 3, str(self.year_table_book(b, y)), b))
            else:
                for y in self.c.years:
                    p = self.ledger(b, y)
                    if p:
                        items.append((min(date(y, 12, 31), self.c.today), 2, str(p), b))
        return items


Item = tuple[date, int, str, int]  # upload date, order within the day, file, branch (-1: the committee's)


def _worker(argv: list[str]) -> None:
    """``python -m pipelines.demo.workbooks SCALE SEED TODAY OUT PACKAGING BRANCH_IDS``: write some branches'
    workbooks and print their items as JSON (a worker of :func:`write_workbooks`)."""
    from pipelines.demo.generate import generate

    scale, seed, today, out, packaging, ids = argv
    writer = Writer(generate(scale, int(seed), date.fromisoformat(today)), Path(out),
                    packaging=packaging or None)
    items = writer.write_branches(json.loads(ids))
    sys.stdout.write(json.dumps([(d.isoformat(), o, p, b) for d, o, p, b in items], ensure_ascii=False))


def write_workbooks(c: Committee, out: str | os.PathLike[str], *, packaging: str | None = None,
                    workers: int | None = None, branches: int | None = None) -> list[Path]:
    """Write every workbook of ``c`` (of its first ``branches`` branches only, when given) into ``out``
    (emptied of earlier workbooks first); returns them in upload order, also listed in
    ``out/upload-order.txt`` with the branch of each.

    Big committees are written by several worker processes (``workers``, default: the CPU count), each
    regenerating the same committee from its seed (a forked copy of a process running polars threads can
    deadlock, and a spawned one would rerun the command line).
    """
    out = Path(out)
    if out.exists():
        for old in sorted(out.rglob("*.xlsx")):
            old.unlink()
    writer = Writer(c, out, packaging=packaging)
    items: list[Item] = [(date.min, 0, str(writer.zone_division()), -1)]
    branch_ids = sorted(writer.branches)[:branches]
    workers = workers or ((os.cpu_count() or 1) if len(branch_ids) > 100 else 1)
    if workers > 1:
        procs = [subprocess.Popen(
            [sys.executable, "-m", "pipelines.demo.workbooks", c.scale.name, str(c.seed), c.today.isoformat(),
             str(out), packaging or "", json.dumps(branch_ids[i::workers])], stdout=subprocess.PIPE, text=True)
            for i in range(workers)]
        for proc in procs:
            stdout, _ = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"workbook writer exited with {proc.returncode}")
            items += [(date.fromisoformat(d), o, p, b) for d, o, p, b in json.loads(stdout)]
    else:
        items += writer.write_branches(branch_ids)
    items.sort(key=lambda x: (x[0], x[1], x[2]))
    (out / MANIFEST).write_text("".join(f"{Path(p).relative_to(out)}\t{b}\n" for _, _, p, b in items),
                                encoding="utf-8")
    return [Path(p) for _, _, p, _ in items]


def manifest(out: str | os.PathLike[str], branches: int | None = None) -> list[Path]:
    """The workbooks of a folder written by :func:`write_workbooks`, in upload order; with ``branches``,
    only the committee's own files and those of the first ``branches`` branches (whole zones first)."""
    out = Path(out)
    files = []
    for line in (out / MANIFEST).read_text(encoding="utf-8").splitlines():
        if not line:
            continue
        rel, _, branch = line.partition("\t")
        if branches is None or int(branch or -1) < branches:
            files.append(out / rel)
    return files


if __name__ == "__main__":
    _worker(sys.argv[1:])
