"""Scope on the data paths: loading, undoing and the figure commands, by every role, through the command
line (``--as-user``) and the library, on the demo committee's rosters and workbooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from pipelines import db

pytestmark = pytest.mark.slow


def secretary_branch(path: Path) -> tuple[int, str]:
    with db.reading(path) as con:
        row = con.execute("select b.branch_id, b.name from users u join branches b using (branch_id) "
                          "where u.name = 'branch1'").fetchone()
    return int(row[0]), str(row[1])


def other_branch(path: Path, own: int) -> tuple[int, str]:
    """A branch of another zone than the secretary's (so that the zone leader ``zone1`` cannot see it either)."""
    with db.reading(path) as con:
        row = con.execute("""select b.branch_id, b.name from branches b
                             where b.zone_id <> (select zone_id from branches where branch_id = ?)
                             order by b.branch_id limit 1""", [own]).fetchone()
    return int(row[0]), str(row[1])


def monthly(workbooks: Path, branch: str) -> list[Path]:
    return sorted((workbooks / "02_主题党日" / branch).glob("*.xlsx"))


def uploads(path: Path) -> list[tuple[Any, ...]]:
    with db.reading(path) as con:
        return con.execute("select upload_id, file_name, status, uploaded_by, branch_id from uploads "
                           "order by upload_id").fetchall()


def ingest_json(path: Path, user: str | None, *files: Path | str) -> tuple[int, dict[str, Any]]:
    args = (["--as-user", user] if user else []) + ["--lang", "en", "ingest", *map(str, files), "--json"]
    proc = run_cli(*args, db=path)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {"stderr": proc.stderr}


