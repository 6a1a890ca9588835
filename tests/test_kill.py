"""A process killed (SIGKILL) in the middle of a load leaves the database as it was before that load, and
the next start opens it cleanly and loads the file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from pipelines import db

pytestmark = pytest.mark.slow

# Loads the files named on the command line; inside the load's transaction (where the derived figures
# are recomputed, after the rows are written) it signals the test and waits to be killed.
STALL_INSIDE_THE_TRANSACTION = r"""
import sys, time
from pathlib import Path
import pipelines.refresh as refresh_module
path, marker, ROWS, files = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
original = refresh_module.refresh
def stalled(con, *args, **kwargs):
    original(con, *args, **kwargs)
    marker.write_text(str(con.execute(ROWS).fetchone()[0]))
    time.sleep(600)
refresh_module.refresh = stalled
from pipelines.ingest import ingest_files
ingest_files(path, [Path(f) for f in files], actor="killed")
"""


# Rows a load writes; counted inside the stalled transaction and after the kill.
ROWS = """select (select count(*) from uploads) + (select count(*) from attendance)
    + (select count(*) from evaluation_votes) + (select count(*) from activity_records)"""


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with db.reading(path) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' order by 1").fetchall()]
        return {n: con.execute(f'select * from "{n}" order by all').fetchall() for n in names}


def monthly_files(workbooks: Path, branches: int = 1) -> list[Path]:
    """The monthly workbooks of the first ``branches`` branches, in date order per branch."""
    folders = sorted(d for d in (workbooks / "02_主题党日").iterdir() if d.is_dir())[:branches]
    return [f for d in folders for f in sorted(d.glob("*.xlsx"))]


def kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def test_killed_inside_the_transaction_leaves_the_database_as_before(roster_db: Path, demo_workbooks: Path,
                                                                     tmp_path: Path) -> None:
    from pipelines import ingest

    before = contents(roster_db)
    with db.reading(roster_db) as con:
        rows_before = con.execute(ROWS).fetchone()[0]
    # One file: its rows and the refresh of the derived figures share one transaction.
    files = monthly_files(demo_workbooks)[:1]
    marker = tmp_path / "inside"
    proc = subprocess.Popen([sys.executable, "-c", STALL_INSIDE_THE_TRANSACTION, str(roster_db), str(marker),
                             ROWS, *map(str, files)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.2)
    assert int(marker.read_text() or 0) > rows_before  # the first file's rows are written, not committed
    kill(proc)

    # The next start opens the file cleanly: the lock is free, the schema is current, nothing was loaded.
    assert db.ensure_schema(roster_db) == db.latest_version()
    assert contents(roster_db) == before
    results = ingest.ingest_files(roster_db, files, actor="after")
    assert [r.status for r in results] == ["loaded"] * len(files)


def stamp(path: Path) -> tuple[int, ...]:
    """What changes on disk when a write commits or checkpoints: the database file and its WAL."""
    out: list[int] = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
        except FileNotFoundError:
            out += [0, 0]
        else:
            out += [st.st_mtime_ns, st.st_size]
    return tuple(out)


@pytest.mark.parametrize("writes", [1, 6])
def test_killed_at_any_moment_leaves_whole_files_only(roster_db: Path, demo_workbooks: Path, writes: int) -> None:
    """Killed in the middle of a multi-file load, after it has written to disk ``writes`` times (so at a
    moment of reading, writing, committing or checkpointing): each file is either wholly there or not at
    all, and loading again completes the set."""
    from pipelines import ingest

    files = monthly_files(demo_workbooks, branches=3)  # about 70 files, several seconds
    proc = subprocess.Popen([sys.executable, "-m", "pipelines", "--db", str(roster_db), "ingest",
                             *map(str, files)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen, last, deadline = 0, stamp(roster_db), time.monotonic() + 120
    while seen < writes:
        assert proc.poll() is None, "the load finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
        now = stamp(roster_db)
        if now != last:
            seen, last = seen + 1, now
    time.sleep(0.05 * writes)
    assert proc.poll() is None, "the load finished before it could be killed"
    kill(proc)
    assert db.ensure_schema(roster_db) == db.latest_version()
    with db.reading(roster_db) as con:
        loaded = {r[0] for r in con.execute("select file_name from uploads where status = 'loaded'").fetchall()}
        without_rows = con.execute("""
            select count(*) from uploads u where u.status = 'loaded' and u.file_name like '%主题党日%'
              and not exists (select 1 from attendance t where t.upload_id = u.upload_id)
              and not exists (select 1 from evaluation_votes v where v.upload_id = u.upload_id)
              and not exists (select 1 from activity_records r where r.upload_id = u.upload_id)""").fetchone()
    assert without_rows == (0,)
    results = ingest.ingest_files(roster_db, files, actor="after")
    assert {r.status for r in results} <= {"loaded", "unchanged"}
    assert sum(r.status == "unchanged" for r in results) == len({f.name for f in files} & loaded)
