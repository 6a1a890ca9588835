"""Cell values as secretaries type them: dates in every common form, time ranges, counts, yes/no.

Each parser returns ``None`` for a blank cell and raises :class:`BadValue` (with a reason code) for
something that cannot be what it claims, such as 2024年2月30日, so the caller can name the cell.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from pipelines.ingest.vocab import norm, simplified

EXCEL_EPOCH = date(1899, 12, 30)
# 2024年3月15日 / 2024.3.15 / 2024/3/15 / 2024-03-15 / 2024年3月 / 2024.3 ; optional 日/号.
_DATE = re.compile(r"(?<!\d)(\d{4})\s*[年./\-]\s*(\d{1,2})\s*(?:[月./\-]\s*(?:(\d{1,2})\s*[日号]?)?)?(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*[:：点時时]\s*(\d{2})?")
_RANGE = re.compile(r"(?<!\d)(\d{1,2})\s*[:：]\s*(\d{2})\s*(?:[-—–~～至到－]+|--)\s*(\d{1,2})\s*[:：]\s*(\d{2})")
_INT = re.compile(r"-?\d+")
# 24.3.15 / 24-03-15 / 24/3/15: a year in two digits is not read (which century?); a date field written so
# is refused with its own message rather than "not a date".
_SHORT_YEAR = re.compile(r"(?<!\d)\d{2}\s*([./\-])\s*\d{1,2}\s*\1\s*\d{1,2}(?!\d)")
# No count in these sheets (people, votes, ballots, a year) comes near this; a larger number is a
# typing slip or a damaged cell, and would overflow the database's integer columns.
COUNT_CEILING = 10_000_000
# The years a date of ours can fall in (births included): a date field outside them is a typing slip, and
# four digits outside them in other text are some other number (0531-13-05 is a telephone number).
YEARS = (1900, 2099)


class BadValue(Exception):
    """A cell that cannot hold what it should; ``code`` names the reason, ``value`` is the text seen,
    ``params`` what the message about it needs besides (the date as written, its month, its days)."""

    def __init__(self, code: str, value: Any, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.value = value
        self.params = params


def text(value: Any) -> str:
    """The cell as text ('' for blank); whole floats lose their '.0'."""
    if type(value) is str:  # most cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time(0) else value.date().isoformat()
    return str(value).strip()


def _make(y: int, m: int, d: int, raw: Any, written: str | None = None) -> date:
    """The date, or :class:`BadValue` saying why it cannot be (month 13, 30 February, day 32)."""
    unreal = unreal_date(y, m, d, written if written is not None else text(raw))
    if unreal is not None:
        raise BadValue(unreal[0], raw, **unreal[1])
    return date(y, m, d)


def unreal_date(y: int | None, m: int, d: int | None, written: str) -> tuple[str, dict[str, Any]] | None:
    """Why year ``y`` (None: any year), month ``m`` and day ``d`` (None: the month alone) make no real date,
    as ``(reason code, message parameters)``; None when they do. ``written`` is the date as it was written."""
    if y is not None and not YEARS[0] <= y <= YEARS[1]:
        return "impossible_year", {"date": written, "year": y, "first": YEARS[0], "last": YEARS[1]}
    if not 1 <= m <= 12:
        return "impossible_month", {"date": written, "month": m}
    if d is None:
        return None
    # 29 February exists in some year: without one, only a day no year has is refused.
    days = calendar.monthrange(2000 if y is None else y, m)[1]
    if 1 <= d <= days:
        return None
    if y is None:
        return "impossible_day_any_year", {"date": written, "month": m, "day": d, "days": days}
    return "impossible_day", {"date": written, "year": y, "month": m, "day": d, "days": days}


def serial_date(n: float) -> date:
    """An Excel serial day number (1900 system) as a date."""
    return EXCEL_EPOCH + timedelta(days=int(n))


@dataclass(frozen=True)
class When:
    """What a date cell or text says: the day (or only the month), and maybe a time range."""

    day: date | None
    month: date | None
    start: time | None = None
    end: time | None = None
    half_day: bool = False


def parse_when(value: Any) -> When | None:
    """A date, month, and time range from a cell: Excel dates, serial numbers, 2024年3月15日 14:30-17:30 …"""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        t = value.time()
        d = value.date()
        return When(d, d.replace(day=1), t if t != time(0) else None)
    if isinstance(value, date):
        return When(value, value.replace(day=1))
    if isinstance(value, bool):
        raise BadValue("bad_date", value)
    if isinstance(value, int | float):
        n = float(value)
        if 19000101 <= n <= 21001231 and n.is_integer():
            s = str(int(n))
            d = _make(int(s[:4]), int(s[4:6]), int(s[6:]), value)
            return When(d, d.replace(day=1))
        if 1 <= n < 80000:
            d = serial_date(n)
            frac = n - int(n)
            start = None
            if frac:
                secs = round(frac * 86400)
                start = time(secs // 3600 % 24, secs // 60 % 60)
            return When(d, d.replace(day=1), start)
        raise BadValue("bad_date", value)
    s = simplified(str(value))
    m = _DATE.search(s)
    day: date | None = None
    month: date | None = None
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        shown = as_written(str(value), s, m.start(), m.end())
        unreal = unreal_date(y, mo, None, shown)
        if unreal is not None:
            raise BadValue(unreal[0], value, **unreal[1])
        month = date(y, mo, 1)
        if m.group(3):
            day = _make(y, mo, int(m.group(3)), value, shown)
        rest = s[m.end():]
    else:
        c = _COMPACT.search(s)
        if not c:
            short = _SHORT_YEAR.search(s)
            if short:
                raise BadValue("short_year", value, date=as_written(str(value), s, short.start(), short.end()))
            raise BadValue("bad_date", value)
        day = _make(int(c.group(1)), int(c.group(2)), int(c.group(3)), value,
                    as_written(str(value), s, c.start(), c.end()))
        month = day.replace(day=1)
        rest = s[c.end():]
    start = end = None
    r = _RANGE.search(rest)
    if r:
        start = _clock(int(r.group(1)), int(r.group(2)), value)
        end = _clock(int(r.group(3)), int(r.group(4)), value)
    else:
        one = _TIME.search(rest)
        if one:
            start = _clock(int(one.group(1)), int(one.group(2) or 0), value)
    half = any(w in norm(rest) for w in half_day_words())
    return When(day, month, start, end, half)


def half_day_words() -> tuple[str, ...]:
    """半天 / 上午 / 下午 …: a record that says so lasted half a day."""
    from pipelines.ingest.vocab import words

    return words("words", "half_day")


def _clock(h: int, m: int, raw: Any) -> time:
    if not (0 <= h <= 24 and 0 <= m < 60):
        raise BadValue("bad_time", raw)
    return time(h % 24, m)


def parse_date(value: Any) -> date | None:
    """A full date (a month alone is taken as its first day)."""
    w = parse_when(value)
    if w is None:
        return None
    return w.day or w.month


def parse_count(value: Any) -> int | None:
    """A whole count: 17, 17.0, '17人', '17 人'."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue("bad_count", value)
    if isinstance(value, int | float):
        if float(value).is_integer() and 0 <= value <= COUNT_CEILING:
            return int(value)
        raise BadValue("bad_count", value)
    m = _INT.search(simplified(str(value)))
    if not m or not 0 <= int(m.group()) <= COUNT_CEILING:
        raise BadValue("bad_count", value)
    return int(m.group())


