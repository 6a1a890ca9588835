"""Load a generated committee straight into the core tables, through Arrow, chunk by chunk.

Used for the ``province`` scale (tens of millions of rows: no workbook round trip) and whenever the
workbooks are not wanted. Ids come from the database's own sequence, reserved as one block, so that
later uploads through ingest never collide with generated rows. Every fact row carries the id of one
upload record describing the generator run, like any other load.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl

from pipelines import db
from pipelines.demo.generate import Committee, Facts

# Local id spaces of a generated committee, each mapped to a block of database ids.
ENTITIES = ("zones", "branches", "members", "memberships", "exemptions", "activities", "records")


def reserve_ids(con: duckdb.DuckDBPyConnection, n: int) -> int:
    """Take ``n`` consecutive ids from the shared sequence; returns the first (inside a write transaction)."""
    if n <= 0:
        return 0
    row = db.query(con, "demo_reserve_ids", n=n).fetchone()
    first_id, last_id, count = int(row[0]), int(row[1]), int(row[2])
    if last_id - first_id + 1 != count:  # never seen: nextval in one statement is consecutive
        raise RuntimeError(f"id block not consecutive: {first_id}..{last_id} for {count}")
    return first_id


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, **fixed: Any) -> int:
    """Append ``frame`` to ``table`` via Arrow; columns the frame lacks are null or ``fixed[column]``."""
    if frame.height == 0:
        return 0
    columns = con.table(table).columns
    exprs = []
    for col in columns:
        if col in frame.columns:
            exprs.append(pl.col(col))
        else:
            exprs.append(pl.lit(fixed.get(col)).alias(col))
    con.from_arrow(frame.select(exprs).to_arrow()).insert_into(table)
    return frame.height


class IdMap:
    """Local 0-based ids of a generated committee → database ids (one reserved block per entity)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, c: Committee) -> None:
        n_records = c.activities.height
        sizes = {"zones": c.zones.height, "branches": c.branches.height, "members": c.members.height,
                 "memberships": c.memberships.height, "exemptions": c.exemptions.height,
                 "activities": c.activities.height, "records": n_records}
        self.base = {name: reserve_ids(con, n) for name, n in sizes.items()}
        self.upload_id = reserve_ids(con, 1)

    def col(self, column: str, entity: str) -> pl.Expr:
        """``column`` shifted into the database id block of ``entity``."""
        return (pl.col(column) + self.base[entity]).cast(pl.Int64).alias(column)


def load_committee(con: duckdb.DuckDBPyConnection, c: Committee, *, actor: str | None = "demo",
                   progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Insert the whole generated committee into an empty database (inside a write transaction).

    Returns the rows inserted per table. Big fact tables are generated and inserted chunk by chunk.
    """
    ids = IdMap(con, c)
    summary = {"scale": c.scale.name, "seed": c.seed, "today": c.today.isoformat()}
    sha = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()
    db.query(con, "demo_upload", upload_id=ids.upload_id, file_name=f"generated:{c.scale.name}:seed={c.seed}",
             sha256=sha, actor=actor, summary=json.dumps(summary))
    up = ids.upload_id
    done: dict[str, int] = {}

    def put(table: str, frame: pl.DataFrame, **fixed: Any) -> None:
        done[table] = done.get(table, 0) + insert_frame(con, table, frame, **fixed)
        if progress:
            progress(table, done[table])

    db.query(con, "demo_committee", committee_name=c.committee_name)
    put("zones", c.zones.with_columns(ids.col("zone_id", "zones")), upload_id=up)
    put("branches", c.branches.with_columns(ids.col("branch_id", "branches"), ids.col("zone_id", "zones")),
        upload_id=up)
    put("zone_quarter_roles", c.zone_roles.with_columns(
        ids.col("zone_id", "zones"), ids.col("leader_branch_id", "branches"), ids.col("deputy_branch_id", "branches")),
        upload_id=up)
    put("members", c.members.with_columns(ids.col("member_id", "members")), upload_id=up)
    put("memberships", c.memberships.with_columns(
        ids.col("membership_id", "memberships"), ids.col("member_id", "members"), ids.col("branch_id", "branches")),
        upload_id=up)
    put("exemptions", c.exemptions.with_columns(ids.col("exemption_id", "exemptions"), ids.col("member_id", "members")),
        upload_id=up)
    put("cadre_guidance", c.cadre_guidance.with_columns(ids.col("member_id", "members"),
                                                        ids.col("branch_id", "branches")))
    put("activities", c.activities.with_columns(ids.col("activity_id", "activities"),
                                                ids.col("host_branch_id", "branches")), created_upload_id=up)
    put("activity_branches", c.activity_branches.with_columns(ids.col("activity_id", "activities"),
                                                              ids.col("branch_id", "branches")))
    for facts in c.iter_facts():
        put_facts(put, ids, facts, up)
    return done


def put_facts(put: Callable[..., None], ids: IdMap, f: Facts, upload_id: int) -> None:
    """Insert one chunk of facts with ids mapped."""
    put("attendance", f.attendance.with_columns(ids.col("activity_id", "activities"), ids.col("member_id", "members"),
                                                ids.col("branch_id", "branches")), upload_id=upload_id)
    put("guest_attendance", f.guests.with_columns(ids.col("activity_id", "activities")), upload_id=upload_id)
    put("evaluation_votes", f.votes.with_columns(ids.col("activity_id", "activities")), upload_id=upload_id)
    put("activity_records", f.records.with_columns(
        ids.col("activity_id", "activities"),
        record_id=(pl.col("activity_id") + ids.base["records"]).cast(pl.Int64)), upload_id=upload_id)
