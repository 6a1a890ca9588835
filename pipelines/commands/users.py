"""``users add | list | disable | enable | passwd``: dashboard accounts, for the committee's IT staff."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from pipelines import auth, db
from pipelines.access import ROLES, require_committee
from pipelines.cli import print_json
from pipelines.errors import PartydayError, error


def register(sub: Any) -> None:
    """Add ``users`` and its subcommands to the command line."""
    p = sub.add_parser("users", help="dashboard accounts: add, list, disable, enable, passwd")
    us = p.add_subparsers(dest="users_command", required=True)

    add = us.add_parser("add", help="add an account: users add NAME --role ROLE [--branch B | --zone Z]")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--branch", help="the secretary's branch (name or id); a zone leader's own branch")
    add.add_argument("--zone", help="the zone leader's zone (name or id)")
    add.add_argument("--email", help="identity at the OpenID Connect provider, when one is configured")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--no-password", action="store_true", help="single sign-on only (needs --email)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=cmd_add)

    ls = us.add_parser("list", help="every account with role, scope and state")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    for name, helptext, handler in (("disable", "disable an account and end its sessions", cmd_disable),
                                    ("enable", "enable a disabled account", cmd_enable)):
        sp = us.add_parser(name, help=helptext)
        sp.add_argument("name")
        sp.set_defaults(handler=handler)

    pw = us.add_parser("passwd", help="set a new password for an account")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    pw.set_defaults(handler=cmd_passwd)


def read_password(args: argparse.Namespace) -> str:
    """The new password: first line of standard input with ``--password-stdin``, else asked twice."""
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise PartydayError(error("access.password.empty_stdin"))
        return line
    first = getpass.getpass("Password / 密码: ")
    if getpass.getpass("Again / 再次输入: ") != first:
        raise PartydayError(error("access.password.mismatch"))
    return first


def _operator(args: argparse.Namespace) -> str:
    user = auth.acting_user(args.db, args.as_user)
    require_committee(user, "users")
    return user.name


def cmd_add(args: argparse.Namespace) -> int:
    actor = _operator(args)
    password = None if args.no_password else read_password(args)
    with db.writing(args.db) as con:
        user = auth.create_user(con, args.name, args.role, password=password, branch=args.branch,
                                zone=args.zone, email=args.email, actor=actor)
    if args.json:
        print_json({"name": user.name, "role": user.role, "branch": user.branch_name, "zone": user.zone_name})
    else:
        print(f"{user.name}: {user.role} {user.branch_name or ''} {user.zone_name or ''}".rstrip())
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    _operator(args)
    db.ensure_schema(db.db_path(args.db))
    with db.reading(args.db) as con:
        users = auth.list_users(con)
    if args.json:
        print_json(users)
        return 0
    for u in users:
        state = "active" if u["active"] else "disabled"
        print("\t".join(str(v) for v in (u["name"], u["role"], u["branch"] or "-", u["zone"] or "-", state,
                                         "demo" if u["demo"] else "", u["last_login"] or "")))
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    actor = _operator(args)
    with db.writing(args.db) as con:
        auth.disable_user(con, args.name, actor=actor)
    print(f"{args.name}: disabled")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    actor = _operator(args)
    with db.writing(args.db) as con:
        auth.enable_user(con, args.name, actor=actor)
    print(f"{args.name}: enabled")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    actor = _operator(args)
    password = read_password(args)
    with db.writing(args.db) as con:
        auth.set_password(con, args.name, password, actor=actor)
    print(f"{args.name}: password changed")
    return 0