def duration_hours(start: time | None, end: time | None) -> float | None:
    """Hours between two clock times of one day."""
    if start is None or end is None:
        return None
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return round(minutes / 60, 2) if minutes > 0 else None


_TITLE_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_TITLE_MONTH_LOOSE = re.compile(r"(?<!\d)(\d{4})[._\-/](\d{1,2})(?!\d)")
_TITLE_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_AS_OF = re.compile(r"截[至止]\s*(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?(?:\s*(\d{1,2})\s*日)?")


def month_in(text_: str) -> date | None:
    """The month a title or file name names: 2024年3月, 2024-03, 2024.3."""
    s = simplified(text_)
    m = _TITLE_MONTH.search(s) or _TITLE_MONTH_LOOSE.search(s)
    if not m or not 1 <= int(m.group(2)) <= 12 or not YEARS[0] <= int(m.group(1)) <= YEARS[1]:
        return None
    return date(int(m.group(1)), int(m.group(2)), 1)


def year_in(text_: str) -> int | None:
    """The year a title or file name names (2024年, 2024年度)."""
    m = _TITLE_YEAR.search(simplified(text_))
    return int(m.group(1)) if m and YEARS[0] <= int(m.group(1)) <= YEARS[1] else None


def as_of_in(text_: str) -> date | None:
    """The date a roster holds from: 截至2024年1月 -> 2024-01-01 (截至2024年1月15日 -> that day)."""
    m = _AS_OF.search(simplified(text_))
    if not m:
        return None
    y, mo = int(m.group(1)), int(m.group(2))
    if not 1 <= mo <= 12:
        return None
    try:
        return date(y, mo, int(m.group(3)) if m.group(3) else 1)
    except ValueError:
        return None


def parse_span(text_: str) -> tuple[time, time] | None:
    """A clock range on its own: 14:30-17:30."""
    r = _RANGE.search(simplified(text_))
    if not r:
        return None
    return _clock(int(r.group(1)), int(r.group(2)), text_), _clock(int(r.group(3)), int(r.group(4)), text_)


_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(小时|h|hours?|个小时)?", re.I)


