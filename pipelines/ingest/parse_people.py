"""Tables of people: the roster (党员花名册), the sign-in sheet (签到表) and the year table (年度出勤统计表).

They share the walk down the rows: stop at the totals and legends below the table (keeping the stated
totals to check), skip blank lines, fold padded and full-width names, read marks and words through the
declared vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pipelines.errors import error, warning
from pipelines.ingest import values
from pipelines.ingest.layout import Table, cell_text, is_footer, row_texts, stated_totals
from pipelines.ingest.model import Guest, Mark, Parsed, Person
from pipelines.ingest.read import Sheet, column_letter
from pipelines.ingest.vocab import canonical, clean_name, norm, words

_MONTH_REMARK = re.compile(r"(\d{1,2})\s*月")
_GUIDES = re.compile(r"分管\s*([^；;。]+)")


def data_rows(sheet: Sheet, table: Table, parsed: Parsed) -> Iterator[tuple[int, str]]:
    """``(row, name)`` of each person line below the header; footers fill ``parsed.stated``."""
    name_col = table.columns["name"]
    footer = False
    for r in range(table.header_row + 1, sheet.n_rows):
        texts = row_texts(sheet, r)
        if not texts:
            continue
        name = clean_name(cell_text(sheet.value(r, name_col)))
        if footer or is_footer(texts) or (not name and len(texts) == 1 and len(texts[0]) > 8):
            footer = True
            found = stated_totals(" ".join(texts))
            if found and not parsed.stated:
                parsed.stated, parsed.stated_row = found, r + 1
            continue
        if not name or norm(name) in ("合计", "小计", "total"):
            continue
        if len(name) > 20:
            footer = True
            continue
        yield r, name


def people_rows(sheet: Sheet, table: Table, parsed: Parsed) -> Iterator[tuple[Table, int, str]]:
    """``(block, row, name)`` over every side-by-side block of the table (one block for most sheets)."""
    for block in table.block_tables():
        for r, name in data_rows(sheet, block, parsed):
            yield block, r, name


def _cell(sheet: Sheet, r: int, table: Table, key: str) -> Any:
    col = table.columns.get(key)
    return None if col is None else sheet.value(r, col)


def _date_cell(sheet: Sheet, r: int, table: Table, key: str, parsed: Parsed) -> Any:
    raw = _cell(sheet, r, table, key)
    try:
        return values.parse_date(raw)
    except values.BadValue as exc:
        col = column_letter(table.columns[key])
        parsed.issues.append(error(f"ingest.{exc.code}", sheet=sheet.name, row=r + 1, column=col,
                                   value=cell_text(raw), **exc.params))
        return None


def parse_roster(sheet: Sheet, whole: Table, parsed: Parsed) -> None:
    """党员花名册: name, sex, birth, joining date, full/probationary, remarks (cadre, guidance, exemption).

    ID-card and phone columns are read past, never kept.
    """
    for table, r, name in people_rows(sheet, whole, parsed):
        p = Person(name, r + 1)
        sex = cell_text(_cell(sheet, r, table, "sex"))
        p.sex = {"男": "男", "女": "女", "m": "男", "male": "男", "f": "女", "female": "女"}.get(norm(sex)) if sex else None
        p.birth = _date_cell(sheet, r, table, "birth", parsed)
        p.joined = _date_cell(sheet, r, table, "joined", parsed)
        kind_text = cell_text(_cell(sheet, r, table, "member_kind") or _cell(sheet, r, table, "identity"))
        p.kind = canonical("member_kind", kind_text) if kind_text else None
        remark = values.simplified(cell_text(_cell(sheet, r, table, "remark")))
        if remark:
            if "领导干部" in remark:
                p.is_cadre = True
            if m := _GUIDES.search(remark):
                p.guides = [clean_name(x) for x in re.split(r"[、,，/和及]", m.group(1)) if x.strip()]
            for part in re.split(r"[；;。]", remark):
                if "免于参加" in part or "免参加" in part or "exempt" in part.lower():
                    p.exemption = values.scrub(re.split(r"[，,]", part)[0].strip() or part.strip())
        parsed.people.append(p)


_CLOCK = re.compile(r"^\d{1,2}\s*[:：]\s*\d{2}")


def status_of(mark: str, remark: str, name: str = "") -> tuple[str | None, bool]:
    """``(status, understood)`` of a mark and its remark; a blank mark with leave in the remark is excused.

    A signing time (14:25) or the person's own name written in the sign-in column means present.
    """
    if mark in ("-", "—", "/", "－", "――", "--"):
        mark = ""
    if mark and (_CLOCK.match(mark) or (name and norm(mark) == norm(name))):
        return "present", True
    if mark:
        st = canonical("status", mark)
        if st is None:  # "√(补)", "请假（病）": the word before the note
            st = canonical("status", re.split(r"[(（\[【]", mark)[0])
        if st is None:
            st = status_in(mark)
        if st is None:
            return None, False
        return st, True
    key = norm(remark)
    if key and any(w in key for w in words("remarks", "leave")):
        return "excused", True
    return "unexcused", True


def status_in(mark: str) -> str | None:
    """The status a longer mark contains: absence words first (未到会), then leave words (病休中), then
    presence words (已到会); None when it contains none."""
    key = norm(mark)
    if any(w in key for w in words("remarks", "unexcused_parts")):
        return "unexcused"
    if any(w in key for w in words("remarks", "leave")):
        return "excused"
    if any(w in key for w in words("remarks", "present_parts")):
        return "present"
    return None


def made_up(remark: str) -> bool:
    """The remark records make-up study (补学)."""
    key = norm(remark)
    return bool(key) and any(w in key for w in words("remarks", "made_up"))


def parse_signin(sheet: Sheet, whole: Table, parsed: Parsed) -> None:
    """签到表: one line per person with a mark, a word or a signature; non-members by their identity."""
    for table, r, name in people_rows(sheet, whole, parsed):
        status_col = table.columns.get("status")
        sign_col = table.columns.get("signature")
        ident = cell_text(_cell(sheet, r, table, "identity"))
        guest_kind = canonical("identity.guests", ident) if ident else None
        if guest_kind is None and ident and "分管" in ident:
            guest_kind = "leading_cadre"
        if guest_kind:
            parsed.guests.append(Guest(name, guest_kind, r + 1))
            continue
        remark = cell_text(_cell(sheet, r, table, "remark"))
        if status_col is not None:
            mark = cell_text(sheet.value(r, status_col))
            col = column_letter(status_col)
        elif table.status_cols:
            mark, col = three_columns(sheet, r, table)
        else:
            mark = "√" if cell_text(sheet.value(r, sign_col or 0)) else ""
            col = column_letter(sign_col or 0)
        if status_col is not None and sign_col is not None and not mark and cell_text(sheet.value(r, sign_col)):
            mark = "√"
        status, ok = status_of(mark, remark, name)
        if not ok or status is None:
            parsed.issues.append(error("ingest.unknown_mark", sheet=sheet.name, row=r + 1, column=col, value=mark,
                                       name=name))
            continue
        parsed.marks.append(Mark(name, r + 1, col, status, made_up(remark), remark or None))


def three_columns(sheet: Sheet, r: int, table: Table) -> tuple[str, str]:
    """Marks in separate 出席 / 请假 / 缺席 columns: the column holding a mark names the status."""
    first = column_letter(min(table.status_cols.values()))
    for status, c in sorted(table.status_cols.items(), key=lambda x: x[1]):
        mark = cell_text(sheet.value(r, c))
        if mark and canonical("status", mark) != "unexcused":
            return {"present": "√", "excused": "请假", "unexcused": "×"}[status], column_letter(c)
        if mark and status == "unexcused":
            return "×", column_letter(c)
    return "", first


def parse_year(sheet: Sheet, whole: Table, parsed: Parsed) -> None:
    """年度出勤统计表: members as rows, months as columns; an empty month column had no activity."""
    for table, r, name in people_rows(sheet, whole, parsed):
        remark = values.simplified(cell_text(_cell(sheet, r, table, "remark")))
        per_month: dict[int, str] = {}
        for part in re.split(r"[；;]", remark):
            m = _MONTH_REMARK.match(part.strip())
            if m:
                per_month[int(m.group(1))] = part.strip()[m.end():].strip(" ：:，,")
        for month, col in sorted(table.months.items()):
            mark = cell_text(sheet.value(r, col))
            if not mark:
                continue
            note = per_month.get(month, "")
            status, ok = status_of(mark, note)
            if not ok or status is None:
                parsed.issues.append(error("ingest.unknown_mark", sheet=sheet.name, row=r + 1,
                                           column=column_letter(col), value=mark, name=name))
                continue
            parsed.marks.append(Mark(name, r + 1, column_letter(col), status, made_up(note) or made_up(mark),
                                     note or None, month))
    parsed.months = sorted({m.month for m in parsed.marks if m.month})
    if not parsed.marks and not parsed.issues:
        parsed.issues.append(warning("ingest.year_empty", sheet=sheet.name))
