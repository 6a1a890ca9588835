"""Where a sheet's table is: the header row anywhere in the first rows, the text above it (title, info
line, label/value block), and the footer below it (totals, legends, notes)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from pipelines.errors import Issue, error
from pipelines.ingest import values
from pipelines.ingest.model import Context
from pipelines.ingest.read import Sheet, column_letter
from pipelines.ingest.vocab import canonical, clean_name, lookup, month_labels, norm, simplified

HEADER_SCAN_ROWS = 25
# Lines below a table that are not members: totals, legends, notes, signatures of the form-filler.
FOOTER_PREFIXES = ("应到", "实到", "合计", "总计", "小计", "注", "说明", "备注:", "填表", "制表", "审核", "统计",
                   "共计", "签字", "负责人", "出勤率", "参会率", "到会率", "出席率", "平均", "total", "note")
_LABEL = re.compile(r"([^\s:：，,；;　（(]{1,10})\s*[:：]")
_STATED = {"expected": re.compile(r"应到\s*(\d+)"), "present": re.compile(r"实到\s*(\d+)"),
           "excused": re.compile(r"请假\s*(\d+)"), "unexcused": re.compile(r"缺席\s*(\d+)")}


@dataclass
class Table:
    """The header row of a table and what each column holds."""

    header_row: int
    columns: dict[str, int] = field(default_factory=dict)     # field -> column
    months: dict[int, int] = field(default_factory=dict)      # month -> column
    items: dict[str, int] = field(default_factory=dict)       # evaluation item -> column
    ratings: dict[str, int] = field(default_factory=dict)     # rating -> column
    status_cols: dict[str, int] = field(default_factory=dict)  # 出席 | 请假 | 缺席 as three columns of marks
    blocks: list[dict[str, int]] = field(default_factory=list)  # side-by-side copies of the table
    score: int = 0

    def block_tables(self) -> list[Table]:
        """One table per side-by-side block (a sign-in sheet printed as two halves of a page)."""
        if len(self.blocks) <= 1:
            return [self]
        out = []
        for cols in self.blocks:
            t = Table(self.header_row, dict(cols), self.months, self.items, self.ratings, {}, [], self.score)
            out.append(t)
        return out


def cell_text(v: Any) -> str:
    """A cell as display text."""
    return values.text(v)


def scan_header(sheet: Sheet, row: int) -> Table:
    """What the cells of ``row`` say as headers."""
    t = Table(row)
    heads, items, ratings, months = lookup("headers"), lookup("evaluation"), lookup("ratings"), month_labels()
    statuses = lookup("status")
    seen: set[str] = set()
    block: dict[str, int] = {}
    last = None
    for col, v in enumerate(sheet.cells[row] if row < sheet.n_rows else []):
        s = cell_text(v)
        if not s or len(s) > 24:
            continue
        key = header_key(s)
        if key == last:  # a title merged across the row repeats itself
            continue
        last = key
        if key in heads and heads[key] in block and heads[key] in ("name", "seq"):
            t.blocks.append(block)  # the same header again: a second copy of the table beside the first
            block = {}
        if key in heads and heads[key] not in block:
            block[heads[key]] = col
        if key in seen:
            continue
        seen.add(key)
        if key in heads and heads[key] not in t.columns:
            t.columns[heads[key]] = col
        elif key in statuses and key not in items and len(key) <= 4:
            t.status_cols.setdefault(statuses[key], col)
        elif key in months and months[key] not in t.months:
            t.months[months[key]] = col
        elif key in items and items[key] not in t.items:
            t.items[items[key]] = col
        elif key in ratings and ratings[key] not in t.ratings:
            t.ratings[ratings[key]] = col
        else:
            m = values.month_in(s)
            bare_month = _MONTH_HEAD.match(key)
            if m and m.month not in t.months and len(key) <= 9:
                t.months[m.month] = col
            elif bare_month and 1 <= int(bare_month.group(1)) <= 12 and int(bare_month.group(1)) not in t.months:
                t.months[int(bare_month.group(1))] = col
    if block:
        t.blocks.append(block)
    if len(t.blocks) > 1 and not all("name" in b for b in t.blocks):
        t.blocks = t.blocks[:1]
    t.score = (len(t.columns) + (len(t.months) if len(t.months) >= 3 else 0) + len(t.items) + len(t.ratings)
               + (len(t.status_cols) if "name" in t.columns else 0))
    return t


_MONTH_HEAD = re.compile(r"^(\d{1,2})月份?$")
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_UNITS = ("人数", "票数", "(票)", "票", "(人)", "人")


@lru_cache(maxsize=50_000)
def header_key(text: str) -> str:
    """The matching key of a header cell: folded, with bracketed notes and units dropped when that helps
    ("满意（票）" -> 满意, "签到(打√)" -> 签到)."""
    key = norm(text)
    heads = lookup("headers")
    if key in heads or key in lookup("evaluation") or key in lookup("ratings") or key in month_labels():
        return key
    bare = _BRACKETS.sub("", key).strip(":")
    for unit in _UNITS:
        if bare.endswith(unit) and len(bare) > len(unit) + 1:
            bare = bare[: -len(unit)]
    return bare or key


def find_header(sheet: Sheet) -> Table | None:
    """The best header row in the first rows: most known columns, the earliest on a tie; None if none."""
    best: Table | None = None
    for row in range(min(HEADER_SCAN_ROWS, sheet.n_rows)):
        t = scan_header(sheet, row)
        if t.score >= 2 and (best is None or t.score > best.score):
            best = t
    return best


def lines_above(sheet: Sheet, header_row: int) -> list[list[str]]:
    """The non-empty texts of each row above the header (merged repeats removed)."""
    return [[s for _c, s in line] for _r, line in cells_above(sheet, header_row)]


def cells_above(sheet: Sheet, header_row: int) -> list[tuple[int, list[tuple[int, str]]]]:
    """``(row, [(column, text)])`` of each non-empty row above the header, merged repeats removed (a text
    is kept at the first column of its merged range)."""
    out = []
    for r in range(header_row):
        line = row_cells(sheet, r)
        if line:
            out.append((r, line))
    return out


def pairs_in(texts: list[str]) -> list[tuple[str, str]]:
    """Label/value pairs of one row: inline ("活动主题：… 时间：…") or in neighbouring cells."""
    return [(label, value) for label, value, _c, _w in pairs_at(list(enumerate(texts)))]


_VALUE_EDGES = " 　，,；;（）()"


def pairs_at(line: list[tuple[int, str]]) -> list[tuple[str, str, int, str]]:
    """``(label, value, column of the value, value as written)`` of one row's ``(column, text)`` cells (see
    :func:`pairs_in`); an inline value is in Simplified characters, as written it may be in Traditional."""
    found: list[tuple[str, str, int, str]] = []
    rec = lookup("record")
    i = 0
    while i < len(line):
        col, text = line[i]
        s = simplified(text)
        marks = list(_LABEL.finditer(s))
        if marks:
            for k, m in enumerate(marks):
                end = marks[k + 1].start() if k + 1 < len(marks) else len(s)
                value = s[m.end():end].strip(_VALUE_EDGES)
                if value:
                    found.append((m.group(1), value, col, values.as_written(text, s, m.end(), end).strip(_VALUE_EDGES)))
            i += 1
            continue
        if norm(s) in rec and i + 1 < len(line):
            found.append((s, line[i + 1][1], line[i + 1][0], line[i + 1][1]))
            i += 2
            continue
        i += 1
    return found


# A label/value pair with its place: label, value, Excel row, column index, value as written.
Pair = tuple[str, str, int, int, str]


def context_from(texts: list[str], pairs: list[Pair], known: dict[str, str],
                 issues: list[Issue] | None = None, sheet: str = "") -> Context:
    """What the title lines and label/value pairs say: branch, host, date or month, topic, place.

    A date pair (时间：…) that holds a date which cannot be real, or a year in two digits, adds an error
    to ``issues``; other text there (下午2:30, with the date in the title) is not a date and is passed over.
    """
    ctx = Context()
    for label, value, row, col, written in pairs:
        key = canonical("record", label)
        if key == "time":
            try:
                w = values.parse_when(written)
            except values.BadValue as exc:
                if issues is not None and exc.code not in ("bad_date", "bad_time"):
                    issues.append(error(f"ingest.{exc.code}", sheet=sheet, row=row, column=column_letter(col),
                                        value=written, **exc.params))
                w = None
            if w:
                ctx.day, ctx.month, ctx.start, ctx.end, ctx.half_day = w.day, w.month, w.start, w.end, w.half_day
                ctx.date_at = (row, col, written)
        elif key == "topic":
            ctx.topic = value
        elif key == "place":
            ctx.place = value
        elif key == "host_branch":
            ctx.host_branch = branch_in(value, known) or clean_name(value)
        elif key == "branch":
            ctx.branch = branch_in(value, known) or clean_name(value)
    joined = " ".join(texts)
    if ctx.branch is None:
        ctx.branch = branch_in(joined, known)
    if ctx.month is None:
        ctx.month = values.month_in(joined)
    ctx.year = values.year_in(joined) or (ctx.month.year if ctx.month else None)
    ctx.as_of = values.as_of_in(joined)
    return ctx


_HOST = re.compile(r"(主办|承办)(单位|支部)?\s*[:：]\s*[^\s，,；;）)]+")
_BRANCH_RE = re.compile(r"([^\s\d年月日（()）:：，,、_\-—]{1,20}?(?:党支部|支部))")


class KnownBranches(dict[str, str]):
    """``{folded name: name}`` of the branches the database knows, indexed for :func:`branch_in`."""

    @cached_property
    def by_first_char(self) -> dict[str, list[tuple[str, str]]]:
        """``(folded name, name)`` by the first character of the folded name, longest first."""
        index: dict[str, list[tuple[str, str]]] = {}
        for key, name in sorted(self.items(), key=lambda item: -len(item[0])):
            if key:
                index.setdefault(key[0], []).append((key, name))
        return index


def branch_in(text: str, known: dict[str, str]) -> str | None:
    """The branch a title or file name names: the longest known branch name inside it (names folded) that
    starts first, else the text ending in 党支部/支部 (a branch the database does not know yet)."""
    key = norm(_HOST.sub("", simplified(text)))
    index = (known if isinstance(known, KnownBranches) else KnownBranches(known)).by_first_char
    for pos, ch in enumerate(key):
        for k, name in index.get(ch, ()):
            if key.startswith(k, pos):
                return name
    m = _BRANCH_RE.search(simplified(_HOST.sub("", text)))
    if m:
        name = clean_name(m.group(1))
        if "党委" in name[:-2]:  # 发电分厂党委电气党支部: the committee named before its branch
            name = name[name.rindex("党委") + 2:]
        for prefix in ("关于", "中共", "的"):
            if name.startswith(prefix) and len(name) > len(prefix) + 2:
                name = name[len(prefix):]
        return name
    return None


def is_footer(texts: list[str]) -> bool:
    """A row below the table that holds totals, a legend or notes, not a person."""
    if not texts:
        return False
    first = norm(texts[0])
    return first.startswith(tuple(norm(p) for p in FOOTER_PREFIXES)) or len(first) > 30


def stated_totals(text: str) -> dict[str, int]:
    """Totals written under a table: 应到20人，实到17人，请假2人，缺席1人."""
    s = simplified(text)
    return {k: int(m.group(1)) for k, rx in _STATED.items() if (m := rx.search(s))}


def row_texts(sheet: Sheet, row: int) -> list[str]:
    """The non-empty texts of a row, merged repeats removed."""
    return [s for _c, s in row_cells(sheet, row)]


def row_cells(sheet: Sheet, row: int) -> list[tuple[int, str]]:
    """``(column, text)`` of the non-empty cells of a row, merged repeats removed."""
    out: list[tuple[int, str]] = []
    for c, v in enumerate(sheet.cells[row]):
        s = cell_text(v)
        if s and (not out or out[-1][1] != s):
            out.append((c, s))
    return out
