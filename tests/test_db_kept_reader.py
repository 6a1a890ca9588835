"""The dashboard server keeps one read connection open between page views (``db.keep_readers_open``):
writers of any process still get the file promptly, and no read ever returns data older than the last
commit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from pipelines import db

WRITE_IN_ANOTHER_PROCESS = r"""
import sys, time
from pipelines import db
path, value, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
with db.writing(path) as con:
    con.execute("insert into t values (?)", [value])
    print("writing", flush=True)
    time.sleep(hold)
"""


@pytest.fixture()
def kept(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "kept.duckdb"
    with db.writing(path) as con:
        con.execute("create table t (x integer)")
    db.keep_readers_open()
    try:
        yield path
    finally:
        db.keep_readers_open(False)


def count(path: Path) -> int:
    with db.reading(path) as con:
        row = con.execute("select count(*) from t").fetchone()
    assert row is not None
    return int(row[0])


def writer(path: Path, value: int, hold: float = 0.0) -> subprocess.Popen[str]:
    env = dict(os.environ, PARTYDAY_LOCK_TIMEOUT="20")
    return subprocess.Popen([sys.executable, "-c", WRITE_IN_ANOTHER_PROCESS, str(path), str(value), str(hold)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_connection_stays_open_between_reads(kept: Path) -> None:
    assert count(kept) == 0
    held = db._kept[kept.resolve()]
    first = held.con
    assert first is not None
    assert count(kept) == 0
    assert held.con is first and held.users == 0


def test_a_writer_of_another_process_gets_the_file_and_the_next_read_sees_its_rows(kept: Path) -> None:
    assert count(kept) == 0
    for value in range(1, 4):
        started = time.monotonic()
        proc = writer(kept, value)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err  # it did not time out waiting for the kept connection
        assert time.monotonic() - started < 15
        assert count(kept) == value


def test_a_writer_of_this_process_gets_the_file_and_the_next_read_sees_its_rows(kept: Path) -> None:
    for value in range(1, 4):
        assert count(kept) == value - 1
        with db.writing(kept) as con:
            con.execute("insert into t values (?)", [value])
        assert count(kept) == value


def test_a_write_waits_for_the_running_read_and_the_read_sees_the_file_as_it_began(kept: Path) -> None:
    assert count(kept) == 0
    seen: dict[str, float] = {}

    def long_read() -> None:
        with db.reading(kept) as con:
            seen["inside"] = time.monotonic()
            time.sleep(0.6)
            row = con.execute("select count(*) from t").fetchone()
            seen["rows"] = row[0] if row else -1
            seen["read_done"] = time.monotonic()

    reader = threading.Thread(target=long_read)
    reader.start()
    while "inside" not in seen:
        time.sleep(0.01)
    with db.writing(kept) as con:
        seen["write_began"] = time.monotonic()
        con.execute("insert into t values (1)")
    reader.join()
    assert seen["rows"] == 0
    assert seen["write_began"] >= seen["read_done"]
    assert count(kept) == 1


def test_a_read_while_another_process_writes_waits_for_its_commit(kept: Path) -> None:
    assert count(kept) == 0
    proc = writer(kept, 7, hold=1.0)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"  # the other process holds the write now
    assert count(kept) == 1  # not the file as it was before the write
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_switched_off_reads_open_the_file_each_time(kept: Path) -> None:
    assert count(kept) == 0
    db.keep_readers_open(False)
    assert db._kept[kept.resolve()].con is None
    assert count(kept) == 0
    assert db._kept[kept.resolve()].con is None
