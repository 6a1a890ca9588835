"""The one safe Excel writer: every download of the dashboard and the snapshot export go through it.

What a committee secretary gets is a real ``.xlsx`` file that opens cleanly and cannot run anything:

- one sheet per table, a bold header row, panes frozen below the header, widths that fit the content
  (Chinese characters count double);
- numbers stay numbers, dates stay dates, rates (0–1) are formatted as percentages;
- text that begins with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or any other control
  character is written as a text cell with Excel's quote prefix, never as a formula (CSV/formula
  injection: a member's name typed as ``=HYPERLINK(...)`` in a sign-in sheet must stay a name);
- control characters XML cannot carry are replaced by U+FFFD rather than failing the whole download.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Leading characters a spreadsheet may treat as the start of a formula or a command.
_RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Characters XML 1.0 cannot carry at all (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Column names that hold a rate between 0 and 1 (pipelines naming: ``_pct``, ``_rate``, ``rate``).
_PERCENT_NAME = re.compile(r"(^|_)(pct|rate|share)$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH = 6
MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 2000

Sheets = pl.DataFrame | Mapping[str, pl.DataFrame]


def is_risky_text(text: str) -> bool:
    """True when ``text`` would be read by a spreadsheet as a formula or starts with a control character."""
    if not text:
        return False
    first = text[0]
    return first in _RISKY_START or unicodedata.category(first) == "Cc"


def clean_text(text: str) -> str:
    """``text`` with characters XML cannot hold replaced by U+FFFD (tab, CR and LF are kept)."""
    return _ILLEGAL_XML.sub("\ufffd", text)


def display_width(value: Any) -> int:
    """How many character cells ``value`` takes in a spreadsheet column (wide East Asian characters count 2)."""
    text = value if isinstance(value, str) else _shown(value)
    longest = max((len(line) + sum(1 for ch in line if unicodedata.east_asian_width(ch) in "WF"))
                  for line in text.split("\n")) if text else 0
    return longest


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet title: no ``[]:*?/\\``, at most 31 characters, not blank."""
    base = _SHEET_FORBIDDEN.sub("_", clean_text(name)).strip("'").strip() or "Sheet"
    base = base[:31]
    lowered = {t.lower() for t in taken}
    title, n = base, 2
    while title.lower() in lowered:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    return title


def is_percent_column(name: str, dtype: pl.DataType) -> bool:
    """A floating column named like a rate (``*_pct``, ``*_rate``, ``rate``, ``*_share``)."""
    return dtype.is_float() and bool(_PERCENT_NAME.search(name.lower()))


def _cell_value(value: Any) -> tuple[Any, bool]:
    """(value to write, must be forced to text)."""
    if value is None:
        return None, False
    if isinstance(value, bool | int):
        return value, False
    if isinstance(value, float):
        return (None, False) if math.isnan(value) or math.isinf(value) else (value, False)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None), False
    if isinstance(value, dt.date | dt.time):
        return value, False
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600.0, False
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    raw = str(value)
    text = clean_text(raw)
    return text, is_risky_text(raw) or is_risky_text(text)


def _write_sheet(wb: Workbook, title: str, frame: pl.DataFrame, percent: set[str]) -> None:
    ws: Worksheet = wb.create_sheet(title)
    columns = frame.columns
    pct_cols = {c for c in columns if c in percent or is_percent_column(c, frame.schema[c])}
    widths = []
    sample = frame.head(WIDTH_SAMPLE_ROWS)
    for name in columns:
        width = display_width(name)
        for value in sample.get_column(name).to_list():
            width = max(width, display_width(_shown(value) if not isinstance(value, str) else value))
        if name in pct_cols:
            width = max(width, 7)
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, width + 2)))
    for idx, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "A2"

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="F2DCDB")
    wrap = Alignment(vertical="top", wrap_text=False)
    header = []
    for name in columns:
        text, _ = _cell_value(name)
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    ws.append(header)

    formats = {}
    for name in columns:
        dtype = frame.schema[name]
        if name in pct_cols:
            formats[name] = PERCENT_FORMAT
        elif dtype == pl.Datetime:
            formats[name] = DATETIME_FORMAT
        elif dtype == pl.Date:
            formats[name] = DATE_FORMAT
    for row in frame.iter_rows():
        cells = []
        for name, raw in zip(columns, row, strict=True):
            value, force_text = _cell_value(raw)
            cell = WriteOnlyCell(ws, value=value)
            if force_text:
                cell.data_type = "s"
                cell.quotePrefix = True
            elif name in formats and value is not None and not isinstance(value, str):
                cell.number_format = formats[name]
            if isinstance(value, str) and "\n" in value:
                cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)


def to_xlsx(data: Sheets, *, percent: Sequence[str] = ()) -> bytes:
    """The workbook for one table, or one sheet per ``{title: frame}``, as ``.xlsx`` bytes.

    ``percent`` names extra columns to format as percentages (rates 0–1); columns named ``*_pct``,
    ``*_rate``, ``rate`` or ``*_share`` are formatted so already.
    """
    sheets: Mapping[str, pl.DataFrame] = {"Sheet1": data} if isinstance(data, pl.DataFrame) else data
    wb = Workbook(write_only=True)
    taken: list[str] = []
    for name, frame in sheets.items():
        title = sheet_title(str(name), taken)
        taken.append(title)
        _write_sheet(wb, title, frame, set(percent))
    if not taken:
        wb.create_sheet("Sheet1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(path: Any, data: Sheets, *, percent: Sequence[str] = ()) -> None:
    """Write :func:`to_xlsx` of ``data`` to the file ``path``."""
    with open(path, "wb") as fh:
        fh.write(to_xlsx(data, percent=percent))
