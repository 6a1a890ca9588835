"""The one DuckDB file: where it is, how it is opened, migrated, read and written.

DuckDB lets one process write a file, or many read it, never both at once. Every process of ours
therefore goes through :func:`reading` (a shared lock) and :func:`writing` (an exclusive lock) on a
lock file beside the database: readers wait while a load runs and never see a half-loaded file; two
uploads at the same moment run one after the other. A write is one transaction that ends with
``CHECKPOINT``, so a process killed mid-load leaves the file as it was before.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from pipelines.errors import PartydayError, error

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "partyday.duckdb"
MIGRATIONS = Path(__file__).with_name("migrations")
SQL_DIR = Path(__file__).with_name("sql")
LOCK_TIMEOUT_S = float(os.environ.get("PARTYDAY_LOCK_TIMEOUT", "120"))


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` if given, else ``PARTYDAY_DB``, else ``data/partyday.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("PARTYDAY_DB")
    return Path(env) if env else DEFAULT_DB


def migrations() -> list[tuple[int, Path]]:
    """The numbered migration files, in order."""
    found = []
    for path in MIGRATIONS.glob("*.sql"):
        m = re.match(r"(\d+)_", path.name)
        if m:
            found.append((int(m.group(1)), path))
    return sorted(found)


def latest_version() -> int:
    """The schema version this program creates."""
    return migrations()[-1][0]


@contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PartydayError(error("db.locked", path=str(path), seconds=int(LOCK_TIMEOUT_S))) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "not a valid DuckDB database" in str(exc) or "database file" in str(exc).lower():
            raise PartydayError(error("db.not_duckdb", path=str(path))) from exc
        raise


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version recorded in the database, 0 for an empty file."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'schema_version'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = con.execute("select coalesce(max(version), 0) from schema_version").fetchone()
    return int(row[0]) if row else 0


BeforeUpgrade = Any  # callable(path, from_version) -> None, e.g. an automatic backup


_before_upgrade_hooks: list[Any] = []


def on_before_upgrade(hook: Any) -> None:
    """Register ``hook(path, from_version)`` to run before an existing database is upgraded."""
    _before_upgrade_hooks.append(hook)


def ensure_schema(path: Path | None = None, up_to: int | None = None) -> int:
    """Create or upgrade the database at ``path``; refuse one from a newer program. Returns the version.

    ``up_to`` stops at an older version (to build old databases for upgrade tests).
    """
    path = db_path(path)
    target = latest_version() if up_to is None else up_to
    if path.exists():
        with _locked(path, exclusive=False):
            con = _connect(path, read_only=True)
            try:
                found = schema_version(con)
            finally:
                con.close()
        if found > target:
            raise PartydayError(error("db.newer_schema", path=str(path), found=found, supported=target))
        if found == target:
            return found
        if found > 0:
            for hook in _before_upgrade_hooks:
                hook(path, found)
    with _locked(path, exclusive=True):
        con = _connect(path, read_only=False)
        try:
            found = schema_version(con)
            if found > target:
                raise PartydayError(error("db.newer_schema", path=str(path), found=found, supported=target))
            with transaction(con):
                con.execute(
                    "create table if not exists schema_version (version integer primary key, "
                    "name varchar, applied_at timestamp default current_timestamp)"
                )
                for version, mig in migrations():
                    if found < version <= target:
                        con.execute(mig.read_text(encoding="utf-8"))
                        con.execute("insert into schema_version (version, name) values (?, ?)", [version, mig.name])
            con.execute("checkpoint")
        finally:
            con.close()
    return target


@contextmanager
def reading(path: str | os.PathLike[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, held under the shared lock for the duration of the block."""
    p = db_path(path)
    with _locked(p, exclusive=False):
        con = _connect(p, read_only=True)
        try:
            yield con
        finally:
            con.close()


@contextmanager
def writing(path: str | os.PathLike[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """One write: exclusive lock, one transaction, ``CHECKPOINT``; rolled back whole on any error."""
    with write_session(path) as con, transaction(con):
        yield con


def sql(name: str) -> str:
    """The text of ``pipelines/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> Any:
    """Run ``pipelines/sql/<name>.sql`` with bound ``$params`` (only those the file uses); returns a relation."""
    text = sql(name)
    used = {p: v for p, v in params.items() if re.search(rf"\${re.escape(p)}\b", text)}
    return con.execute(text, used)


@contextmanager
def write_session(path: str | os.PathLike[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The exclusive lock and one connection for several writes in a row (a batch of uploads).

    Each write inside is its own ``with transaction(con):``; ``CHECKPOINT`` once at the end. Saves a
    connection and a checkpoint per write when thousands of workbooks are loaded one after another.
    """
    p = db_path(path)
    ensure_schema(p)
    with _locked(p, exclusive=True):
        con = _connect(p, read_only=False)
        try:
            yield con
            con.execute("checkpoint")
        finally:
            con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on a :func:`write_session` connection: committed whole or rolled back on any error."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
