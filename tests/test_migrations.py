"""Numbered migrations: a new database is created at the latest version, an older one is upgraded with
its data kept, and one from a newer program is refused with a clear message."""

from __future__ import annotations

import duckdb
import pytest
from conftest import run_cli

from pipelines import db
from pipelines.errors import PartydayError


def test_new_database_is_at_latest_version(tmp_path) -> None:
    path = tmp_path / "new.duckdb"
    assert db.ensure_schema(path) == db.latest_version()
    with db.reading(path) as con:
        assert db.schema_version(con) == db.latest_version()
        versions = [r[0] for r in con.execute("select version from schema_version order by 1").fetchall()]
    assert versions == [v for v, _ in db.migrations()]


def test_old_database_is_upgraded_and_keeps_its_data(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    db.ensure_schema(path, up_to=1)
    con = duckdb.connect(str(path))
    con.execute("insert into zones (name) values ('第一协作区')")
    con.execute("insert into branches (name, zone_id) select '运行一党支部', zone_id from zones")
    con.close()
    assert db.ensure_schema(path) == db.latest_version()
    with db.reading(path) as con:
        assert con.execute("select b.name, z.name from branches b join zones z using (zone_id)").fetchall() == [
            ("运行一党支部", "第一协作区")
        ]


def test_newer_database_is_refused(tmp_path) -> None:
    path = tmp_path / "future.duckdb"
    db.ensure_schema(path)
    con = duckdb.connect(str(path))
    con.execute("insert into schema_version (version, name) values (999, '0999_future.sql')")
    con.close()
    with pytest.raises(PartydayError) as caught:
        db.ensure_schema(path)
    supported = db.latest_version()
    assert caught.value.message("en") == (
        f"The database {path} has schema version 999, newer than this program supports ({supported}). "
        "Upgrade the Party Day Dashboard, or open a backup that matches it."
    )
    proc = run_cli("init", db=path)
    assert proc.returncode == 1
    assert f"数据库 {path} 的版本（999）比本程序支持的版本（{supported}）更新" in proc.stderr


def test_a_failed_write_leaves_nothing(tmp_db) -> None:
    with pytest.raises(RuntimeError), db.writing(tmp_db) as con:
        con.execute("insert into zones (name) values ('第二协作区')")
        raise RuntimeError("boom")
    with db.reading(tmp_db) as con:
        assert con.execute("select count(*) from zones").fetchone() == (0,)
