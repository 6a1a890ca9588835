"""The Parquet lake: the core and ``out_`` tables of a committee's database, partitioned for a
distributed engine (Apache Spark) and readable by DuckDB and polars alike.

Layout (Hive partitioning, the partition columns in the path and not in the files)::

    DIR/manifest.json
    DIR/<table>/committee_id=<c>/year=<y>/part-<stamp>.parquet   tables with a year (their own, or
                                                                  their activity's)
    DIR/<table>/committee_id=<c>/part-<stamp>.parquet             the others (branches, members ...)

Several committees' databases can be exported into one lake (a national deployment): each writes its
own ``committee_id=`` partitions. The manifest (format ``partyday-lake``) lists, per table, its columns
and per partition the file, its rows, sha256 and a fingerprint; a reader takes the files the manifest
lists (:func:`files`), so it sees one consistent export even while the next one is being written.

Incremental: a partition is written again only when its fingerprint changed. For the fact tables
(``upload_id`` and ``superseded_by``) the fingerprint is taken over those two columns: every change an
upload makes — its rows added, the rows it supersedes marked, an undo deleting and restoring — changes
the count or the sum of their hashes; the other tables are fingerprinted over every column. The read
is one read-only connection under the database's shared lock (:func:`pipelines.db.reading`).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from pipelines import __version__, clock, db
from pipelines.backup import _quote, _sha256, _sql_text, _stamp, _tables
from pipelines.errors import PartydayError, error

FORMAT = "partyday-lake"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

# The core tables a figure or a later analysis needs (accounts, sessions, the audit log and snapshots
# stay in the committee's database) and every derived out_ table.
CORE = ("committee", "zones", "zone_quarter_roles", "branches", "members", "memberships", "exemptions",
        "cadre_guidance", "activities", "activity_branches", "activity_records", "attendance",
        "guest_attendance", "evaluation_votes", "uploads", "rule_settings")
# Tables partitioned by the year of their activity (they have no year column of their own).
BY_ACTIVITY = ("activity_branches", "activity_records", "attendance", "guest_attendance", "evaluation_votes",
               "out_activity_item")


def lake_tables(con: Any) -> list[str]:
    """The tables of ``con`` that go into the lake: :data:`CORE` and every ``out_`` table."""
    return [t for t in _tables(con) if t in CORE or t.startswith("out_")]


def _columns(con: Any, table: str) -> list[list[str]]:
    rows = con.execute("select column_name, data_type from information_schema.columns "
                       "where table_schema = 'main' and table_name = ? order by ordinal_position", [table]).fetchall()
    return [[str(r[0]), str(r[1])] for r in rows]


def _source(con: Any, table: str, columns: list[str]) -> tuple[str, str | None]:
    """The select of ``table`` with its partition year as ``year`` (None: not partitioned by year)."""
    q = _quote(table)
    if "year" in columns:
        return f"select * from {q}", "native"
    if "activity_month" in columns:
        return f"select *, year(activity_month) as year from {q}", "added"
    if table in BY_ACTIVITY:
        return (f"select t.*, year(a.activity_month) as year from {q} as t "
                f"left join activities as a on a.activity_id = t.activity_id"), "added"
    return f"select * from {q}", None


def _fingerprint_expr(columns: list[str]) -> str:
    if "upload_id" in columns and "superseded_by" in columns:
        return "hash(upload_id, superseded_by)"
    return "hash(" + ", ".join(_quote(c) for c in columns) + ")"


def _committee_id(con: Any) -> int:
    row = con.execute("select min(committee_id) from committee").fetchone()
    return int(row[0]) if row and row[0] is not None else 1


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The lake's manifest, or None when ``out`` holds none yet; refuses one of another format."""
    file = out / MANIFEST
    if not file.exists():
        return None
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PartydayError(error("lake.bad_manifest", path=str(file), why=str(exc))) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PartydayError(error("lake.bad_manifest", path=str(file), why="format"))
    return manifest


