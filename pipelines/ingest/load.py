"""Write the recognised sheets of one file into the core tables, inside the caller's write transaction.

Identity: a branch by its folded name; an activity by (host branch, date), or (branch, month) when only
the month is known; a member by folded name among the branch's roster on the activity date (a name in
brackets such as 王芳(1985) tells two namesakes apart by birth year). Facts follow the upload_id /
superseded_by convention of the core model: a corrected sheet marks the rows it replaces with its own
upload id; :func:`undo` deletes an upload's rows and gives back what it replaced. Everything that is
not a fact row (a filled-in activity date, a created member, an added taking-part branch) is noted in
the upload's summary so that undo can restore it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import duckdb
import pyarrow as pa

from pipelines import clock, db
from pipelines.errors import Issue, error, warning
from pipelines.ingest import values
from pipelines.ingest.layout import KnownBranches, cell_text
from pipelines.ingest.model import Mark, Parsed
from pipelines.ingest.read import column_letter
from pipelines.ingest.vocab import canonical, clean_name, lookup, norm

FAR_PAST = date(1900, 1, 1)
_SUFFIX = re.compile(r"^(.+?)\s*[（(]\s*([^）)]*)\s*[）)]$")
_I, _S, _B, _D = pa.int64(), pa.string(), pa.bool_(), pa.date32()
SCHEMAS: dict[str, pa.Schema] = {
    "attendance": pa.schema({"activity_id": _I, "member_id": _I, "branch_id": _I, "status": _S, "made_up": _B,
                             "remark": _S, "upload_id": _I}),
    "guest_attendance": pa.schema({"activity_id": _I, "name": _S, "guest_kind": _S, "upload_id": _I}),
    "evaluation_votes": pa.schema({"activity_id": _I, "item": _S, "rating": _S, "votes": _I, "rater_kind": _S,
                                   "ballot_no": _I, "upload_id": _I}),
    "members": pa.schema({"member_id": _I, "name": _S, "sex": _S, "birth_date": _D, "joined_party_date": _D,
                          "member_kind": _S, "is_leading_cadre": _B, "upload_id": _I}),
    "memberships": pa.schema({"member_id": _I, "branch_id": _I, "start_date": _D, "end_date": _D,
                              "change_reason": _S, "upload_id": _I}),
    "activities": pa.schema({"activity_id": _I, "host_branch_id": _I, "activity_month": _D, "activity_date": _D,
                             "topic": _S, "level": _S, "created_upload_id": _I}),
    "activity_branches": pa.schema({"activity_id": _I, "branch_id": _I}),
    "activity_records": pa.schema({"activity_id": _I, "topic": _S, "topic_kind": _S, "start_time": pa.time64("us"),
                                   "end_time": pa.time64("us"), "duration_hours": pa.float64(), "place": _S,
                                   "host": _S, "notice_date": _D, "report_date": _D, "is_open_day": _B,
                                   "expected_count": _I, "present_count": _I, "leave_count": _I, "content": _S,
                                   "upload_id": _I}),
    "zones": pa.schema({"zone_id": _I, "name": _S, "sort_order": _I, "upload_id": _I}),
    "branches": pa.schema({"branch_id": _I, "name": _S, "zone_id": _I, "secretary": _S, "upload_id": _I}),
    "zone_quarter_roles": pa.schema({"zone_id": _I, "year": _I, "quarter": _I, "leader_branch_id": _I,
                                     "deputy_branch_id": _I, "upload_id": _I}),
}


def end_of_month(d: date) -> date:
    """The last day of ``d``'s month."""
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


SMALL_INSERT = 40  # rows; above this an Arrow batch, below it one multi-row VALUES statement


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> int:
    """Append ``rows`` to ``table`` in one statement (never row by row): a bound multi-row ``values`` list
    for the few dozen rows of a sheet, an Arrow batch for more."""
    if not rows:
        return 0
    cols = SCHEMAS[table].names
    if len(rows) <= SMALL_INSERT:
        one = "(" + ", ".join("?" * len(cols)) + ")"
        params = [r.get(c) for r in rows for c in cols]
        con.execute(f"insert into {table} ({', '.join(cols)}) values {', '.join([one] * len(rows))}", params)
        return len(rows)
    with frame(con, table, rows):
        con.execute(f"insert into {table} by name select * from _ingest_rows")
    return len(rows)


