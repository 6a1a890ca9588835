"""Two secretaries upload at the same moment while a leader reads: all succeed, nobody sees a half-loaded file,
and the result is the same as loading one after the other."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from pipelines import auth, db

pytestmark = pytest.mark.slow

# Facts as a person would compare them: by branch, date and member name, never by internal ids.
FACTS = {
    "attendance": """
        select b.name, a.activity_month, a.activity_date, m.name, t.status, t.made_up
        from attendance t join activities a using (activity_id) join branches b on b.branch_id = t.branch_id
        join members m using (member_id) where t.superseded_by is null order by all""",
    "votes": """
        select b.name, a.activity_month, a.activity_date, v.item, v.rating, sum(v.votes)
        from evaluation_votes v join activities a using (activity_id) join branches b on b.branch_id = a.host_branch_id
        where v.superseded_by is null group by all order by all""",
    "records": """
        select b.name, a.activity_month, r.topic, r.duration_hours, r.is_open_day
        from activity_records r join activities a using (activity_id) join branches b on b.branch_id = a.host_branch_id
        where r.superseded_by is null order by all""",
    "uploads": "select file_name, status, uploaded_by from uploads order by all",
}

# Rows per upload across the fact tables (superseded or not: a committed upload's rows never change in
# number until it is undone). A reader that saw part of a load would see an upload with fewer rows.
PER_UPLOAD = """
    select upload_id, count(*) as n from (
        select upload_id from memberships union all select upload_id from attendance
        union all select upload_id from evaluation_votes union all select upload_id from activity_records
        union all select upload_id from guest_attendance union all select upload_id from exemptions)
    where upload_id is not null group by all"""

READER = r"""
import json, sys, time
from pathlib import Path
from pipelines import db
path, stop, sql = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
db.keep_readers_open()  # as the dashboard server reads: one connection kept open, closed for each writer
seen = []
while not stop.exists():
    with db.reading(path) as con:
        rows = {str(u): n for u, n in con.execute(sql).fetchall()}
        loaded = {str(u) for (u,) in con.execute("select upload_id from uploads where status = 'loaded'").fetchall()}
    seen.append({"rows": rows, "loaded": sorted(loaded)})
    time.sleep(0.05)
print(json.dumps(seen))
"""


def per_upload(path: Path) -> dict[str, int]:
    with db.reading(path) as con:
        return {str(u): int(n) for u, n in con.execute(PER_UPLOAD).fetchall()}


def facts(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with db.reading(path) as con:
        return {name: con.execute(sql).fetchall() for name, sql in FACTS.items()}


def branch_files(workbooks: Path) -> dict[str, list[Path]]:
    """Each branch's monthly workbooks, in upload (date) order."""
    return {d.name: sorted(d.glob("*.xlsx")) for d in sorted((workbooks / "02_主题党日").iterdir()) if d.is_dir()}


def test_two_uploads_at_once_and_a_reader(roster_db: Path, demo_workbooks: Path, tmp_path: Path) -> None:
    from pipelines import ingest

    per_branch = branch_files(demo_workbooks)
    (a, files_a), (b, files_b) = list(per_branch.items())[:2]
    with db.writing(roster_db) as con:
        auth.create_user(con, "sec_a", "secretary", branch=a, password="secret-a-1")
        auth.create_user(con, "sec_b", "secretary", branch=b, password="secret-b-1")
    sequential = tmp_path / "sequential.duckdb"
    shutil.copy(roster_db, sequential)

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(roster_db), str(stop), PER_UPLOAD], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # the reader is reading before the uploads start
    uploads, started = [], []
    for user, files in (("sec_a", files_a), ("sec_b", files_b)):
        started.append(time.monotonic())
        uploads.append(subprocess.Popen([sys.executable, "-m", "pipelines", "--db", str(roster_db), "--as-user",
                                         user, "ingest", *map(str, files), "--json"], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    # Checked the moment the second upload is launched: the first is still under way.
    first_running_when_second_started = uploads[0].poll() is None
    outputs = [p.communicate(timeout=600) for p in uploads]
    stop.touch()
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    reads = json.loads(out)
    # Both uploads were under way at the same moment.
    assert started[1] - started[0] < 0.5 and first_running_when_second_started

    for proc, (stdout, stderr) in zip(uploads, outputs, strict=True):
        assert proc.returncode == 0, stderr
        assert {f["status"] for f in json.loads(stdout)["files"]} == {"loaded"}, stdout
    # The leader read all along and never saw a half-loaded file.
    final = per_upload(roster_db)
    assert len(reads) >= 3
    assert len({len(r["loaded"]) for r in reads}) > 1, "the reader read while the loads ran"
    for read in reads:
        assert {u: final.get(u) for u in read["rows"]} == read["rows"]
        assert set(read["rows"]) <= set(read["loaded"])
    assert [len(r["loaded"]) for r in reads] == sorted(len(r["loaded"]) for r in reads)

    # The same files loaded one after the other give the same facts.
    for files, user in ((files_a, "sec_a"), (files_b, "sec_b")):
        results = ingest.ingest_files(sequential, files, actor=user)
        assert {r.status for r in results} == {"loaded"}
    assert facts(roster_db) == facts(sequential)
    with db.reading(roster_db) as con:
        by = dict(con.execute("select uploaded_by, count(*) from uploads where kind is not null "
                              "and uploaded_by like 'sec_%' group by 1").fetchall())
    assert by == {"sec_a": len(files_a), "sec_b": len(files_b)}
