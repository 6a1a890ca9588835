"""Core commands: ``init`` and ``rules``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pipelines import db
from pipelines.cli import print_json
from pipelines.config import load_rules, parse_overrides, save_overrides, stored_overrides


def register(sub: Any) -> None:
    """Add ``init`` and ``rules`` to the command line."""
    p = sub.add_parser("init", help="create or upgrade the database")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("rules", help="show or change the rules configuration")
    rs = p.add_subparsers(dest="rules_command", required=True)
    show = rs.add_parser("show", help="the configuration in force")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_rules_show)
    setp = rs.add_parser("set", help="override settings: rules set attendance.quorum_threshold=0.75 ...")
    setp.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    setp.add_argument("--json", action="store_true")
    setp.set_defaults(handler=cmd_rules_set)
    reset = rs.add_parser("reset", help="drop every override, back to the defaults")
    reset.set_defaults(handler=cmd_rules_reset)


def cmd_init(args: argparse.Namespace) -> int:
    version = db.ensure_schema(db.db_path(args.db))
    if args.json:
        print_json({"db": str(db.db_path(args.db)), "schema_version": version})
    else:
        print(f"{db.db_path(args.db)}: schema version {version}")
    return 0


def cmd_rules_show(args: argparse.Namespace) -> int:
    db.ensure_schema(db.db_path(args.db))
    with db.reading(args.db) as con:
        rules = load_rules(con)
    if args.json:
        print_json({"rules": rules.tree, "overrides": rules.overrides})
    else:
        print(rules.to_toml())
    return 0


def _assignments_to_toml(assignments: list[str]) -> dict[str, Any]:
    """``["ranking.weight_compliance=0.2", ...]`` -> checked overrides (keys of one section grouped,
    since TOML allows a table header only once)."""
    sections: dict[str, list[str]] = {}
    for item in assignments:
        key, _, raw = item.partition("=")
        section, _, name = key.strip().partition(".")
        sections.setdefault(section, []).append(f"{name} = {raw.strip()}")
    text = "\n".join(f"[{section}]\n" + "\n".join(lines) for section, lines in sections.items())
    return parse_overrides(text, source="command line")


def _rules_operator(args: argparse.Namespace) -> str:
    """Only the committee changes rules; ``--as-user`` names who (default: the operator)."""
    from pipelines import auth
    from pipelines.access import require_committee

    user = auth.acting_user(args.db, args.as_user)
    require_committee(user, "rules")
    return user.name


def cmd_rules_set(args: argparse.Namespace) -> int:
    from pipelines.audit import record
    from pipelines.refresh import rejudge

    actor = _rules_operator(args)
    new = _assignments_to_toml(args.assignments)
    with db.writing(args.db) as con:
        merged = {**stored_overrides(con), **new}
        rules = save_overrides(con, merged, actor)
        record(con, actor, "rules.set", None, new)
        rejudge(con, rules)
    if getattr(args, "json", False):
        print_json({"rules": rules.tree, "overrides": rules.overrides})
    else:
        print(json.dumps(new, ensure_ascii=False))
    return 0


def cmd_rules_reset(args: argparse.Namespace) -> int:
    from pipelines.audit import record
    from pipelines.refresh import rejudge

    actor = _rules_operator(args)
    with db.writing(args.db) as con:
        rejudge(con, save_overrides(con, {}, actor))
        record(con, actor, "rules.reset", None, {})
    return 0