@contextmanager
def frame(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> Iterator[None]:
    """``rows`` (the columns of ``table``, missing ones null) readable as ``_ingest_rows`` for the block."""
    con.complete()  # a fetchone() may leave a result open; Arrow registration needs none
    con.register("_ingest_rows", pa.Table.from_pylist(rows, schema=SCHEMAS[table]))
    try:
        yield
    finally:
        con.unregister("_ingest_rows")


def new_ids(con: duckdb.DuckDBPyConnection, n: int) -> list[int]:
    """``n`` fresh ids from the shared sequence."""
    if n <= 0:
        return []
    return [int(r[0]) for r in con.execute("select nextval('seq_id') from range(?)", [n]).fetchall()]


@dataclass
class Activity:
    """An activity as this load leaves it: read once per branch, changed in memory, written with the file's rows."""

    host_branch_id: int | None
    month: date
    day: date | None
    topic: str | None
    level: str
    parts: set[int]          # the branches taking part


@lru_cache(maxsize=1)
def branches_by_name(rows: tuple[tuple[int, str], ...]) -> tuple[dict[str, tuple[int, str]], KnownBranches]:
    """``{folded name: (branch_id, name)}`` of the branches ``rows`` lists, and their names for title matching:
    computed once while the branches stay the same (every file of a batch reads them)."""
    by_name = {norm(n): (int(i), n) for i, n in rows}
    return by_name, KnownBranches({k: v[1] for k, v in by_name.items()})


class Loader:
    """Loads one file's sheets under one upload id; collects issues; never commits (the caller does).

    Activities and the fact rows of a file (attendance, guests, votes, records) are kept in memory while
    its sheets are read and written when they are done, one statement per table (:meth:`write_pending`).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, upload_id: int, *, rules: Any, branch: str | None = None,
                 allowed_branch_ids: set[int] | None = None, roster_date: date | None = None,
                 today: date | None = None, actor: str | None = None) -> None:
        self.con = con
        self.upload_id = upload_id
        self.rules = rules
        self.branch_option = clean_name(branch) if branch else None
        self.allowed = allowed_branch_ids
        self.roster_date = roster_date
        self.today = today or clock.today()
        self.issues: list[Issue] = []
        self.years: set[int] = set()
        self.counts: dict[str, int] = defaultdict(int)
        self.activities: list[int] = []
        self.undo: dict[str, list[Any]] = defaultdict(list)
        self.branch_ids: set[int] = set()
        self.touched: set[int] = set()     # every branch whose figures this load changes (for the refresh)
        self.dates: dict[int, tuple[date | None, date]] = {}  # activity -> (date, month) as this load left it
        self.found: dict[tuple[int, int, date | None, date], int] = {}  # activities this load already resolved
        self.details: dict[int, tuple[Any, ...]] = {}  # members' details read in one query per roster
        self.acts: dict[int, Activity] = {}  # the activities of the branches read so far (``acts_read``)
        self.acts_read: set[int] = set()
        self.acts_created: set[int] = set()
        self.acts_changed: set[int] = set()  # existing activities whose date, topic or level this load set
        self.pending: dict[str, list[dict[str, Any]]] = defaultdict(list)  # rows written by write_pending()
        # By branch, read once until a roster or a first sign-in changes them (forget_rosters()).
        self.live_memberships: dict[int, list[tuple[Any, ...]]] = {}
        self.live_exemptions: dict[int, dict[int, list[tuple[date, date | None]]]] = {}
        self.actor = actor
        self.replaced: list[int] = []      # uploads this one replaced (a corrected roster of the same date)
        self.as_of: str | None = None      # a roster's date, kept in the summary
        self.orphans: dict[str, list[tuple[int, date | None]]] = defaultdict(list)
        by_name, self.known_branches = branches_by_name(tuple(
            self.con.execute("select branch_id, name from branches order by branch_id").fetchall()))
        self.branches = dict(by_name)  # with the branches this load creates

    # --- branches --------------------------------------------------------------------------------
    def known(self) -> KnownBranches:
        """``{folded name: name}`` of the branches known before this load, for title matching."""
        return self.known_branches

    def branch_id(self, p: Parsed, name: str | None, *, create: bool = True) -> int | None:
        """The id of the named branch (``--branch`` when the sheet names none); created when new."""
        name = name or self.branch_option
        if not name:
            self.issues.append(error("ingest.no_branch", sheet=p.sheet))
            return None
        key = norm(name)
        if key in self.branches:
            bid = self.branches[key][0]
        else:
            if not create or self.allowed is not None:
                self.issues.append(error("ingest.unknown_branch", sheet=p.sheet, branch=name))
                return None
            bid = new_ids(self.con, 1)[0]
            self.con.execute("insert into branches (branch_id, name, upload_id) values (?, ?, ?)",
                             [bid, clean_name(name), self.upload_id])
            self.branches[key] = (bid, clean_name(name))
            self.issues.append(warning("ingest.new_branch", sheet=p.sheet, branch=clean_name(name)))
        if self.allowed is not None and bid not in self.allowed:
            self.issues.append(error("ingest.not_your_branch", sheet=p.sheet, branch=self.branches[key][1]))
            return None
        self.branch_ids.add(bid)
        self.touched.add(bid)
        return bid

    # --- activities ------------------------------------------------------------------------------
    def activity(self, p: Parsed, branch_id: int, *, month: date | None = None) -> int | None:
        """The activity a sheet is about, found by (host, date) or (branch, month), else created."""
        c = p.ctx
        host_id = branch_id
        if c.host_branch and norm(c.host_branch) != norm(self.branches_name(branch_id)):
            h = self.branch_id(p, c.host_branch)
            if h is None:
                return None
            host_id = h
        day = c.day if month is None else None
        month = month or c.month or (c.day.replace(day=1) if c.day else None)
        if month is None:
            self.issues.append(error("ingest.no_date", sheet=p.sheet))
            return None
        if day and day > self.today:
            self.issues.append(error("ingest.future_date", sheet=p.sheet, date=day.isoformat()))
            return None
        memo_key = (host_id, branch_id, day, month)
        if memo_key in self.found:  # the sign-in, evaluation and record of one activity in one workbook
            return self.found[memo_key]
        found = self.find_activity(host_id, branch_id, day, month)
        if found is not None:
            aid = found
            act = self.acts[aid]
            if day is not None and act.day is None:  # the month's activity: its day is known now
                act.day = day
                self.acts_changed.add(aid)
                self.undo["dates_set"].append(aid)
            self.dates[aid] = (act.day, month)
        else:
            aid = new_ids(self.con, 1)[0]
            level = "zone" if host_id != branch_id else "branch"
            self.acts[aid] = Activity(host_id, month, day, c.topic, level, set())
            self.acts_created.add(aid)
            self.add_part(aid, host_id)
            self.dates[aid] = (day, month)
        if host_id != branch_id:
            self.add_part(aid, branch_id)
        if aid not in self.activities:
            self.activities.append(aid)
        self.years.add(month.year)
        self.found[memo_key] = aid
        return aid

    def find_activity(self, host_id: int, branch_id: int, day: date | None, month: date) -> int | None:
        """With a day: the host's activity of that day, else the month's activity (hosted or taken part in)
        whose day was not known yet. With only the month: the month's activity hosted by ``host_id`` (first)
        or taken part in by ``branch_id``, dated ones first. The lowest id among equals."""
        self.read_activities({host_id, branch_id})
        if day:
            day_first = [(a.day is None, aid) for aid, a in self.acts.items()
                         if (a.host_branch_id == host_id and a.day == day)
                         or (a.month == month and a.day is None and (a.host_branch_id == host_id or host_id in a.parts))]
            return min(day_first)[-1] if day_first else None
        host_first = [(0 if a.host_branch_id == host_id else 1 if a.host_branch_id is not None else 2,
                       a.day is None, a.day or FAR_PAST, aid) for aid, a in self.acts.items()
                      if a.month == month and (a.host_branch_id == host_id or branch_id in a.parts)]
        return min(host_first)[-1] if host_first else None

    def read_activities(self, branch_ids: set[int]) -> None:
        """Read the activities hosted or taken part in by ``branch_ids`` (once per branch and load; what
        this load changed in memory is kept)."""
        todo = sorted(branch_ids - self.acts_read)
        if not todo:
            return
        for aid, host, month, day, topic, level, parts in db.query(self.con, "ingest_activities",
                                                                   branches=todo).fetchall():
            self.acts.setdefault(int(aid), Activity(host, month, day, topic, level, set(parts)))
        self.acts_read.update(todo)

    def branches_name(self, branch_id: int) -> str:
        """The stored name of a branch id."""
        for bid, name in self.branches.values():
            if bid == branch_id:
                return name
        return ""

    def add_part(self, activity_id: int, branch_id: int) -> None:
        """Record that ``branch_id`` takes part in the activity (noted for undo when new)."""
        parts = self.acts[activity_id].parts
        self.touched.add(branch_id)
        if branch_id not in parts:
            parts.add(branch_id)
            self.pending["activity_branches"].append({"activity_id": activity_id, "branch_id": branch_id})
            self.undo["parts_added"].append([activity_id, branch_id])

    def activity_date(self, activity_id: int) -> tuple[date | None, date]:
        """``(activity_date, activity_month)`` of an activity."""
        if activity_id in self.dates:
            return self.dates[activity_id]
        row = self.con.execute("select activity_date, activity_month from activities where activity_id = ?",
                               [activity_id]).fetchone()
        assert row is not None
        return row[0], row[1]

    def supersede(self, table: str, activity_id: int, branch_id: int | None = None) -> None:
        """Mark the live rows of ``table`` about the activity (and branch) as replaced by this upload; an
        activity this load created has none."""
        if activity_id in self.acts_created:
            return
        where, params = "activity_id = ?", [activity_id]
        if branch_id is not None:
            where, params = "activity_id = ? and branch_id = ?", [activity_id, branch_id]
        row = self.con.execute(
            f"update {table} set superseded_by = ? where superseded_by is null and upload_id <> ? and {where} "
            "returning 1", [self.upload_id, self.upload_id, *params]).fetchall()
        if row:
            self.counts[f"{table}_replaced"] += len(row)

    def queue(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Fact rows of this load, written with the others of their table by :meth:`write_pending`."""
        self.pending[table].extend(rows)
        self.counts[table] += len(rows)

    def write_pending(self) -> None:
        """Write what the sheets left in memory: the activities created, those changed, and the rows of
        each table, one statement each."""
        insert(self.con, "activities", [
            {"activity_id": aid, "host_branch_id": a.host_branch_id, "activity_month": a.month, "activity_date": a.day,
             "topic": a.topic, "level": a.level, "created_upload_id": self.upload_id}
            for aid in sorted(self.acts_created) for a in [self.acts[aid]]])
        changed = [{"activity_id": aid, "activity_date": a.day, "topic": a.topic, "level": a.level}
                   for aid in sorted(self.acts_changed - self.acts_created) for a in [self.acts[aid]]]
        if changed:
            with frame(self.con, "activities", changed):
                db.query(self.con, "ingest_activities_update")
        for table, rows in self.pending.items():
            insert(self.con, table, rows)

    # --- members ---------------------------------------------------------------------------------
    def roster(self, branch_id: int, on: date) -> dict[str, list[tuple[int, date | None]]]:
        """``{folded name: [(member_id, birth_date)]}`` of the branch's members on ``on``."""
        out: dict[str, list[tuple[int, date | None]]] = defaultdict(list)
        for _ship, mid, name, birth, start, end in self.memberships(branch_id):
            if start <= on and (end is None or end >= on):
                out[norm(name)].append((int(mid), birth))
        return out

    def memberships(self, branch_id: int) -> list[tuple[Any, ...]]:
        """``(membership_id, member_id, name, birth_date, start_date, end_date)`` of the branch's live memberships,
        by member; read once per load until a roster or first sign-in changes them."""
        if branch_id not in self.live_memberships:
            self.live_memberships[branch_id] = self.con.execute(
                "select s.membership_id, m.member_id, m.name, m.birth_date, s.start_date, s.end_date from memberships s "
                "join members m using (member_id) where s.branch_id = ? and s.superseded_by is null "
                "order by m.member_id", [branch_id]).fetchall()
        return self.live_memberships[branch_id]

    def has_roster(self, branch_id: int) -> bool:
        """Whether the branch has any live membership."""
        return bool(self.memberships(branch_id))

    def exempt(self, branch_id: int, member_ids: list[int], on: date) -> set[int]:
        """Members of the branch exempt on ``on`` (excluded from the expected count)."""
        if branch_id not in self.live_exemptions:
            spans: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
            for mid, start, end in self.con.execute(
                    "select member_id, start_date, end_date from exemptions where superseded_by is null and member_id "
                    "in (select member_id from memberships where branch_id = ? and superseded_by is null)",
                    [branch_id]).fetchall():
                spans[int(mid)].append((start, end))
            self.live_exemptions[branch_id] = spans
        spans = self.live_exemptions[branch_id]
        return {m for m in member_ids if any(start <= on and (end is None or end >= on) for start, end in spans.get(m, ()))}

    def forget_rosters(self) -> None:
        """Read memberships and exemptions again: a roster or a first sign-in changed them."""
        self.live_memberships.clear()
        self.live_exemptions.clear()

    def match(self, p: Parsed, mark_name: str, row: int, column: str | None,
              roster: dict[str, list[tuple[int, date | None]]], branch: str) -> int | None:
        """The member id of a name on the roster; issues for a name not on it or shared by two members."""
        name, hint = mark_name, None
        m = _SUFFIX.match(mark_name)
        if m and norm(m.group(1)) in roster:
            name, hint = m.group(1), m.group(2)
        cands = roster.get(norm(name), [])
        if len(cands) > 1 and hint:
            digits = re.sub(r"\D", "", hint)
            if digits:
                cands = [c for c in cands if c[1] and str(c[1].year).endswith(digits[-2:] if len(digits) < 4 else digits)]
        if len(cands) == 1:
            return cands[0][0]
        if not cands:
            self.issues.append(warning("ingest.not_on_roster", sheet=p.sheet, row=row, column=column, name=mark_name,
                                       branch=branch))
            return None
        self.issues.append(error("ingest.same_name", sheet=p.sheet, row=row, column=column, name=name, branch=branch,
                                 n=len(cands)))
        return None

    def first_members(self, p: Parsed, branch_id: int, names: list[tuple[str, int]], start: date) -> None:
        """A branch without a roster takes the people of its first sign-in sheet or year table as members."""
        seen: dict[str, int] = {}
        rows_m: list[dict[str, Any]] = []
        rows_s: list[dict[str, Any]] = []
        # "王芳（预备党员）": the note in brackets is not part of the name (a birth year is kept apart).
        names = [(m.group(1) if (m := _SUFFIX.match(n)) and not re.search(r"\d", m.group(2)) else n, row)
                 for n, row in names]
        for name, row in names:
            key = norm(name)
            if key in seen:
                self.issues.append(error("ingest.same_name_first", sheet=p.sheet, row=row, name=name,
                                         first_row=seen[key]))
                continue
            seen[key] = row
        ids = new_ids(self.con, len(seen))
        for (key, _row), mid in zip(seen.items(), ids, strict=True):
            display = next(n for n, _ in names if norm(n) == key)
            rows_m.append({"member_id": mid, "name": clean_name(display), "sex": None, "birth_date": None,
                           "joined_party_date": None, "member_kind": None, "is_leading_cadre": False,
                           "upload_id": self.upload_id})
            rows_s.append({"member_id": mid, "branch_id": branch_id, "start_date": start, "end_date": None,
                           "change_reason": "first_signin", "upload_id": self.upload_id})
        self.counts["members"] += insert(self.con, "members", rows_m)
        self.counts["memberships"] += insert(self.con, "memberships", rows_s)
        self.forget_rosters()
        self.issues.append(warning("ingest.roster_from_signin", sheet=p.sheet, branch=self.branches_name(branch_id),
                                   n=len(rows_m), date=start.isoformat()))

    # --- sheets ----------------------------------------------------------------------------------
    def load(self, sheets: list[Parsed]) -> None:
        """Load every sheet in order (zones, rosters, records, sign-ins, year tables, evaluations)."""
        for p in sheets:
            getattr(self, f"load_{p.kind}")(p)
        self.write_pending()

    def attendance(self, p: Parsed, activity_id: int, branch_id: int, marks: list[Mark]) -> None:
        """Replace the branch's attendance of one activity with ``marks``."""
        day, month = self.activity_date(activity_id)
        on = day or end_of_month(month)
        bname = self.branches_name(branch_id)
        roster = self.roster(branch_id, on)
        if not roster and not self.has_roster(branch_id):
            self.first_members(p, branch_id, [(m.name, m.row) for m in marks], day or month)
            roster = self.roster(branch_id, on)
        rows: list[dict[str, Any]] = []
        taken: dict[int, int] = {}
        for mk in marks:
            mid = self.match(p, mk.name, mk.row, mk.column, roster, bname)
            if mid is None:
                continue
            if mid in taken:
                self.issues.append(error("ingest.duplicate_line", sheet=p.sheet, row=mk.row, name=mk.name,
                                         first_row=taken[mid]))
                continue
            taken[mid] = mk.row
            rows.append({"activity_id": activity_id, "member_id": mid, "branch_id": branch_id, "status": mk.status,
                         "made_up": mk.made_up, "remark": values.scrub(mk.remark), "upload_id": self.upload_id})
        self.supersede("attendance", activity_id, branch_id)
        self.queue("attendance", rows)
        self.check_totals(p, branch_id, rows, on)

    def check_totals(self, p: Parsed, branch_id: int, rows: list[dict[str, Any]], on: date) -> None:
        """Totals written below a sign-in table are compared with the lines counted."""
        if not p.stated:
            return
        exempt = self.exempt(branch_id, [r["member_id"] for r in rows], on)
        counted = {"present": sum(r["status"] == "present" for r in rows),
                   "excused": sum(r["status"] == "excused" and r["member_id"] not in exempt for r in rows),
                   "unexcused": sum(r["status"] == "unexcused" for r in rows)}
        counted["expected"] = sum(counted.values())
        for key, stated in p.stated.items():
            if counted.get(key) != stated:
                self.issues.append(warning(f"ingest.totals_differ.{key}", sheet=p.sheet, row=p.stated_row,
                                           stated=stated, counted=counted.get(key)))

    def load_signin(self, p: Parsed) -> None:
        """签到表: the branch's attendance at one activity, and its non-member attendees."""
        bid = self.branch_id(p, p.ctx.branch)
        if bid is None:
            return
        aid = self.activity(p, bid)
        if aid is None:
            return
        self.attendance(p, aid, bid, p.marks)
        if aid not in self.acts_created:
            self.con.execute(
                "update guest_attendance set superseded_by = ? where activity_id = ? and superseded_by is null and "
                "upload_id in (select upload_id from uploads where branch_id = ?)", [self.upload_id, aid, bid])
        self.queue("guest_attendance", [
            {"activity_id": aid, "name": g.name, "guest_kind": g.kind, "upload_id": self.upload_id} for g in p.guests])

    def load_year(self, p: Parsed) -> None:
        """年度出勤统计表: each month with marks is one activity of the branch (only the month known)."""
        bid = self.branch_id(p, p.ctx.branch)
        if bid is None:
            return
        year = p.ctx.year
        if year is None:
            self.issues.append(error("ingest.no_year", sheet=p.sheet))
            return
        for month in p.months:
            aid = self.activity(p, bid, month=date(year, month, 1))
            if aid is None:
                return
            self.attendance(p, aid, bid, [m for m in p.marks if m.month == month])

    def load_evaluation(self, p: Parsed) -> None:
        """测评表: the activity's votes, replacing earlier ones."""
        bid = self.branch_id(p, p.ctx.branch)
        if bid is None:
            return
        aid = self.activity(p, bid)
        if aid is None:
            return
        if not p.votes:
            self.issues.append(warning("ingest.no_votes", sheet=p.sheet))
        self.supersede("evaluation_votes", aid)
        self.queue("evaluation_votes", [
            {"activity_id": aid, "item": v.item, "rating": v.rating, "votes": v.votes, "rater_kind": v.rater,
             "ballot_no": v.ballot, "upload_id": self.upload_id} for v in p.votes])

    def load_record(self, p: Parsed) -> None:
        """活动纪实表: the record of the activity (time, place, topic, counts, dates, open day, branches)."""
        bid = self.branch_id(p, p.ctx.branch)
        if bid is None:
            return
        rec = p.record
        level_text = norm(str(rec["level"][0])) if "level" in rec else ""
        parts: list[int] = []
        if "branches" in rec:
            for name in re.split(r"[、,，;；/\s]+", values.simplified(str(rec["branches"][0]))):
                if name.strip():
                    pid = self.branch_id(p, clean_name(name), create=False)
                    if pid is not None:
                        parts.append(pid)
        aid = self.activity(p, bid)
        if aid is None:
            return
        level = None
        if level_text:
            if any(w in level_text for w in lookup_words("zone_level")):
                level = "zone"
            elif any(w in level_text for w in lookup_words("committee_level")):
                level = "committee"
            else:
                level = "branch"
        elif len(parts) > 1:
            level = "zone"
        act = self.acts[aid]
        if level and act.level != level:
            self.undo["levels_set"].append([aid, act.level])
            act.level = level
            self.acts_changed.add(aid)
        for pid in parts:
            self.add_part(aid, pid)
        fields: dict[str, Any] = {"activity_id": aid, "upload_id": self.upload_id}
        c = p.ctx
        fields["topic"] = values.scrub(c.topic)
        if c.end is None and "time_range" in rec:
            try:
                span = values.parse_span(str(rec["time_range"][0]))
            except values.BadValue:
                span = None
            if span:
                c.start, c.end = span
        fields["start_time"], fields["end_time"] = c.start, c.end
        hours = values.duration_hours(c.start, c.end)
        if hours is None and "duration" in rec:
            hours = values.parse_hours(rec["duration"][0], float(self.rules.get("schedule.half_day_hours")))
        if hours is None and c.half_day:
            hours = float(self.rules.get("schedule.half_day_hours"))
        fields["duration_hours"] = hours
        for key in ("place", "host", "content"):
            fields[key] = values.scrub(str(rec[key][0])) if key in rec else None
        if "topic_kind" in rec:
            fields["topic_kind"] = {"mandatory": "mandatory", "optional": "optional"}.get(
                canonical("words", str(rec["topic_kind"][0])) or "")
        for key, col in (("expected", "expected_count"), ("present", "present_count"), ("leave", "leave_count")):
            if key in rec:
                raw, row, c_ = rec[key]
                try:
                    fields[col] = values.parse_count(raw)
                except values.BadValue:  # a record's own counts are informative: the sign-in is counted
                    self.issues.append(warning("ingest.bad_count_ignored", sheet=p.sheet, row=row,
                                               column=column_letter(c_), value=cell_text(raw)))
        for key in ("notice_date", "report_date"):
            if key in rec:
                raw, row, c_ = rec[key]
                near = c.day or c.month
                year = near.year if near else None
                try:
                    fields[key] = values.parse_date_near(raw, year)
                except values.BadValue as exc:
                    if exc.code not in ("bad_date", "bad_time"):  # a date that cannot be real, a two-digit year
                        self.issues.append(error(f"ingest.{exc.code}", sheet=p.sheet, row=row,
                                                 column=column_letter(c_), value=cell_text(raw), **exc.params))
                    else:
                        self.issues.append(warning("ingest.bad_date_ignored", sheet=p.sheet, row=row,
                                                   column=column_letter(c_), value=cell_text(raw)))
        if "open_day" in rec:
            fields["is_open_day"] = canonical("words", str(rec["open_day"][0])) == "yes"
        else:
            fields["is_open_day"] = "开放日" in norm(str(c.topic or ""))
        self.supersede("activity_records", aid)
        self.queue("activity_records", [fields])
        if c.topic and act.topic is None:
            act.topic = c.topic
            self.acts_changed.add(aid)

    def load_roster(self, p: Parsed) -> None:
        """党员花名册: members as of its date; changes against the branch's roster become joins, leaves and
        transfers; remarks give leading cadres, the branches they guide, and exemptions."""
        bid = self.branch_id(p, p.ctx.branch)
        if bid is None:
            return
        as_of = p.ctx.as_of or self.roster_date or p.ctx.month
        if as_of is None:
            as_of = self.today
            self.issues.append(warning("ingest.roster_no_date", sheet=p.sheet, date=as_of.isoformat()))
        bname = self.branches_name(bid)
        # Two lines with one name: told apart by birth date, else refused.
        by_name: dict[str, list[Any]] = defaultdict(list)
        for person in p.people:
            by_name[norm(person.name)].append(person)
        for group in by_name.values():
            if len(group) > 1 and len({x.birth for x in group}) < len(group):
                self.issues.append(error("ingest.same_name_roster", sheet=p.sheet, row=group[1].row,
                                         name=group[0].name, first_row=group[0].row))
        self.replace_same_roster(p, bid, as_of)
        self.forget_rosters()
        orphans = self.pair_orphans(p.people)
        first = not self.has_roster(bid)
        current = {} if first else self.roster(bid, as_of)
        ids = [mid for cands in current.values() for mid, _b in cands]
        if ids:
            self.details.update({int(r[0]): tuple(r[1:]) for r in self.con.execute(
                "select member_id, sex, birth_date, joined_party_date, member_kind, is_leading_cadre, name "
                "from members where list_contains(?, member_id)", [ids]).fetchall()})
        day_before = as_of - timedelta(days=1)
        new_members: list[dict[str, Any]] = []
        new_ships: list[dict[str, Any]] = []
        kept: set[int] = set()
        lines: list[tuple[int | None, Any, dict[str, Any] | None]] = []  # (member id or None: new; line; membership)
        for person in p.people:
            cands = current.get(norm(person.name), [])
            if len(cands) > 1:
                cands = [c for c in cands if c[1] == person.birth] or cands
            if len(cands) == 1:
                mid = cands[0][0]
                kept.add(mid)
                self.update_member(mid, person)
                lines.append((mid, person, None))
                continue
            moved = None if first else self.find_elsewhere(person, bid, as_of)
            if moved is not None:
                mid = moved[1]
                self.end_memberships([moved], day_before, "transfer_out")
                new_ships.append({"member_id": mid, "branch_id": bid, "start_date": as_of, "end_date": None,
                                  "change_reason": "transfer_in", "upload_id": self.upload_id})
                self.update_member(mid, person)
                lines.append((mid, person, None))
                continue
            known = orphans.get(person.row)
            if known is not None:
                self.update_member(known, person)
            start = as_of
            reason = "joined"
            if first:
                start = person.joined if person.joined and person.joined < as_of else FAR_PAST
                reason = "roster"
            new_ships.append({"member_id": known, "branch_id": bid, "start_date": start, "end_date": None,
                              "change_reason": reason, "upload_id": self.upload_id})
            lines.append((known, person, new_ships[-1]))
        # The new members' ids, drawn at once, in the order of their lines.
        drawn = iter(new_ids(self.con, sum(line_id is None for line_id, _person, _ship in lines)))
        roster_ids: dict[int, Any] = {}
        for line_id, person, membership in lines:
            if line_id is None:
                assert membership is not None
                line_id = membership["member_id"] = next(drawn)
                new_members.append({"member_id": line_id, "name": person.name, "sex": person.sex,
                                    "birth_date": person.birth, "joined_party_date": person.joined,
                                    "member_kind": person.kind, "is_leading_cadre": person.is_cadre,
                                    "upload_id": self.upload_id})
            roster_ids[line_id] = person
        # Members not on the roster any more left the day before it.
        open_on: dict[int, list[tuple[int, int, int, date]]] = defaultdict(list)
        for ship_id, mid, _name, _birth, start, end in self.memberships(bid):
            if start <= as_of and (end is None or end >= as_of):
                open_on[int(mid)].append((int(ship_id), int(mid), bid, start))
        self.end_memberships([open_on[mid].pop(0) for cands in current.values() for mid, _birth in cands
                              if mid not in kept and open_on[mid]], day_before, "left")
        self.counts["members"] += insert(self.con, "members", new_members)
        self.counts["memberships"] += insert(self.con, "memberships", new_ships)
        self.roster_extras(p, bid, as_of, roster_ids)
        self.forget_rosters()
        self.counts["roster_lines"] += len(p.people)
        # A roster changes who was expected at every activity of the branch it covers: refresh their years.
        self.years |= {int(r[0]) for r in self.con.execute(
            "select distinct year(a.activity_month) from activities a join activity_branches ab using (activity_id) "
            "where ab.branch_id = ?", [bid]).fetchall()}
        self.years.add(as_of.year)
        self.issues.append(warning("ingest.roster_loaded", sheet=p.sheet, branch=bname, n=len(p.people),
                                   date=as_of.isoformat())) if first else None

    def replace_same_roster(self, p: Parsed, bid: int, as_of: date) -> None:
        """A corrected roster of the same branch and date replaces the earlier one: its rows are marked
        replaced by this upload and what it had ended is live again, so the correction is compared with the
        roster before it (a misspelt name becomes a correction, not a leave and a join). Undo gives the
        earlier roster back."""
        for uid, text in self.con.execute(
                "select upload_id, summary from uploads where status = 'loaded' and kind = 'roster' and branch_id = ? "
                "order by upload_id desc", [bid]).fetchall():
            summary = json.loads(text) if text else {}
            if summary.get("as_of") != as_of.isoformat() or int(uid) in self.replaced:
                continue
            # Its members keep their identity (sign-ins already point at them): reused below by name.
            for mid, name, birth in self.con.execute(
                    "select m.member_id, m.name, m.birth_date from memberships s join members m using (member_id) "
                    "where s.upload_id = ? and s.superseded_by is null and s.branch_id = ?", [uid, bid]).fetchall():
                self.orphans[norm(name)].append((int(mid), birth))
            for table, key in (("memberships", "membership_id"), ("exemptions", "exemption_id")):
                self.con.execute(f"update {table} set superseded_by = ? where upload_id = ? and superseded_by is null",
                                 [self.upload_id, uid])
                # What it had ended is live again; not what it had replaced as a same-date correction itself.
                for (rid,) in self.con.execute(
                        f"update {table} set superseded_by = null where superseded_by = ? and not "
                        f"list_contains(?, upload_id) returning {key}",
                        [uid, [int(x) for x in summary.get("replaced_uploads", [])]]).fetchall():
                    self.undo["unsuperseded"].append([table, key, int(rid), int(uid)])
            self.replaced.append(int(uid))
            self.issues.append(warning("ingest.roster_replaced", sheet=p.sheet, upload_id=int(uid),
                                       old_file=self.file_of(int(uid)), date=as_of.isoformat()))
            break  # the latest one: the ones before it were replaced by it already
        self.as_of = as_of.isoformat()

    def file_of(self, upload_id: int) -> str:
        """The file name of an upload."""
        rows = self.con.execute("select file_name from uploads where upload_id = ?", [upload_id]).fetchall()
        return str(rows[0][0]) if rows else ""

    def pair_orphans(self, people: list[Any]) -> dict[int, int]:
        """``{roster row: member id}`` for lines that are members of a replaced roster: same name (and birth
        date when both have one); then, when exactly one member and one line are left over, the correction
        renamed that person."""
        pairs: dict[int, int] = {}
        left = {k: list(v) for k, v in self.orphans.items()}
        for person in people:
            for o in left.get(norm(person.name), []):
                if o[1] is None or person.birth is None or o[1] == person.birth:
                    pairs[person.row] = o[0]
                    left[norm(person.name)].remove(o)
                    break
        rest = [o for lst in left.values() for o in lst]
        unpaired = [x for x in people if x.row not in pairs]
        if len(rest) == 1 and len(unpaired) == 1:
            pairs[unpaired[0].row] = rest[0][0]
        return pairs

    def update_member(self, mid: int, person: Any) -> None:
        """Fill in or correct a member's details from a roster line (old values noted for undo)."""
        row = self.details.get(mid) or self.con.execute(
            "select sex, birth_date, joined_party_date, member_kind, is_leading_cadre, name from members "
            "where member_id = ?", [mid]).fetchall()[0]
        new = (person.sex or row[0], person.birth or row[1], person.joined or row[2], person.kind or row[3],
               bool(person.is_cadre or row[4]), person.name)
        if tuple(row) != new:
            self.con.execute("update members set sex = ?, birth_date = ?, joined_party_date = ?, member_kind = ?, "
                             "is_leading_cadre = ?, name = ? where member_id = ?", [*new, mid])
            self.details[mid] = new
            self.undo["members_changed"].append([mid, [None if v is None else str(v) for v in row[:4]], bool(row[4]),
                                                 row[5]])

    def find_elsewhere(self, person: Any, bid: int, as_of: date) -> tuple[int, int, int, date] | None:
        """A member of another branch with this name (and birth date when known) whose membership is open on
        ``as_of`` or ended the day before: the person transferred here. ``(membership_id, member_id,
        branch_id, start_date)`` of that membership."""
        rows = self.con.execute(
            "select s.membership_id, m.member_id, s.branch_id, s.start_date, m.birth_date from members m "
            "join memberships s using (member_id) where s.superseded_by is null and s.branch_id <> ? and m.name = ? "
            "and s.start_date < ? and (s.end_date is null or s.end_date >= ? - 1) order by s.membership_id",
            [bid, person.name, as_of, as_of]).fetchall()
        rows = [r for r in rows if person.birth is None or r[4] is None or r[4] == person.birth]
        if len(rows) != 1:
            return None
        ship_id, mid, branch, start, _birth = rows[0]
        return int(ship_id), int(mid), int(branch), start

    def end_memberships(self, ended: list[tuple[int, int, int, date]], end: date, reason: str) -> None:
        """End memberships ``(membership_id, member_id, branch_id, start_date)`` on ``end``: each row is
        replaced by a copy with the end date and reason."""
        if not ended:
            return
        self.touched |= {branch for _ship, _mid, branch, _start in ended}
        self.con.execute("update memberships set superseded_by = ? where list_contains(?, membership_id)",
                         [self.upload_id, [ship for ship, _mid, _branch, _start in ended]])
        insert(self.con, "memberships", [
            {"member_id": mid, "branch_id": branch, "start_date": start, "end_date": end, "change_reason": reason,
             "upload_id": self.upload_id} for _ship, mid, branch, start in ended])
        self.counts[f"memberships_{reason}"] += len(ended)

    def roster_extras(self, p: Parsed, bid: int, as_of: date, people: dict[int, Any]) -> None:
        """Exemptions (免于参加) and the branches a leading cadre guides (分管), from the remarks."""
        live = {int(m): (int(e), r) for m, e, r in self.con.execute(
            "select member_id, exemption_id, reason from exemptions where superseded_by is null and start_date <= ? "
            "and (end_date is null or end_date >= ?) and list_contains(?, member_id)",
            [as_of, as_of, list(people)]).fetchall()}
        for mid, person in people.items():
            if person.exemption and mid not in live:
                self.con.execute("insert into exemptions (member_id, start_date, reason, upload_id) values (?, ?, ?, ?)",
                                 [mid, as_of, person.exemption, self.upload_id])
                self.counts["exemptions"] += 1
            elif not person.exemption and mid in live:
                eid = live[mid][0]
                self.con.execute("update exemptions set superseded_by = ? where exemption_id = ?", [self.upload_id, eid])
                self.con.execute("insert into exemptions (member_id, start_date, end_date, reason, upload_id) "
                                 "select member_id, start_date, ?, reason, ? from exemptions where exemption_id = ?",
                                 [as_of - timedelta(days=1), self.upload_id, eid])
            for name in person.guides:
                gid = self.branches.get(norm(name))
                if gid is None:
                    self.issues.append(warning("ingest.unknown_guided", sheet=p.sheet, row=person.row, branch=name))
                    continue
                if not self.con.execute("select 1 from cadre_guidance where member_id = ? and branch_id = ?",
                                        [mid, gid[0]]).fetchone():
                    self.con.execute("insert into cadre_guidance values (?, ?)", [mid, gid[0]])
                    self.undo["guidance_added"].append([mid, gid[0]])

    def load_zones(self, p: Parsed) -> None:
        """协作区划分: zones, their branches and secretaries; the quarter leader and deputy units.

        Set-based: the zones, branches and roles are read once, the rows are followed in order in
        Python (a later row sees what an earlier one set), then written in a few statements.
        """
        if self.allowed is not None:
            # The zone division shapes the whole committee: only an uploader with every branch in
            # scope (the committee) may load it, whatever branches the sheet happens to name.
            self.issues.append(error("ingest.zones_committee_only", sheet=p.sheet))
            return
        name = p.record.get("committee")
        if name and not self.con.execute("select count(*) from committee").fetchall()[0][0]:
            self.con.execute("insert into committee values (1, ?)", [name])
            self.undo["committee_added"].append(1)
        zones = {norm(n): int(i) for i, n in self.con.execute("select zone_id, name from zones").fetchall()}
        if p.zones:
            self.zone_branches(p, zones)
        if p.roles:
            self.zone_roles(p, zones)

    def zone_branches(self, p: Parsed, zones: dict[str, int]) -> None:
        """The zones of a zone division and their branches: new ones inserted, changed ones updated."""
        order = int(self.con.execute("select coalesce(max(sort_order), 0) from zones").fetchone()[0])  # type: ignore[index]
        state = {int(b): (z, s) for b, z, s in self.con.execute(
            "select branch_id, zone_id, secretary from branches").fetchall()}
        # A new zone and a new branch each take the next id, in the order of the rows.
        n_new = len({norm(zone) for zone, *_ in p.zones} - zones.keys()) + \
            len({norm(branch) for _z, branch, *_ in p.zones} - self.branches.keys())
        fresh = iter(new_ids(self.con, n_new))
        new_zones: list[dict[str, Any]] = []
        new_branches: dict[int, str] = {}
        changed: set[int] = set()
        for zone, branch, secretary, _row in p.zones:
            zid = zones.get(norm(zone))
            if zid is None:
                order += 1
                zid = next(fresh)
                new_zones.append({"zone_id": zid, "name": zone, "sort_order": order, "upload_id": self.upload_id})
                zones[norm(zone)] = zid
            key = norm(branch)
            if key in self.branches:
                bid = self.branches[key][0]
                old = state[bid]
                if old[0] != zid or (secretary and old[1] != secretary):
                    state[bid] = (zid, old[1] if secretary is None else secretary)
                    changed.add(bid)
                    self.undo["branches_changed"].append([bid, old[0], old[1]])
            else:
                bid = next(fresh)
                state[bid] = (zid, secretary)
                new_branches[bid] = branch
                self.branches[key] = (bid, branch)
        self.counts["zones"] += insert(self.con, "zones", new_zones)
        self.counts["branches"] += insert(self.con, "branches", [
            {"branch_id": bid, "name": branch, "zone_id": state[bid][0], "secretary": state[bid][1],
             "upload_id": self.upload_id} for bid, branch in new_branches.items()])
        updates = [{"branch_id": bid, "zone_id": state[bid][0], "secretary": state[bid][1]}
                   for bid in sorted(changed - new_branches.keys())]
        if updates:
            with frame(self.con, "branches", updates):
                db.query(self.con, "ingest_zone_branches")

    def zone_roles(self, p: Parsed, zones: dict[str, int]) -> None:
        """The leader and deputy branch of each zone and quarter, replacing what was recorded."""
        state = {(int(z), int(y), int(q)): (lead, dep, uid) for z, y, q, lead, dep, uid in self.con.execute(
            "select zone_id, year, quarter, leader_branch_id, deputy_branch_id, upload_id "
            "from zone_quarter_roles").fetchall()}
        written: dict[tuple[int, int, int], dict[str, Any]] = {}
        for year, quarter, zone, leader, deputy, row in p.roles:
            zid = zones.get(norm(zone))
            ids = []
            for name in (leader, deputy):
                b = self.branches.get(norm(name)) if name else None
                if name and b is None:
                    self.issues.append(error("ingest.unknown_branch", sheet=p.sheet, branch=name))
                ids.append(b[0] if b else None)
            if zid is None:
                self.issues.append(error("ingest.unknown_zone", sheet=p.sheet, row=row, zone=zone))
                continue
            key = (zid, year, quarter)
            old = state.get(key)
            if old:
                self.undo["roles_changed"].append([zid, year, quarter, *old])
            else:
                self.undo["roles_added"].append([zid, year, quarter])
            state[key] = (ids[0], ids[1], self.upload_id)
            written[key] = {"zone_id": zid, "year": year, "quarter": quarter, "leader_branch_id": ids[0],
                            "deputy_branch_id": ids[1], "upload_id": self.upload_id}
            self.counts["zone_quarter_roles"] += 1
        if written:
            with frame(self.con, "zone_quarter_roles", list(written.values())):
                db.query(self.con, "ingest_zone_roles_clear")
            insert(self.con, "zone_quarter_roles", list(written.values()))


def lookup_words(key: str) -> tuple[str, ...]:
    """Normalised words of ``[words].key`` in the vocabulary."""
    from pipelines.ingest.vocab import words

    return words("words", key)


__all__ = ["Loader", "end_of_month", "insert", "lookup"]
