"""Recompute the derived figures (the ``out_`` tables of migrations 0004, 0006 and 0007) for some years.

Called inside the write transaction of every load, undo and demo build, so the figures a page reads
are computed once per load, never per page view. The counts (``out_activity_branch``, ``out_activity_item``,
``out_member_year``) hold no judgement. The judgement of each activity and branch under the rules in
force (``out_activity_judged``), and the months each branch held (``out_held_months``), are kept beside
them for the pages: a refresh judges again what it recounted, and :func:`rejudge` judges everything again
when the rules change (a second or two for a province). A reader applying other rules judges the counts
itself (:func:`pipelines.metrics.run_figures`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import duckdb
import polars as pl

from pipelines import db
from pipelines.config import Rules, load_rules
from pipelines.metrics import (
    bound,
    composed_sql,
    judged_under,
    registered,
    rule_params,
    rules_fingerprint,
    run_model,
)


def _all_years(con: duckdb.DuckDBPyConnection) -> set[int]:
    rows = con.execute(
        "select distinct year(activity_month) from activities "
        "union select distinct year from out_activity_branch "
        "union select distinct year from out_activity_item "
        "union select distinct year from out_member_year"
    ).fetchall()
    return {int(r[0]) for r in rows if r[0] is not None}


def changed_branches(con: duckdb.DuckDBPyConnection) -> set[int] | None:
    """The branches of the uploads loaded or undone since the last refresh; ``None`` when that is not
    known (never refreshed, nothing recorded as changed, or an upload that does not say its branches),
    which means every branch."""
    rows = con.execute(db.sql("refresh_changed_uploads")).fetchall()
    if not rows:
        return None
    found: set[int] = set()
    for _upload_id, _status, text in rows:
        ids = json.loads(text) if text else None
        if not isinstance(ids, list):
            return None
        found |= {int(i) for i in ids}
    return found


def refresh(con: duckdb.DuckDBPyConnection, years: Iterable[int] | None = None,
            branch_ids: Iterable[int] | None = None) -> None:
    """Recompute the derived tables for ``years`` (``None``: every year), inside the caller's transaction.

    ``branch_ids`` limits the work to the activities those branches take part in, widened to the
    partner branches of their joint activities and the other branches of their members (transfers).
    When ``years`` is given without ``branch_ids``, the branches of the uploads loaded or undone since
    the last refresh are taken (their ``summary.branch_ids``); if those are not known, every branch.
    The first refresh of a database (no ``out_refresh_log`` row) recomputes every year.
    The rows in scope are deleted and rebuilt from the live core rows, so calling it twice, or after an
    undo, leaves exactly what one computation from scratch would.
    """
    never = con.execute("select count(*) = 0 from out_refresh_log").fetchall()[0][0]
    if never:  # e.g. just upgraded from before the derived tables: every year, every branch
        years, branch_ids = None, None
    wanted = sorted(_all_years(con) if years is None else {int(y) for y in years})
    if branch_ids is None and years is not None:
        branch_ids = changed_branches(con)
    con.execute("insert into out_refresh_log values (current_timestamp, (select max(upload_id) from uploads))")
    if not wanted:
        return
    branches = None if branch_ids is None else sorted({int(b) for b in branch_ids})
    pairs = run_model(con, "refresh_scope", years=wanted, branch_ids=branches, activity_ids=None)
    in_scope = sorted(set(pairs.filter(pl.col("in_branch_scope"))["branch_id"].to_list()) | set(branches or []))
    params = {"years": wanted, "all": branches is None, "branches": in_scope}
    with registered(con, refresh_pairs=pairs):
        # Rows of the activities in scope, and (branch scope) every row of the branches in scope, which
        # also catches the activities an undo removed.
        stale = ("list_contains($years, year) and ($all or activity_id in (select activity_id from refresh_pairs) "
                 "or list_contains(cast($branches as integer[]), branch_id))")
        con.execute("delete from out_activity_item where list_contains($years, year) and ($all "
                    "or activity_id in (select activity_id from refresh_pairs) "
                    f"or activity_id in (select activity_id from out_activity_branch where {stale}))", params)
        con.execute(f"delete from out_activity_branch where {stale}", params)
        con.execute("delete from out_member_year where list_contains($years, year) and "
                    "($all or list_contains(cast($branches as integer[]), branch_id))", params)
        con.execute("drop table if exists member_status")
        con.execute(f"create temp table member_status as {db.sql('refresh_member_status')}")
        try:
            for table, model in (("out_activity_item", "refresh_activity_item"),
                                 ("out_activity_branch", "refresh_activity_branch"),
                                 ("out_member_year", "refresh_member_year")):
                con.execute(f"insert into {table} by name {db.sql(model)}")
        finally:
            con.execute("drop table if exists member_status")
        rules = load_rules(con)
        if branches is None or judged_under(con) != rules_fingerprint(rules):
            rejudge(con, rules)
        else:
            _judge(con, rules, stale, "refresh_judge_scope", **params)


def _judge(con: duckdb.DuckDBPyConnection, rules: Rules, where: str, counts: str, **params: object) -> None:
    """Judge again the kept rows ``where`` selects (a condition on ``out_activity_judged``), from the
    counts the model ``counts`` selects (the same rows of ``out_activity_branch``), and recount the held
    months of their branch-months, as they were and as they are now."""
    touched = f"select distinct branch_id, activity_month from out_activity_judged where {where}"
    con.execute("drop table if exists touched_months")
    con.execute(f"create temp table touched_months as {touched}", bound(touched, params))
    con.execute(f"delete from out_activity_judged where {where}", bound(where, params))
    text = composed_sql("judged_activity_branch", ("activity_counts",), {"activity_counts": counts})
    con.execute(f"insert into out_activity_judged by name select * from ({text}) order by year, branch_id",
                bound(text, {**params, **rule_params(rules)}))
    con.execute(f"insert into touched_months {touched}", bound(touched, params))
    con.execute("delete from out_held_months as h where exists (select 1 from touched_months as t "
                "where t.branch_id = h.branch_id and t.activity_month = h.activity_month)")
    con.execute(f"insert into out_held_months by name {db.sql('refresh_held_months')}")
    con.execute("drop table touched_months")


def rejudge(con: duckdb.DuckDBPyConnection, rules: Rules | None = None) -> None:
    """Judge every activity again under ``rules`` (default: the rules in force), inside the caller's
    transaction: after a rule change, or when the kept judgement was made under other rules."""
    rules = rules or load_rules(con)
    _judge(con, rules, "true", "activity_counts", year_from=0, year_to=9999, branch_ids=None, branch=None,
           activity_id=None)
    con.execute("delete from out_judged_rules")
    con.execute("insert into out_judged_rules values (?, current_timestamp)", [rules_fingerprint(rules)])
