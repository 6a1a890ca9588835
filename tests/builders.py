"""Hand-made committees inserted straight into the core tables, for hand-counted rule tests.

Everything a builder inserts is live (``superseded_by`` null) and belongs to one pretend upload, so the
figures can be counted on paper. Ingest is tested apart; here only the rules are.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb

from pipelines import db
from pipelines.config import Rules, build_rules
from pipelines.refresh import refresh

Day = date | str


def _d(value: Day | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def memory_database() -> duckdb.DuckDBPyConnection:
    """A private in-memory database with every migration applied (fast enough for property tests)."""
    con = duckdb.connect(":memory:")
    con.execute("create table schema_version (version integer primary key, name varchar, "
                "applied_at timestamp default current_timestamp)")
    for _version, path in db.migrations():
        con.execute(path.read_text(encoding="utf-8"))
    return con


def rules(**overrides: Any) -> Rules:
    """The default rules with ``section__name=value`` overrides (e.g. ``attendance__quorum_threshold=0.75``)."""
    return build_rules({k.replace("__", "."): v for k, v in overrides.items()})


class Committee:
    """Inserts zones, branches, members, activities and their facts into an open write connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.branch_ids: dict[str, int] = {}
        self.zone_ids: dict[str, int] = {}
        self.member_ids: dict[str, int] = {}

    def _id(self) -> int:
        row = self.con.execute("select nextval('seq_id')").fetchone()
        assert row is not None
        return int(row[0])

    def zone(self, name: str) -> int:
        """A collaboration zone."""
        zid = self._id()
        self.con.execute("insert into zones (zone_id, name, sort_order) values (?, ?, ?)",
                         [zid, name, len(self.zone_ids) + 1])
        self.zone_ids[name] = zid
        return zid

    def branch(self, name: str, zone: str | None = None) -> int:
        """A branch, in ``zone`` when given (the zone is created on first use)."""
        zid = None
        if zone is not None:
            zid = self.zone_ids.get(zone) or self.zone(zone)
        bid = self._id()
        self.con.execute("insert into branches (branch_id, name, zone_id) values (?, ?, ?)", [bid, name, zid])
        self.branch_ids[name] = bid
        return bid

    def member(self, name: str, branch: str, start: Day = "2020-01-01", end: Day | None = None,
               cadre: bool = False) -> int:
        """A member on ``branch``'s roster from ``start`` to ``end`` (inclusive; None = still)."""
        mid = self._id()
        self.con.execute("insert into members (member_id, name, member_kind, is_leading_cadre) values (?, ?, 'full', ?)",
                         [mid, name, cadre])
        self.membership(mid, branch, start, end)
        self.member_ids[name] = mid
        return mid

    def members(self, branch: str, count: int, prefix: str | None = None, start: Day = "2020-01-01") -> list[int]:
        """``count`` members named ``<prefix>1`` … on ``branch``'s roster."""
        prefix = prefix or branch
        return [self.member(f"{prefix}{i}", branch, start) for i in range(1, count + 1)]

    def membership(self, member: int | str, branch: str, start: Day, end: Day | None = None) -> None:
        """Another membership period of an existing member."""
        mid = self.member_ids[member] if isinstance(member, str) else member
        self.con.execute("insert into memberships (member_id, branch_id, start_date, end_date, change_reason) "
                         "values (?, ?, ?, ?, 'roster')", [mid, self.branch_ids[branch], _d(start), _d(end)])

    def transfer(self, member: str, to_branch: str, on: Day) -> None:
        """The member leaves their branch the day before ``on`` and belongs to ``to_branch`` from ``on``."""
        mid = self.member_ids[member]
        on_d = _d(on)
        assert on_d is not None
        self.con.execute("update memberships set end_date = ? where member_id = ? and end_date is null",
                         [on_d - timedelta(days=1), mid])
        self.membership(mid, to_branch, on_d)

    def exempt(self, member: str, start: Day, end: Day | None = None, reason: str = "abroad") -> None:
        """An approved exemption from the expected count."""
        self.con.execute("insert into exemptions (member_id, start_date, end_date, reason) values (?, ?, ?, ?)",
                         [self.member_ids[member], _d(start), _d(end), reason])

    def guidance(self, member: str, branch: str) -> None:
        """A leading cadre in charge of (guiding) ``branch``."""
        self.con.execute("insert into cadre_guidance values (?, ?)", [self.member_ids[member], self.branch_ids[branch]])

    def zone_roles(self, zone: str, year: int, quarter: int, leader: str, deputy: str) -> None:
        """The leader and deputy unit of a zone in one quarter."""
        self.con.execute("insert into zone_quarter_roles values (?, ?, ?, ?, ?, null)",
                         [self.zone_ids[zone], year, quarter, self.branch_ids[leader], self.branch_ids[deputy]])

    def activity(self, branch: str, day: Day | None = None, *, month: str | None = None, topic: str = "主题党日",
                 joint: tuple[str, ...] = (), level: str | None = None, record: dict[str, Any] | None = None,
                 has_record: bool = True, present: list[str] | str | None = "all", excused: tuple[str, ...] = (),
                 unexcused: tuple[str, ...] = (), extra_attendance: dict[str, str] | None = None,
                 votes: dict[str, tuple[int, int, int]] | None = None, guests: int = 0) -> int:
        """One activity hosted by ``branch`` on ``day`` (or in ``month`` "YYYY-MM" only).

        ``record``: columns of the activity record over compliant defaults (notice 7 days before, record
        the next day, 3.5 hours); ``has_record=False`` for none. Attendance: every member of each
        taking-part branch on the roster of ``day`` is ``present`` unless named in ``excused`` /
        ``unexcused``; ``present=None`` writes no sign-in at all, a list writes only those names present.
        ``extra_attendance``: more rows {name: status} (e.g. a member who is not on the roster).
        ``votes``: {item: (satisfied, basic, unsatisfied)}; default 10 satisfied on the overall item.
        """
        d = _d(day)
        first = d.replace(day=1) if d else date.fromisoformat(f"{month}-01")
        aid = self._id()
        taking = (branch, *joint)
        self.con.execute(
            "insert into activities (activity_id, host_branch_id, activity_month, activity_date, topic, level) "
            "values (?, ?, ?, ?, ?, ?)",
            [aid, self.branch_ids[branch], first, d, topic, level or ("zone" if joint else "branch")])
        for b in taking:
            self.con.execute("insert into activity_branches values (?, ?)", [aid, self.branch_ids[b]])
        if has_record:
            rec: dict[str, Any] = {"notice_date": d - timedelta(days=7) if d else None,
                                   "report_date": d + timedelta(days=1) if d else None,
                                   "duration_hours": 3.5, "is_open_day": False, "topic": topic}
            rec.update(record or {})
            cols = ", ".join(rec)
            self.con.execute(f"insert into activity_records (activity_id, {cols}) values (?, {', '.join('?' * len(rec))})",
                             [aid, *(_d(v) if k.endswith('_date') else v for k, v in rec.items())])
        if present is not None:
            ref = d or (date.fromisoformat(f"{month}-01") + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            rows = self.con.execute(
                "select m.name, ms.member_id, ms.branch_id from memberships ms join members m using (member_id) "
                "join branches b on b.branch_id = ms.branch_id where b.name in (select unnest($names)) "
                "and ms.start_date <= $ref and (ms.end_date is null or ms.end_date >= $ref)",
                {"names": list(taking), "ref": ref}).fetchall()
            for name, mid, bid in rows:
                if name in excused:
                    status = "excused"
                elif name in unexcused:
                    status = "unexcused"
                elif present == "all" or name in present:
                    status = "present"
                else:
                    continue
                self.con.execute("insert into attendance (activity_id, member_id, branch_id, status) values (?, ?, ?, ?)",
                                 [aid, mid, bid, status])
        for name, status in (extra_attendance or {}).items():
            mid = self.member_ids[name]
            self.con.execute("insert into attendance (activity_id, member_id, branch_id, status) values (?, ?, ?, ?)",
                             [aid, mid, self.branch_ids[branch], status])
        for item, (s, b, u) in (votes if votes is not None else {"overall": (10, 0, 0)}).items():
            for rating, n in (("satisfied", s), ("basic", b), ("unsatisfied", u)):
                self.con.execute("insert into evaluation_votes (activity_id, item, rating, votes) values (?, ?, ?, ?)",
                                 [aid, item, rating, n])
        for i in range(guests):
            self.con.execute("insert into guest_attendance (activity_id, name, guest_kind) values (?, ?, 'masses')",
                             [aid, f"群众{i + 1}"])
        return aid

    def refresh(self) -> None:
        """Recompute the derived figures (as every load does)."""
        refresh(self.con, None)
