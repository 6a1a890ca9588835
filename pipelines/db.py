"""The one DuckDB file: where it is, how it is opened, migrated, read and written.

DuckDB lets one process write a file, or many read it, never both at once. Every process of ours
therefore goes through :func:`reading` (a shared lock) and :func:`writing` (an exclusive lock) on a
lock file beside the database: readers wait while a load runs and never see a half-loaded file; two
uploads at the same moment run one after the other. A write is one transaction that ends with
``CHECKPOINT``, so a process killed mid-load leaves the file as it was before.

Opening the file costs 15–20 ms at province scale (its catalog is read afresh), as much as a page's
query. A long-running reader, the dashboard server, therefore keeps one read connection open between
page views (:func:`keep_readers_open`) and lets go of it whenever a writer announces itself: a writer
first takes an *intent* lock beside the database, which the kept reader watches, closes within
:data:`KEPT_POLL_S` once no read is running, and reopens after the write, so it never serves a file
older than the last commit.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
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
KEPT_POLL_S = 0.05  # how often a kept read connection looks for a waiting writer


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


def _lock_fd(path: Path, suffix: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path.with_name(path.name + suffix), os.O_RDWR | os.O_CREAT, 0o644)


def _flock(fd: int, mode: int, path: Path, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise PartydayError(error("db.locked", path=str(path), seconds=int(LOCK_TIMEOUT_S))) from None
            time.sleep(0.02)


@contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[None]:
    """The shared (read) or exclusive (write) lock on ``<db>.lock``; a writer takes ``<db>.intent`` first
    and holds it to the end, which tells a kept reader to close (see :class:`_KeptReader`)."""
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    fds: list[int] = []
    try:
        if exclusive:
            fds.append(_lock_fd(path, ".intent"))
            _flock(fds[-1], fcntl.LOCK_EX, path, deadline)
            kept = _kept.get(path.resolve())
            if kept is not None:
                kept.close_for_writer(deadline)
        fds.append(_lock_fd(path, ".lock"))
        _flock(fds[-1], fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH, path, deadline)
        yield
    finally:
        for fd in reversed(fds):
            os.close(fd)  # closing releases the lock


class _KeptReader:
    """One read-only connection to a database file, kept open between reads in this process.

    It holds the shared lock while open. Each read gets a cursor of its own (DuckDB connections are
    not shared between threads). A watcher thread closes the connection as soon as a writer of any
    process holds ``<db>.intent`` and no read is running; a writer of this process closes it directly.
    The next read opens it again, after the write.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cond = threading.Condition()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.lock_fd: int | None = None
        self.users = 0
        self.closing = False
        self.intent_fd = _lock_fd(path, ".intent")
        threading.Thread(target=self._watch, name=f"kept reader {path.name}", daemon=True).start()

    def _writer_waiting(self) -> bool:
        try:
            fcntl.flock(self.intent_fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self.intent_fd, fcntl.LOCK_UN)
        return False

    def cursor(self) -> duckdb.DuckDBPyConnection | None:
        """A cursor on the kept connection (opened if need be), or None while a writer waits or writes."""
        with self.cond:
            if self.closing:
                return None
            if self.con is None:
                if self._writer_waiting():
                    return None
                fd = _lock_fd(self.path, ".lock")
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    self.con = _connect(self.path, read_only=True)
                except BaseException as exc:
                    os.close(fd)
                    if isinstance(exc, BlockingIOError):
                        return None
                    raise
                self.lock_fd = fd
            self.users += 1
            return self.con.cursor()

    def release(self, cur: duckdb.DuckDBPyConnection) -> None:
        cur.close()
        with self.cond:
            self.users -= 1
            if self.closing and self.users == 0:
                self._close()

    def close_for_writer(self, deadline: float) -> None:
        """Close now (for a writer of this process): wait for the running reads, then let go."""
        with self.cond:
            if self.con is None:
                return
            self.closing = True
            while self.users and self.cond.wait(max(0.0, deadline - time.monotonic())):
                pass
            if self.users:
                self.closing = False
                raise PartydayError(error("db.locked", path=str(self.path), seconds=int(LOCK_TIMEOUT_S)))
            self._close()

    def _close(self) -> None:
        if self.con is not None:
            self.con.close()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
        self.con, self.lock_fd, self.closing = None, None, False
        self.cond.notify_all()

    def _watch(self) -> None:
        while True:
            time.sleep(KEPT_POLL_S)
            with self.cond:
                if self.con is not None and not self.closing and self._writer_waiting():
                    self.closing = True
                    if self.users == 0:
                        self._close()


_kept: dict[Path, _KeptReader] = {}
_kept_guard = threading.Lock()
_keep_readers = False


def keep_readers_open(enabled: bool = True) -> None:
    """Keep one read connection per database file open between :func:`reading` calls of this process
    (the dashboard server; not the command line, whose processes read once). Writers of every process
    still get the file: a kept connection closes when one waits, and opens again after it. Switching
    it off closes the kept connections once their reads are done."""
    global _keep_readers
    _keep_readers = enabled
    if not enabled:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        with _kept_guard:
            for kept in _kept.values():
                kept.close_for_writer(deadline)


def _kept_reader(path: Path) -> _KeptReader | None:
    if not _keep_readers or not path.exists():
        return None
    key = path.resolve()
    with _kept_guard:
        kept = _kept.get(key)
        if kept is None:
            kept = _kept[key] = _KeptReader(key)
        return kept


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
    """A read-only connection, held under the shared lock for the duration of the block (a cursor on
    the kept connection when :func:`keep_readers_open` is on and no writer is waiting)."""
    p = db_path(path)
    kept = _kept_reader(p)
    cur = kept.cursor() if kept is not None else None
    if kept is not None and cur is not None:
        try:
            yield cur
        finally:
            kept.release(cur)
        return
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
