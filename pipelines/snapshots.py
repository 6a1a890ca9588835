"""Year-end ranking snapshots: frozen, reproducible, explained (评先选优的依据).

A snapshot freezes, for a year or a quarter, what the rules engine (:mod:`pipelines.metrics`) says at
that moment: the full ranking with its components, eligibility and the activities behind every
three-strikes decision, the quorum failures, the members who missed activities (by branch), the
recommended list and the best-case candidates. Beside them it keeps the rules configuration in force
(``Rules.to_json()``), a fingerprint of the data (the live uploads with their SHA-256 and a content hash
of the live fact rows), who took it and when.

Everything is stored as JSON rows, exactly as computed then, so neither later uploads, corrections, rule
changes nor a later change of this code can alter it. A snapshot is never edited: a newer one of the
same period supersedes it; deleting one needs the committee role and is recorded in the audit log.

:func:`check` recomputes the ranking from the current data with the *stored* configuration and says
whether it still matches; if not, it names the uploads added, replaced or undone since and the branches
whose rank would move. :func:`compare` shows rank and score movement between two snapshots.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import access, clock, db, metrics
from pipelines.audit import record
from pipelines.config import SPEC, Rules, build_rules, load_rules
from pipelines.errors import PartydayError, error
from pipelines.i18n import DEFAULT_LANG, t

PARTS = ("ranking", "strikes", "quorum_failures", "absentees", "recommended", "best_cases")
# The ranking fields whose change means a snapshot no longer matches (scores compared to 6 places).
RANK_FIELDS = ("rank", "zone_rank", "eligible", "too_little_data")
SCORE_PLACES = 6
# What a snapshot keeps of each member who missed activities (the rules engine's ``members`` columns).
ABSENTEE_FIELDS = ("member_id", "name", "member_kind", "expected", "present", "excused", "unexcused", "made_up",
                   "exempt", "participation", "warning_in_a_row", "warning_per_year", "warning")

Row = dict[str, Any]


# ---------------------------------------------------------------------------------------------------
# Pure pieces


def frame_rows(frame: pl.DataFrame) -> list[Row]:
    """A frame as JSON-ready rows (dates as ``YYYY-MM-DD`` text, structs as objects)."""
    if frame.height == 0:
        return []
    rows: list[Row] = json.loads(frame.write_json())
    return rows


def result_rows(result: Any) -> list[Row]:
    """The rows of an executed DuckDB query, JSON-ready like :func:`frame_rows`."""
    columns = [d[0] for d in result.description]
    rows = [dict(zip(columns, values, strict=True)) for values in result.fetchall()]
    loaded: list[Row] = json.loads(json.dumps(rows, ensure_ascii=False, default=_jsonable))
    return loaded


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def rules_from_json(text: str) -> Rules:
    """The configuration a snapshot stored, checked again; keys this program no longer knows are
    dropped and keys added since take their defaults, so an old snapshot can always be checked."""
    tree = json.loads(text)
    flat = {f"{section}.{name}": value for section, table in tree.items() for name, value in table.items()
            if f"{section}.{name}" in SPEC}
    return build_rules(flat)


def zone_order(rows: Iterable[Row]) -> list[Any]:
    """The zones named in ``rows`` in the committee's order (by zone id, as the zone division lists
    them), zones without an id after, by name."""
    first: dict[Any, float] = {}
    for r in rows:
        zone = r.get("zone")
        if zone is None:
            continue
        zone_id = r.get("zone_id")
        key = float(zone_id) if zone_id is not None else math.inf
        first[zone] = min(first.get(zone, math.inf), key)
    return sorted(first, key=lambda z: (first[z], str(z)))


def _count_for(group_size: int, rules: Rules) -> int:
    count = int(rules.get("ranking.recommend_count"))
    if count > 0:
        return min(count, group_size)
    share = float(rules.get("ranking.recommend_share"))
    return min(group_size, math.ceil(share * group_size - 1e-9))


def _rankable(row: Row) -> bool:
    return bool(row.get("eligible")) and not row.get("too_little_data") and row.get("rank") is not None


def recommended(ranking: list[Row], rules: Rules) -> list[Row]:
    """The recommended list: per zone and overall, the top eligible branches with enough data.

    How many: ``ranking.recommend_count`` when above 0, else ``ranking.recommend_share`` of the
    branches of the group (rounded up). A tie at the last place takes every branch sharing it.
    """
    out: list[Row] = []
    groups: list[tuple[str, str | None, list[Row], str]] = [("overall", None, ranking, "rank")]
    zones = zone_order(ranking)
    groups += [("zone", z, [r for r in ranking if r.get("zone") == z], "zone_rank") for z in zones]
    for scope, zone, members, rank_key in groups:
        candidates = sorted((r for r in members if _rankable(r) and r.get(rank_key) is not None),
                            key=lambda r: (r[rank_key], str(r.get("branch"))))
        n = _count_for(len(members), rules)
        if n <= 0 or not candidates:
            continue
        cutoff = candidates[min(n, len(candidates)) - 1][rank_key]
        for place, row in enumerate((r for r in candidates if r[rank_key] <= cutoff), start=1):
            out.append({"scope": scope, "zone_scope": zone, "place": place, "rank": row[rank_key],
                        "branch": row.get("branch"), "branch_id": row.get("branch_id"),
                        "zone": row.get("zone"), "score": row.get("score")})
    return out


def best_cases(events: list[Row], rules: Rules) -> list[Row]:
    """Candidates for 最佳主题党日活动案例: the ``ranking.best_case_count`` best-rated activities
    (highest satisfaction, then more ballots, then earlier), each activity once."""
    seen: set[Any] = set()
    rated = sorted((e for e in events if e.get("satisfaction") is not None),
                   key=lambda e: (-float(e["satisfaction"]), -int(e.get("ballots") or 0),
                                  str(e.get("date") or e.get("month") or ""), str(e.get("branch"))))
    out: list[Row] = []
    for event in rated:
        key = event.get("activity_id", (event.get("branch"), event.get("date"), event.get("topic")))
        if key in seen:
            continue
        seen.add(key)
        out.append(event)
        if len(out) >= int(rules.get("ranking.best_case_count")):
            break
    return out


def quorum_failures(events: list[Row], quarter: int | None) -> list[Row]:
    """The activities (per branch) that missed the quorum, within the quarter when one is given."""
    return [e for e in events if e.get("quorum_met") is False and in_quarter(e, quarter)]


def in_quarter(event: Row, quarter: int | None) -> bool:
    """Whether an event row (``month`` as ``YYYY-MM``) falls in ``quarter`` (``None``: any)."""
    if quarter is None:
        return True
    month = str(event.get("month") or event.get("date") or "")
    if len(month) < 7:
        return False
    return (int(month[5:7]) - 1) // 3 + 1 == quarter


def _same_score(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return round(float(a), SCORE_PLACES) == round(float(b), SCORE_PLACES)


def movement(then: list[Row], now: list[Row]) -> list[Row]:
    """Per branch, how rank, rank in zone, score and eligibility differ between two rankings; only the
    branches where something differs, in the order of the first ranking."""
    by_now = {r.get("branch"): r for r in now}
    by_then = {r.get("branch"): r for r in then}
    out: list[Row] = []
    names = [r.get("branch") for r in then] + [r.get("branch") for r in now if r.get("branch") not in by_then]
    for name in names:
        a, b = by_then.get(name, {}), by_now.get(name, {})
        changed = (not a or not b or any(a.get(k) != b.get(k) for k in RANK_FIELDS)
                   or not _same_score(a.get("score"), b.get("score")))
        if not changed:
            continue
        out.append(_move_row(name, a, b))
    return out


def _move_row(name: Any, a: Row, b: Row) -> Row:
    rank_a, rank_b = a.get("rank"), b.get("rank")
    score_a, score_b = a.get("score"), b.get("score")
    return {
        "branch": name,
        "zone": b.get("zone", a.get("zone")),
        "rank_then": rank_a, "rank_now": rank_b,
        "rank_change": (rank_a - rank_b) if rank_a is not None and rank_b is not None else None,
        "zone_rank_then": a.get("zone_rank"), "zone_rank_now": b.get("zone_rank"),
        "score_then": score_a, "score_now": score_b,
        "score_change": (round(score_b - score_a, SCORE_PLACES)
                         if score_a is not None and score_b is not None else None),
        "eligible_then": a.get("eligible"), "eligible_now": b.get("eligible"),
        "too_little_data_then": a.get("too_little_data"), "too_little_data_now": b.get("too_little_data"),
    }


def fingerprint_digest(uploads: list[Row], facts: list[Row]) -> str:
    """The SHA-256 that stands for the data: the uploads (id and SHA-256) and the fact-table hashes."""
    payload = json.dumps({"uploads": [[u["upload_id"], u["sha256"]] for u in uploads], "facts": facts},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upload_changes(stored: list[Row], current: list[Row]) -> Row:
    """Uploads added since a snapshot, those of its uploads replaced by a later correction, and those
    undone since (or no longer present)."""
    stored_ids = {u["upload_id"] for u in stored}
    by_id = {u["upload_id"]: u for u in current}
    added = [_upload_brief(u) for u in current if u["status"] == "loaded" and u["upload_id"] not in stored_ids]
    replaced, undone = [], []
    for old in stored:
        now = by_id.get(old["upload_id"])
        if now is None or now["status"] != "loaded":
            undone.append({**_upload_brief(old), "undone_at": now and now.get("undone_at"),
                           "undone_by": now and now.get("undone_by")})
            continue
        by = [i for i in now.get("replaced_by") or [] if i not in stored_ids]
        if by:
            replaced.append({**_upload_brief(old), "replaced_by": by})
    return {"added": added, "replaced": replaced, "undone": undone}


def _upload_brief(u: Row) -> Row:
    keys = ("upload_id", "file_name", "sha256", "kind", "branch", "uploaded_at", "uploaded_by")
    return {k: u.get(k) for k in keys}


# ---------------------------------------------------------------------------------------------------
# Reading the database


def current_uploads(con: Any) -> list[Row]:
    """Every upload with its status and the later uploads that replaced its rows."""
    rows = result_rows(db.query(con, "snapshot_uploads"))
    return rows


def fact_hashes(con: Any) -> list[Row]:
    """Per table, the live row count and a content hash (see ``sql/snapshot_facts.sql``)."""
    return result_rows(db.query(con, "snapshot_facts"))


def _committee_name(con: Any) -> str | None:
    row = con.execute("select name from committee order by committee_id limit 1").fetchone()
    return str(row[0]) if row else None


def compute(con: Any, rules: Rules, year: int, quarter: int | None = None,
            today: dt.date | None = None) -> dict[str, list[Row]]:
    """Every part a snapshot stores, from :mod:`pipelines.metrics` on the data of ``con``, as of
    ``today`` (which months of a running year count)."""
    ranking = frame_rows(metrics.ranking(con, rules, year, quarter=quarter, today=today))
    strikes = frame_rows(metrics.strikes(con, rules, year))
    events = frame_rows(metrics.events(con, rules, year))
    absentees: list[Row] = []
    for row in ranking:
        members = frame_rows(metrics.members(con, rules, row["branch"], year))
        for m in members:
            if (m.get("excused") or 0) + (m.get("unexcused") or 0) > 0:
                absentees.append({"branch": row["branch"], "branch_id": row.get("branch_id"),
                                  "zone": row.get("zone"), **{k: m.get(k) for k in ABSENTEE_FIELDS if k in m}})
    period_events = [e for e in events if in_quarter(e, quarter)]
    if not ranking:
        raise PartydayError(error("snapshots.no_branches", year=year))
    if not period_events:
        code = "snapshots.no_activities_quarter" if quarter else "snapshots.no_activities_year"
        raise PartydayError(error(code, year=year, quarter=quarter))
    return {
        "ranking": ranking,
        "strikes": strikes,
        "quorum_failures": quorum_failures(events, quarter),
        "absentees": absentees,
        "recommended": recommended(ranking, rules),
        "best_cases": best_cases(period_events, rules),
    }


def as_of(head: Row) -> dt.date:
    """The day a snapshot was computed as of (its date of taking): a running year counts the months
    complete by then, so the check recomputes as of the same day."""
    return dt.date.fromisoformat(str(head["taken_at"])[:10])


def _header(con: Any, snapshot_id: int) -> Row:
    rows = result_rows(con.execute(
        "select * from (" + db.sql("snapshot_list") + ") where id = $id", {"id": snapshot_id}))
    if not rows:
        raise PartydayError(error("snapshots.not_found", id=snapshot_id))
    return rows[0]


def _stored(con: Any, snapshot_id: int) -> tuple[Row, Row]:
    head = _header(con, snapshot_id)
    raw = con.execute("select rules_json, uploads_json, facts_json from snapshots where snapshot_id = ?",
                      [snapshot_id]).fetchone()
    assert raw is not None
    parts = {p: json.loads(text) for p, text in con.execute(
        "select part, rows_json from snapshot_parts where snapshot_id = ?", [snapshot_id]).fetchall()}
    head["rules"] = json.loads(raw[0])
    head["uploads"] = json.loads(raw[1])
    head["facts"] = json.loads(raw[2])
    return head, {p: parts.get(p, []) for p in PARTS}


def _user(user: access.User | None) -> access.User:
    return user if user is not None else access.OPERATOR


def _member_scope(con: Any, user: access.User, rows: list[Row]) -> list[Row]:
    scope = access.member_branch_ids(con, user)
    return [r for r in rows if access.in_scope(scope, r.get("branch_id"))]


# ---------------------------------------------------------------------------------------------------
# What the pages and the command line call


def take(path: str | Path | None, *, year: int, quarter: int | None = None, name: str | None = None,
         note: str | None = None, user: access.User | None = None, lang: str = DEFAULT_LANG) -> Row:
    """Take a snapshot of the ranking of ``year`` (or one quarter) as ``user`` (committee only).

    Computed and stored inside one write transaction, so it reflects exactly one state of the data.
    Returns the stored header (``id``, ``name``, ``year``, ``quarter``, ``taken_by``, ``taken_at``,
    ``fingerprint``, counts per part).
    """
    actor = _user(user)
    access.require_committee(actor, "snapshots")
    if quarter is not None and not 1 <= quarter <= 4:
        raise PartydayError(error("snapshots.bad_quarter", quarter=quarter))
    if not name:
        name = (t("snapshots.default_name_quarter", lang, year=year, quarter=quarter) if quarter
                else t("snapshots.default_name_year", lang, year=year))
    with db.writing(path) as con:
        rules = load_rules(con)
        taken_at = clock.now()
        parts = compute(con, rules, year, quarter, taken_at.date())
        uploads = [_upload_brief(u) | {"branch_id": u.get("branch_id")}
                   for u in current_uploads(con) if u["status"] == "loaded"]
        facts = fact_hashes(con)
        digest = fingerprint_digest(uploads, facts)
        row = con.execute(
            "insert into snapshots (name, note, year, quarter, committee_name, taken_by, taken_at, rules_json,"
            " uploads_json, facts_json, fingerprint) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning snapshot_id",
            [name, note, year, quarter, _committee_name(con), actor.name, taken_at, rules.to_json(),
             json.dumps(uploads, ensure_ascii=False), json.dumps(facts, ensure_ascii=False), digest],
        ).fetchone()
        assert row is not None
        snapshot_id = int(row[0])
        for part in PARTS:
            con.execute("insert into snapshot_parts (snapshot_id, part, rows_json) values (?, ?, ?)",
                        [snapshot_id, part, json.dumps(parts[part], ensure_ascii=False)])
        record(con, actor.name, "snapshot.create", str(snapshot_id),
               {"name": name, "year": year, "quarter": quarter, "fingerprint": digest})
        head = _header(con, snapshot_id)
    return {**head, "counts": {p: len(parts[p]) for p in PARTS}}


def list_snapshots(path: str | Path | None, *, user: access.User | None = None) -> list[Row]:
    """Every snapshot, newest first, each with ``superseded_by`` (the next one of its period, or null)."""
    access.require_page(_user(user), "snapshots")
    db.ensure_schema(db.db_path(path))
    with db.reading(path) as con:
        return result_rows(db.query(con, "snapshot_list"))


def show(path: str | Path | None, snapshot_id: int, *, user: access.User | None = None) -> Row:
    """One snapshot exactly as stored: header, rules, fingerprint (uploads, fact hashes) and every part.
    Member-level rows (absentees) are limited to the branches ``user`` may see in detail."""
    access.require_page(_user(user), "snapshots")
    db.ensure_schema(db.db_path(path))
    with db.reading(path) as con:
        head, parts = _stored(con, snapshot_id)
        parts["absentees"] = _member_scope(con, _user(user), parts["absentees"])
    return {**head, **parts}


def check(path: str | Path | None, snapshot_id: int, *, user: access.User | None = None) -> Row:
    """Recompute the ranking from the current data with the snapshot's stored configuration.

    Returns ``matches`` (the ranking is the same), ``data_changed`` (the fingerprint differs),
    ``rules_changed`` (the configuration in force now differs from the stored one, which the check
    ignores), ``uploads`` (``added``, ``replaced``, ``undone`` since) and ``moved``: the branches whose
    rank, rank in zone, score or eligibility would change.
    """
    access.require_page(_user(user), "snapshots")
    db.ensure_schema(db.db_path(path))
    with db.reading(path) as con:
        head, parts = _stored(con, snapshot_id)
        rules = rules_from_json(json.dumps(head["rules"]))
        now = frame_rows(metrics.ranking(con, rules, head["year"], quarter=head["quarter"],
                                         today=as_of(head)))
        current = current_uploads(con)
        facts = fact_hashes(con)
        rules_now = load_rules(con)
    live = [u for u in current if u["status"] == "loaded"]
    digest_now = fingerprint_digest(live, facts)
    moved = movement(parts["ranking"], now)
    return {
        "id": snapshot_id,
        "name": head["name"],
        "year": head["year"],
        "quarter": head["quarter"],
        "matches": not moved,
        "data_changed": digest_now != head["fingerprint"],
        "rules_changed": json.loads(rules_now.to_json()) != head["rules"],
        "fingerprint": head["fingerprint"],
        "fingerprint_now": digest_now,
        "uploads": upload_changes(head["uploads"], current),
        "moved": moved,
        "rank_moved": [m["branch"] for m in moved if m["rank_then"] != m["rank_now"]
                       or m["zone_rank_then"] != m["zone_rank_now"]],
        "checked_at": clock.now().isoformat(sep=" "),
    }


def compare(path: str | Path | None, first_id: int, second_id: int, *, user: access.User | None = None) -> Row:
    """Rank and score movement per branch and per zone from snapshot ``first_id`` to ``second_id``."""
    access.require_page(_user(user), "snapshots")
    db.ensure_schema(db.db_path(path))
    with db.reading(path) as con:
        head_a, parts_a = _stored(con, first_id)
        head_b, parts_b = _stored(con, second_id)
    branches = [_move_row(r.get("branch"), r, _by_branch(parts_b["ranking"]).get(r.get("branch"), {}))
                for r in parts_a["ranking"]]
    seen = {r.get("branch") for r in parts_a["ranking"]}
    branches += [_move_row(r.get("branch"), {}, r) for r in parts_b["ranking"] if r.get("branch") not in seen]
    return {
        "first": {k: head_a[k] for k in ("id", "name", "year", "quarter", "taken_at", "fingerprint")},
        "second": {k: head_b[k] for k in ("id", "name", "year", "quarter", "taken_at", "fingerprint")},
        "same_rules": head_a["rules"] == head_b["rules"],
        "branches": branches,
        "zones": zone_movement(parts_a["ranking"], parts_b["ranking"]),
    }


def _by_branch(rows: Iterable[Row]) -> dict[Any, Row]:
    return {r.get("branch"): r for r in rows}


def zone_movement(first: list[Row], second: list[Row]) -> list[Row]:
    """Per zone: branches, mean score and best rank in each snapshot, and how the mean moved."""

    def summary(rows: list[Row]) -> dict[Any, Row]:
        out: dict[Any, Row] = {}
        for zone in {r.get("zone") for r in rows}:
            members = [r for r in rows if r.get("zone") == zone]
            scores = [float(r["score"]) for r in members if r.get("score") is not None]
            ranks = [int(r["rank"]) for r in members if r.get("rank") is not None]
            out[zone] = {"branches": len(members),
                         "mean_score": round(sum(scores) / len(scores), SCORE_PLACES) if scores else None,
                         "best_rank": min(ranks) if ranks else None}
        return out

    a, b = summary(first), summary(second)
    rows = []
    for zone in zone_order([*first, *second]):
        sa, sb = a.get(zone, {}), b.get(zone, {})
        mean_a, mean_b = sa.get("mean_score"), sb.get("mean_score")
        rows.append({"zone": zone, "branches_first": sa.get("branches"), "branches_second": sb.get("branches"),
                     "mean_score_first": mean_a, "mean_score_second": mean_b,
                     "mean_score_change": (round(mean_b - mean_a, SCORE_PLACES)
                                           if mean_a is not None and mean_b is not None else None),
                     "best_rank_first": sa.get("best_rank"), "best_rank_second": sb.get("best_rank")})
    return rows


def delete(path: str | Path | None, snapshot_id: int, *, user: access.User | None = None) -> Row:
    """Delete a snapshot (committee only); the audit log keeps what it was. Returns its header."""
    actor = _user(user)
    access.require_committee(actor, "snapshots")
    with db.writing(path) as con:
        head = _header(con, snapshot_id)
        con.execute("delete from snapshot_parts where snapshot_id = ?", [snapshot_id])
        con.execute("delete from snapshots where snapshot_id = ?", [snapshot_id])
        record(con, actor.name, "snapshot.delete", str(snapshot_id),
               {k: head[k] for k in ("name", "year", "quarter", "taken_by", "taken_at", "fingerprint")})
    return head


def check_summary(result: Row, lang: str = DEFAULT_LANG) -> str:
    """The result of :func:`check` as sentences a committee member reads (command line and page)."""
    lines = [t("snapshots.check.matches" if result["matches"] else "snapshots.check.differs", lang, **result)]
    lines.append(t("snapshots.check.data_changed" if result["data_changed"] else "snapshots.check.data_same",
                   lang))
    if result["rules_changed"]:
        lines.append(t("snapshots.check.rules_changed", lang))
    changes = result["uploads"]
    for u in changes["added"]:
        lines.append(t("snapshots.check.added", lang, **u))
    for u in changes["replaced"]:
        lines.append(t("snapshots.check.replaced", lang, **{**u, "replaced_by": ", ".join(map(str, u["replaced_by"]))}))
    for u in changes["undone"]:
        lines.append(t("snapshots.check.undone", lang, **u))
    for m in result["moved"]:
        lines.append(t("snapshots.check.moved", lang, **{k: shown(v) for k, v in m.items()}))
    return "\n".join(lines)


def shown(value: Any) -> str:
    """A value for a sentence: ``—`` when unknown, rates and scores to two places."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
