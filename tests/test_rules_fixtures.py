"""The figures of the ingest fixture workbooks (scripts/make_fixtures.py), loaded through the real
``ingest`` command and counted by hand from the sheets."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

sys.path.insert(0, str(ROOT / "scripts"))
import make_fixtures  # noqa: E402


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rules-fixtures")
    files = [p for p in make_fixtures.write(folder / "files") if p.name[:2] in {"01", "02", "03", "04", "06", "07", "08"}]
    db = folder / "fixtures.duckdb"
    run_cli("ingest", *files, db=db, check=True)
    run_cli("ingest", "--branch", "乙支部", *(folder / "files").glob("05_*.xlsx"), db=db, check=True)
    return db


def cli(db: Path, *args: str) -> Any:
    return json.loads(run_cli(*args, "--json", db=db, check=True).stdout)


def test_events_counted_by_hand(loaded: Path) -> None:
    events = {(e["branch"], e["month"]): e for e in cli(loaded, "events", "--year", "2024")}
    keys = ("date", "expected", "present", "excused", "unexcused", "quorum_met", "satisfaction", "ballots")
    # 甲: roster of six, 陈静 exempt (长期驻外); 王芳 √ and 张伟(1990) 出席; 李强 请假 and AB (病假 in the remarks,
    # made up later) excused; 张伟(1992) ×; two non-members apart. Overall item 3 + 1 of 4.
    jia = events[("甲支部", "2024-03")]
    assert tuple(jia[k] for k in keys) == ("2024-03-15", 5, 2, 2, 1, False, 1.0, 4)
    assert (jia["exempt"], jia["guests"], jia["made_up"], jia["participation"]) == (1, 2, 1, 0.4)
    assert jia["violations"] == ["quorum"]  # 3 hours, notice 7 days before, record the next day
    # 乙: roster taken from the first sign-in; one ballot each 满意 / 基本满意 / 不满意 on the overall item
    yi = events[("乙支部", "2024-03")]
    assert tuple(yi[k] for k in keys) == ("2024-03-20", 3, 1, 1, 1, False, pytest.approx(2 / 3), 3)
    assert yi["violations"] == ["no_record", "quorum"]
    for month in ("2024-04", "2024-05"):
        assert (events[("乙支部", month)]["present"], events[("乙支部", month)]["excused"],
                events[("乙支部", month)]["unexcused"]) == (1, 1, 1)
    # 丙: the year table, months only; March empty (no activity); April 甲一 on leave
    assert {m for (b, m) in events if b == "丙支部"} == {"2024-01", "2024-02", "2024-04", "2024-06"}
    assert tuple(events[("丙支部", "2024-01")][k] for k in ("date", "expected", "present", "quorum_met")) == \
        (None, 3, 3, True)
    assert tuple(events[("丙支部", "2024-04")][k] for k in ("present", "excused", "unexcused")) == (2, 1, 0)
    # 丁's joint open day with 丙 (a record only): held by both, attendance unknown
    ding = events[("丁支部", "2024-06")]
    assert ding["level"] == "zone" and ding["is_open_day"] is True and ding["present"] is None
    assert events[("丙支部", "2024-06")]["expected"] == 3 and events[("丙支部", "2024-06")]["quorum_met"] is None
    assert ding["violations"] == ["no_evaluation"]  # 下午 is half a day


def test_compliance_members_zones_ranking(loaded: Path) -> None:
    rows = cli(loaded, "compliance", "--year", "2024")
    assert len(rows) == 4 * 12
    held = {(r["branch"], r["month"]): r["violations"] for r in rows if r["held"]}
    assert held[("丙支部", "2024-01")] == ["no_evaluation", "no_record"]
    assert ("丙支部", "2024-03") not in held
    members = {m["name"]: m for m in cli(loaded, "members", "--branch", "甲支部", "--year", "2024")}
    assert (members["AB"]["excused"], members["AB"]["made_up"]) == (1, 1)
    assert (members["陈静"]["expected"], members["陈静"]["exempt"]) == (0, 1)
    zones = {(z["zone"], z["quarter"]): z for z in cli(loaded, "zones", "--year", "2024")}
    assert (zones[("一区", 1)]["leader"], zones[("一区", 1)]["deputy"]) == ("甲支部", "乙支部")
    assert (zones[("一区", 2)]["leader"], zones[("一区", 2)]["deputy"]) == ("乙支部", "甲支部")
    ranking = cli(loaded, "ranking", "--year", "2024")
    assert sorted(r["branch"] for r in ranking) == ["丁支部", "丙支部", "乙支部", "甲支部"]
    assert all(r["too_little_data"] and r["rank"] is None for r in ranking)
    q2 = {r["branch"]: r for r in cli(loaded, "ranking", "--year", "2024", "--quarter", "2")}
    assert q2["丁支部"]["components"]["open_day_bonus"] == 2.0
