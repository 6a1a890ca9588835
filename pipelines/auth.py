"""Dashboard accounts: argon2 password hashes, sessions that expire, lock-out, password change.

Accounts live in the database (migration 0002). A sign-in is one write transaction: it records the
attempt, the audit entry and, on success, a session whose expiry follows ``[access] session_minutes``.
After ``[access] lockout_failures`` failed attempts within ``[access] lockout_minutes`` an account is
locked for that long, whatever password is tried. Messages never tell whether a user name exists.

Organisations with an OpenID Connect provider set ``PARTYDAY_AUTH=oidc`` (and the ``[auth]`` section of
Streamlit's ``secrets.toml``); people then sign in through ``st.login`` and are matched to an account
by its ``email``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipelines import db
from pipelines.access import OPERATOR, ROLES, User
from pipelines.audit import record
from pipelines.config import load_rules
from pipelines.errors import PartydayError, error

DEMO_PASSWORD = "demo1234"
DEMO_ACCOUNTS = (("dangwei", "committee"), ("zone1", "zone_leader"), ("branch1", "secretary"),
                 ("viewer", "viewer"))

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so that both cases take the same time."""
    return _hasher.hash("not a password of anyone")


_USER_SELECT = """
select u.name, u.role, u.branch_id, coalesce(u.zone_id, b.zone_id), b.name, z.name
from users u
left join branches b on b.branch_id = u.branch_id
left join zones z on z.zone_id = coalesce(u.zone_id, b.zone_id)
"""


def now() -> datetime:
    """The current time as naive UTC, the form every timestamp of this module is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def hash_password(password: str) -> str:
    """A salted argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a missing or malformed hash)."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password(con: Any, name: str, password: str) -> None:
    """Refuse a new password that is too short or equals the user name."""
    minimum = int(load_rules(con).get("access.min_password_length"))
    if len(password) < minimum:
        raise PartydayError(error("access.password.too_short", minimum=minimum))
    if password.strip().lower() == name.strip().lower():
        raise PartydayError(error("access.password.is_name"))


def _user_from_row(row: Any) -> User:
    return User(name=row[0], role=row[1], branch_id=row[2], zone_id=row[3], branch_name=row[4], zone_name=row[5])


def get_user(con: Any, name: str, *, active_only: bool = True) -> User | None:
    """The account called ``name`` (only if active, unless ``active_only`` is False)."""
    cond = " where u.name = ?" + (" and u.is_active" if active_only else "")
    row = con.execute(_USER_SELECT + cond, [name]).fetchone()
    return _user_from_row(row) if row else None


def list_users(con: Any) -> list[dict[str, Any]]:
    """Every account with role, scope, state and last sign-in, ordered by name (never the hash)."""
    cur = db.query(con, "access_users")
    keys = [d[0] for d in cur.description]
    return [dict(zip(keys, r, strict=True)) for r in cur.fetchall()]


def _resolve(con: Any, table: str, key: str, value: str | int) -> tuple[int, str]:
    text = str(value).strip()
    row = con.execute(f"select {key}, name from {table} where name = ?", [text]).fetchone()
    if row is None and text.isdigit():
        row = con.execute(f"select {key}, name from {table} where {key} = ?", [int(text)]).fetchone()
    if row is None:
        known = [r[0] for r in con.execute(f"select name from {table} order by {key}").fetchall()]
        raise PartydayError(error(f"access.user.unknown_{table}", value=text,
                                  known="、".join(known[:30]) or "-"))
    return int(row[0]), str(row[1])


def create_user(con: Any, name: str, role: str, *, password: str | None = None, branch: str | int | None = None,
                zone: str | int | None = None, email: str | None = None, actor: str | None = None,
                is_demo: bool = False) -> User:
    """Add an account inside the caller's write transaction; ``branch``/``zone`` by name or id.

    A secretary needs a branch, a zone leader a zone (and may have their own branch); the committee and
    viewers have neither. Without a password the account can only sign in through OpenID Connect.
    """
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise PartydayError(error("access.user.bad_name", name=name))
    if role not in ROLES:
        raise PartydayError(error("access.user.bad_role", role=role, roles=", ".join(ROLES)))
    if get_user(con, name, active_only=False) is not None:
        raise PartydayError(error("access.user.exists", name=name))
    branch_id = zone_id = None
    if role == "secretary" and branch is None:
        raise PartydayError(error("access.user.needs_branch", name=name))
    if role == "zone_leader" and zone is None:
        raise PartydayError(error("access.user.needs_zone", name=name))
    if role in ("committee", "viewer") and (branch is not None or zone is not None):
        raise PartydayError(error("access.user.no_scope", name=name, role=role))
    if role == "secretary" and zone is not None:
        raise PartydayError(error("access.user.no_scope", name=name, role=role))
    if branch is not None:
        branch_id, _ = _resolve(con, "branches", "branch_id", branch)
    if zone is not None:
        zone_id, _ = _resolve(con, "zones", "zone_id", zone)
        if branch_id is not None:
            row = con.execute("select zone_id from branches where branch_id = ?", [branch_id]).fetchone()
            if row and row[0] != zone_id:
                raise PartydayError(error("access.user.branch_outside_zone", name=name))
    if password is None and not email:
        raise PartydayError(error("access.password.missing", name=name))
    if password is not None:
        check_password(con, name, password)
    stamp = now()
    con.execute(
        "insert into users (name, role, branch_id, zone_id, email, password_hash, is_demo, created_at, created_by,"
        " password_changed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [name, role, branch_id, zone_id, email, hash_password(password) if password is not None else None,
         is_demo, stamp, actor, stamp if password is not None else None],
    )
    record(con, actor, "user.add", name, {"role": role, "branch_id": branch_id, "zone_id": zone_id,
                                          "email": email})
    user = get_user(con, name)
    assert user is not None
    return user


