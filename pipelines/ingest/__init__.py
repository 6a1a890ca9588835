"""Ingest the workbooks secretaries keep: refuse the unsafe, recognise each sheet, validate the whole
file, load it in one transaction or not at all, and undo an upload from its history.

``ingest_files(db_path, files, ...)`` loads; ``preview_files(files, ...)`` says what would be loaded
without writing; ``undo_upload(db_path, upload_id, ...)`` gives back what an upload replaced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from pipelines import db
from pipelines.config import default_rules, load_rules
from pipelines.errors import Issue, PartydayError, error
from pipelines.ingest.load import Loader
from pipelines.ingest.mapping import Mapping
from pipelines.ingest.parse import ParsedFile, parse_file
from pipelines.ingest.safety import Limits
from pipelines.ingest.undo import undo

log = logging.getLogger("partyday.ingest")
FileInput = Path | str | tuple[str, bytes]
Progress = Callable[[int, int, str], None]
MappingArg = Mapping | str | None  # a stored column mapping's name, or one just taught on the upload page


@dataclass
class FileResult:
    """What became of one file: ``loaded``, ``unchanged`` (identical file already loaded) or ``rejected``."""

    file: str
    status: str
    kind: str | None
    issues: list[Issue] = field(default_factory=list)
    upload_id: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """The shape ``ingest --json`` prints for one file."""
        return {"file": self.file, "status": self.status, "kind": self.kind,
                "issues": [i.to_json(lang) for i in self.issues]}


class _Rollback(Exception):
    """Raised inside a write to roll it back (previews, refusals)."""


def _read(item: FileInput) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        return str(item[0]), bytes(item[1])
    path = Path(item)
    return path.name, path.read_bytes()


def located(issue: Issue, file: str) -> Issue:
    """The issue with its place (file, sheet, row, column) also among the message parameters."""
    params = {"file": file, "sheet": issue.sheet or "", "row": issue.row or "", "column": issue.column or "",
              **issue.params}
    return Issue(issue.severity, issue.code, params, issue.sheet, issue.row, issue.column)


def _sorted(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.severity != "error", i.sheet or "", i.row or 0, i.column or ""))


def _load(con: duckdb.DuckDBPyConnection, name: str, data: bytes, sha: str, *, branch: str | None, kind: str | None,
          actor: str | None, allowed: set[int] | None, roster_date: date | None, rules: Any,
          refresh_years: set[int] | None = None, mapping: MappingArg = None, remember: bool = False,
          cache: dict[str, Any] | None = None, today: date | None = None) -> FileResult:
    """Parse and load one file inside ``con``'s transaction; raises :class:`_Rollback` carrying a refusal.

    The derived figures are refreshed for the years touched plus ``refresh_years`` (a batch refreshes
    once, in its last file's transaction; ``None`` means this file's years only). The column mappings
    stored for the branches in scope apply by header shape; ``mapping`` (a name, or one just taught) is
    asked for, and ``remember`` stores the one used for the branch loaded, in this transaction. ``cache``
    keeps the mappings found for the next files of a batch (a query saved per file).
    """
    limits = Limits.from_rules(rules)
    upload_id = int(con.execute("select nextval('seq_id')").fetchall()[0][0])
    loader = Loader(con, upload_id, rules=rules, branch=branch, allowed_branch_ids=allowed, roster_date=roster_date,
                    today=today, actor=actor)
    if cache is not None and "mappings" in cache:
        stored, forced = cache["mappings"]
    else:
        stored, forced = _mappings(con, branch, allowed, mapping)
        if cache is not None:
            cache["mappings"] = (stored, forced)
    parsed: ParsedFile = parse_file(name, data, limits, kind=kind, known=loader.known(), mappings=stored,
                                    mapping=forced)
    issues = list(parsed.issues)
    for p in parsed.sheets:
        issues.extend(p.issues)
    if not any(i.severity == "error" for i in issues):
        loader.load(parsed.sheets)
        issues.extend(loader.issues)
    issues = _sorted(located(i, name) for i in issues)
    summary: dict[str, Any] = {
        "kind": parsed.kind, "sheets": [{"sheet": p.sheet, "kind": p.kind} for p in parsed.sheets],
        "counts": dict(loader.counts), "activities": loader.activities, "years": sorted(loader.years),
        "branch_ids": sorted(loader.branch_ids), "touched": sorted(loader.touched), "undo": dict(loader.undo),
        "refreshed": refresh_years is None, "as_of": loader.as_of, "replaced_uploads": loader.replaced,
        "statuses": statuses(parsed), "mappings": [m.name for m in parsed.mapped],
    }
    result = FileResult(name, "loaded", parsed.kind, issues, upload_id, summary)
    if any(i.severity == "error" for i in issues):
        result.status, result.upload_id = "rejected", None
        raise _Rollback(result)
    branch_id = sorted(loader.branch_ids)[0] if loader.branch_ids else None
    if remember and forced is not None and any(m is forced for m in parsed.mapped) and branch_id is not None:
        from pipelines.access import branch_label
        from pipelines.ingest.mapping_store import remember as store

        kept = store(con, forced, branch_id, branch_label(con, branch_id), actor)
        if cache is not None:
            cache.pop("mappings", None)
        summary["mappings"] = [kept.name if m is forced else m.name for m in parsed.mapped]
    con.execute("insert into uploads (upload_id, file_name, sha256, kind, branch_id, uploaded_by, status, summary) "
                "values (?, ?, ?, ?, ?, ?, 'loaded', ?)",
                [upload_id, name, sha, parsed.kind, branch_id, actor, json.dumps(summary, ensure_ascii=False,
                                                                                 default=str)])
    from pipelines.audit import record

    record(con, actor, "upload.load", str(upload_id), {"file": name, "sha256": sha, "kind": parsed.kind,
                                                        "counts": dict(loader.counts)})
    if refresh_years is None:
        _refresh(con, loader.years, loader.touched)
    return result


def _mappings(con: duckdb.DuckDBPyConnection, branch: str | None, allowed: set[int] | None,
              asked: MappingArg) -> tuple[list[Mapping], Mapping | None]:
    """The stored mappings that may apply (the named branch's, else those of every branch in scope) and the
    one asked for by name or just taught; a name outside the scope is refused like an unknown one."""
    from pipelines.ingest import mapping_store

    scope = allowed
    if branch:
        row = con.execute("select branch_id from branches where name = ?", [branch]).fetchone()
        scope = {int(row[0])} if row and (allowed is None or int(row[0]) in allowed) else set()
    stored = mapping_store.stored(con, scope)
    if isinstance(asked, str):
        found = mapping_store.by_name(con, asked)
        if allowed is not None and found.branch_id not in allowed:
            raise PartydayError(error("ingest.mapping.unknown", name=asked))
        return stored, found
    return stored, asked


def statuses(parsed: ParsedFile) -> dict[str, int]:
    """How many people each sheet marked present, excused or unexcused, and the non-members who came."""
    out = {"present": 0, "excused": 0, "unexcused": 0, "guests": 0}
    for p in parsed.sheets:
        for m in p.marks:
            out[m.status] = out.get(m.status, 0) + 1
        out["guests"] += len(p.guests)
    return out


def _refresh(con: duckdb.DuckDBPyConnection, years: set[int], branches: set[int] | None) -> None:
    """Recompute the derived figures of ``years`` for the activities of ``branches`` (None: all)."""
    if years:
        from pipelines.refresh import refresh

        refresh(con, years, None if branches is None else sorted(branches))


def _pending_years(con: duckdb.DuckDBPyConnection) -> tuple[set[int], list[int], set[int] | None]:
    """Years, uploads and branches of loads whose figures were not refreshed yet (a batch stopped early)."""
    rows = con.execute("select upload_id, summary from uploads where status = 'loaded' and "
                       "json_extract(summary, '$.refreshed') = 'false'::json").fetchall()
    years: set[int] = set()
    branches: set[int] | None = set()
    for _uid, text in rows:
        summary = json.loads(text)
        years |= set(summary.get("years", []))
        if branches is not None and "touched" in summary:
            branches |= set(summary["touched"])
        else:
            branches = None
    return years, [int(r[0]) for r in rows], branches


def _mark_refreshed(con: duckdb.DuckDBPyConnection, upload_ids: list[int]) -> None:
    if upload_ids:
        con.execute("update uploads set summary = json_merge_patch(summary, '{\"refreshed\": true}') "
                    "where list_contains(?, upload_id)", [upload_ids])


def _unchanged(con: duckdb.DuckDBPyConnection, name: str, sha: str) -> FileResult | None:
    rows = con.execute("select upload_id, kind, summary from uploads where sha256 = ? and status = 'loaded' "
                       "order by upload_id desc limit 1", [sha]).fetchall()
    if not rows:
        return None
    row = rows[0]
    return FileResult(name, "unchanged", row[1], [], int(row[0]), json.loads(row[2]) if row[2] else {})


BATCH_FILES = 50  # files loaded under one hold of the lock; readers get a turn between batches


def ingest_files(db_path: str | Path | None, files: Sequence[FileInput], *, branch: str | None = None,
                 kind: str | None = None, actor: str | None = None, allowed_branch_ids: set[int] | None = None,
                 roster_date: date | None = None, lang: str = "zh", progress: Progress | None = None,
                 mapping: MappingArg = None, remember: bool = False, today: date | None = None) -> list[FileResult]:
    """Load each file in its own transaction (whole or not at all); one file's failure never affects another.

    ``today`` (default: :func:`pipelines.clock.today`) is the day after which an activity date is refused as in the future.

    ``allowed_branch_ids=None`` means any branch; otherwise a file about another branch is refused.
    ``mapping``/``remember``: a column mapping asked for, and whether to store it (see :func:`_load`).
    ``progress(i, n, file)`` is called before each file. Files are taken in batches under one hold of
    the write lock; the derived figures are refreshed once per batch, inside its last file's transaction.
    """
    path = db.db_path(db_path)
    results: list[FileResult] = []
    for start in range(0, len(files), BATCH_FILES):
        batch = files[start:start + BATCH_FILES]
        with db.write_session(path) as con:
            blobs = [_read(item) for item in batch]
            shas = [hashlib.sha256(data).hexdigest() for _name, data in blobs]
            with db.transaction(con):
                rules = load_rules(con)
                pending, pending_ids, pending_branches = _pending_years(con)
                loaded_before = {r[0] for r in con.execute(
                    "select distinct sha256 from uploads where status = 'loaded' and list_contains(?, sha256)",
                    [shas]).fetchall()}
            touched: set[int] = set(pending)
            branches: set[int] | None = pending_branches
            cache: dict[str, Any] = {}
            done_ids: list[int] = list(pending_ids)
            for j, ((name, data), sha) in enumerate(zip(blobs, shas, strict=True)):
                if progress:
                    progress(start + j, len(files), name)
                last = j == len(batch) - 1
                try:
                    # The file's result counts once its transaction has committed: a refresh that fails
                    # in the last file's transaction takes that file back with it, and it is refused.
                    with db.transaction(con):
                        same = _unchanged(con, name, sha) if sha in loaded_before or sha in shas[:j] else None
                        if same is not None:
                            res = same
                        else:
                            res = _load(con, name, data, sha, branch=branch, kind=kind, actor=actor,
                                        allowed=allowed_branch_ids, roster_date=roster_date, rules=rules,
                                        refresh_years=touched, mapping=mapping, remember=remember, cache=cache,
                                        today=today)
                            touched |= set(res.summary.get("years", []))
                            if branches is not None:
                                branches |= set(res.summary.get("touched", []))
                            if res.upload_id is not None:
                                done_ids.append(res.upload_id)
                        if last:
                            _refresh(con, touched, branches)
                            _mark_refreshed(con, done_ids)
                    results.append(res)
                except _Rollback as rb:
                    results.append(rb.args[0])
                    if last and touched:
                        with db.transaction(con):
                            _refresh(con, touched, branches)
                            _mark_refreshed(con, done_ids)
                except (PartydayError, Exception) as exc:
                    results.append(_refused(name, exc))
                    if last and touched:
                        with db.transaction(con):
                            _refresh(con, touched, branches)
                            _mark_refreshed(con, done_ids)
    return results


def _refused(name: str, exc: BaseException) -> FileResult:
    """A file refused by an error raised while loading it: the user's message, or for anything unforeseen a
    message that names the file (the details go to the log); the other files go on."""
    if isinstance(exc, PartydayError):
        return FileResult(name, "rejected", None, [located(x, name) for x in exc.issues])
    log.exception("ingest of %s failed", name, exc_info=exc)
    return FileResult(name, "rejected", None, [located(error("ingest.unreadable", why=type(exc).__name__), name)])


def _memory_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    for _version, mig in db.migrations():
        con.execute(mig.read_text(encoding="utf-8"))
    return con


def preview_files(files: Sequence[FileInput], *, branch: str | None = None, kind: str | None = None,
                  db_path: str | Path | None = None, allowed_branch_ids: set[int] | None = None,
                  roster_date: date | None = None, lang: str = "zh", mapping: MappingArg = None,
                  today: date | None = None) -> list[FileResult]:
    """What :func:`ingest_files` would do with each file, without writing anything (``mapping`` and
    ``today`` as there).

    With ``db_path`` the files are checked against that database (rolled back at the end); without it,
    against an empty one. ``summary`` tells what would be loaded (counts, activities, kind of each sheet).
    """
    results: list[FileResult] = []
    for item in files:
        name, data = _read(item)
        sha = hashlib.sha256(data).hexdigest()
        try:
            if db_path is None:
                con = _memory_db()
                try:
                    con.execute("begin transaction")
                    results.append(_load(con, name, data, sha, branch=branch, kind=kind, actor=None,
                                         allowed=allowed_branch_ids, roster_date=roster_date, rules=default_rules(),
                                         refresh_years=set(), mapping=mapping, today=today))
                    con.execute("rollback")
                finally:
                    con.close()
                continue
            with db.reading(db_path) as con:
                same = _unchanged(con, name, sha)
            if same is not None:
                results.append(same)
                continue
            with db.writing(db_path) as con:
                rules = load_rules(con)
                res = _load(con, name, data, sha, branch=branch, kind=kind, actor=None,
                            allowed=allowed_branch_ids, roster_date=roster_date, rules=rules, refresh_years=set(),
                            mapping=mapping, today=today)
                res.summary["preview"] = True
                res.summary["activity_labels"] = activity_labels(con, res.summary.get("activities", []))
                res.summary["branch_names"] = [r[0] for r in con.execute(
                    "select name from branches where list_contains(?, branch_id) order by name",
                    [res.summary.get("branch_ids", [])]).fetchall()]
                raise _Rollback(res)
        except _Rollback as rb:
            results.append(rb.args[0])
        except (PartydayError, Exception) as exc:
            results.append(_refused(name, exc))
    return results


def activity_labels(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[dict[str, Any]]:
    """Branch, date or month and topic of the given activities (for a preview)."""
    if not ids:
        return []
    rows = con.execute(
        "select a.activity_id, b.name, a.activity_date, a.activity_month, a.topic from activities a "
        "left join branches b on b.branch_id = a.host_branch_id where list_contains(?, a.activity_id) "
        "order by a.activity_id", [ids]).fetchall()
    return [{"activity_id": r[0], "branch": r[1], "date": (r[2] or r[3]).isoformat(), "month_only": r[2] is None,
             "topic": r[4]} for r in rows]


def undo_upload(db_path: str | Path | None, upload_id: int, *, actor: str | None = None,
                allowed_branch_ids: set[int] | None = None) -> dict[str, Any]:
    """Undo one upload in one transaction: its rows deleted, what it replaced given back, figures refreshed."""
    path = db.db_path(db_path)
    with db.writing(path) as con:
        done = undo(con, int(upload_id), actor=actor, allowed_branch_ids=allowed_branch_ids)
        pending, pending_ids, pending_branches = _pending_years(con)
        scope = None if pending_branches is None or done["branches"] is None else done["branches"] | pending_branches
        _refresh(con, set(done["years"]) | pending, scope)
        _mark_refreshed(con, pending_ids)
        from pipelines.audit import record

        record(con, actor, "upload.undo", str(upload_id), {"file": done["file"]})
    return {"upload_id": int(upload_id), "file": done["file"], "years": sorted(done["years"])}


def uploads(db_path: str | Path | None, *, branch_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """The upload history, newest first (only uploads about ``branch_ids`` when given)."""
    path = db.db_path(db_path)
    db.ensure_schema(path)
    with db.reading(path) as con:
        rows = con.execute(
            "select u.upload_id, u.file_name, u.sha256, u.kind, b.name, u.uploaded_by, u.uploaded_at, u.status, "
            "u.undone_at, u.undone_by, u.summary, u.branch_id from uploads u left join branches b using (branch_id) "
            "order by u.upload_id desc").fetchall()
    out = []
    for r in rows:
        summary = json.loads(r[10]) if r[10] else {}
        ids = set(summary.get("branch_ids") or ([r[11]] if r[11] is not None else []))
        if branch_ids is not None and not (ids and ids <= branch_ids):
            continue
        out.append({"upload_id": r[0], "file": r[1], "sha256": r[2], "kind": r[3], "branch": r[4],
                    "uploaded_by": r[5], "uploaded_at": r[6].isoformat(sep=" ", timespec="seconds") if r[6] else None,
                    "status": r[7], "undone_at": r[8].isoformat(sep=" ", timespec="seconds") if r[8] else None,
                    "undone_by": r[9], "counts": summary.get("counts", {}), "years": summary.get("years", [])})
    return out


__all__ = ["FileResult", "ingest_files", "preview_files", "undo_upload", "uploads"]