def export_con(con: Any, out: Path) -> dict[str, Any]:
    """Export the committee of ``con`` into the lake ``out`` (new or earlier exported); returns a summary:
    ``committee_id, written`` (partitions written), ``kept`` (unchanged), ``removed``, ``rows_written``."""
    out.mkdir(parents=True, exist_ok=True)
    old = read_manifest(out)
    if old and int(old.get("schema_version", 0)) != db.schema_version(con):
        raise PartydayError(error("lake.schema_mismatch", path=str(out), found=old["schema_version"],
                                  expected=db.schema_version(con)))
    manifest: dict[str, Any] = old or {"format": FORMAT, "format_version": FORMAT_VERSION,
                                       "schema_version": db.schema_version(con), "tables": {}, "committees": {}}
    cid = _committee_id(con)
    prefix = f"committee_id={cid}"
    stamp = f"{_stamp()}-{uuid.uuid4().hex[:8]}"  # a real moment (as a backup's name) and unique within it
    written, kept, removed, rows_written = 0, 0, 0, 0
    stale: list[Path] = []
    for table in lake_tables(con):
        columns = _columns(con, table)
        names = [c[0] for c in columns]
        select, year = _source(con, table, names)
        entry = manifest["tables"].setdefault(table, {"partitions": {}})
        entry["columns"] = columns
        entry["partition_by"] = ["committee_id", "year"] if year else ["committee_id"]
        entry["added"] = ["committee_id"] + (["year"] if year == "added" else [])
        before = {k: v for k, v in entry["partitions"].items() if k.split("/")[0] == prefix}
        group = "year" if year else "0"
        counted = con.execute(f"select {group} as part, count(*), sum({_fingerprint_expr(names)})::varchar "
                              f"from ({select}) as src group by all").fetchall()
        now: dict[str, Any] = {}
        for part, rows, digest in counted:
            key = prefix if not year else f"{prefix}/year={'__null__' if part is None else int(part)}"
            fingerprint = f"{int(rows)}:{digest}"
            if key in before and before[key]["fingerprint"] == fingerprint:
                now[key] = before[key]
                kept += 1
                continue
            folder = out / table / key
            folder.mkdir(parents=True, exist_ok=True)
            file = folder / f"part-{stamp}.parquet"
            hidden = folder / f".part-{stamp}.parquet.tmp"  # Spark, DuckDB globs and polars skip dot files
            where = "" if not year else ("where year is null" if part is None else f"where year = {int(part)}")
            keep = "exclude (year)" if year else ""
            con.execute(f"copy (select * {keep} from ({select}) as src {where}) "
                        f"to '{_sql_text(hidden)}' (format parquet, compression zstd)")
            os.replace(hidden, file)
            now[key] = {"file": str(file.relative_to(out)), "rows": int(rows), "sha256": _sha256(file),
                        "fingerprint": fingerprint}
            if key in before:
                stale.append(out / before[key]["file"])
            written += 1
            rows_written += int(rows)
        for key in set(before) - set(now):
            stale.append(out / before[key]["file"])
            removed += 1
        entry["partitions"] = {**{k: v for k, v in entry["partitions"].items() if k.split("/")[0] != prefix}, **now}
        entry["rows"] = sum(int(p["rows"]) for p in entry["partitions"].values())
    rules = con.execute("select rules_toml from rule_settings order by setting_id desc limit 1").fetchone()
    judged = con.execute("select max(fingerprint) from out_judged_rules").fetchone()
    last_upload = con.execute("select max(upload_id) from uploads").fetchone()
    manifest["committees"][str(cid)] = {
        "exported_at": clock.now().isoformat(), "program_version": __version__,
        "rules_toml": rules[0] if rules else "", "judged_rules": judged[0] if judged else None,
        "last_upload_id": last_upload[0] if last_upload else None}
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out / MANIFEST)  # readers switch to the new files at once
    for file in stale:  # only now: a reader of the old manifest had them until here
        file.unlink(missing_ok=True)
    return {"committee_id": cid, "written": written, "kept": kept, "removed": removed,
            "rows_written": rows_written, "out": str(out)}


def export_lake(db_path: str | os.PathLike[str] | None, out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Export the database at ``db_path`` into the lake ``out_dir`` under its shared lock (one consistent
    read); a second export writes only the partitions that changed. Returns :func:`export_con`'s summary."""
    path = db.db_path(db_path)
    if not path.exists():
        raise PartydayError(error("backup.no_database", path=str(path)))
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise PartydayError(error("lake.not_a_folder", path=str(out)))
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise PartydayError(error("lake.not_a_lake", path=str(out)))
    db.ensure_schema(path)
    with db.reading(path) as con:
        return export_con(con, out)


def files(lake: Path, table: str, committee_id: int | None = None) -> list[Path]:
    """The Parquet files of ``table`` as the lake's manifest lists them (of one committee, or all)."""
    manifest = read_manifest(lake)
    if manifest is None:
        raise PartydayError(error("lake.no_manifest", path=str(lake)))
    parts = manifest["tables"].get(table, {}).get("partitions", {})
    return [lake / p["file"] for k, p in sorted(parts.items())
            if committee_id is None or k.split("/")[0] == f"committee_id={committee_id}"]


def verify(lake: Path) -> dict[str, Any]:
    """Check every file the manifest lists against its sha256; returns the manifest."""
    manifest = read_manifest(lake)
    if manifest is None:
        raise PartydayError(error("lake.no_manifest", path=str(lake)))
    for name, table in manifest["tables"].items():
        for part in table["partitions"].values():
            file = lake / part["file"]
            if not file.exists() or _sha256(file) != part["sha256"]:
                raise PartydayError(error("backup.bad_checksum", table=name, file=str(file)))
    return manifest
