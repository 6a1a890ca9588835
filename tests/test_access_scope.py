"""What each role sees and is refused: pages, branch scopes, member detail, uploads and every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

from pipelines import access, auth, db
from pipelines.access import User
from pipelines.errors import PartydayError

FIGURES = {"overview", "participation", "quorum", "satisfaction", "compliance", "rankings", "activity"}


def users(path: Path) -> dict[str, User]:
    with db.reading(path) as con:
        found = {n: auth.get_user(con, n) for n in ("dangwei", "zone1", "branch1", "viewer")}
    return {n: u for n, u in found.items() if u is not None}


def branch_ids_in(con: Any) -> dict[str, int]:
    return {str(n): int(i) for n, i in con.execute("select name, branch_id from branches").fetchall()}


def branch_ids(path: Path) -> dict[str, int]:
    with db.reading(path) as con:
        return branch_ids_in(con)


def test_role_matrix(org_db: Path) -> None:
    who = users(org_db)
    ids = branch_ids(org_db)
    zone1 = {ids["甲支部"], ids["乙支部"]}
    expected = {
        #          pages                                    visible  member detail       upload
        "dangwei": (set(access.PAGES),                       None,    None,               None),
        "zone1":   (FIGURES,                                 zone1,   set(),              set()),
        "branch1": (FIGURES | {"members", "upload"},         None,    {ids["甲支部"]},     {ids["甲支部"]}),
        "viewer":  (FIGURES,                                 None,    set(),              set()),
    }
    with db.reading(org_db) as con:
        for name, (pages, visible, members, upload) in expected.items():
            user = who[name]
            assert access.allowed_pages(user) == pages, name
            assert access.visible_branch_ids(con, user) == visible, name
            assert access.member_branch_ids(con, user) == members, name
            assert access.upload_branch_ids(con, user) == upload, name
    assert access.allowed_pages(None) == set()


def test_a_zone_leader_with_their_own_branch_sees_its_members(org_db: Path) -> None:
    with db.writing(org_db) as con:
        leader = auth.create_user(con, "li", "zone_leader", zone="二区", branch="丙支部", password="secret-pass")
        assert access.member_branch_ids(con, leader) == {branch_ids_in(con)["丙支部"]}
        assert "members" in access.allowed_pages(leader)
        with pytest.raises(PartydayError) as caught:
            auth.create_user(con, "zhou", "zone_leader", zone="一区", branch="丙支部", password="secret-pass")
        assert caught.value.message("en") == "The branch of user zhou is not in their zone."


def test_refusals_name_the_user_and_the_branch(org_db: Path) -> None:
    who = users(org_db)
    ids = branch_ids(org_db)
    with db.reading(org_db) as con:
        cases = [
            (lambda: access.require_page(who["branch1"], "admin"),
             "User branch1 (role secretary) may not open the page admin. Ask the committee's administrator if "
             "you need it."),
            (lambda: access.require_page(None, "overview"), "Please sign in first."),
            (lambda: access.require_branch(con, who["zone1"], ids["丙支部"]),
             'User zone1 (role zone_leader) may not see the data of branch "丙支部".'),
            (lambda: access.require_member_detail(con, who["branch1"], ids["乙支部"]),
             'User branch1 (role secretary) may not see member-level detail of branch "乙支部": member detail '
             "is visible only within the member's own branch and to the committee."),
            (lambda: access.require_member_detail(con, who["viewer"], ids["甲支部"]),
             'User viewer (role viewer) may not see member-level detail of branch "甲支部": member detail '
             "is visible only within the member's own branch and to the committee."),
            (lambda: access.require_upload(con, who["branch1"], ids["乙支部"]),
             'User branch1 (role secretary) may not load or undo data of branch "乙支部": a secretary may '
             "load and undo only their own branch's data."),
            (lambda: access.require_upload(con, who["branch1"], None),
             'User branch1 (role secretary) may not load or undo data of branch "-": a secretary may '
             "load and undo only their own branch's data."),
            (lambda: access.require_upload(con, who["zone1"], ids["甲支部"]),
             'User zone1 (role zone_leader) may not load or undo data of branch "甲支部": a secretary may '
             "load and undo only their own branch's data."),
            (lambda: access.require_committee(who["viewer"], "rules"),
             'User viewer (role viewer) may not do "rules": only committee accounts may.'),
        ]
        for func, message in cases:
            with pytest.raises(PartydayError) as caught:
                func()
            assert caught.value.message("en") == message
        # What is allowed passes silently.
        access.require_upload(con, who["branch1"], ids["甲支部"])
        access.require_member_detail(con, who["branch1"], ids["甲支部"])
        access.require_branch(con, who["branch1"], ids["丙支部"])  # branch-level figures of the committee
        access.require_branch(con, who["zone1"], ids["乙支部"])
        access.require_member_detail(con, who["dangwei"], ids["丁支部"])


def test_narrow_cuts_a_request_to_the_scope() -> None:
    assert access.narrow(None, None) is None
    assert access.narrow(None, {1, 2}) == {1, 2}
    assert access.narrow({1, 2}, None) == {1, 2}
    assert access.narrow({1, 2}, {2, 3}) == {2}
    assert access.narrow(set(), {2}) == set()


COMMITTEE_COMMANDS = [
    (["rules", "set", "attendance.quorum_threshold=0.7"], "rules"),
    (["rules", "reset"], "rules"),
    (["users", "list"], "users"),
    (["users", "disable", "dangwei"], "users"),
    (["backup", "--out", "{tmp}/b"], "backup"),
    (["restore", "{tmp}/b"], "restore"),
    (["snapshot", "create", "--year", "2026"], "snapshots"),
    (["snapshot", "delete", "1"], "snapshots"),
]


def test_committee_commands_are_refused_to_other_roles(org_db: Path, tmp_path: Path) -> None:
    who = users(org_db)
    with db.reading(org_db) as con:
        before = con.execute("select count(*) from audit_log").fetchone()
    roles = ["branch1", "zone1", "viewer"]
    for i, (args, action) in enumerate(COMMITTEE_COMMANDS):
        name = roles[i % len(roles)]  # every command and every role, without running each pair
        proc = run_cli("--lang", "en", "--as-user", name, *[a.format(tmp=tmp_path) for a in args], db=org_db)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert proc.stderr.strip() == (
            f'User {name} (role {who[name].role}) may not do "{action}": only committee accounts may.')
    with db.reading(org_db) as con:
        assert con.execute("select count(*) from audit_log").fetchone() == before
        assert con.execute("select count(*) from rule_settings").fetchone() == (0,)
    assert not (tmp_path / "b").exists()


def test_the_committee_may_run_them(org_db: Path, tmp_path: Path) -> None:
    proc = run_cli("--as-user", "dangwei", "rules", "set", "attendance.quorum_threshold=0.7", db=org_db)
    assert proc.returncode == 0, proc.stderr
    with db.reading(org_db) as con:
        assert con.execute("select actor, action from audit_log order by audit_id desc limit 1").fetchone() == (
            "dangwei", "rules.set")
    assert run_cli("--as-user", "dangwei", "backup", "--out", tmp_path / "b", db=org_db).returncode == 0
