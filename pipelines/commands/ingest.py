"""``ingest FILE... [--branch NAME] [--kind KIND] [--mapping NAME] [--json]``, ``uploads``, ``undo UPLOAD_ID``.

``ingest`` exits 0 when every file loaded or was unchanged, 1 when any was refused, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from pipelines import db
from pipelines.cli import print_json
from pipelines.i18n import t
from pipelines.ingest.model import KINDS


def register(sub: Any) -> None:
    """Add ``ingest``, ``uploads`` and ``undo`` to the command line."""
    p = sub.add_parser("ingest", help="load the workbooks secretaries keep (上传数据)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--branch", help="whose files these are, when a workbook does not say")
    p.add_argument("--kind", choices=KINDS, help="the kind of every sheet, instead of recognising it")
    p.add_argument("--roster-date", dest="roster_date", type=date.fromisoformat,
                   help="date a roster holds from (YYYY-MM-DD) when its title does not say")
    p.add_argument("--mapping", help="read the sheets through this saved column mapping (see: mappings list); "
                   "without it, a saved mapping applies by header shape")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_ingest)

    u = sub.add_parser("uploads", help="the upload history, newest first")
    u.add_argument("--json", action="store_true")
    u.set_defaults(handler=cmd_uploads)

    d = sub.add_parser("undo", help="undo an upload, restoring what it replaced")
    d.add_argument("upload_id", type=int)
    d.add_argument("--json", action="store_true")
    d.set_defaults(handler=cmd_undo)


def _scope(args: argparse.Namespace) -> tuple[str, set[int] | None]:
    """Who acts (``--as-user``, else the operator) and the branches they may load for."""
    from pipelines import auth
    from pipelines.access import upload_branch_ids

    user = auth.acting_user(args.db, getattr(args, "as_user", None))
    if user.role == "committee":
        return user.name, None
    with db.reading(args.db) as con:
        return user.name, upload_branch_ids(con, user)


def cmd_ingest(args: argparse.Namespace) -> int:
    from pipelines.ingest import ingest_files

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        sys.stderr.write(t("ingest.cli.missing", args.lang, files=", ".join(missing)) + "\n")
        return 2
    db.ensure_schema(db.db_path(args.db))
    actor, allowed = _scope(args)
    results = ingest_files(args.db, [Path(f) for f in args.files], branch=args.branch, kind=args.kind, actor=actor,
                           allowed_branch_ids=allowed, roster_date=args.roster_date, lang=args.lang,
                           mapping=args.mapping)
    if args.json:
        print_json({"files": [r.to_json(args.lang) for r in results]})
    else:
        for r in results:
            print(t(f"ingest.cli.{r.status}", args.lang, file=r.file, kind=r.kind or "-", upload_id=r.upload_id))
            for issue in r.issues:
                print(f"  [{t('ingest.cli.' + issue.severity, args.lang)}] {issue.message(args.lang)}")
    return 1 if any(r.status == "rejected" for r in results) else 0


def cmd_uploads(args: argparse.Namespace) -> int:
    from pipelines.ingest import uploads

    rows = uploads(args.db)
    if args.json:
        print_json({"uploads": rows})
    else:
        for r in rows:
            print(f"{r['upload_id']:>6}  {r['status']:<8} {r['uploaded_at']}  {r['uploaded_by'] or '-':<10} "
                  f"{r['kind'] or '-':<24} {r['branch'] or '-':<12} {r['file']}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from pipelines.ingest import undo_upload

    actor, allowed = _scope(args)
    done = undo_upload(args.db, args.upload_id, actor=actor, allowed_branch_ids=allowed)
    if args.json:
        print_json(done)
    else:
        print(t("ingest.cli.undone", args.lang, upload_id=done["upload_id"], file=done["file"]))
    return 0
