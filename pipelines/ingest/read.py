"""Read every sheet of a (safe) workbook into a grid of cell values, merged cells filled.

python-calamine (Rust) reads ``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls`` and ``.ods`` (telling them apart by
their content), many times faster than openpyxl, and still reports the merged ranges of ``.xlsx`` and
``.xls``: a zone written once and merged down its branches, a title merged across the table. The value
of a merged range is copied into each of its cells, so every row of the table carries its zone.
Only cell values are read: formulas as their last computed values, never a macro.

A text export (``.csv``/``.txt``, comma-, tab- or semicolon-separated, in UTF-8, UTF-8 with BOM,
UTF-16 or GBK/GB18030, see :func:`safety.text_encoding`) is one sheet named after the file, its numbers
read as numbers the way Excel opens it (but ``007`` stays text: a leading zero is part of an id). So is a
web page holding tables: the ``.xls`` many web systems export is HTML (rowspan/colspan filled like merges).
Grid positions are absolute: ``cells[i][j]`` is Excel row ``i + 1``, column ``column_letter(j)``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from pipelines.errors import Issue, error
from pipelines.ingest import safety
from pipelines.ingest.safety import Limits

INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,14})")
DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,14})\.[0-9]+")
DELIMITERS = (",", "\t", ";")
SEP_HINT = re.compile(r"\ufeff?sep=(.)\r?\n")
READER_FAILURES = (CalamineError, ValueError, OSError, IndexError, KeyError, OverflowError)


@dataclass
class Sheet:
    """One sheet as read: its name and the absolute grid of values ('' or None when blank)."""

    name: str
    cells: list[list[Any]]

    @property
    def n_rows(self) -> int:
        """Rows in the grid."""
        return len(self.cells)

    def value(self, row: int, col: int) -> Any:
        """The value at 0-based ``(row, col)``, None outside the grid or blank."""
        if 0 <= row < len(self.cells):
            r = self.cells[row]
            if 0 <= col < len(r):
                v = r[col]
                return None if v == "" else v
        return None

    def is_empty(self) -> bool:
        """No value anywhere."""
        return not any(v not in ("", None) for r in self.cells for v in r)


def column_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_workbook(file: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Issue]]:
    """Every worksheet of ``data`` (already checked by :func:`safety.check`); issues when it cannot be read."""
    if safety.sniff(data) == "text":
        return read_html(file, data, limits) if safety.is_html(data) else read_text(file, data, limits)
    try:
        return _read_calamine(file, data, limits)
    except BaseException as exc:  # a damaged .xls/.xlsb can make the Rust reader panic (a BaseException)
        if type(exc).__name__ != "PanicException" and not isinstance(exc, READER_FAILURES):
            raise
        text = str(exc).lower()
        return [], [error("ingest.encrypted" if "password" in text or "encrypt" in text else "ingest.corrupt",
                          file=file)]


def _read_calamine(file: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Issue]]:
    """The workbook formats, through python-calamine; its errors (and panics) go up to the caller."""
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets: list[Sheet] = []
    if len(wb.sheets_metadata) > limits.max_sheets:
        return [], [error("ingest.too_many_sheets", file=file, sheets=len(wb.sheets_metadata),
                          limit=limits.max_sheets)]
    for meta in wb.sheets_metadata:
        if str(meta.typ).lower().find("worksheet") < 0:
            continue
        sh = wb.get_sheet_by_name(meta.name)
        end = sh.end
        height = (end[0] + 1) if end else 0
        width = (end[1] + 1) if end else 0
        if height > limits.max_rows:
            return [], [error("ingest.too_many_rows", file=file, sheet=meta.name, rows=height,
                              limit=limits.max_rows)]
        if height * width > limits.max_cells:
            return [], [error("ingest.too_many_cells", file=file, sheet=meta.name, cells=height * width,
                              limit=limits.max_cells)]
        cells = sh.to_python(skip_empty_area=False) if height else []
        for (r0, c0), (r1, c1) in sh.merged_cell_ranges or []:
            if r0 >= len(cells):
                continue
            top = cells[r0][c0] if c0 < len(cells[r0]) else ""
            if top in ("", None):
                continue
            for r in range(r0, min(r1, len(cells) - 1) + 1):
                row = cells[r]
                for c in range(c0, min(c1, len(row) - 1) + 1):
                    if row[c] in ("", None):
                        row[c] = top
        sheets.append(Sheet(meta.name, cells))
    return sheets, []


def read_text(file: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Issue]]:
    """A CSV or tab-separated text export as one sheet named after the file."""
    encoding = safety.text_encoding(data)
    if encoding is None:
        return [], [error("ingest.not_spreadsheet", file=file)]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return [], [error("ingest.text_encoding", file=file)]
    hint = SEP_HINT.match(text)
    if hint:  # Excel's "sep=;" first line names the separator and is not part of the table
        delimiter, text = hint.group(1), text[hint.end():]
    else:
        delimiter = _delimiter(text[:65536].splitlines()[:50])
    cells: list[list[Any]] = []
    n_cells = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):  # quoted line breaks kept
        if len(cells) >= limits.max_rows:
            return [], [error("ingest.too_many_rows", file=file, sheet=_sheet_name(file),
                              rows=text.count("\n") + 1, limit=limits.max_rows)]
        n_cells += len(row)
        if n_cells > limits.max_cells:
            return [], [error("ingest.too_many_cells", file=file, sheet=_sheet_name(file), cells=n_cells,
                              limit=limits.max_cells)]
        cells.append([_text_value(v) for v in row])
    width = max((len(r) for r in cells), default=0)
    for r in cells:
        r.extend([""] * (width - len(r)))
    return [Sheet(_sheet_name(file), cells)], []


class _Tables(HTMLParser):
    """The rows of every ``<table>`` of a page, stacked with a blank row between tables, each cell's text
    copied into the cells its ``rowspan``/``colspan`` covers (as a merged range is filled)."""

    def __init__(self, max_cells: int) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[Any]] = []
        self.max_cells = max_cells
        self.n_cells = 0
        self.too_many = False
        self._depth = 0
        self._row: list[Any] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._pending: dict[tuple[int, int], Any] = {}  # (row, col) -> value carried down by a rowspan

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._depth += 1
            if self._depth == 1 and self.rows:
                self.rows.append([])
        elif self._depth != 1:
            return
        elif tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            a = dict(attrs)
            self._span = (_span(a.get("rowspan")), _span(a.get("colspan")))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self._depth == 1:
                self._end_row()
            self._depth = max(0, self._depth - 1)
        elif self._depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self._depth == 1 and tag == "tr":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None and self._depth == 1:  # a table nested in a cell is layout, not data
            self._cell.append(data)

    def _place(self, row: list[Any]) -> None:
        r = len(self.rows)
        while (r, len(row)) in self._pending:
            row.append(self._pending.pop((r, len(row))))

    def _end_cell(self) -> None:
        if self._cell is None or self._row is None:
            return
        text = " ".join(part.strip() for part in "".join(self._cell).replace("\xa0", " ").split("\n")
                        if part.strip())
        value = _text_value(text)
        self._place(self._row)
        rows, cols = self._span
        r = len(self.rows)
        c0 = len(self._row)
        for c in range(c0, c0 + cols):
            self._row.append(value)
            for dr in range(1, rows):
                self._pending[(r + dr, c)] = value
        self.n_cells += rows * cols
        self.too_many = self.too_many or self.n_cells > self.max_cells
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self._place(self._row)
            self.rows.append(self._row)
            self._row = None


def _span(v: str | None) -> int:
    """A rowspan/colspan as written (1 when absent or not a number; at most 1000)."""
    try:
        return max(1, min(int(str(v).strip()), 1000))
    except ValueError:
        return 1


def read_html(file: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Issue]]:
    """A web page's tables (an "Excel" export of a web system, really HTML) as one sheet named after the file,
    as Excel opens it."""
    encoding = safety.text_encoding(data)
    if encoding is None:
        return [], [error("ingest.not_spreadsheet", file=file)]
    parser = _Tables(limits.max_cells)
    try:
        parser.feed(data.decode(encoding, errors="replace"))
        parser.close()
    except (ValueError, AssertionError):
        return [], [error("ingest.corrupt", file=file)]
    if parser.too_many:
        return [], [error("ingest.too_many_cells", file=file, sheet=_sheet_name(file), cells=parser.n_cells,
                          limit=limits.max_cells)]
    cells = parser.rows
    if len(cells) > limits.max_rows:
        return [], [error("ingest.too_many_rows", file=file, sheet=_sheet_name(file), rows=len(cells),
                          limit=limits.max_rows)]
    width = max((len(r) for r in cells), default=0)
    for r in cells:
        r.extend([""] * (width - len(r)))
    return [Sheet(_sheet_name(file), cells)], []


def _sheet_name(file: str) -> str:
    return PurePath(file).stem or file


def _delimiter(lines: list[str]) -> str:
    """The separator used most consistently over the first lines (a comma when nothing tells)."""
    best, score = ",", 0
    for d in DELIMITERS:
        counts = [line.count(d) for line in lines if line.strip()]
        if not counts:
            continue
        s = sum(1 for c in counts if c > 0) * 1000 + sum(counts)
        if s > score:
            best, score = d, s
    return best


def _text_value(v: str) -> Any:
    """A text cell as Excel would open it: plain integers and decimals as numbers, all else as written."""
    t = v.strip()
    if INTEGER.fullmatch(t):
        return int(t)
    if DECIMAL.fullmatch(t):
        return float(t)
    return v
