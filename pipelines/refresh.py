"""Recompute the derived figures (the ``out_`` tables of migration 0004) for some years.

Called inside the write transaction of every load, undo and demo build, so the figures a page reads
are computed once per load, never per page view. The ``out_`` tables hold counts only; every rule of
the configuration is applied when they are read (:mod:`pipelines.metrics`), so a rule change needs no
refresh.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from pipelines import db

OUT_TABLES = ("out_activity_item", "out_activity_branch", "out_member_year")


def _all_years(con: duckdb.DuckDBPyConnection) -> set[int]:
    rows = con.execute(
        "select distinct year(activity_month) from activities "
        "union select distinct year from out_activity_branch "
        "union select distinct year from out_activity_item "
        "union select distinct year from out_member_year"
    ).fetchall()
    return {int(r[0]) for r in rows if r[0] is not None}


def refresh(con: duckdb.DuckDBPyConnection, years: Iterable[int] | None = None) -> None:
    """Recompute the derived tables for ``years`` (``None``: every year), inside the caller's transaction.

    The rows of those years are deleted and rebuilt from the live core rows, so calling it twice, or
    after an undo, leaves exactly what one computation from scratch would.
    """
    wanted = sorted(_all_years(con) if years is None else {int(y) for y in years})
    if not wanted:
        return
    for table in OUT_TABLES:
        con.execute(f"delete from {table} where list_contains($years, year)", {"years": wanted})
    con.execute("drop table if exists member_status")
    con.execute(f"create temp table member_status as {db.sql('refresh_member_status')}",
                {"years": wanted, "activity_id": None})
    try:
        for table, model in (("out_activity_item", "refresh_activity_item"),
                             ("out_activity_branch", "refresh_activity_branch"),
                             ("out_member_year", "refresh_member_year")):
            text = db.sql(model)
            params = {"years": wanted} if "$years" in text else {}
            con.execute(f"insert into {table} by name {text}", params)
    finally:
        con.execute("drop table if exists member_status")
