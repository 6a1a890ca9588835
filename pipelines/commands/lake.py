"""``export-lake --out DIR``: the core and ``out_`` tables as a Parquet lake for Spark, DuckDB and polars
(:mod:`pipelines.lake`); a second export into the same folder writes only what changed."""

from __future__ import annotations

import argparse
from typing import Any

from pipelines import auth
from pipelines.access import require_committee
from pipelines.cli import print_json
from pipelines.lake import export_lake


def register(sub: Any) -> None:
    """Add ``export-lake`` to the command line."""
    p = sub.add_parser("export-lake", help="export the core and out_ tables as partitioned Parquet (a lake for "
                                           "Spark); again into the same folder: only what changed")
    p.add_argument("--out", required=True, help="the lake folder: new, empty, or an earlier export")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_export_lake)


def cmd_export_lake(args: argparse.Namespace) -> int:
    require_committee(auth.acting_user(args.db, args.as_user), "backup")
    summary = export_lake(args.db, args.out)
    if args.json:
        print_json(summary)
    else:
        print(f"{summary['out']}: committee {summary['committee_id']}, {summary['written']} partitions written "
              f"({summary['rows_written']} rows), {summary['kept']} unchanged, {summary['removed']} removed")
    return 0
