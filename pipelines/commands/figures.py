"""``events``, ``compliance``, ``ranking``, ``members``, ``zones``, ``strikes``: the rules engine's figures;
``figures``: events, compliance, ranking and strikes of a year at once.

Each prints a table, or with ``--json`` a list of objects (dates as ``YYYY-MM-DD``, rates 0–1; ``figures``
an object of the four lists). The figures are those of :mod:`pipelines.metrics` under the rules in force;
``--as-user`` limits them to what that account may see. With the global ``--engine spark --lake DIR``
events, compliance, ranking, strikes and figures are computed by Apache Spark over the Parquet lake
(:mod:`pipelines.spark_engine`), committee-wide, under the rules exported with it.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from typing import Any

import polars as pl

from pipelines import access, auth, db, metrics
from pipelines.cli import print_json
from pipelines.clock import iso_day
from pipelines.config import load_rules
from pipelines.errors import PartydayError, error
from pipelines.i18n import t

# The keys of issue 4 first; the other columns of each metrics frame follow.
EVENT_KEYS = ("branch", "zone", "month", "date", "topic", "expected", "present", "excused", "unexcused",
              "participation", "quorum_met", "satisfaction", "ballots")
COMPLIANCE_KEYS = ("branch", "zone", "month", "status", "held", "violations")
RANKING_KEYS = ("branch", "zone", "score", "rank", "zone_rank", "eligible", "low_satisfaction_events",
                "too_little_data", "components")
MEMBER_KEYS = ("name", "present", "excused", "unexcused", "warning")
ZONE_KEYS = ("zone", "quarter", "leader", "deputy", "branches", "activities", "participation", "quorum_rate",
             "satisfaction", "compliance")
STRIKE_KEYS = ("branch", "zone", "month", "date", "topic", "satisfaction", "strikes", "eligible")


def _year(text: str) -> int:
    value = int(text)
    if not 1900 <= value <= 2999:
        raise argparse.ArgumentTypeError(f"year out of range: {text}")
    return value


def register(sub: Any) -> None:
    """Add the figure commands to the command line."""
    def command(name: str, text: str, handler: Callable[[argparse.Namespace], int], *,
                branch: bool = False, branch_required: bool = False, quarter: bool = False,
                today: bool = False) -> None:
        p = sub.add_parser(name, help=text)
        p.add_argument("--year", type=_year, required=True)
        if branch or branch_required:
            p.add_argument("--branch", required=branch_required, help="branch name")
        if quarter:
            p.add_argument("--quarter", type=int, choices=(1, 2, 3, 4))
        if today:
            p.add_argument("--today", type=iso_day, default=None,
                           help="judge the months complete before this date; its month is in progress "
                                "(default: $PARTYDAY_TODAY or the machine's date), YYYY-MM-DD")
        p.add_argument("--json", action="store_true")
        p.set_defaults(handler=handler)

    command("events", "per activity and branch: expected, present, participation, quorum, satisfaction",
            cmd_events, branch=True, today=True)
    command("compliance", "per branch and month: held, and the rules broken", cmd_compliance, branch=True,
            today=True)
    command("ranking", "branches ranked by score (participation, satisfaction, compliance)", cmd_ranking,
            quarter=True, today=True)
    command("members", "per member of one branch: present, excused, unexcused, warning", cmd_members,
            branch_required=True)
    command("zones", "per zone and quarter: leader and deputy units and the figures", cmd_zones, today=True)
    command("strikes", "activities below the satisfaction threshold (three strikes)", cmd_strikes)
    command("figures", "events, compliance, ranking and strikes of a year at once (an object of four lists)",
            cmd_figures, today=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def rows(frame: pl.DataFrame, first: tuple[str, ...]) -> list[dict[str, Any]]:
    """The frame as JSON-ready objects, the keys of ``first`` leading."""
    order = [c for c in first if c in frame.columns] + [c for c in frame.columns if c not in first]
    out: list[dict[str, Any]] = json.loads(frame.select(order).write_json())
    return [{k: _jsonable(v) for k, v in r.items()} for r in out]


def _scope(con: Any, args: argparse.Namespace) -> set[int] | None:
    return access.visible_branch_ids(con, auth.acting_user(args.db, args.as_user))


def _check_branch(con: Any, args: argparse.Namespace, scope: set[int] | None) -> None:
    if getattr(args, "branch", None):
        bid = metrics.branch_id(con, args.branch)
        if not access.in_scope(scope, bid):
            raise access.refused("branch", auth.acting_user(args.db, args.as_user), branch=args.branch)


def spark_lake(args: argparse.Namespace) -> Any:
    """The Spark engine over ``args.lake`` (global ``--engine spark``): committee-wide only."""
    from pipelines import spark_engine

    if not args.lake:
        raise PartydayError(error("lake.need_lake"))
    if args.as_user:
        raise PartydayError(error("lake.spark_unsupported", what="--as-user"))
    if args.handler in (cmd_members, cmd_zones):
        raise PartydayError(error("lake.spark_unsupported", what=args.command))
    lake = spark_engine.SparkLake(spark_engine.session(args.spark_master), args.lake, args.committee)
    return lake


def _computed(args: argparse.Namespace, compute: Callable[[Any, Any, set[int] | None], Any]) -> Any:
    if getattr(args, "engine", "duckdb") == "spark":
        lake = spark_lake(args)
        _check_branch(lake, args, None)
        return compute(lake, lake.rules(), None)
    path = db.db_path(args.db)
    if not path.exists():
        raise PartydayError(error("rules.no_database", path=str(path)))
    db.ensure_schema(path)
    with db.reading(path) as con:
        scope = _scope(con, args)
        _check_branch(con, args, scope)
        return compute(con, load_rules(con), scope)


def _run(args: argparse.Namespace, compute: Callable[[Any, Any, set[int] | None], pl.DataFrame],
         first: tuple[str, ...]) -> int:
    frame = _computed(args, compute)
    out = rows(frame, first)
    if args.json:
        print_json(out)
        return 0
    if not out:
        print(t("rules.cli.empty", args.lang))
        return 0
    keys = [k for k in first if k in frame.columns]
    print("\t".join(keys))
    for row in out:
        print("\t".join(_cell(row.get(k)) for k in keys))
    return 0


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}={_cell(v)}" for k, v in value.items())
    return str(value)


def cmd_events(args: argparse.Namespace) -> int:
    return _run(args, lambda con, rules, scope: metrics.with_month_status(metrics.events(
        con, rules, args.year, branch=args.branch, branch_ids=scope), args.today), EVENT_KEYS)


def cmd_compliance(args: argparse.Namespace) -> int:
    return _run(args, lambda con, rules, scope: metrics.compliance(
        con, rules, args.year, branch=args.branch, branch_ids=scope, today=args.today), COMPLIANCE_KEYS)


def cmd_ranking(args: argparse.Namespace) -> int:
    return _run(args, lambda con, rules, scope: metrics.ranking(
        con, rules, args.year, quarter=args.quarter, branch_ids=scope, today=args.today), RANKING_KEYS)


def cmd_members(args: argparse.Namespace) -> int:
    def compute(con: Any, rules: Any, scope: set[int] | None) -> pl.DataFrame:
        access.require_member_detail(con, auth.acting_user(args.db, args.as_user),
                                     metrics.branch_id(con, args.branch))
        return metrics.members(con, rules, args.branch, args.year)
    return _run(args, compute, MEMBER_KEYS)


def cmd_zones(args: argparse.Namespace) -> int:
    def compute(con: Any, rules: Any, scope: set[int] | None) -> pl.DataFrame:
        frame = metrics.zone_quarters(con, args.year, rules, today=args.today)
        if scope is not None:
            zones = {int(r[0]) for r in con.execute("select distinct zone_id from branches where "
                                                    "list_contains($ids, branch_id)", {"ids": sorted(scope)}).fetchall()
                     if r[0] is not None}
            frame = frame.filter(pl.col("zone_id").is_in(sorted(zones)))
        return frame
    return _run(args, compute, ZONE_KEYS)


def cmd_strikes(args: argparse.Namespace) -> int:
    return _run(args, lambda con, rules, scope: metrics.strikes(con, rules, args.year, branch_ids=scope),
                STRIKE_KEYS)


FIGURE_KEYS = {"events": EVENT_KEYS, "compliance": COMPLIANCE_KEYS, "ranking": RANKING_KEYS, "strikes": STRIKE_KEYS}


def year_figures(con: Any, rules: Any, year: int, today: Any = None,
                 scope: set[int] | None = None) -> dict[str, pl.DataFrame]:
    """Events, compliance, ranking and strikes of ``year`` as the commands compute them (on DuckDB or
    on the Spark engine alike)."""
    return {"events": metrics.with_month_status(metrics.events(con, rules, year, branch_ids=scope), today),
            "compliance": metrics.compliance(con, rules, year, branch_ids=scope, today=today),
            "ranking": metrics.ranking(con, rules, year, branch_ids=scope, today=today),
            "strikes": metrics.strikes(con, rules, year, branch_ids=scope)}


def cmd_figures(args: argparse.Namespace) -> int:
    frames = _computed(args, lambda con, rules, scope: year_figures(con, rules, args.year, args.today, scope))
    out = {name: rows(frame, FIGURE_KEYS[name]) for name, frame in frames.items()}
    if args.json:
        print_json(out)
        return 0
    for name, listed in out.items():
        print(f"{name}\t{len(listed)}")
    return 0
