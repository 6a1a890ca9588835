"""``python -m pipelines [--db PATH] [--lang zh|en] [--engine duckdb|spark --lake DIR] COMMAND ...``

Commands are discovered from ``pipelines/commands/``: each module's ``register(subparsers)`` adds its own.
Errors the user can fix print in the chosen language and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
from typing import Any

import pipelines.commands as commands_pkg
from pipelines.errors import PartydayError
from pipelines.i18n import normalise_lang


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command module registered."""
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="党日看板 · Party Day Dashboard")
    parser.add_argument("--db", help="DuckDB file (default: $PARTYDAY_DB or data/partyday.duckdb)")
    parser.add_argument("--lang", default=None, help="language of messages: zh (default) or en")
    parser.add_argument("--as-user", dest="as_user", default=None,
                        help="act as this dashboard user (scope checks apply); default: the committee's operator")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="where the figures (events, compliance, ranking, strikes, figures) are computed: "
                             "duckdb (the database, default) or spark (Apache Spark over the Parquet lake of "
                             "export-lake; needs --lake)")
    parser.add_argument("--lake", default=None, help="the lake folder written by export-lake (for --engine spark)")
    parser.add_argument("--committee", type=int, default=None,
                        help="the committee id in a lake that holds several (for --engine spark)")
    parser.add_argument("--spark-master", dest="spark_master", default="local[2]",
                        help="Spark master URL (default local[2]; a cluster's for a national deployment)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"pipelines.commands.{info.name}")
        module.register(sub)
    return parser


def print_json(value: Any) -> None:
    """Print ``value`` as JSON (UTF-8, not escaped)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    args.lang = normalise_lang(args.lang)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except PartydayError as exc:
        if getattr(args, "json", False):
            print_json({"ok": False, "errors": [i.to_json(args.lang) for i in exc.issues]})
        else:
            sys.stderr.write(exc.message(args.lang) + "\n")
        return 1
