"""The stored column mappings (table ``column_mappings``): found by branch, saved after the load they
were taught with, listed, edited and deleted by the committee; every change in the audit log, in the
same transaction.

A secretary creates a mapping for her own branch by confirming an upload with it (the load decides
the branch, and the load is refused for any other); editing and deleting are for the committee.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines import access, db
from pipelines.access import User
from pipelines.audit import record
from pipelines.errors import PartydayError, error
from pipelines.i18n import t
from pipelines.ingest.mapping import KIND_FIELDS, Mapping, check, from_row, with_name
from pipelines.ingest.vocab import norm


def stored(con: Any, branch_ids: set[int] | None) -> list[Mapping]:
    """The mappings of ``branch_ids`` (None: every branch), by branch and name."""
    ids = None if branch_ids is None else sorted(branch_ids)
    rows = db.query(con, "column_mappings", branch_ids=ids).fetchall()
    return [from_row(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[-1]) for r in rows]


def by_name(con: Any, name: str) -> Mapping:
    """The mapping called ``name``; refused with a message listing how to see them when there is none."""
    for m in stored(con, None):
        if m.name == name:
            return m
    raise PartydayError(error("ingest.mapping.unknown", name=name))


def _row(con: Any, mapping_id: int) -> dict[str, Any] | None:
    for r in _listed(con, None):
        if r["id"] == mapping_id:
            return r
    return None


def _listed(con: Any, branch_ids: set[int] | None) -> list[dict[str, Any]]:
    ids = None if branch_ids is None else sorted(branch_ids)
    rel = db.query(con, "column_mappings", branch_ids=ids)
    names = [d[0] for d in rel.description]
    out = []
    for r in rel.fetchall():
        row = dict(zip(names, r, strict=True))
        m = from_row(*r[:7])
        out.append({**m.to_json(), "branch": row["branch_name"], "created_by": row["created_by"],
                    "created_at": row["created_at"].isoformat(sep=" ", timespec="seconds"),
                    "updated_by": row["updated_by"],
                    "updated_at": row["updated_at"].isoformat(sep=" ", timespec="seconds")
                    if row["updated_at"] else None})
    return out


def _check_name(con: Any, name: str, mapping_id: int | None) -> None:
    if not name.strip():
        raise PartydayError(error("ingest.mapping.bad_name"))
    for m in stored(con, None):
        if m.name == name and m.mapping_id != mapping_id:
            raise PartydayError(error("ingest.mapping.name_taken", name=name))


def remember(con: Any, mapping: Mapping, branch_id: int, branch_name: str, actor: str | None) -> Mapping:
    """Store ``mapping`` for ``branch_id`` inside the caller's transaction (the load it was taught with).

    The same branch and header shape taught again replaces the words and columns of the one stored.
    """
    same = next((m for m in stored(con, {branch_id}) if m.fingerprint == mapping.fingerprint), None)
    spec = json.dumps(mapping.spec(), ensure_ascii=False, sort_keys=True)
    if same is not None:
        name = mapping.name or same.name or ""
        _check_name(con, name, same.mapping_id)
        db.query(con, "column_mapping_update", mapping_id=same.mapping_id, mapping_name=name,
                 header_row=mapping.header_row, spec=spec, actor=actor)
        record(con, actor, "mapping.update", name, {"branch": branch_name, "fingerprint": mapping.fingerprint,
                                                     **mapping.spec()})
        return with_name(mapping, name, branch_id, same.mapping_id)
    name = mapping.name or default_name(branch_name, mapping)
    _check_name(con, name, None)
    (new_id,) = db.query(con, "column_mapping_insert", mapping_name=name, branch_id=branch_id, kind=mapping.kind,
                         fingerprint=mapping.fingerprint, header_row=mapping.header_row, spec=spec,
                         actor=actor).fetchone()
    record(con, actor, "mapping.create", name, {"branch": branch_name, "fingerprint": mapping.fingerprint,
                                                 **mapping.spec()})
    return with_name(mapping, name, branch_id, int(new_id))


def default_name(branch_name: str, mapping: Mapping) -> str:
    """The name a mapping gets when none is given: branch, kind and the start of its fingerprint."""
    return f"{branch_name}·{t(f'ingest.kind.{mapping.kind}', 'zh')}·{mapping.fingerprint[:6]}"


def list_mappings(db_path: str | Path | None, user: User) -> list[dict[str, Any]]:
    """The mappings ``user`` may see: the committee every branch's, a secretary her own branch's."""
    path = db.db_path(db_path)
    db.ensure_schema(path)
    with db.reading(path) as con:
        scope = access.upload_branch_ids(con, user)
        return _listed(con, scope)


def show(db_path: str | Path | None, name: str, user: User) -> dict[str, Any]:
    """One mapping by name, if ``user`` may see it."""
    for row in list_mappings(db_path, user):
        if row["name"] == name:
            return row
    raise PartydayError(error("ingest.mapping.unknown", name=name))


def update(db_path: str | Path | None, mapping_id: int, user: User, *, name: str, header_row: int,
           columns: dict[str, int], words: dict[str, str]) -> dict[str, Any]:
    """Edit a mapping (committee only): its name, header row (0-based), columns and taught words."""
    access.require_committee(user, "mappings")
    with db.writing(db.db_path(db_path)) as con:
        row = _row(con, mapping_id)
        if row is None:
            raise PartydayError(error("ingest.mapping.unknown", name=str(mapping_id)))
        if set(columns) - set(KIND_FIELDS[row["kind"]]):
            raise PartydayError(error("ingest.mapping.bad_spec"))
        check(row["kind"], columns, words)
        _check_name(con, name, mapping_id)
        spec = {"columns": {k: int(v) for k, v in columns.items()}, "words": {norm(w): m for w, m in words.items()}}
        db.query(con, "column_mapping_update", mapping_id=mapping_id, mapping_name=name, header_row=header_row,
                 spec=json.dumps(spec, ensure_ascii=False, sort_keys=True), actor=user.name)
        record(con, user.name, "mapping.update", name, {"branch": row["branch"], "was": row["name"], **spec})
        updated = _row(con, mapping_id)
    assert updated is not None
    return updated


def delete(db_path: str | Path | None, name: str, user: User) -> dict[str, Any]:
    """Delete a mapping by name (committee only); the next file of its layout is asked about again."""
    access.require_committee(user, "mappings")
    with db.writing(db.db_path(db_path)) as con:
        row = next((r for r in _listed(con, None) if r["name"] == name), None)
        if row is None:
            raise PartydayError(error("ingest.mapping.unknown", name=name))
        db.query(con, "column_mapping_delete", mapping_id=row["id"])
        record(con, user.name, "mapping.delete", name, {"branch": row["branch"], "fingerprint": row["fingerprint"]})
    return row
