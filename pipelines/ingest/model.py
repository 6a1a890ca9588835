"""The normalised records a sheet becomes, whatever its layout: what the loader writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from pipelines.errors import Issue

KINDS = ("zones", "roster", "signin", "year", "evaluation", "record")


@dataclass
class Context:
    """What a sheet says about whose and when: from its title, info line, record fields or file name."""

    branch: str | None = None          # branch name as written (cleaned)
    host_branch: str | None = None     # host of a joint activity, when the sheet names one
    day: date | None = None
    month: date | None = None
    year: int | None = None
    start: time | None = None
    end: time | None = None
    half_day: bool = False
    topic: str | None = None
    place: str | None = None
    as_of: date | None = None          # a roster's 截至 date
    date_at: tuple[int, int, str] | None = None  # where day/month were read: Excel row, column index, text


@dataclass
class Person:
    """A member line of a roster."""

    name: str
    row: int
    sex: str | None = None
    birth: date | None = None
    joined: date | None = None
    kind: str | None = None
    is_cadre: bool = False
    guides: list[str] = field(default_factory=list)
    exemption: str | None = None


@dataclass
class Mark:
    """One person's attendance at one activity (a sign-in line, or one month of a year table)."""

    name: str
    row: int
    column: str | None
    status: str                 # present | excused | unexcused
    made_up: bool = False
    remark: str | None = None
    month: int | None = None    # year tables: the month column
    birth_hint: str | None = None


@dataclass
class Guest:
    """A non-member who attended."""

    name: str
    kind: str | None
    row: int


@dataclass
class Vote:
    """Evaluation votes: a count per item and rating, or one ballot's rating (votes = 1)."""

    item: str
    rating: str
    votes: int
    rater: str | None = None
    ballot: int | None = None


@dataclass
class Parsed:
    """One recognised sheet, normalised."""

    kind: str
    sheet: str
    ctx: Context
    people: list[Person] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    guests: list[Guest] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)
    zones: list[tuple[str, str, str | None, int]] = field(default_factory=list)  # zone, branch, secretary, row
    roles: list[tuple[int, int, str, str | None, str | None, int]] = field(default_factory=list)
    stated: dict[str, int] = field(default_factory=dict)   # totals written below a table (应到/实到/请假/缺席)
    stated_row: int | None = None
    months: list[int] = field(default_factory=list)        # year table: months with any mark
    issues: list[Issue] = field(default_factory=list)
