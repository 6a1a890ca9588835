"""``mappings list|show NAME|delete NAME [--json]``: the column mappings taught on the upload page.

``ingest --mapping NAME`` applies one by name; without it, a stored mapping applies by header shape.
"""

from __future__ import annotations

import argparse
from typing import Any

from pipelines.cli import print_json
from pipelines.i18n import t


def register(sub: Any) -> None:
    """Add ``mappings`` and its sub-commands to the command line."""
    p = sub.add_parser("mappings", help="column mappings taught for sheet layouts not recognised (列对应关系)")
    ms = p.add_subparsers(dest="mappings_command", required=True)
    lst = ms.add_parser("list", help="every mapping you may see, by branch and name")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=cmd_list)
    for name, handler, text in (("show", cmd_show, "one mapping: header row, columns, words"),
                                ("delete", cmd_delete, "delete a mapping (committee only; recorded in the audit log)")):
        q = ms.add_parser(name, help=text)
        q.add_argument("name")
        q.add_argument("--json", action="store_true")
        q.set_defaults(handler=handler)


def _user(args: argparse.Namespace) -> Any:
    from pipelines import auth

    return auth.acting_user(args.db, args.as_user)


def _line(row: dict[str, Any], lang: str) -> str:
    cols = ", ".join(f"{k}={v}" for k, v in sorted(row["columns"].items()))
    words = ", ".join(f"{k}={v}" for k, v in sorted(row["words"].items())) or "-"
    return t("ingest.mapping.cli.line", lang, **{**row, "columns": cols, "words": words})


def cmd_list(args: argparse.Namespace) -> int:
    from pipelines.ingest.mapping_store import list_mappings

    rows = list_mappings(args.db, _user(args))
    if args.json:
        print_json({"mappings": rows})
    else:
        for row in rows:
            print(_line(row, args.lang))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from pipelines.ingest.mapping_store import show

    row = show(args.db, args.name, _user(args))
    if args.json:
        print_json(row)
    else:
        print(_line(row, args.lang))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from pipelines.ingest.mapping_store import delete

    row = delete(args.db, args.name, _user(args))
    if args.json:
        print_json({"ok": True, "deleted": row})
    else:
        print(t("ingest.mapping.cli.deleted", args.lang, **row))
    return 0
