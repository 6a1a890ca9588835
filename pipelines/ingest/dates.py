"""Dates that cannot be real, and dates that contradict the title's month: each refuses the file.

Secretaries type dates as text, so 2024年13月5日, 2024/2/30 or 2025-02-29 reach us; read as far as they
go they would become some other day or be dropped without a word. A sign-in sheet titled August whose
info line says September is wrong in one of the two places, and only its author knows which. Neither is
guessed at: each is an error at its cell, and the file loads whole or not at all.
"""

from __future__ import annotations

import re
from datetime import date

from pipelines.errors import error
from pipelines.ingest import values
from pipelines.ingest.layout import Table, pairs_at, row_cells
from pipelines.ingest.model import Parsed
from pipelines.ingest.read import Sheet, column_letter
from pipelines.ingest.vocab import lookup, norm, simplified

# Sheets about one activity: their date must lie in the month their title names.
ACTIVITY_KINDS = ("signin", "evaluation", "record")
_MONTH_HEAD = re.compile(r"^(\d{1,2})\s*月份?$")
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")

# A title's month or year as found: first month, last month (equal for one month), as written, row, column.
Named = tuple[date, date, str, int, int]


def check(sheet: Sheet, p: Parsed, table: Table | None) -> None:
    """Add to ``p.issues`` an error for every date-looking text of the sheet that is no real date, for a
    date the title's month contradicts (sheets about one activity) and, in a year table, for a month
    column that cannot be or that names another year than the title."""
    unreal_cells(sheet, p)
    titles = title_lines(sheet, table.header_row if table is not None else sheet.n_rows)
    if p.kind in ACTIVITY_KINDS:
        against_title(p, titles)
    elif p.kind == "year" and table is not None:
        month_columns(sheet, p, table, titles)


def unreal_cells(sheet: Sheet, p: Parsed) -> None:
    """An error for each text cell holding a date that cannot be real (one per cell, the first such date);
    cells already reported by the parsers, and the copies of a merged cell, are passed over."""
    reported = {(i.row, i.column) for i in p.issues}
    near = p.ctx.day or p.ctx.month
    year = p.ctx.year or (near.year if near else None)
    shape = values.DATE_SHAPE.search  # most cells (names, marks, counts) stop at this one cheap test
    above: list[object] = []
    for r, row in enumerate(sheet.cells):
        left: object = None
        for c, v in enumerate(row):
            # A merged range repeats its text to the right and downwards: report it once, where it is written.
            if type(v) is str and shape(v) and v != left and (c >= len(above) or v != above[c]):
                found = values.unreal_in(v, year)
                if found is not None and (r + 1, column_letter(c)) not in reported:
                    code, params = found
                    p.issues.append(error(f"ingest.{code}", sheet=sheet.name, row=r + 1, column=column_letter(c),
                                          value=v.strip(), **params))
            left = v
        above = row


def title_lines(sheet: Sheet, end: int) -> list[tuple[int, list[tuple[int, str]]]]:
    """``(row, cells)`` of the title rows: rows above ``end`` (the header row) that are neither an info line
    nor a label/value pair, up to the first row of a label/value form (an activity record's fields)."""
    rec = lookup("record")
    out = []
    for r in range(min(end, sheet.n_rows)):
        line = row_cells(sheet, r)
        if not line:
            continue
        if norm(line[0][1]).rstrip(":") in rec:
            break
        if not pairs_at(line):
            out.append((r, line))
    return out


def months_in_titles(titles: list[tuple[int, list[tuple[int, str]]]]) -> list[Named]:
    """Every month (or range of months) the title rows name, with where."""
    return [(first, last, written, r + 1, c) for r, line in titles for c, s in line
            for first, last, written in values.months_named(s)]


def against_title(p: Parsed, titles: list[tuple[int, list[tuple[int, str]]]]) -> None:
    """An error when the sheet's own date (info line, record field) is in none of the months its title names."""
    if p.ctx.date_at is None:
        return
    when = p.ctx.day or p.ctx.month
    named = months_in_titles(titles)
    if when is None or not named:
        return
    month = when.replace(day=1)
    if any(first <= month <= last for first, last, *_ in named):
        return
    _first, _last, written, title_row, _c = named[0]
    row, col, shown = p.ctx.date_at
    p.issues.append(error("ingest.date_not_in_title", sheet=p.sheet, row=row, column=column_letter(col),
                          date=shown, title=written, title_row=title_row))


def month_columns(sheet: Sheet, p: Parsed, table: Table, titles: list[tuple[int, list[tuple[int, str]]]]) -> None:
    """A year table's month headers: 13月 cannot be a month; 2023年3月 under a title of 2024年度 is the
    wrong year."""
    years = [(int(m.group(1)), m.group(0), r + 1) for r, line in titles for _c, s in line
             for m in _YEAR.finditer(simplified(s))]
    for c, s in row_cells(sheet, table.header_row):
        bare = _MONTH_HEAD.match(simplified(s))
        if bare:
            found = values.unreal_date(None, int(bare.group(1)), None, s)
            if found is not None:
                p.issues.append(error(f"ingest.{found[0]}", sheet=sheet.name, row=table.header_row + 1,
                                      column=column_letter(c), value=s, **found[1]))
            continue
        if not years or len(s) > 12:
            continue
        for first, _last, written in values.months_named(s):
            if all(first.year != y for y, *_ in years):
                p.issues.append(error("ingest.date_not_in_title", sheet=sheet.name, row=table.header_row + 1,
                                      column=column_letter(c), date=written, title=years[0][1],
                                      title_row=years[0][2]))
