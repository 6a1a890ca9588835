"""``snapshot create|list|show|check|compare|export|delete``: frozen year-end rankings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pipelines import snapshots
from pipelines.cli import print_json
from pipelines.i18n import t


def register(sub: Any) -> None:
    """Add ``snapshot`` and its sub-commands to the command line."""
    p = sub.add_parser("snapshot", help="frozen, reproducible year-end rankings (年度快照)")
    ss = p.add_subparsers(dest="snapshot_command", required=True)

    create = ss.add_parser("create", help="take a snapshot of the ranking of a year or a quarter")
    create.add_argument("--year", type=int, required=True)
    create.add_argument("--quarter", type=int, choices=(1, 2, 3, 4))
    create.add_argument("--name")
    create.add_argument("--note")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_create)

    lst = ss.add_parser("list", help="every snapshot, newest first")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)

    for name, handler, text in (("show", cmd_show, "one snapshot exactly as stored"),
                                ("check", cmd_check, "recompute with the stored rules: does it still match?")):
        q = ss.add_parser(name, help=text)
        q.add_argument("id", type=int)
        q.add_argument("--json", action="store_true")
        q.set_defaults(handler=handler)

    cmp = ss.add_parser("compare", help="rank and score movement between two snapshots")
    cmp.add_argument("first", type=int)
    cmp.add_argument("second", type=int)
    cmp.add_argument("--json", action="store_true")
    cmp.set_defaults(handler=cmd_compare)

    exp = ss.add_parser("export", help="the assessment workbook (.xlsx)")
    exp.add_argument("id", type=int)
    exp.add_argument("--out", required=True, type=Path)
    exp.set_defaults(handler=cmd_export)

    dele = ss.add_parser("delete", help="delete a snapshot (committee only; recorded in the audit log)")
    dele.add_argument("id", type=int)
    dele.add_argument("--json", action="store_true")
    dele.set_defaults(handler=cmd_delete)


def _user(args: argparse.Namespace) -> Any:
    from pipelines import auth

    return auth.acting_user(args.db, args.as_user)


def _words(row: dict[str, Any], *keys: str) -> dict[str, str]:
    return {k: snapshots.shown(row.get(k)) for k in keys}


def cmd_create(args: argparse.Namespace) -> int:
    head = snapshots.take(args.db, year=args.year, quarter=args.quarter, name=args.name, note=args.note,
                          user=_user(args), lang=args.lang)
    if args.json:
        print_json(head)
    else:
        print(t("snapshots.cli.created", args.lang, **head))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    rows = snapshots.list_snapshots(args.db, user=_user(args))
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(t("snapshots.cli.line", args.lang, **row))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    snap = snapshots.show(args.db, args.id, user=_user(args))
    if args.json:
        print_json(snap)
    else:
        print(t("snapshots.cli.line", args.lang, **snap))
        for row in snap["ranking"]:
            print(t("snapshots.cli.rank_line", args.lang, **_words(row, "rank", "branch", "zone", "zone_rank",
                                                                    "score")))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    result = snapshots.check(args.db, args.id, user=_user(args))
    if args.json:
        print_json(result)
    else:
        print(snapshots.check_summary(result, args.lang))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    result = snapshots.compare(args.db, args.first, args.second, user=_user(args))
    if args.json:
        print_json(result)
    else:
        for row in result["branches"]:
            print(t("snapshots.cli.move_line", args.lang, **_words(row, *row)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.snapshot_export import export

    export(args.db, args.id, args.out, user=_user(args), lang=args.lang)
    print(t("snapshots.cli.exported", args.lang, id=args.id, out=str(args.out)))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    head = snapshots.delete(args.db, args.id, user=_user(args))
    if getattr(args, "json", False):
        print_json({"ok": True, "deleted": head})
    else:
        print(t("snapshots.cli.deleted", args.lang, **head))
    return 0
