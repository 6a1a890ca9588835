"""Accounts: salted slow hashes, sign-in, lock-out, expiry, disabling, password change, the users command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from pipelines import auth, db
from pipelines.config import save_overrides
from pipelines.errors import PartydayError


def refusal(func, *args, lang: str = "en", **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(PartydayError) as caught:
        func(*args, **kwargs)
    return caught.value.message(lang)


def audit(path: Path) -> list[tuple[str | None, str, str | None]]:
    with db.reading(path) as con:
        return [(r[0], r[1], r[2]) for r in
                con.execute("select actor, action, target from audit_log order by audit_id").fetchall()]


def test_passwords_are_salted_argon2_hashes(org_db: Path) -> None:
    with db.reading(org_db) as con:
        hashes = [r[0] for r in con.execute("select password_hash from users order by name").fetchall()]
    assert len(hashes) == 4
    assert all(h.startswith("$argon2id$") and "demo1234" not in h for h in hashes)
    assert len(set(hashes)) == 4  # same password, different salt


def test_demo_accounts_one_per_role_with_their_scope(org_db: Path) -> None:
    with db.reading(org_db) as con:
        users = {u.name: u for u in (auth.get_user(con, n) for n in ("dangwei", "zone1", "branch1", "viewer")) if u}
    assert users["dangwei"].role == "committee"
    assert (users["zone1"].role, users["zone1"].zone_name) == ("zone_leader", "一区")
    assert (users["branch1"].role, users["branch1"].branch_name, users["branch1"].zone_name) == (
        "secretary", "甲支部", "一区")
    assert users["viewer"].role == "viewer"
    with db.writing(org_db) as con:
        assert auth.create_demo_accounts(con) == []  # idempotent


def test_sign_in_starts_a_session_that_expires_per_the_rules(org_db: Path) -> None:
    session = auth.login(org_db, "branch1", "demo1234")
    assert session.user.name == "branch1"
    with db.reading(org_db) as con:
        row = con.execute("select started_at, expires_at from sessions").fetchone()
        assert auth.session_user(con, session.token) == session.user
        assert auth.session_user(con, "forged-token") is None
    assert (row[1] - row[0]).total_seconds() == 480 * 60
    with db.writing(org_db) as con:
        con.execute("update sessions set expires_at = started_at")
    with db.reading(org_db) as con:
        assert auth.session_user(con, session.token) is None
    assert audit(org_db)[-1] == ("branch1", "login.success", "branch1")


def test_wrong_password_and_unknown_user_get_the_same_message(org_db: Path) -> None:
    assert refusal(auth.login, org_db, "branch1", "wrong") == "Wrong user name or password."
    assert refusal(auth.login, org_db, "nobody", "demo1234", lang="zh") == "用户名或密码不正确。"
    assert audit(org_db)[-2:] == [("branch1", "login.failure", "branch1"), ("nobody", "login.failure", "nobody")]


def test_lock_out_after_repeated_failures(org_db: Path) -> None:
    with db.writing(org_db) as con:
        save_overrides(con, {"access.lockout_failures": 3, "access.lockout_minutes": 10}, "dangwei")
    for _ in range(2):
        assert refusal(auth.login, org_db, "zone1", "guess") == "Wrong user name or password."
    locked = "Too many failed sign-ins: the account is locked. Try again in 10 minutes."
    assert refusal(auth.login, org_db, "zone1", "guess") == locked
    # Even the right password is refused while locked, and other accounts are not affected.
    assert refusal(auth.login, org_db, "zone1", "demo1234") == locked
    assert auth.login(org_db, "viewer", "demo1234").user.name == "viewer"
    with db.writing(org_db) as con:  # the lock-out window passes
        con.execute("update login_attempts set attempted_at = attempted_at - interval 11 minute")
    assert auth.login(org_db, "zone1", "demo1234").user.name == "zone1"


def test_disabled_account_cannot_sign_in_and_its_sessions_end(org_db: Path) -> None:
    session = auth.login(org_db, "viewer", "demo1234")
    with db.writing(org_db) as con:
        auth.disable_user(con, "viewer", actor="dangwei")
    with db.reading(org_db) as con:
        assert auth.session_user(con, session.token) is None
    assert refusal(auth.login, org_db, "viewer", "demo1234") == "Wrong user name or password."
    with db.writing(org_db) as con:
        auth.enable_user(con, "viewer", actor="dangwei")
    assert auth.login(org_db, "viewer", "demo1234").user.name == "viewer"
    assert ("dangwei", "user.disable", "viewer") in audit(org_db)


def test_the_last_committee_account_cannot_be_disabled(org_db: Path) -> None:
    with db.writing(org_db) as con:
        message = refusal(auth.disable_user, con, "dangwei", actor="dangwei", lang="zh")
    assert message == "不能停用 dangwei：这是最后一个有效的党委账号。"


def test_password_change(org_db: Path) -> None:
    old_session = auth.login(org_db, "branch1", "demo1234")
    assert refusal(auth.change_password, org_db, "branch1", "nope", "new-secret-1") == (
        "The current password is wrong; the password was not changed.")
    assert refusal(auth.change_password, org_db, "branch1", "demo1234", "short") == (
        "The password is too short: it needs at least 8 characters.")
    with db.writing(org_db) as con:
        assert refusal(auth.set_password, con, "dangwei", "DangWei ") == "The password must not be the user name."
        auth.create_user(con, "zhangsan1", "viewer", password="long-enough")
        assert refusal(auth.set_password, con, "zhangsan1", "ZhangSan1") == "The password must not be the user name."
    auth.change_password(org_db, "branch1", "demo1234", "new-secret-1")
    with db.reading(org_db) as con:
        assert auth.session_user(con, old_session.token) is None
    assert refusal(auth.login, org_db, "branch1", "demo1234") == "Wrong user name or password."
    assert auth.login(org_db, "branch1", "new-secret-1").user.name == "branch1"
    assert ("branch1", "user.password", "branch1") in audit(org_db)


def test_users_command(org_db: Path) -> None:
    added = run_cli("users", "add", "liu", "--role", "secretary", "--branch", "丙支部", "--password-stdin",
                    "--json", db=org_db, stdin="secret-pass\n")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"name": "liu", "role": "secretary", "branch": "丙支部", "zone": "二区"}
    leader = run_cli("users", "add", "wang", "--role", "zone_leader", "--zone", "二区", "--password-stdin",
                     db=org_db, stdin="secret-pass\n")
    assert leader.returncode == 0, leader.stderr
    listed = json.loads(run_cli("users", "list", "--json", db=org_db, check=True).stdout)
    assert {(u["name"], u["role"], u["branch"], u["zone"]) for u in listed} >= {
        ("liu", "secretary", "丙支部", "二区"), ("wang", "zone_leader", None, "二区")}
    assert auth.login(org_db, "liu", "secret-pass").user.branch_name == "丙支部"

    assert run_cli("users", "passwd", "liu", "--password-stdin", db=org_db, stdin="other-pass\n").returncode == 0
    assert auth.login(org_db, "liu", "other-pass").user.name == "liu"
    assert run_cli("users", "disable", "liu", db=org_db).returncode == 0
    assert refusal(auth.login, org_db, "liu", "other-pass") == "Wrong user name or password."
    assert [a for a in audit(org_db) if a[1].startswith("user.") and a[2] in ("liu", "wang")] == [
        ("operator", "user.add", "liu"), ("operator", "user.add", "wang"), ("operator", "user.password", "liu"),
        ("operator", "user.disable", "liu")]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "zhao", "--role", "secretary", "--password-stdin"], "secret-pass\n",
         "The secretary zhao needs their branch: --branch BRANCH."),
        (["users", "add", "zhao", "--role", "zone_leader", "--password-stdin"], "secret-pass\n",
         "The zone leader zhao needs their zone: --zone ZONE."),
        (["users", "add", "zhao", "--role", "secretary", "--branch", "戊支部", "--password-stdin"], "secret-pass\n",
         'There is no branch "戊支部". Known branches: 甲支部、乙支部、丙支部、丁支部'),
        (["users", "add", "zhao", "--role", "viewer", "--branch", "甲支部", "--password-stdin"], "secret-pass\n",
         "User zhao with role viewer cannot be given the branch or zone given here."),
        (["users", "add", "zhao", "--role", "viewer", "--password-stdin"], "short\n",
         "The password is too short: it needs at least 8 characters."),
        (["users", "add", "branch1", "--role", "viewer", "--password-stdin"], "secret-pass\n", "The user branch1 already exists."),
        (["users", "disable", "nobody"], None,
         "There is no user nobody (or the account is disabled). See all users with: users list."),
        (["--as-user", "branch1", "users", "list"], None,
         'User branch1 (role secretary) may not do "users": only committee accounts may.'),
        (["--as-user", "zone1", "users", "add", "x", "--role", "committee", "--password-stdin"], "secret-pass\n",
         'User zone1 (role zone_leader) may not do "users": only committee accounts may.'),
        (["--as-user", "ghost", "users", "list"], None,
         "There is no user ghost (or the account is disabled). See all users with: users list."),
    ],
)
def test_users_command_refusals(org_db: Path, args: list[str], stdin: str | None, message: str) -> None:
    proc = run_cli("--lang", "en", *args, db=org_db, stdin=stdin)
    assert proc.returncode == 1
    assert proc.stderr.strip() == message


def test_as_committee_user_the_command_is_recorded_under_their_name(org_db: Path) -> None:
    proc = run_cli("--as-user", "dangwei", "users", "add", "sun", "--role", "viewer", "--password-stdin",
                   db=org_db, stdin="secret-pass\n")
    assert proc.returncode == 0, proc.stderr
    assert ("dangwei", "user.add", "sun") in audit(org_db)
