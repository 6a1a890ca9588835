"""The figures on the demo committee, through the real command line: the keys of issue 4, figures that add
up, the one branch that strikes out, rule changes followed, refusals in the user's language."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY, run_cli

YEAR = str(TODAY.year - 1)  # the demo's complete year
EVENT_KEYS = {"branch", "zone", "month", "date", "topic", "expected", "present", "excused", "unexcused",
              "participation", "quorum_met", "satisfaction", "ballots"}
CODES = {"quorum", "notice", "duration", "report_late", "no_record", "no_evaluation"}


@pytest.fixture(scope="module")
def direct_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo committee loaded straight into the core tables (no ingest), once for this module."""
    folder = tmp_path_factory.mktemp("rules-demo")
    path = folder / "demo.duckdb"
    run_cli("demo", "--via", "direct", "--today", TODAY.isoformat(), "--out", folder / "workbooks", db=path,
            check=True)
    return path


@pytest.fixture(params=["direct", "ingest"])
def demo(request: pytest.FixtureRequest, direct_db: Path) -> Path:
    """The demo committee, loaded directly and through the ingest path (the workbooks secretaries keep)."""
    if request.param == "direct":
        return direct_db
    ingest = pytest.importorskip("pipelines.ingest")
    if not hasattr(ingest, "ingest_files"):
        pytest.skip("pipelines.ingest.ingest_files is not available yet")
    path: Path = request.getfixturevalue("demo_db")
    return path


def cli_json(db: Path, *args: str) -> Any:
    proc = run_cli(*args, "--json", db=db, check=True)
    return json.loads(proc.stdout)


def test_events(demo: Path) -> None:
    events = cli_json(demo, "events", "--year", YEAR)
    assert events and all(set(e) >= EVENT_KEYS for e in events)
    for e in events:
        assert len(e["month"]) == 7 and e["month"].startswith(YEAR)
        assert e["date"] is None or e["date"].startswith(e["month"])
        if e["present"] is not None:
            assert e["present"] + e["excused"] + e["unexcused"] == e["expected"]
        assert set(e["violations"]) <= CODES and e["violations"] == sorted(e["violations"])
    assert any(e["quorum_met"] is False for e in events)
    assert any(e["level"] == "zone" for e in events)  # the joint zone activity
    one = cli_json(demo, "events", "--year", YEAR, "--branch", events[0]["branch"])
    assert one and {e["branch"] for e in one} == {events[0]["branch"]}


def test_compliance(demo: Path) -> None:
    rows = cli_json(demo, "compliance", "--year", YEAR)
    branches = {r["branch"] for r in rows}
    assert len(branches) == 15 and len(rows) == 15 * 12
    assert all({"branch", "zone", "month", "held", "violations"} <= set(r) for r in rows)
    assert all(set(r["violations"]) <= CODES for r in rows)
    assert any(not r["held"] for r in rows)  # missed months
    found = {c for r in rows for c in r["violations"]}
    assert {"quorum", "notice", "report_late"} <= found
    assert {r["status"] for r in rows} == {"ended"} and all(r["missed"] == (not r["held"]) for r in rows)


def statuses(rows: list[dict[str, Any]]) -> dict[str, set[tuple[str, bool]]]:
    """Per month: the (status, missed) pairs of its rows."""
    out: dict[str, set[tuple[str, bool]]] = {}
    for r in rows:
        out.setdefault(r["month"], set()).add((r["status"], r["missed"]))
    return out


def test_the_month_in_progress_on_the_command_line(demo: Path) -> None:
    year = str(TODAY.year)
    # on the last day of November, November is shown in progress and never missed; December not at all
    on_last = statuses(cli_json(demo, "compliance", "--year", year, "--today", f"{year}-11-30"))
    assert list(on_last) == [f"{year}-{m:02d}" for m in range(1, 12)]
    assert on_last[f"{year}-11"] == {("in_progress", False)}
    assert {s for m in range(1, 11) for s, _ in on_last[f"{year}-{m:02d}"]} == {"ended"}
    # the next day November is over (missed where nothing was held) and December is in progress
    rows = cli_json(demo, "compliance", "--year", year, "--today", f"{year}-12-01")
    on_first = statuses(rows)
    assert {s for s, _ in on_first[f"{year}-11"]} == {"ended"}
    assert on_first[f"{year}-12"] == {("in_progress", False)}
    assert all(r["missed"] == (not r["held"]) for r in rows if r["month"] == f"{year}-11")
    # on New Year's Eve December is still in progress; on New Year's Day the year is over
    assert statuses(cli_json(demo, "compliance", "--year", year, "--today", f"{year}-12-31"))[f"{year}-12"] == {
        ("in_progress", False)}
    new_year = cli_json(demo, "compliance", "--year", year, "--today", f"{int(year) + 1}-01-01")
    assert len(new_year) == 15 * 12 and {r["status"] for r in new_year} == {"ended"}
    # the events say which month is in progress
    events = cli_json(demo, "events", "--year", year, "--today", TODAY.isoformat())
    this_month = f"{year}-{TODAY.month:02d}"
    assert {e["month_status"] for e in events if e["month"] == this_month} == {"in_progress"}
    assert {e["month_status"] for e in events if e["month"] < this_month} == {"ended"}


