"""``demo [--seed N] [--scale demo|large|province] [--today YYYY-MM-DD] [--out DIR] [--via ...] [--json]``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipelines.cli import print_json
from pipelines.clock import iso_day
from pipelines.demo import DEFAULT_SEED, SCALES, build
from pipelines.i18n import t


def register(sub: Any) -> None:
    """Add ``demo`` to the command line."""
    p = sub.add_parser("demo", help="build the demo committee (seed 002) or a committee of a larger scale")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--scale", choices=list(SCALES), default="demo",
                   help="demo: 15 branches; large: 2,000 branches; province: 20,000 branches (loaded directly)")
    p.add_argument("--out", default=None, help="folder for the generated workbooks (default data/demo-workbooks)")
    p.add_argument("--via", choices=["auto", "ingest", "direct"], default="auto",
                   help="ingest: upload the workbooks like any upload; direct: load the generated tables")
    p.add_argument("--workbook-branches", type=int, default=None, metavar="N",
                   help="write the workbooks of the first N branches only (large writes ~16,000 files otherwise)")
    p.add_argument("--today", type=iso_day, default=None, metavar="YYYY-MM-DD",
                   help="the committee's date: activities up to it, the workbooks uploaded as of it "
                        "(default: $PARTYDAY_TODAY or the machine's date); one seed and date give one committee")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    def progress(table: str, rows: int) -> None:
        if not args.json:
            sys.stderr.write(f"\r{t('demo.progress', args.lang, table=table, rows=rows)}\033[K")

    result = build(args.db, seed=args.seed, scale=args.scale, out=args.out,
                   via=args.via, today=args.today, lang=args.lang, workbook_branches=args.workbook_branches,
                   progress=progress if args.scale == "province" else None)
    if args.json:
        print_json(result)
        return 1 if result["rejected"] else 0
    if args.scale == "province":
        sys.stderr.write("\n")
    print(t("demo.summary", args.lang, **result))
    if result["workbooks"]:
        print(t("demo.workbooks", args.lang, **result))
    if result["accounts"]:
        print(t("demo.accounts", args.lang, names=", ".join(result["accounts"])))
    for item in result["rejected"]:
        print(t("demo.rejected", args.lang, file=item["file"],
                why="; ".join(i["message"] for i in item["issues"])), file=sys.stderr)
    return 1 if result["rejected"] else 0
