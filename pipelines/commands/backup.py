"""``backup --out DIR`` and ``restore DIR``: a copy of everything that does not depend on DuckDB's file format."""

from __future__ import annotations

import argparse
from typing import Any

from pipelines import auth
from pipelines.access import require_committee
from pipelines.backup import backup, restore
from pipelines.cli import print_json


def register(sub: Any) -> None:
    """Add ``backup`` and ``restore`` to the command line."""
    p = sub.add_parser("backup", help="write a consistent backup (Parquet per table + manifest) to a new folder")
    p.add_argument("--out", required=True, help="a new or empty folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_backup)

    r = sub.add_parser("restore", help="replace the database with a backup folder (or its .zip)")
    r.add_argument("source", help="the backup folder or .zip")
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=cmd_restore)


def _summary(manifest: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": manifest["schema_version"], "created_at": manifest["created_at"],
            "rows": {name: t["rows"] for name, t in manifest["tables"].items()}}


def cmd_backup(args: argparse.Namespace) -> int:
    require_committee(auth.acting_user(args.db, args.as_user), "backup")
    manifest = backup(args.db, args.out)
    if args.json:
        print_json({"out": args.out, **_summary(manifest)})
    else:
        total = sum(t["rows"] for t in manifest["tables"].values())
        print(f"{args.out}: {len(manifest['tables'])} tables, {total} rows, schema version {manifest['schema_version']}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    require_committee(auth.acting_user(args.db, args.as_user), "restore")
    manifest = restore(args.source, args.db)
    if args.json:
        print_json({"source": args.source, **_summary(manifest)})
    else:
        total = sum(t["rows"] for t in manifest["tables"].values())
        print(f"{args.source}: restored {len(manifest['tables'])} tables, {total} rows")
    return 0
