"""Backups that do not depend on the DuckDB file format, and restoring them.

A backup is a folder: one Parquet file per table plus ``manifest.json`` (schema version, program
version, per table the row count, columns and the file's sha256, and the position of each id sequence).
It is taken with one read-only connection under the shared lock, so it is one consistent state: no
load can run half-way through it. Restoring checks every checksum and row count first, builds the new
database beside the target and swaps it in with one rename, so a failed restore changes nothing.

Importing this module registers an automatic backup before every schema upgrade, written to
``backups/<name>-pre-upgrade-v<N>-<time>/`` beside the database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines import __version__, db
from pipelines.errors import PartydayError, error

FORMAT = "partyday-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _tables(con: Any) -> list[str]:
    rows = con.execute("""
        select table_name from information_schema.tables
        where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name
    """).fetchall()
    return [str(r[0]) for r in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def export(con: Any, out_dir: Path) -> dict[str, Any]:
    """Write every table of ``con`` to ``out_dir`` as Parquet with a manifest; returns the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    for name in _tables(con):
        file = out_dir / f"{name}.parquet"
        con.execute(f"copy (select * from {_quote(name)}) to '{_sql_text(file)}' (format parquet)")
        rows = con.execute(f"select count(*) from {_quote(name)}").fetchone()
        columns = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'main' and table_name = ? order by ordinal_position", [name]).fetchall()
        tables[name] = {"file": file.name, "rows": int(rows[0]) if rows else 0, "sha256": _sha256(file),
                        "columns": [[c[0], c[1]] for c in columns]}
    sequences = {str(r[0]): (int(r[1]) if r[1] is not None else None)
                 for r in con.execute("select sequence_name, last_value from duckdb_sequences()").fetchall()}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": db.schema_version(con),
                "program_version": __version__, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "tables": tables, "sequences": sequences}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def backup(db_path: str | os.PathLike[str] | None, out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """A consistent backup of the database into the new or empty folder ``out_dir``; returns the manifest."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise PartydayError(error("backup.out_not_empty", path=str(out)))
    path = db.db_path(db_path)
    if not path.exists():
        raise PartydayError(error("backup.no_database", path=str(path)))
    with db.reading(path) as con:
        return export(con, out)


def backup_zip(db_path: str | os.PathLike[str] | None) -> bytes:
    """A backup as the bytes of one .zip file (the committee page's download)."""
    with tempfile.TemporaryDirectory(prefix="partyday-backup-") as tmp:
        folder = Path(tmp) / "backup"
        backup(db_path, folder)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in sorted(folder.iterdir()):
                zf.write(file, file.name)
        return buffer.getvalue()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder, after checking that every file is there with its checksum."""
    file = folder / MANIFEST
    if not file.exists():
        raise PartydayError(error("backup.no_manifest", path=str(folder)))
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PartydayError(error("backup.bad_manifest", path=str(file), why=str(exc))) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PartydayError(error("backup.bad_manifest", path=str(file), why="format"))
    if int(manifest.get("schema_version", 0)) > db.latest_version():
        raise PartydayError(error("db.newer_schema", path=str(folder), found=manifest["schema_version"],
                                  supported=db.latest_version()))
    for name, table in manifest["tables"].items():
        data = folder / table["file"]
        if not data.exists():
            raise PartydayError(error("backup.missing_file", table=name, file=str(data)))
        if _sha256(data) != table["sha256"]:
            raise PartydayError(error("backup.bad_checksum", table=name, file=str(data)))
    return dict(manifest)


def _create_schema(con: Any, version: int) -> None:
    con.execute("create table schema_version (version integer primary key, name varchar, "
                "applied_at timestamp default current_timestamp)")
    for number, mig in db.migrations():
        if number <= version:
            con.execute(mig.read_text(encoding="utf-8"))
            con.execute("insert into schema_version (version, name) values (?, ?)", [number, mig.name])


def _load(con: Any, folder: Path, manifest: dict[str, Any]) -> None:
    present = set(_tables(con))
    for name, table in manifest["tables"].items():
        if name == "schema_version":
            continue
        if name not in present:
            raise PartydayError(error("backup.unknown_table", table=name))
        file = _sql_text(folder / table["file"])
        con.execute(f"delete from {_quote(name)}")  # rows a migration seeds are in the backup too
        con.execute(f"insert into {_quote(name)} by name select * from read_parquet('{file}')")
        rows = con.execute(f"select count(*) from {_quote(name)}").fetchone()
        if not rows or int(rows[0]) != int(table["rows"]):
            raise PartydayError(error("backup.bad_rows", table=name, found=rows[0] if rows else 0,
                                      expected=table["rows"]))
    for seq, last in manifest.get("sequences", {}).items():
        row = con.execute("select last_value from duckdb_sequences() where sequence_name = ?", [seq]).fetchone()
        if row is None or last is None:
            continue
        gap = int(last) - int(row[0] or 0)
        if gap > 0:
            con.execute(f"select max(nextval('{seq}')) from range({gap})")


def restore(source: str | os.PathLike[str], db_path: str | os.PathLike[str] | None) -> dict[str, Any]:
    """Replace the database at ``db_path`` with the backup in folder or .zip ``source``; returns the manifest.

    The current database (if any) is kept as ``<name>.before-restore-<time>`` beside it.
    """
    target = db.db_path(db_path)
    src = Path(source)
    if not src.exists():
        raise PartydayError(error("backup.no_manifest", path=str(src)))
    with tempfile.TemporaryDirectory(prefix="partyday-restore-", dir=target.parent if target.parent.exists()
                                     else None) as tmp:
        folder = src
        if src.is_file():
            folder = Path(tmp) / "unzipped"
            try:
                with zipfile.ZipFile(src) as zf:
                    for member in zf.namelist():
                        if "/" in member or "\\" in member or member.startswith("."):
                            raise PartydayError(error("backup.bad_manifest", path=str(src), why=member))
                    zf.extractall(folder)
            except zipfile.BadZipFile as exc:
                raise PartydayError(error("backup.bad_manifest", path=str(src), why="zip")) from exc
        manifest = read_manifest(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        building = target.with_name(target.name + ".restoring")
        building.unlink(missing_ok=True)
        import duckdb

        con = duckdb.connect(str(building))
        try:
            con.execute("begin transaction")
            _create_schema(con, int(manifest["schema_version"]))
            _load(con, folder, manifest)
            con.execute("commit")
            con.execute("checkpoint")
        except BaseException:
            con.close()
            building.unlink(missing_ok=True)
            raise
        con.close()
        with db._locked(target, exclusive=True):  # no connection may be open while the file is swapped
            if target.exists():
                shutil.move(str(target), str(target.with_name(f"{target.name}.before-restore-{_stamp()}")))
            wal = target.with_name(target.name + ".wal")
            if wal.exists():
                wal.unlink()
            os.replace(building, target)
    db.ensure_schema(target)
    return manifest


def before_upgrade(path: Path, from_version: int) -> None:
    """The automatic backup taken before an existing database is upgraded."""
    base = Path(path).parent / "backups" / f"{Path(path).stem}-pre-upgrade-v{from_version}-{_stamp()}"
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    backup(path, out)


db.on_before_upgrade(before_upgrade)
