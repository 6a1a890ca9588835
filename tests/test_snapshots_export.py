"""The assessment workbook of a snapshot, read back cell by cell; the recommended list and best cases.

The snapshot here is written by hand (as :func:`pipelines.snapshots.show` returns one), so every expected
cell is known without the rules engine: what the export writes is what the snapshot stored.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from pipelines import snapshot_export
from pipelines.config import build_rules, default_rules
from pipelines.snapshots import best_cases, movement, recommended, upload_changes


def rank_row(rank: int, branch: str, zone: str, zone_rank: int, score: float, *, eligible: bool = True,
             low: int = 0, little: bool = False, part: float = 0.9, sat: float = 0.9, comp: float = 1.0,
             branch_id: int | None = None) -> dict[str, Any]:
    return {"branch_id": branch_id, "branch": branch, "zone": zone, "score": score, "rank": rank,
            "zone_rank": zone_rank, "eligible": eligible, "low_satisfaction_events": low,
            "too_little_data": little,
            "components": {"participation": part, "satisfaction": sat, "compliance": comp, "open_day_bonus": 0.0}}


RANKING = [
    rank_row(1, "=HYPERLINK(\"http://x\")", "一区", 1, 95.5, part=0.95, branch_id=1),
    rank_row(2, "乙支部", "二区", 1, 90.25, branch_id=2),
    rank_row(2, "丙支部", "一区", 2, 90.25, branch_id=3),
    rank_row(4, "丁支部", "二区", 2, 70.0, eligible=False, low=3, sat=0.55, branch_id=4),
    rank_row(5, "戊支部", "二区", 3, 60.0, little=True, branch_id=5),
]


def snapshot() -> dict[str, Any]:
    rules = default_rules()
    return {
        "id": 7, "name": "2026 年度排名", "note": "@SUM(A1) 年终考核依据", "year": 2026, "quarter": None,
        "committee_name": "某分厂党委", "taken_by": "dangwei", "taken_at": "2026-12-31 09:00:00",
        "fingerprint": "ab" * 32, "superseded_by": None, "rules": rules.tree,
        "uploads": [{"upload_id": 11, "file_name": "-签到表.xlsx", "sha256": "cd" * 32, "kind": "signin",
                     "branch": "乙支部", "uploaded_at": "2026-03-02 10:00:00", "uploaded_by": "branch1"}],
        "facts": [],
        "ranking": RANKING,
        "strikes": [{"branch": "丁支部", "zone": "二区", "activity_id": 40 + m, "date": f"2026-0{m}-10",
                     "month": f"2026-0{m}", "topic": "=1+1" if m == 2 else f"主题{m}", "satisfaction": 0.5}
                    for m in (2, 5, 7)],
        "quorum_failures": [{"branch": "乙支部", "zone": "二区", "month": "2026-04", "date": "2026-04-15",
                             "topic": "+学习", "expected": 20, "present": 15, "excused": 3, "unexcused": 2,
                             "participation": 0.75, "quorum_met": False}],
        "absentees": [{"branch": "乙支部", "branch_id": 2, "zone": "二区", "name": "=张三", "present": 9,
                       "excused": 1, "unexcused": 2, "warning": True}],
        "recommended": recommended(RANKING, rules),
        "best_cases": [{"branch": "乙支部", "zone": "二区", "date": "2026-06-10", "topic": "七一重温入党誓词",
                        "satisfaction": 1.0, "ballots": 30, "participation": 0.95}],
    }


def read_back(lang: str = "zh") -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(snapshot_export.to_bytes(snapshot(), lang)))


def values(ws: Any, row: int) -> list[Any]:
    return [c.value for c in ws[row]]


def test_sheets_and_cover() -> None:
    wb = read_back()
    assert wb.sheetnames == ["封面", "总排名", "一区", "二区", "三次不满意与资格", "未达法定人数", "缺勤党员",
                             "推荐名单", "数据来源"]
    cover = wb["封面"]
    assert cover["A1"].value == "某分厂党委 主题党日年度评先选优排名快照"
    facts = {cover.cell(row=r, column=1).value: cover.cell(row=r, column=2).value for r in range(4, 17)}
    assert facts["快照编号"] == 7
    assert facts["快照名称"] == "2026 年度排名"
    assert facts["考核期间"] == "2026 年度"
    assert facts["生成时间"] == "2026-12-31 09:00:00"
    assert facts["生成人"] == "dangwei"
    assert facts["说明"] == "@SUM(A1) 年终考核依据"
    assert facts["参加排名的支部数"] == 5
    assert facts["不具备评先资格的支部数"] == 1
    assert facts["数据指纹（SHA-256）"] == "ab" * 32
    assert facts["依据的上传文件数"] == 1
    assert facts["被哪个快照取代"] == "当前有效（未被新快照取代）"
    rules = {cover.cell(row=r, column=3).value: cover.cell(row=r, column=2)
             for r in range(18, cover.max_row + 1)}
    assert rules["ranking.weight_participation"].value == 0.4
    assert rules["ranking.weight_participation"].number_format == "0.0%"
    assert rules["evaluation.strikes_limit"].value == 3
    assert rules["evaluation.satisfied_ratings"].value == "满意、基本满意"
    assert rules["evaluation.primary_item"].value == "总体评价"
    assert rules["attendance.quorum_inclusive"].value == "是"
    assert cover["C19"].value == "配置项" and cover["C20"].value == "ranking.weight_participation"  # weights first
    assert "limits.max_file_mb" not in rules  # upload limits are not part of the assessment


def test_overall_ranking_cell_by_cell() -> None:
    ws = read_back()["总排名"]
    assert ws["A1"].value == "2026 年度支部总排名"
    assert ws.freeze_panes == "A4"
    assert values(ws, 3) == ["总名次", "党支部", "协作区", "区内名次", "得分", "参与率", "满意度", "合规率",
                             "开放日加分", "满意度不达标次数", "评先资格", "数据不足"]
    assert values(ws, 4) == [1, "=HYPERLINK(\"http://x\")", "一区", 1, 95.5, 0.95, 0.9, 1.0, 0.0, 0, "是", "否"]
    assert values(ws, 5)[:5] == [2, "乙支部", "二区", 1, 90.25]
    assert values(ws, 6)[:5] == [2, "丙支部", "一区", 2, 90.25]  # a tie shares the rank
    assert values(ws, 7) == [4, "丁支部", "二区", 2, 70.0, 0.9, 0.55, 1.0, 0.0, 3, "否", "否"]
    assert values(ws, 8)[-1] == "是"
    assert ws.max_row == 8
    # numbers as numbers, rates as percentages, the ineligible row highlighted
    assert ws["E4"].data_type == "n" and ws["E4"].number_format == "0.00"
    assert ws["F4"].number_format == "0.0%"
    assert ws["A7"].fill.fgColor.rgb.endswith("F8D7DA")
    assert not ws["A5"].fill.fgColor.rgb.endswith("F8D7DA")
    assert ws["B8"].font.i  # too little data: grey italics
    # user text that looks like a formula stays text
    assert ws["B4"].data_type == "s" and ws["B4"].quotePrefix


def test_zone_sheets_follow_the_zone_rank() -> None:
    wb = read_back()
    zone = wb["二区"]
    assert zone["A1"].value == "二区 · 2026 年度区内排名"
    assert values(zone, 3)[:5] == ["区内名次", "党支部", "协作区", "总名次", "得分"]
    assert [values(zone, r)[:2] for r in range(4, zone.max_row + 1)] == [[1, "乙支部"], [2, "丁支部"], [3, "戊支部"]]


def test_strikes_quorum_absentees_recommended_and_sources() -> None:
    wb = read_back()
    strikes = wb["三次不满意与资格"]
    assert values(strikes, 3) == ["党支部", "协作区", "满意度不达标次数", "评先资格", "活动日期", "活动主题", "满意度"]
    assert values(strikes, 4) == ["丁支部", "二区", 3, "否", dt.datetime(2026, 2, 10), "=1+1", 0.5]
    assert strikes["F4"].data_type == "s" and strikes["E4"].number_format == "yyyy-mm-dd"
    assert strikes.max_row == 6

    quorum = wb["未达法定人数"]
    assert quorum["A1"].value == "2026 年度参会率未达到应到党员 80% 的活动"  # the stored threshold
    assert values(quorum, 4) == ["乙支部", "二区", dt.datetime(2026, 4, 15), "2026-04", "+学习", 20, 15, 3, 2, 0.75]
    assert quorum["E4"].data_type == "s" and quorum["J4"].number_format == "0.0%"

    absent = wb["缺勤党员"]
    assert values(absent, 4) == ["乙支部", "二区", "=张三", 9, 1, 2, "是"]
    assert absent["C4"].data_type == "s"

    rec = wb["推荐名单"]
    assert values(rec, 3)[:6] == ["范围", "序号", "名次", "党支部", "协作区", "得分"]
    # 20% of 5 branches, rounded up: 1 overall; per zone 20% of 2 -> 1, of 3 -> 1
    assert [values(rec, r)[:6] for r in (4, 5, 6)] == [
        ["全委", 1, 1, "=HYPERLINK(\"http://x\")", "一区", 95.5],
        ["一区", 1, 1, "=HYPERLINK(\"http://x\")", "一区", 95.5],
        ["二区", 1, 1, "乙支部", "二区", 90.25],
    ]
    assert rec["A8"].value == "最佳主题党日活动案例候选（满意度最高的 1 次活动）"
    assert values(rec, 10) == [1, "乙支部", "二区", dt.datetime(2026, 6, 10), "七一重温入党誓词", 1, 30, 0.95]

    sources = wb["数据来源"]
    assert values(sources, 4) == [11, "-签到表.xlsx", "signin", "乙支部", "2026-03-02 10:00:00", "branch1", "cd" * 32]
    assert sources["B4"].data_type == "s" and sources["B4"].quotePrefix


def test_english_workbook() -> None:
    wb = read_back("en")
    assert wb.sheetnames[:4] == ["Cover", "Overall ranking", "一区", "二区"]
    assert values(wb["Overall ranking"], 3)[:5] == ["Rank", "Branch", "Zone", "Rank in zone", "Score"]
    assert values(wb["Overall ranking"], 7)[-2:] == ["no", "no"]


def test_recommended_by_count_and_share_with_ties() -> None:
    ranking = [rank_row(1, "A", "z1", 1, 99), rank_row(2, "B", "z1", 2, 90), rank_row(2, "C", "z2", 1, 90),
               rank_row(4, "D", "z2", 2, 80, eligible=False), rank_row(5, "E", "z2", 3, 70)]
    by_share = recommended(ranking, build_rules({"ranking.recommend_share": 0.4}))
    # 40% of 5 = 2 overall, and B and C tie at rank 2: both are taken
    assert [(r["scope"], r["zone_scope"], r["branch"]) for r in by_share] == [
        ("overall", None, "A"), ("overall", None, "B"), ("overall", None, "C"),
        ("zone", "z1", "A"), ("zone", "z2", "C"), ("zone", "z2", "E"),
    ]
    by_count = recommended(ranking, build_rules({"ranking.recommend_count": 1}))
    assert [(r["zone_scope"], r["branch"]) for r in by_count] == [(None, "A"), ("z1", "A"), ("z2", "C")]


def test_best_cases_take_each_activity_once() -> None:
    events = [{"activity_id": 1, "branch": "A", "date": "2026-01-05", "satisfaction": 0.9, "ballots": 10},
              {"activity_id": 2, "branch": "A", "date": "2026-02-05", "satisfaction": 1.0, "ballots": 10},
              {"activity_id": 2, "branch": "B", "date": "2026-02-05", "satisfaction": 1.0, "ballots": 10},
              {"activity_id": 3, "branch": "C", "date": "2026-03-05", "satisfaction": 1.0, "ballots": 25},
              {"activity_id": 4, "branch": "D", "date": "2026-03-06", "satisfaction": None, "ballots": 0}]
    chosen = best_cases(events, build_rules({"ranking.best_case_count": 3}))
    assert [e["activity_id"] for e in chosen] == [3, 2, 1]


def test_movement_and_upload_changes() -> None:
    then = [rank_row(1, "A", "z1", 1, 90), rank_row(2, "B", "z1", 2, 80)]
    now = [rank_row(1, "B", "z1", 1, 95), rank_row(2, "A", "z1", 2, 90)]
    moved = movement(then, now)
    assert [(m["branch"], m["rank_then"], m["rank_now"], m["rank_change"]) for m in moved] == [
        ("A", 1, 2, -1), ("B", 2, 1, 1)]
    assert movement(then, then) == []
    stored = [{"upload_id": 1, "sha256": "a", "file_name": "a.xlsx"}, {"upload_id": 2, "sha256": "b", "file_name": "b.xlsx"},
              {"upload_id": 3, "sha256": "c", "file_name": "c.xlsx"}]
    current = [{"upload_id": 1, "sha256": "a", "file_name": "a.xlsx", "status": "loaded", "replaced_by": [4]},
               {"upload_id": 2, "sha256": "b", "file_name": "b.xlsx", "status": "undone", "undone_by": "x"},
               {"upload_id": 3, "sha256": "c", "file_name": "c.xlsx", "status": "loaded", "replaced_by": []},
               {"upload_id": 4, "sha256": "d", "file_name": "a2.xlsx", "status": "loaded", "replaced_by": []}]
    changes = upload_changes(stored, current)
    assert [u["upload_id"] for u in changes["added"]] == [4]
    assert [(u["upload_id"], u["replaced_by"]) for u in changes["replaced"]] == [(1, [4])]
    assert [(u["upload_id"], u["undone_by"]) for u in changes["undone"]] == [(2, "x")]


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(1)", "\tlead"])
def test_formula_like_text_is_never_a_formula(text: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    cell = snapshot_export.put(ws, 1, 1, text)
    buf = io.BytesIO()
    wb.save(buf)
    back = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    assert back is not None
    assert cell.data_type == "s"
    assert back["A1"].value == text and back["A1"].data_type == "s"