def test_ranking(demo: Path) -> None:
    rows = cli_json(demo, "ranking", "--year", YEAR)
    assert len(rows) == 15
    for r in rows:
        assert {"branch", "zone", "score", "rank", "zone_rank", "eligible", "low_satisfaction_events",
                "too_little_data", "components"} <= set(r)
        assert 0 <= r["score"] <= 100
        assert set(r["components"]) == {"participation", "satisfaction", "compliance", "open_day_bonus"}
    ranked = sorted((r for r in rows if r["rank"] is not None), key=lambda r: r["rank"])
    for r in ranked:
        assert r["rank"] == 1 + sum(1 for o in ranked if o["score"] > r["score"])
    out = [r for r in rows if not r["eligible"]]
    assert len(out) == 1 and out[0]["low_satisfaction_events"] >= 3  # exactly one branch strikes out
    strikes = cli_json(demo, "strikes", "--year", YEAR)
    assert {s["branch"] for s in strikes if not s["eligible"]} == {out[0]["branch"]}
    assert len([s for s in strikes if s["branch"] == out[0]["branch"]]) == out[0]["low_satisfaction_events"]
    quarter = cli_json(demo, "ranking", "--year", YEAR, "--quarter", "2")
    assert len(quarter) == 15


def test_members_and_zones(demo: Path) -> None:
    ranking = cli_json(demo, "ranking", "--year", YEAR)
    branch = ranking[0]["branch"]
    members = cli_json(demo, "members", "--branch", branch, "--year", YEAR)
    assert members and all({"name", "present", "excused", "unexcused", "warning"} <= set(m) for m in members)
    assert all(m["present"] + m["excused"] + m["unexcused"] == m["expected"] for m in members)
    zones = cli_json(demo, "zones", "--year", YEAR)
    assert len(zones) == 16 and all(z["leader"] and z["deputy"] for z in zones)


def test_changing_the_rules_changes_the_figures(direct_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "rules.duckdb"
    shutil.copy(direct_db, db)
    before = cli_json(db, "events", "--year", YEAR)
    run_cli("rules", "set", "attendance.quorum_threshold=0.95", "evaluation.satisfied_ratings=[\"satisfied\"]",
            db=db, check=True)
    after = cli_json(db, "events", "--year", YEAR)
    failed = sum(1 for e in before if e["quorum_met"] is False)
    assert sum(1 for e in after if e["quorum_met"] is False) > failed
    rated = [(b["satisfaction"], a["satisfaction"]) for b, a in zip(before, after, strict=True)
             if b["satisfaction"] is not None]
    assert all(a <= b for b, a in rated) and any(a < b for b, a in rated)


def test_refusals(direct_db: Path) -> None:
    proc = run_cli("members", "--branch", "不存在党支部", "--year", YEAR, db=direct_db)
    assert proc.returncode == 1
    assert proc.stderr.startswith("没有名为“不存在党支部”的支部。请检查支部名称（例如：")
    proc = run_cli("--lang", "en", "events", "--year", YEAR, "--branch", "不存在党支部", "--json", db=direct_db)
    assert proc.returncode == 1
    message = json.loads(proc.stdout)["errors"][0]["message"]
    assert message.startswith('There is no branch called "不存在党支部". Check the branch name (for example: ')
    ranking = cli_json(direct_db, "ranking", "--year", YEAR)
    zone = cli_json(direct_db, "--as-user", "zone1", "ranking", "--year", YEAR)
    assert len({r["zone"] for r in zone}) == 1 and 0 < len(zone) < len(ranking)
    # ranks stay those of the whole committee
    assert {r["branch"]: r["rank"] for r in zone}.items() <= {r["branch"]: r["rank"] for r in ranking}.items()
    other = ranking[0]["branch"]
    proc = run_cli("--as-user", "viewer", "members", "--branch", other, "--year", YEAR, db=direct_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"用户 viewer（角色 viewer）无权查看支部“{other}”的党员明细："
                                   "党员明细只在本支部范围内和党委可见。")


def test_missing_database_and_empty_year(tmp_path: Path, direct_db: Path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    proc = run_cli("--lang", "en", "events", "--year", YEAR, db=missing)
    assert proc.returncode == 1 and not missing.exists()
    assert proc.stderr.strip() == (f"The database file {missing} does not exist. Check the --db path, or create it "
                                   "first with init or demo and load data.")
    proc = run_cli("events", "--year", "2019", db=direct_db, check=True)
    assert proc.stdout.strip() == "没有数据：该年度（或所选支部）尚无已上传的活动。"
    assert cli_json(direct_db, "events", "--year", "2019") == []