def parse_hours(value: Any, half_day: float) -> float | None:
    """A duration: 3, '3小时', '2.5 h', '半天' (the rules' half day)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    s = simplified(str(value))
    if any(w in norm(s) for w in half_day_words()):
        return half_day
    m = _HOURS.search(s)
    return float(m.group(1)) if m else None


# ID-card numbers (18 or 15 characters) and mobile or landline numbers are never stored, even when a
# secretary wrote one into a remark or a record's text.
_PRIVATE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15}|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?![0-9A-Za-z])")


def scrub(value: str | None) -> str | None:
    """Free text with ID-card and phone numbers replaced by ``***``."""
    if not value:
        return value
    return _PRIVATE.sub("***", value)


_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?(?!\d)")


def parse_date_near(value: Any, year: int | None) -> date | None:
    """A date that may leave out its year (3月8日, 3.8): the activity's year is meant."""
    try:
        return parse_date(value)
    except BadValue as exc:
        if exc.code != "bad_date" or year is None or not isinstance(value, str):
            raise
        s = simplified(value)
        m = _MONTH_DAY.search(s)
        if not m:
            raise
        return _make(year, int(m.group(1)), int(m.group(2)), value, as_written(value, s, m.start(), m.end()))


def as_written(original: str, folded: str, start: int, end: int) -> str:
    """The part ``[start:end]`` of ``folded`` (``simplified(original)``) as the user wrote it: the same
    span of the original when folding kept its length (it does for Traditional characters and full-width
    digits), else the folded text."""
    raw = original.strip()
    return raw[start:end] if len(raw) == len(folded) else folded[start:end]


# Date-looking text anywhere in a cell (a title, an info line, a remark): a full date with year, month and
# day (2024年2月30日, 2024-13-05, 2024/2/30, 2024.2.30), a year and month (2024年13月), or a month and day
# in characters (2月30日). Separators must repeat (2024.2.30), so a decimal such as 2024.5 is no date.
_DATE_LIKE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?:年\s*(?P<m1>\d{1,2})\s*月(?:\s*(?P<d1>\d{1,2})\s*[日号])?"
    r"|(?P<sep>[./\-])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<d2>\d{1,2})(?!\d))"
    r"|(?<![\d年./\-])(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*[日号]")


# A digit before a date separator: text without one holds no date.
DATE_SHAPE = re.compile(r"[0-9０-９]\s*[年月./\-／．－]")


def unreal_in(value: str, year: int | None = None) -> tuple[str, dict[str, Any]] | None:
    """The first date-looking part of ``value`` that is no real date, as ``(reason code, message
    parameters)`` (see :func:`unreal_date`); a month and day without a year are taken in ``year``."""
    if not DATE_SHAPE.search(value):  # most cells (names, marks, counts): no need to fold them
        return None
    s = simplified(value)
    for m in _DATE_LIKE.finditer(s):
        shown = as_written(value, s, m.start(), m.end())
        if m.group("y"):
            y = int(m.group("y"))
            if not YEARS[0] <= y <= YEARS[1]:
                continue
            mo, d = (m.group("m1"), m.group("d1")) if m.group("m1") else (m.group("m2"), m.group("d2"))
            found = unreal_date(y, int(mo), int(d) if d else None, shown)
        else:
            found = unreal_date(year, int(m.group("m3")), int(m.group("d3")), shown)
        if found is not None:
            return found
    return None


# The months a title names: a range (2024年1-3月, 2024年11月至2025年1月), one month (2024年3月), or the
# loose 2024-03 / 2024.3 of file names and titles.
_PERIOD = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月?\s*[-—–~～至到]\s*(?:(?P<y2>\d{4})\s*年\s*)?(?P<m2>\d{1,2})\s*月"
    r"|(?P<ys>\d{4})\s*年\s*(?P<ms>\d{1,2})\s*月"
    r"|(?<!\d)(?P<yl>\d{4})[._\-/](?P<ml>\d{1,2})(?!\d)")


def months_named(value: str) -> list[tuple[date, date, str]]:
    """``(first month, last month, as written)`` of each month or range of months ``value`` names (real
    months only)."""
    s = simplified(value)
    out: list[tuple[date, date, str]] = []
    for m in _PERIOD.finditer(s):
        if m.group("y"):
            y, mo, mo2 = int(m.group("y")), int(m.group("m")), int(m.group("m2"))
            y2 = int(m.group("y2")) if m.group("y2") else y
        elif m.group("ys"):
            y = y2 = int(m.group("ys"))
            mo = mo2 = int(m.group("ms"))
        else:
            y = y2 = int(m.group("yl"))
            mo = mo2 = int(m.group("ml"))
        if 1 <= mo <= 12 and 1 <= mo2 <= 12 and YEARS[0] <= y <= y2 <= YEARS[1] and (y, mo) <= (y2, mo2):
            out.append((date(y, mo, 1), date(y2, mo2, 1), as_written(value, s, m.start(), m.end())))
    return out
