"""Backup → restore gives back identical data and figures; damaged backups are refused; upgrades back up first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import run_cli

from pipelines import auth, backup, db
from pipelines.errors import PartydayError


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order."""
    with db.reading(path) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' and table_name <> 'schema_version' order by 1").fetchall()]
        return {n: con.execute(f'select * from "{n}" order by all').fetchall() for n in names}


@pytest.fixture
def filled_db(org_db: Path) -> Path:
    """The small committee with one member, one activity, attendance, votes, an upload and a login."""
    with db.writing(org_db) as con:
        con.execute("insert into uploads (file_name, sha256, kind, branch_id, uploaded_by, status, summary) "
                    "values ('签到表.xlsx', 'abc', 'signin', 3, 'branch1', 'loaded', '{\"rows\": 2}')")
        con.execute("insert into members (name, member_kind) values ('张三', 'full'), ('李四', 'probationary')")
        con.execute("insert into memberships (member_id, branch_id, start_date) "
                    "select member_id, 3, date '2026-01-01' from members")
        con.execute("insert into activities (host_branch_id, activity_month, activity_date, topic) "
                    "values (3, date '2026-03-01', date '2026-03-15', '学习贯彻=SUM(A1)')")
        con.execute("insert into attendance (activity_id, member_id, branch_id, status, remark) "
                    "select a.activity_id, m.member_id, 3, case when m.name = '张三' then 'present' else 'excused' "
                    "end, '病假' from activities a, members m")
        con.execute("insert into evaluation_votes (activity_id, item, rating, votes) "
                    "select activity_id, 'overall', 'satisfied', 7 from activities")
    auth.login(org_db, "branch1", "demo1234")
    return org_db


def test_backup_then_restore_gives_identical_tables(filled_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    proc = run_cli("backup", "--out", out, "--json", db=filled_db)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == db.latest_version()
    assert manifest["tables"]["attendance"]["rows"] == 2
    assert manifest["tables"]["users"]["rows"] == 4
    assert len(manifest["tables"]["members"]["sha256"]) == 64
    # Parquet, readable without this program's database format.
    assert duckdb.connect().execute(f"select count(*) from read_parquet('{out / 'attendance.parquet'}')").fetchone() == (2,)

    restored = tmp_path / "restored.duckdb"
    proc = run_cli("restore", out, db=restored)
    assert proc.returncode == 0, proc.stderr
    assert contents(restored) == contents(filled_db)
    # Ids continue after the restored ones, and the restored accounts still sign in.
    with db.writing(restored) as con:
        con.execute("insert into members (name) values ('王五')")
        new_id, top = con.execute("select max(member_id) filter (where name = '王五'), "
                                  "max(member_id) filter (where name <> '王五') from members").fetchone()
    assert new_id > top
    assert auth.login(restored, "dangwei", "demo1234").user.role == "committee"


def test_restore_over_an_existing_database_keeps_the_old_file(filled_db: Path, tmp_path: Path) -> None:
    before = contents(filled_db)
    backup.backup(filled_db, tmp_path / "b")
    with db.writing(filled_db) as con:
        con.execute("delete from attendance")
    backup.restore(tmp_path / "b", filled_db)
    assert contents(filled_db) == before
    kept = list(filled_db.parent.glob(filled_db.name + ".before-restore-*"))
    assert len(kept) == 1
    con = duckdb.connect(str(kept[0]), read_only=True)
    assert con.execute("select count(*) from attendance").fetchone() == (0,)
    con.close()


def test_backup_zip_restores(filled_db: Path, tmp_path: Path) -> None:
    data = backup.backup_zip(filled_db)
    zipped = tmp_path / "backup.zip"
    zipped.write_bytes(data)
    target = tmp_path / "from-zip.duckdb"
    backup.restore(zipped, target)
    assert contents(target) == contents(filled_db)


def test_a_damaged_backup_is_refused_and_nothing_changes(filled_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    backup.backup(filled_db, out)
    before = contents(filled_db)
    data = bytearray((out / "attendance.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (out / "attendance.parquet").write_bytes(bytes(data))
    proc = run_cli("--lang", "en", "restore", out, db=filled_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"The file {out / 'attendance.parquet'} of table attendance does not match its checksum "
        "(damaged or altered); nothing was restored.")
    assert contents(filled_db) == before
    (out / "manifest.json").unlink()
    with pytest.raises(PartydayError) as caught:
        backup.restore(out, filled_db)
    assert caught.value.message("zh") == f"{out} 不是党日看板的备份：找不到 manifest.json。"


def test_backup_refuses_a_folder_that_is_not_empty(filled_db: Path, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    proc = run_cli("--lang", "en", "backup", "--out", tmp_path / "full", db=filled_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"The backup folder {tmp_path / 'full'} is not empty. Give a new or empty folder."


def test_only_the_committee_may_back_up_or_restore(filled_db: Path, tmp_path: Path) -> None:
    for args in (["backup", "--out", str(tmp_path / "x")], ["restore", str(tmp_path / "x")]):
        proc = run_cli("--lang", "en", "--as-user", "branch1", *args, db=filled_db)
        assert proc.returncode == 1
        assert proc.stderr.strip() == (
            f'User branch1 (role secretary) may not do "{args[0]}": only committee accounts may.')
    assert not (tmp_path / "x").exists()


def test_a_backup_is_taken_before_a_schema_upgrade(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    previous = db.latest_version() - 1
    con = duckdb.connect(str(old))
    backup._create_schema(con, previous)
    con.execute("insert into zones (name) values ('一区')")
    con.close()
    proc = run_cli("init", db=old)
    assert proc.returncode == 0, proc.stderr
    with db.reading(old) as con:
        assert db.schema_version(con) == db.latest_version()
    taken = list((tmp_path / "backups").glob(f"old-pre-upgrade-v{previous}-*"))
    assert len(taken) == 1
    manifest = json.loads((taken[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == previous
    assert manifest["tables"]["zones"]["rows"] == 1
    # That backup restores into the current program, upgraded on the way.
    restored = tmp_path / "restored.duckdb"
    backup.restore(taken[0], restored)
    with db.reading(restored) as con:
        assert db.schema_version(con) == db.latest_version()
        assert con.execute("select name from zones").fetchall() == [("一区",)]


def test_the_demo_committee_restored_gives_identical_figures(demo_db: Path, tmp_path: Path) -> None:
    from pipelines import metrics
    from pipelines.config import load_rules

    def figures(path: Path) -> dict[str, Any]:
        with db.reading(path) as con:
            rules = load_rules(con)
            years = [r[0] for r in con.execute("select distinct year(activity_month) from activities order by 1").fetchall()]
            out: dict[str, Any] = {}
            for year in years:
                out[f"ranking {year}"] = metrics.ranking(con, rules, year).rows()
                out[f"compliance {year}"] = metrics.compliance(con, rules, year).rows()
                out[f"strikes {year}"] = metrics.strikes(con, rules, year).rows()
                out[f"events {year}"] = metrics.events(con, rules, year).rows()
            return out

    assert run_cli("backup", "--out", tmp_path / "b", db=demo_db).returncode == 0
    restored = tmp_path / "restored.duckdb"
    assert run_cli("restore", tmp_path / "b", db=restored).returncode == 0
    before, after = figures(demo_db), figures(restored)
    assert sum(len(v) for k, v in before.items() if k.startswith("events")) > 100
    assert after == before