def _require_account(con: Any, name: str) -> None:
    if get_user(con, name, active_only=False) is None:
        raise PartydayError(error("access.user.unknown", name=name))


def _active_committee_count(con: Any) -> int:
    row = con.execute("select count(*) from users where role = 'committee' and is_active").fetchone()
    return int(row[0]) if row else 0


def disable_user(con: Any, name: str, *, actor: str | None = None) -> None:
    """Disable an account and end its sessions; the last active committee account cannot be disabled."""
    _require_account(con, name)
    user = get_user(con, name)
    if user is not None and user.is_committee and _active_committee_count(con) <= 1:
        raise PartydayError(error("access.user.last_committee", name=name))
    con.execute("update users set is_active = false where name = ?", [name])
    con.execute("update sessions set ended_at = ? where user_name = ? and ended_at is null", [now(), name])
    record(con, actor, "user.disable", name)


def enable_user(con: Any, name: str, *, actor: str | None = None) -> None:
    """Enable a disabled account again."""
    _require_account(con, name)
    con.execute("update users set is_active = true where name = ?", [name])
    record(con, actor, "user.enable", name)


def set_password(con: Any, name: str, password: str, *, actor: str | None = None) -> None:
    """Give ``name`` a new password (committee or the user themselves); ends their other sessions."""
    _require_account(con, name)
    check_password(con, name, password)
    con.execute("update users set password_hash = ?, password_changed_at = ? where name = ?",
                [hash_password(password), now(), name])
    con.execute("update sessions set ended_at = ? where user_name = ? and ended_at is null", [now(), name])
    record(con, actor, "user.password", name)


@dataclass(frozen=True)
class Session:
    """A successful sign-in: the user, the secret token that identifies the session, its expiry."""

    user: User
    token: str
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _failures(con: Any, name: str, since: datetime) -> int:
    row = con.execute("""
        select count(*) from login_attempts
        where user_name = ? and not success and attempted_at > ?
          and attempted_at > coalesce((select max(attempted_at) from login_attempts
                                       where user_name = ? and success), timestamp '1900-01-01')
    """, [name, since, name]).fetchone()
    return int(row[0]) if row else 0


def start_session(con: Any, user: User) -> Session:
    """Record a new session for ``user`` (inside a write transaction), expiring per the rules."""
    minutes = int(load_rules(con).get("access.session_minutes"))
    token = secrets.token_urlsafe(32)
    started = now()
    expires = started + timedelta(minutes=minutes)
    con.execute("insert into sessions (session_hash, user_name, started_at, expires_at) values (?, ?, ?, ?)",
                [_token_hash(token), user.name, started, expires])
    return Session(user, token, expires)


def login(db_path: str | os.PathLike[str] | None, name: str, password: str) -> Session:
    """Check a user name and password; returns a new session or raises with the reason.

    The attempt, its audit entry and the session are written in one transaction, which commits even
    when the sign-in is refused (the failure must count toward the lock-out).
    """
    name = (name or "").strip()
    refusal: PartydayError | None = None
    session: Session | None = None
    with db.writing(db_path) as con:
        rules = load_rules(con)
        limit = int(rules.get("access.lockout_failures"))
        minutes = int(rules.get("access.lockout_minutes"))
        stamp = now()
        locked = _failures(con, name, stamp - timedelta(minutes=minutes)) >= limit
        row = con.execute("select password_hash from users where name = ? and is_active", [name]).fetchone()
        ok = verify_password(row[0] if row else None, password or "") and not locked
        con.execute("insert into login_attempts (user_name, attempted_at, success) values (?, ?, ?)",
                    [name, stamp, ok])
        if ok:
            user = get_user(con, name)
            assert user is not None
            session = start_session(con, user)
            record(con, name, "login.success", name, {"expires_at": session.expires_at.isoformat()})
        else:
            now_locked = locked or _failures(con, name, stamp - timedelta(minutes=minutes)) >= limit
            record(con, name or None, "login.failure", name, {"locked": now_locked})
            refusal = PartydayError(error("access.login.locked", minutes=minutes) if now_locked
                                    else error("access.login.failed"))
    if refusal is not None:
        raise refusal
    assert session is not None
    return session


