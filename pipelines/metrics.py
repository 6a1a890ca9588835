"""The figures a committee decides on, as DOMAIN.md defines them, every threshold from the rules.

Every function takes an open connection (read or write) and the rules in force (``load_rules(con)``,
or the stored rules of a snapshot) and returns a polars DataFrame. The models are SQL files in
``pipelines/sql/``: ``judged_activity_branch.sql`` judges each activity and taking-part branch from the
counts refreshed on every load (:mod:`pipelines.refresh`), which also keeps that judgement under the
rules in force, so a page reads it rather than judging again (:func:`run_figures`). The other models
read it as a table named ``judged_activity_branch`` (ids only: the models that aggregate), or
``activity_figures`` (with names: the models that list rows), and the counted months as
``branch_months``, composed in as CTEs (:func:`composed_sql`), so one definition serves pages, command
line and snapshots.

Scope: ``branch_ids`` (a set of branch ids, ``None`` = all) limits the rows returned; ranks are always
computed over the whole committee. ``today`` (default: :func:`pipelines.clock.today`) fixes which months are complete.

Conventions decided here (see also ``sql/refresh_member_status.sql``):

- The roster of an activity known only by its month is the roster on the last day of that month.
- A roster member without an attendance row at an activity for which the branch has a sign-in is
  unexcused; without any sign-in for the branch, attendance is unknown (null) and not judged.
- ``satisfaction`` is null for an activity without evaluation; in a branch's score a missing rate
  counts as 0 (an activity not evaluated earns nothing, and is a ``no_evaluation`` violation).
- ``notice``, ``report_late`` and ``duration`` are judged only when the record gives the dates or the
  duration; an activity known only by its month cannot break the notice and report rules.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, Protocol

import duckdb
import polars as pl

from pipelines import clock, db
from pipelines.config import Rules, load_rules
from pipelines.errors import PartydayError, error


class Engine(Protocol):
    """Another engine the figures run on in place of a DuckDB connection (the Spark engine over the
    Parquet lake, :class:`pipelines.spark_engine.SparkLake`): it runs the same composed SQL text."""

    def sql(self, name: str) -> str:
        """The text of model ``name`` for this engine."""
        ...

    def run(self, text: str, params: dict[str, Any]) -> pl.DataFrame:
        """The rows of the DuckDB SQL ``text`` with the bound ``params`` it uses."""
        ...

    def judged_under(self) -> str | None:
        """The fingerprint of the rules the kept judgement was made under."""
        ...

    def branch_id(self, name: str) -> int:
        """The id of the branch called ``name``."""
        ...


Con = duckdb.DuckDBPyConnection | Engine  # what the figure functions read from

PPM = 1_000_000
VIOLATIONS = ("duration", "no_evaluation", "no_record", "notice", "quorum", "report_late")
COMPONENTS = ("participation", "satisfaction", "compliance", "open_day_bonus")


# ---------------------------------------------------------------------------------------------------
# Plumbing


def rule_params(rules: Rules) -> dict[str, Any]:
    """The rules as the bound parameters of the SQL models (thresholds in integer parts per million)."""
    ratings = set(rules.get("evaluation.satisfied_ratings"))
    return {
        "quorum_ppm": round(float(rules.get("attendance.quorum_threshold")) * PPM),
        "quorum_inclusive": bool(rules.get("attendance.quorum_inclusive")),
        "notice_min_days": int(rules.get("schedule.notice_min_days")),
        "report_max_days": int(rules.get("schedule.report_max_days")),
        "half_day_ppm": round(float(rules.get("schedule.half_day_hours")) * PPM),
        "satisfaction_ppm": round(float(rules.get("evaluation.satisfaction_threshold")) * PPM),
        "count_satisfied": "satisfied" in ratings,
        "count_basic": "basic" in ratings,
        "primary_item": str(rules.get("evaluation.primary_item")),
        "strikes_limit": int(rules.get("evaluation.strikes_limit")),
        "unexcused_in_a_row": int(rules.get("warnings.unexcused_in_a_row")),
        "unexcused_per_year": int(rules.get("warnings.unexcused_per_year")),
        "weight_participation": float(rules.get("ranking.weight_participation")),
        "weight_satisfaction": float(rules.get("ranking.weight_satisfaction")),
        "weight_compliance": float(rules.get("ranking.weight_compliance")),
        "open_day_bonus": float(rules.get("ranking.open_day_bonus")),
    }


def composed_sql(model: str, upstream: tuple[str, ...] = (), sources: Mapping[str, str] | None = None,
                 read: Callable[[str], str] = db.sql) -> str:
    """The text of ``sql/<model>.sql`` with each ``upstream`` model (in order) as a CTE of its own name.

    A model reads an upstream model as if it were a table (``from activity_figures``), so each file
    stays plain SQL on its own, and DuckDB plans the whole chain at once (no rows go through Python).
    ``sources`` names another file to serve as an upstream model (the kept judgement in place of
    judging the counts again: ``{"judged_activity_branch": "judged_stored"}``). ``read`` gives a model's
    text (another engine's reviewed file of its own, :func:`pipelines.spark_engine.spark_sql_file`).
    """
    if not upstream:
        return read(model)
    sources = sources or {}
    ctes = ",\n".join(f"{name} as (\n{read(sources.get(name, name))}\n)" for name in upstream)
    return f"with {ctes}\nselect * from (\n{read(model)}\n) as {model}_rows"


def bound(text: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The ``params`` that ``text`` uses (DuckDB refuses unused named parameters)."""
    return {p: v for p, v in params.items() if re.search(rf"\${re.escape(p)}\b", text)}


def run_model(con: Con, model: str, upstream: tuple[str, ...] = (),
              sources: Mapping[str, str] | None = None, order_by: Sequence[str] = (),
              columns: Sequence[str] | None = None, **params: Any) -> pl.DataFrame:
    """The rows of ``model`` (composed with ``upstream``) with bound ``params``, as a polars frame.

    ``order_by`` sorts the frame in polars: for a wide frame of many rows far cheaper than an SQL
    ``order by``, which carries every column through DuckDB's sort. ``columns`` keeps only those (names
    of the model's columns; DuckDB then reads and joins only what they need).
    """
    engine = None if isinstance(con, duckdb.DuckDBPyConnection) else con
    text = composed_sql(model, upstream, sources, engine.sql if engine else db.sql)
    if columns:
        bad = [c for c in columns if not re.fullmatch(r"[a-z_][a-z0-9_]*", c)]
        if bad:
            raise ValueError(f"not column names: {bad}")
        text = f"select {', '.join(columns)} from (\n{text}\n) as {model}_columns"
    if engine is not None:
        rows = engine.run(text, bound(text, params))
        return rows.sort(order_by, nulls_last=True, maintain_order=True) if order_by else rows
    assert isinstance(con, duckdb.DuckDBPyConnection)
    with warnings.catch_warnings():
        # execute() rather than sql(): it works whatever the caller's transaction left unfetched
        warnings.simplefilter("ignore", UserWarning)
        frame = pl.from_arrow(con.execute(text, bound(text, params)).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.sort(order_by, nulls_last=True, maintain_order=True) if order_by else frame


def rules_fingerprint(rules: Rules) -> str:
    """A digest of everything the rules give the SQL models: equal digests judge alike."""
    text = json.dumps(rule_params(rules), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def judged_under(con: Con) -> str | None:
    """The fingerprint of the rules the kept judgement (``out_activity_judged``) was made under, if any."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.judged_under()
    exists = con.execute("select count(*) from duckdb_tables() where table_name = 'out_judged_rules'").fetchone()
    if not exists or not exists[0]:
        return None  # a database of an older schema (e.g. a backup being inspected)
    row = con.execute("select max(fingerprint) from out_judged_rules").fetchone()
    return row[0] if row else None


def run_figures(con: Con, rules: Rules, model: str, upstream: tuple[str, ...],
                order_by: Sequence[str] = (), columns: Sequence[str] | None = None, **params: Any) -> pl.DataFrame:
    """``model`` over the judged figures (``upstream``: the models between, e.g. ``activity_figures``):
    the judgement kept by the last refresh when it was made under ``rules``, else the counts judged now."""
    if judged_under(con) == rules_fingerprint(rules):
        return run_model(con, model, ("judged_activity_branch", *upstream), KEPT, order_by, columns, **params)
    return run_model(con, model, (*JUDGEMENT, *upstream), None, order_by, columns, **params)


def _ids(branch_ids: Iterable[int] | None) -> list[int] | None:
    return None if branch_ids is None else sorted(int(b) for b in branch_ids)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pl.DataFrame) -> Iterator[None]:
    """Make frames readable by the SQL models under the given names for the duration of the block."""
    for name, frame in frames.items():
        con.register(name, frame.to_arrow())
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


# Where a month stands on a given day: over (judged: held or missed), today's month (in progress: not
# missed, not judged, no alert until it has ended) or still to come.
ENDED, IN_PROGRESS, TO_COME = "ended", "in_progress", "to_come"


def in_progress_month(year: int, today: date | None = None) -> date | None:
    """The month of ``year`` that has begun and not ended on ``today`` (today's month), or None."""
    today = today or clock.today()
    return date(year, today.month, 1) if year == today.year else None


def month_status(month: date, today: date | None = None) -> str:
    """:data:`ENDED`, :data:`IN_PROGRESS` or :data:`TO_COME`: where ``month`` (any day of it) stands on
    ``today``. A month ends with its last day: on the 1st of the next month it is over."""
    today = today or clock.today()
    key, now = (month.year, month.month), (today.year, today.month)
    return ENDED if key < now else (IN_PROGRESS if key == now else TO_COME)


def with_month_status(frame: pl.DataFrame, today: date | None = None, column: str = "month_status") -> pl.DataFrame:
    """``frame`` with ``column``: :func:`month_status` of each row's ``month`` ("YYYY-MM") on ``today``."""
    today = today or clock.today()
    now = f"{today.year:04d}-{today.month:02d}"
    month = pl.col("month")
    return frame.with_columns(pl.when(month < now).then(pl.lit(ENDED)).when(month == now).then(pl.lit(IN_PROGRESS))
                              .when(month.is_not_null()).then(pl.lit(TO_COME)).alias(column))


def counted_months(year: int, today: date | None = None, quarter: int | None = None) -> list[date]:
    """The months a year (or one of its quarters) is judged on: January to the last complete month
    (the months :data:`ENDED` on ``today``).

    A past year counts all twelve; the current year the months before today's; a future year none.
    """
    today = today or clock.today()
    first, last = (1, 12) if quarter is None else (3 * quarter - 2, 3 * quarter)
    return [date(year, m, 1) for m in range(first, last + 1) if month_status(date(year, m, 1), today) == ENDED]


def branch_id(con: Con, name: str) -> int:
    """The id of the branch called ``name``; refuses an unknown name, listing a few known ones."""
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return con.branch_id(name)
    row = con.execute("select branch_id from branches where name = ?", [name.strip()]).fetchone()
    if row:
        return int(row[0])
    known = [r[0] for r in con.execute("select name from branches order by name limit 8").fetchall()]
    raise PartydayError(error("rules.unknown_branch", branch=name, known="、".join(known) or "—"))


JUDGEMENT = ("activity_counts", "judged_activity_branch")
FIGURES = ("activity_figures",)  # the judged rows with names, for models that list them
MONTHS = ("scoped_branches", "branch_months")  # the compliance calendar: every branch and counted month
KEPT = {"judged_activity_branch": "judged_stored", "held_months": "held_stored"}  # what a refresh keeps
HELD = ("held_months",)  # models that aggregate read the judgement itself (names joined on the result)
EVENTS_ORDER = ("activity_month", "date", "zone_id", "branch_id", "activity_id")  # calendar order


def figure_params(con: Con, rules: Rules, for_year: int, *, branch: str | None = None,
                  branch_ids: Iterable[int] | None = None, activity_id: int | None = None,
                  **more: Any) -> dict[str, Any]:
    """The parameters of ``judged_activity_branch.sql`` (and the models composed on it) for ``for_year``."""
    if branch is not None:
        branch_id(con, branch)
    return {"year_from": for_year, "year_to": for_year, "branch": branch, "branch_ids": _ids(branch_ids),
            "activity_id": activity_id, **rule_params(rules), **more}


# ---------------------------------------------------------------------------------------------------
# The figures


EVENT_SUBSETS = ("quorum_failed", "low_satisfaction", "violating", "flagged")


def events(con: Con, rules: Rules, year: int, branch: str | None = None,
           branch_ids: Iterable[int] | None = None, ordered: bool = True, activity_id: int | None = None,
           only: str | None = None, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """One row per activity and taking-part branch of ``year`` (a joint activity: one row per branch), in
    calendar order (``ordered=False``: in no particular order, for a caller that sorts what it shows;
    a committee-wide year is a few hundred thousand rows, and their sort a good part of the time).
    ``activity_id``: that activity's rows only; ``only``: the rows a list shows (one of
    :data:`EVENT_SUBSETS`, see ``sql/events.sql``); ``columns``: only these columns (a chart of one
    figure over a whole province need not carry every name and topic).

    Columns: ``activity_id, branch_id, branch, zone_id, zone, year, activity_month`` (date),
    ``month`` ("YYYY-MM"), ``month_no, quarter, date`` (date or null), ``topic, level, host_branch_id,
    host_branch, roster`` (members on the roster on the activity date, or on the last day of the month
    when only the month is known), ``exempt`` (of those, exempt), ``expected`` (roster − exempt),
    ``present, excused, unexcused`` (members only; null without a sign-in; they add up to expected),
    ``made_up`` (make-up study recorded), ``others`` (members who came but are on no taking-part roster,
    not counted), ``guests`` (non-members, not counted), ``participation`` (present ÷ expected),
    ``quorum_met``, ``satisfaction`` (null without evaluation), ``ballots``, ``satisfied_votes``,
    ``valid_votes``, ``low_satisfaction`` (a strike), ``has_sign_in, has_record, has_evaluation,
    is_open_day, notice_days, report_days, duration_hours, violation_count``, ``violations`` (sorted list of
    ``duration no_evaluation no_record notice quorum report_late``).
    """
    if only is not None and only not in EVENT_SUBSETS:
        raise ValueError(f"only: one of {EVENT_SUBSETS}, not {only!r}")
    order = [c for c in EVENTS_ORDER if not columns or c in columns] if ordered else []
    return run_figures(con, rules, "events", FIGURES, order, columns=columns,
                       **figure_params(con, rules, year, branch=branch, branch_ids=branch_ids,
                                       activity_id=activity_id, only=only))


def event_counts(con: Con, rules: Rules, year: int,
                 branch_ids: Iterable[int] | None = None) -> pl.DataFrame:
    """Per month of ``year`` with activities: how many :func:`events` rows there are (``rows``), were judged
    on the quorum (``quorum_judged``), failed it, were rated, struck (``low_satisfaction``), broke any rule
    (``violating``) and each rule (one column per code of :data:`VIOLATIONS`). Columns: ``month``
    ("YYYY-MM") and those counts."""
    return run_figures(con, rules, "event_counts", (), ("month",),
                       **figure_params(con, rules, year, branch_ids=branch_ids))


def compliance(con: Con, rules: Rules, year: int, branch: str | None = None,
               branch_ids: Iterable[int] | None = None, today: date | None = None,
               only_missed: bool = False) -> pl.DataFrame:
    """One row per branch and month of ``year`` up to ``today``'s: the counted months (January to the last
    complete month) and the month in progress, if any; with ``only_missed``, only the counted months in
    which the branch held no theme Party day (the month in progress is never missed).

    Columns: ``branch_id, branch, zone_id, zone, activity_month`` (date), ``month`` ("YYYY-MM"),
    ``quarter, status`` (``ended`` or ``in_progress``, see :func:`month_status`), ``held`` (a theme Party
    day took place), ``missed`` (not held in a month that has ended), ``activities``, ``violating``
    (activities that broke a rule), ``violations`` (sorted list of the codes broken by the month's
    activities), ``compliant`` (held and no violation; null for a month in progress with nothing held yet).
    """
    model, upstream = ("missed_months", ("scoped_branches", *HELD)) if only_missed else ("compliance", MONTHS)
    current = None if only_missed else in_progress_month(year, today)
    months = counted_months(year, today) + ([current] if current else [])
    return run_figures(con, rules, model, upstream, ("zone_id", "branch_id", "activity_month"),
                       **figure_params(con, rules, year, branch=branch, branch_ids=branch_ids,
                                       months=months, in_progress=current))


def previous_period(year: int, quarter: int | None) -> tuple[int, int | None]:
    """The period before a year (the year before) or a quarter (the quarter before, across years)."""
    if quarter is None:
        return year - 1, None
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _ranking(con: Con, rules: Rules, year: int, quarter: int | None,
             today: date | None) -> pl.DataFrame:
    first, last = (1, 12) if quarter is None else (3 * quarter - 2, 3 * quarter)
    minimum = rules.get("ranking.min_activities_year" if quarter is None else "ranking.min_activities_quarter")
    scored = run_figures(con, rules, "ranking", HELD, **figure_params(
        con, rules, year, months=counted_months(year, today, quarter), month_from=date(year, first, 1),
        month_to=date(year, last, 1), min_activities=int(minimum)))
    ranked = pl.col("too_little_data").not_()

    def rank(*within: str) -> pl.Expr:  # ties share the best place: 1, 2, 2, 4
        return pl.col("score").rank("min", descending=True).over(["too_little_data", *within]).cast(pl.Int64)

    return scored.with_columns(pl.when(ranked).then(rank()).alias("rank"),
                               pl.when(ranked).then(rank("zone_id")).alias("zone_rank"))


def ranking(con: Con, rules: Rules, year: int, quarter: int | None = None,
            branch_ids: Iterable[int] | None = None, today: date | None = None) -> pl.DataFrame:
    """Every branch of the committee ranked for ``year`` (or one ``quarter`` of it).

    Columns: ``branch_id, branch, zone_id, zone, activities, participation, satisfaction, compliance``
    (rates 0–1; null when there is nothing to rate), ``months, compliant_months, held_months,
    open_day, open_day_bonus, low_satisfaction_events`` (strikes in the calendar year), ``eligible``,
    ``too_little_data`` (fewer activities than the minimum: not ranked), ``score`` (0–100, two places),
    ``rank`` and ``zone_rank`` (ties share a rank: 1, 2, 2, 4; null when too little data),
    ``prev_score, prev_rank, prev_zone_rank, rank_change`` (places gained against the previous period,
    positive = up; null when the branch had no activity or no rank then), ``components`` (struct:
    ``participation, satisfaction, compliance`` as rates and ``open_day_bonus`` in points;
    score = 100 × Σ weight × rate + bonus, at most 100). Participation and satisfaction cover every
    activity of the period (this month's too), compliance only the counted months.
    """
    now = _ranking(con, rules, year, quarter, today)
    prev_year, prev_quarter = previous_period(year, quarter)
    before = _ranking(con, rules, prev_year, prev_quarter, today).filter(pl.col("activities") > 0).select(
        "branch_id", pl.col("score").alias("prev_score"), pl.col("rank").alias("prev_rank"),
        pl.col("zone_rank").alias("prev_zone_rank"))
    out = now.join(before, on="branch_id", how="left").with_columns(
        (pl.col("prev_rank") - pl.col("rank")).alias("rank_change"),
        pl.struct([pl.col(c) for c in COMPONENTS]).alias("components"),
    )
    if branch_ids is not None:
        out = out.filter(pl.col("branch_id").is_in(_ids(branch_ids) or []))
    return out.sort("too_little_data", "rank", "zone_id", "branch", nulls_last=True)


def strikes(con: Con, rules: Rules, year: int,
            branch_ids: Iterable[int] | None = None) -> pl.DataFrame:
    """The low-satisfaction activities of ``year`` (three strikes), one row per activity and branch.

    Columns: ``branch_id, branch, zone_id, zone, activity_id, month, date, topic, satisfaction, ballots,
    strikes`` (the branch's count in the year; also as ``low_satisfaction_events``), ``eligible``
    (strikes below ``evaluation.strikes_limit``). Ineligible branches first.
    """
    return run_figures(con, rules, "strikes", FIGURES, **figure_params(con, rules, year, branch_ids=branch_ids))


def members(con: duckdb.DuckDBPyConnection, rules: Rules, branch: str, year: int) -> pl.DataFrame:
    """Each member's attendance within ``branch`` in ``year`` (member detail: the branch's own view).

    Columns: ``member_id, name, birth_date, member_kind, is_leading_cadre, on_roster_at_year_end, expected``
    (activities with a sign-in where the member was expected), ``present, excused, unexcused, made_up,
    exempt, participation, max_unexcused_run, last_unexcused_run, warning_in_a_row, warning_per_year,
    warning``, and for leading cadres ``guided_branches, guided_activities, guided_present`` (their
    attendance at the branches they guide). Members with a warning first.
    """
    return run_model(con, "member_figures", branch_id=branch_id(con, branch), year=year, **rule_params(rules))


def zone_quarters(con: duckdb.DuckDBPyConnection, year: int, rules: Rules | None = None,
                  today: date | None = None) -> pl.DataFrame:
    """Every zone and quarter of ``year`` with that quarter's leader and deputy units.

    Columns: ``zone_id, zone, zone_order, quarter, leader, deputy, branches, activities, participation,
    quorum_rate, quorum_failures, satisfaction, low_satisfaction_events, open_days, branch_months,
    held_months, compliance``. ``rules`` defaults to the rules in force in the database.
    """
    rules = rules or load_rules(con)
    return run_figures(con, rules, "zone_quarters", HELD,
                       **figure_params(con, rules, year, months=counted_months(year, today), year=year))


def _overview(con: duckdb.DuckDBPyConnection, rules: Rules, year: int, periods: list[date],
              branch_ids: Iterable[int] | None, today: date | None) -> pl.DataFrame:
    return run_figures(con, rules, "overview", HELD, **figure_params(
        con, rules, year, branch_ids=branch_ids, months=counted_months(year, today), periods=periods,
        in_progress=in_progress_month(year, today), today=today or clock.today(), year=year))


def overview(con: duckdb.DuckDBPyConnection, rules: Rules, year: int, month: int | None = None,
             branch_ids: Iterable[int] | None = None, today: date | None = None) -> pl.DataFrame:
    """The committee at a glance: one row for ``year`` (or one ``month`` of it, 1–12).

    Columns: ``activity_month`` (null for the year), ``month`` ("YYYY-MM" or null), ``status``
    (:func:`month_status` of the month on ``today``; the year is ``in_progress`` while one of its months
    is), ``branches, members`` (on the roster at the end of the period, or today), ``activities, branch_activities,
    participation, quorum_rate, quorum_failures, satisfaction, low_satisfaction_events,
    activities_with_violations, branch_months, held_months, compliant_months, missed_months, compliance,
    branches_ineligible`` (three strikes or more in the year), ``branches_at_risk`` (one strike short).
    Months due, held, compliant and missed count the ended months only: a month in progress is not due.
    """
    periods = [] if month is None else [date(year, month, 1)]
    frame = _overview(con, rules, year, periods, branch_ids, today)
    return frame.filter(pl.col("activity_month").is_null() if month is None else pl.col("activity_month").is_not_null())


def overview_months(con: duckdb.DuckDBPyConnection, rules: Rules, year: int,
                    branch_ids: Iterable[int] | None = None, today: date | None = None,
                    with_year: bool = False) -> pl.DataFrame:
    """:func:`overview` for every month of ``year`` (January to December, one row each) in one pass:
    the monthly trend; ``with_year`` adds the year's row first (``activity_month`` null), so a page
    showing both reads them in one pass. The columns of :func:`overview`."""
    frame = _overview(con, rules, year, [date(year, m, 1) for m in range(1, 13)], branch_ids, today)
    return frame if with_year else frame.filter(pl.col("activity_month").is_not_null())


def activity_detail(con: duckdb.DuckDBPyConnection, activity_id: int) -> pl.DataFrame:
    """Everyone recorded at one activity; its figures per branch are the :func:`events` rows with this id.

    Columns: ``kind`` (``member``: on a taking-part roster; ``other_member``: a member on none of them,
    not counted; ``guest``: a non-member, not counted), ``branch_id, branch, member_id, name,
    is_leading_cadre, status`` (``present excused unexcused exempt``, null when the branch has no
    sign-in), ``counted, made_up, remark``.
    """
    found = activity_details(con, [activity_id])
    if found.is_empty() and not con.execute("select 1 from activities where activity_id = ?", [activity_id]).fetchone():
        raise PartydayError(error("rules.unknown_activity", activity_id=activity_id))
    return found.drop("activity_id")


def activity_details(con: duckdb.DuckDBPyConnection, activity_ids: Iterable[int]) -> pl.DataFrame:
    """:func:`activity_detail` of several activities in one pass (a branch's year on the members page),
    with their ``activity_id`` first; unknown ids have no rows."""
    ids = sorted({int(a) for a in activity_ids})
    found = con.execute("select distinct year(activity_month) from activities "
                        "where activity_id in (select unnest(cast(? as integer[])))", [ids]).fetchall()
    years = [int(r[0]) for r in found] or [0]  # none known: year 0 has no activity, the frame comes back empty
    # the statuses a refresh would give these activities' members, composed into one query
    return run_model(con, "activity_detail", ("refresh_pairs", "member_status"),
                     {"refresh_pairs": "refresh_scope", "member_status": "refresh_member_status"},
                     years=years, branch_ids=None, activity_ids=ids)


def satisfaction_items(con: duckdb.DuckDBPyConnection, rules: Rules, year: int,
                       branch_ids: Iterable[int] | None = None, activity_id: int | None = None) -> pl.DataFrame:
    """Votes per activity, branch and evaluation item of ``year`` (or of one activity), for the charts.

    Columns: ``activity_id, branch_id, branch, zone_id, zone, month, date, topic, item`` (``theme content
    format effect overall``), ``satisfied, basic, unsatisfied, votes, satisfaction`` (the item's rate with
    the ratings the rules count as satisfied).
    """
    return run_figures(con, rules, "activity_items", FIGURES,
                       ("month", "date", "zone_id", "branch", "activity_id", "item"),
                       **figure_params(con, rules, year, branch_ids=branch_ids, activity_id=activity_id))


def item_totals(con: duckdb.DuckDBPyConnection, rules: Rules, year: int, per: str = "branch",
                branch_ids: Iterable[int] | None = None, months: Sequence[str] | None = None) -> pl.DataFrame:
    """Votes per evaluation item pooled over each branch's (``per="zone"``: each zone's) activities of
    ``year``, or of its ``months`` ("YYYY-MM"). Columns: ``branch_id, branch`` (null per zone), ``zone_id,
    zone, item, satisfied, basic, unsatisfied, votes, satisfaction``; in zone, branch and item order."""
    if per not in ("branch", "zone"):
        raise ValueError(f"per: 'branch' or 'zone', not {per!r}")
    return run_figures(con, rules, "item_totals", (), ("zone_id", "branch", "item"),
                       **figure_params(con, rules, year, branch_ids=branch_ids, per=per,
                                       month_keys=None if months is None else list(months)))