def resaved(path: Path, folder: Path) -> Path:
    """The workbook opened and saved again by Excel's habits (openpyxl): same cells, other bytes."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.properties.title = "resaved"
    target = folder / path.name
    wb.save(target)
    return target


def test_a_secretary_loads_only_their_own_branch(roster_db: Path, demo_workbooks: Path, tmp_path: Path) -> None:
    own_id, own = secretary_branch(roster_db)
    _, other = other_branch(roster_db, own_id)
    before = uploads(roster_db)

    code, out = ingest_json(roster_db, "branch1", monthly(demo_workbooks, other)[0])
    assert code == 1
    (result,) = out["files"]
    assert result["status"] == "rejected"
    assert any(f'these are data of "{other}", which you may not upload.' in i["message"] for i in result["issues"])

    # Saved again (new bytes, same content), so that they are not simply "unchanged".
    roster = resaved(next((demo_workbooks / "01_花名册").glob(f"{other}_*.xlsx")), tmp_path)
    zones = resaved(next(demo_workbooks.glob("00_*.xlsx")), tmp_path)
    for refused in (roster, zones):
        code, out = ingest_json(roster_db, "branch1", refused)
        # A zone division reshapes every branch: only the committee may load it (ingest's load_zones must
        # refuse it when allowed_branch_ids is given).
        assert code == 1, (refused.name, out)
        assert out["files"][0]["status"] == "rejected", (refused.name, out)
    assert uploads(roster_db) == before

    code, out = ingest_json(roster_db, "branch1", monthly(demo_workbooks, own)[0])
    assert code == 0, out
    assert out["files"][0]["status"] == "loaded"
    newest = uploads(roster_db)[-1]
    assert (newest[2], newest[3]) == ("loaded", "branch1")


@pytest.mark.parametrize("name", ["zone1", "viewer"])
def test_leaders_and_viewers_load_nothing(roster_db: Path, demo_workbooks: Path, name: str) -> None:
    own_id, own = secretary_branch(roster_db)
    before = uploads(roster_db)
    code, out = ingest_json(roster_db, name, monthly(demo_workbooks, own)[0])
    assert code == 1
    assert out["files"][0]["status"] == "rejected"
    assert uploads(roster_db) == before


def test_undo_only_within_scope(roster_db: Path, demo_workbooks: Path) -> None:
    own_id, own = secretary_branch(roster_db)
    _, other = other_branch(roster_db, own_id)
    assert ingest_json(roster_db, None, monthly(demo_workbooks, other)[0])[0] == 0  # by the committee's operator
    theirs = uploads(roster_db)[-1][0]
    assert ingest_json(roster_db, "branch1", monthly(demo_workbooks, own)[0])[0] == 0
    mine = uploads(roster_db)[-1][0]

    for name in ("branch1", "zone1", "viewer"):
        proc = run_cli("--lang", "en", "--as-user", name, "undo", str(theirs), db=roster_db)
        assert proc.returncode == 1, (name, proc.stdout)
        assert "you may not undo it." in proc.stderr
    for name in ("zone1", "viewer"):
        assert run_cli("--lang", "en", "--as-user", name, "undo", str(mine), db=roster_db).returncode == 1
    assert {u[0]: u[2] for u in uploads(roster_db)}[theirs] == "loaded"
    assert {u[0]: u[2] for u in uploads(roster_db)}[mine] == "loaded"

    proc = run_cli("--as-user", "branch1", "undo", str(mine), db=roster_db)
    assert proc.returncode == 0, proc.stderr
    assert {u[0]: u[2] for u in uploads(roster_db)}[mine] == "undone"
    with db.reading(roster_db) as con:
        assert con.execute("select actor, action, target from audit_log where action like 'upload%' "
                           "order by audit_id desc limit 1").fetchone() == ("branch1", "upload.undo", str(mine))


def test_library_paths_check_scope_too(roster_db: Path, demo_workbooks: Path) -> None:
    from pipelines.errors import PartydayError
    from pipelines.ingest import ingest_files, undo_upload

    own_id, own = secretary_branch(roster_db)
    _, other = other_branch(roster_db, own_id)
    (result,) = ingest_files(roster_db, [monthly(demo_workbooks, other)[0]], actor="branch1",
                             allowed_branch_ids={own_id})
    assert result.status == "rejected"
    (result,) = ingest_files(roster_db, [monthly(demo_workbooks, other)[0]], actor="dangwei")
    assert result.status == "loaded" and result.upload_id is not None
    with pytest.raises(PartydayError) as caught:
        undo_upload(roster_db, result.upload_id, actor="branch1", allowed_branch_ids={own_id})
    assert "you may not undo it." in caught.value.message("en")


def test_figure_commands_are_cut_to_the_scope(roster_db: Path, demo_workbooks: Path) -> None:
    own_id, own = secretary_branch(roster_db)
    other_id, other = other_branch(roster_db, own_id)
    for branch in (own, other):
        assert ingest_json(roster_db, None, *monthly(demo_workbooks, branch))[0] == 0
    with db.reading(roster_db) as con:
        zone1 = {r[0] for r in con.execute(
            "select b.name from branches b join users u on u.zone_id = b.zone_id where u.name = 'zone1'").fetchall()}
        year = con.execute("select max(year(activity_month)) from activities").fetchone()[0]

    def figures(user: str, *args: str) -> Any:
        proc = run_cli("--lang", "en", "--as-user", user, *args, "--year", str(year), "--json", db=roster_db)
        out = json.loads(proc.stdout)
        return proc.returncode, (out if proc.returncode == 0 else "\n".join(e["message"] for e in out["errors"]))

    code, rows = figures("zone1", "compliance")
    assert code == 0 and rows and {r["branch"] for r in rows} <= zone1
    code, rows = figures("branch1", "compliance")
    assert code == 0 and {own, other} <= {r["branch"] for r in rows}  # branch-level figures of the committee

    assert figures("branch1", "members", "--branch", own)[0] == 0
    for user, role in (("branch1", "secretary"), ("viewer", "viewer")):
        code, message = figures(user, "members", "--branch", other)
        assert code == 1
        assert message == (f'User {user} (role {role}) may not see member-level detail of branch "{other}": member '
                           "detail is visible only within the member's own branch and to the committee.")
    code, message = figures("zone1", "members", "--branch", other)
    assert code == 1
    assert message == f'User zone1 (role zone_leader) may not see the data of branch "{other}".'
    code, message = figures("zone1", "events", "--branch", other)
    assert code == 1
    assert message == f'User zone1 (role zone_leader) may not see the data of branch "{other}".'
    assert figures("dangwei", "members", "--branch", other)[0] == 0