def session_user(con: Any, token: str) -> User | None:
    """The active user of a session that has neither ended nor expired, else None."""
    row = con.execute(_USER_SELECT + """
        join sessions s on s.user_name = u.name
        where s.session_hash = ? and s.ended_at is null and s.expires_at > ? and u.is_active
    """, [_token_hash(token), now()]).fetchone()
    return _user_from_row(row) if row else None


def resolve_session(db_path: str | os.PathLike[str] | None, token: str) -> tuple[Session | None, str]:
    """The session a browser's cookie names: ``(session, "ok")``, or ``(None, why)`` with why one of
    ``"expired"`` (its time ran out: ended now and recorded in the audit log as ``logout.expired``),
    ``"ended"`` (signed out, password changed, account disabled) or ``"unknown"`` (forged, or of another
    database)."""
    with db.reading(db_path) as con:
        row = con.execute("select user_name, expires_at, ended_at from sessions where session_hash = ?",
                          [_token_hash(token)]).fetchone()
        if row is None:
            return None, "unknown"
        name, expires_at, ended_at = row
        if ended_at is not None:
            return None, "ended"
        user = session_user(con, token)
    if user is not None:
        return Session(user, token, expires_at), "ok"
    if expires_at <= now():
        expire_session(db_path, token, name)
        return None, "expired"
    return None, "ended"  # the account was disabled


def expire_session(db_path: str | os.PathLike[str] | None, token: str, name: str | None) -> None:
    """End a session whose time ran out, recorded once in the audit log (``logout.expired``)."""
    with db.writing(db_path) as con:
        ended = con.execute("update sessions set ended_at = ? where session_hash = ? and ended_at is null "
                            "returning 1", [now(), _token_hash(token)]).fetchall()
        if ended:
            record(con, name, "logout.expired", name)


def logout(db_path: str | os.PathLike[str] | None, token: str, name: str | None) -> None:
    """End a session and record it in the audit log."""
    with db.writing(db_path) as con:
        con.execute("update sessions set ended_at = ? where session_hash = ? and ended_at is null",
                    [now(), _token_hash(token)])
        record(con, name, "logout", name)


def change_password(db_path: str | os.PathLike[str] | None, name: str, old: str, new: str) -> None:
    """A user changes their own password: the old one must be right; other sessions end."""
    with db.writing(db_path) as con:
        row = con.execute("select password_hash from users where name = ? and is_active", [name]).fetchone()
        if not verify_password(row[0] if row else None, old):
            raise PartydayError(error("access.password.old_wrong"))
        set_password(con, name, new, actor=name)


def oidc_enabled() -> bool:
    """Whether people sign in through the OpenID Connect provider (``PARTYDAY_AUTH=oidc``)."""
    return os.environ.get("PARTYDAY_AUTH", "").strip().lower() == "oidc"


def user_by_email(con: Any, email: str) -> User | None:
    """The active account whose ``email`` matches the provider's identity (case-insensitive)."""
    row = con.execute(_USER_SELECT + " where lower(u.email) = lower(?) and u.is_active", [email]).fetchone()
    return _user_from_row(row) if row else None


def create_demo_accounts(con: Any) -> list[str]:
    """One account per role for the demo, all with password ``demo1234`` (inside a write transaction).

    ``zone1`` leads the first zone, ``branch1`` is the secretary of the first branch by id. Accounts
    that already exist are left alone. Returns the names created.
    """
    zone = con.execute("select zone_id from zones order by sort_order, zone_id limit 1").fetchone()
    branch = con.execute("select branch_id from branches order by branch_id limit 1").fetchone()
    created = []
    for name, role in DEMO_ACCOUNTS:
        if get_user(con, name, active_only=False) is not None:
            continue
        if role == "zone_leader" and not zone or role == "secretary" and not branch:
            continue
        create_user(con, name, role, password=DEMO_PASSWORD, is_demo=True, actor="demo",
                    zone=zone[0] if role == "zone_leader" and zone else None,
                    branch=branch[0] if role == "secretary" and branch else None)
        created.append(name)
    return created


def demo_accounts(con: Any) -> list[dict[str, Any]]:
    """The active demo accounts (for the login page): name, role, branch, zone."""
    order = [name for name, _ in DEMO_ACCOUNTS]
    found = [u for u in list_users(con) if u["demo"] and u["active"]]
    return sorted(found, key=lambda u: order.index(u["name"]) if u["name"] in order else len(order))


def acting_user(db_path: str | os.PathLike[str] | None, as_user: str | None) -> User:
    """The user a command acts as: ``--as-user NAME`` (must be an active account), else the operator."""
    if not as_user:
        return OPERATOR
    path = Path(db.db_path(db_path))
    db.ensure_schema(path)
    with db.reading(path) as con:
        user = get_user(con, as_user)
    if user is None:
        raise PartydayError(error("access.user.unknown", name=as_user))
    return user
