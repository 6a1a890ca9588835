"""Year-end snapshots on the demo committee, through the real command line: frozen against later data
and rule changes, a reproducibility check that names exactly what moved, comparison, the exported
workbook read back against the stored snapshot, deletion by the committee only."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import TODAY, run_cli

from pipelines import db, metrics
from pipelines.config import save_overrides
from pipelines.snapshots import as_of, frame_rows, movement, rules_from_json, zone_order


def cli_json(path: Path, *args: str) -> Any:
    proc = run_cli(*args, db=path, check=True)
    return json.loads(proc.stdout)


def demo_year(path: Path) -> int:
    """The last complete year of the demo data."""
    with db.reading(path) as con:
        row = con.execute("select max(year(activity_month)) from activities").fetchone()
    assert row is not None
    return int(row[0]) - 1


def take(path: Path, year: int, *extra: str) -> dict[str, Any]:
    return cli_json(path, "snapshot", "create", "--year", str(year), *extra, "--json")


def test_take_list_show(copy_demo_db: Path) -> None:
    year = demo_year(copy_demo_db)
    head = take(copy_demo_db, year, "--name", "年终排名", "--note", "党委会审定")
    assert head["id"] == 1
    assert (head["name"], head["note"], head["year"], head["quarter"]) == ("年终排名", "党委会审定", year, None)
    assert head["taken_by"] == "operator"
    assert len(head["fingerprint"]) == 64
    snap = cli_json(copy_demo_db, "snapshot", "show", "1", "--json")
    assert snap["committee_name"] == "发电分厂党委"
    assert len(snap["ranking"]) == 15
    assert {r["zone"] for r in snap["ranking"]} >= {"第一协作区"}
    for row in snap["ranking"]:
        assert {"branch", "zone", "score", "rank", "zone_rank", "eligible", "too_little_data",
                "components"} <= set(row)
    # the ranking stored is what the rules engine gives for that year
    with db.reading(copy_demo_db) as con:
        live = frame_rows(metrics.ranking(con, rules_from_json(json.dumps(snap["rules"])), year, today=as_of(snap)))
    assert snap["ranking"] == live
    # every ineligible branch has its activities listed
    struck = {s["branch"] for s in snap["strikes"]}
    assert {r["branch"] for r in snap["ranking"] if r["eligible"] is False} <= struck
    assert head["counts"]["recommended"] == len(snap["recommended"]) > 0
    assert len(snap["best_cases"]) == 5
    assert snap["uploads"] and all(len(u["sha256"]) == 64 for u in snap["uploads"])

    second = take(copy_demo_db, year, "--quarter", "4")
    assert second["name"] == f"{year} 年第 4 季度排名"
    take(copy_demo_db, year)
    listed = cli_json(copy_demo_db, "snapshot", "list", "--json")
    assert [(r["id"], r["superseded_by"]) for r in listed] == [(3, None), (2, None), (1, 3)]


def corrected_workbooks(demo_db: Path, branch: str, year: int, out: Path) -> list[Path]:
    """The branch's monthly workbooks of ``year`` in the demo that hold an evaluation, re-typed with every
    rating 不满意 (a correction of the whole year: its score must fall, whatever the seed and the day)."""
    folder = demo_db.parent / "demo-workbooks" / "02_主题党日" / branch
    corrected = []
    for src in sorted(folder.glob(f"{branch}_{year}年*月主题党日.xlsx")):
        wb = openpyxl.load_workbook(src)
        sheets = [ws for ws in wb.worksheets if ws.title.endswith("测评表")]
        for ws in sheets:
            for row in ws.iter_rows():
                if isinstance(row[0].value, int):  # one row per ballot: 票号, 测评人类别, the items
                    for cell in row[2:7]:
                        cell.value = "不满意"
                elif isinstance(row[0].value, str) and isinstance(row[1].value, int):  # 满意 基本满意 不满意 合计
                    row[1].value, row[2].value, row[3].value = 0, 0, row[4].value
        if sheets:
            target = out / src.name
            wb.save(target)
            corrected.append(target)
    assert corrected, f"{branch} has no evaluation in {year}"
    return corrected


def test_snapshot_is_frozen_and_the_check_says_exactly_what_moved(copy_demo_db: Path, demo_db: Path,
                                                                   tmp_path: Path) -> None:
    from pipelines.ingest import ingest_files, undo_upload

    year = demo_year(copy_demo_db)
    take(copy_demo_db, year)
    before = cli_json(copy_demo_db, "snapshot", "show", "1", "--json")

    # 1. The committee changes a rule: the snapshot stays, and the check (stored rules) still matches.
    run_cli("rules", "set", "evaluation.satisfaction_threshold=0.95", db=copy_demo_db, check=True)
    check = cli_json(copy_demo_db, "snapshot", "check", "1", "--json")
    assert (check["matches"], check["rules_changed"], check["data_changed"]) == (True, True, False)
    assert check["moved"] == [] and check["uploads"] == {"added": [], "replaced": [], "undone": []}
    assert cli_json(copy_demo_db, "snapshot", "show", "1", "--json") == before

    # 2. The top branch uploads its year's workbooks corrected (every rating 不满意): the snapshot stays;
    #    the check names the new uploads, the uploads they corrected, and exactly the branches that would move.
    top = before["ranking"][0]["branch"]
    workbooks = corrected_workbooks(demo_db, top, year, tmp_path)
    results = ingest_files(copy_demo_db, workbooks, actor="branch1")
    assert [r.status for r in results] == ["loaded"] * len(workbooks)
    assert cli_json(copy_demo_db, "snapshot", "show", "1", "--json") == before
    check = cli_json(copy_demo_db, "snapshot", "check", "1", "--json")
    assert (check["matches"], check["data_changed"]) == (False, True)
    assert [(u["upload_id"], u["file_name"], u["sha256"], u["uploaded_by"]) for u in check["uploads"]["added"]] == [
        (r.upload_id, w.name, hashlib.sha256(w.read_bytes()).hexdigest(), "branch1")
        for r, w in zip(results, workbooks, strict=True)]
    new_ids = [r.upload_id for r in results]
    with db.reading(copy_demo_db) as con:
        corrected = [(r[0], r[1]) for r in con.execute(
            "select upload_id, list(distinct superseded_by order by superseded_by) from (select upload_id, "
            "superseded_by from evaluation_votes union all select upload_id, superseded_by from attendance "
            "union all select upload_id, superseded_by from activity_records) where list_contains(?, superseded_by) "
            "group by upload_id order by 1", [new_ids]).fetchall()]
    assert corrected
    assert [(u["upload_id"], u["replaced_by"]) for u in check["uploads"]["replaced"]] == corrected
    assert check["uploads"]["undone"] == []
    with db.reading(copy_demo_db) as con:
        now = frame_rows(metrics.ranking(con, rules_from_json(json.dumps(before["rules"])), year,
                                         today=as_of(before)))
    assert check["moved"] == movement(before["ranking"], now)
    [moved_top] = [m for m in check["moved"] if m["branch"] == top]
    assert moved_top["score_now"] < moved_top["score_then"] and moved_top["rank_now"] > 1
    assert top in check["rank_moved"]
    en = run_cli("--lang", "en", "snapshot", "check", "1", db=copy_demo_db, check=True).stdout.splitlines()
    assert en[0] == (f"Snapshot 1 \"{before['name']}\" no longer matches: recomputed from the current data "
                     "with its stored rules, the rank or score of the branches below would change.")
    assert any(line.startswith(f"Upload {results[0].upload_id} added: {workbooks[0].name} (") for line in en)

    # 3. The correction is undone: the data are as they were, and the snapshot reproduces again.
    for r in reversed(results):
        undo_upload(copy_demo_db, r.upload_id, actor="dangwei")
    check = cli_json(copy_demo_db, "snapshot", "check", "1", "--json")
    assert (check["matches"], check["data_changed"], check["moved"]) == (True, False, [])
    assert check["uploads"] == {"added": [], "replaced": [], "undone": []}
    assert cli_json(copy_demo_db, "snapshot", "show", "1", "--json") == before


def test_compare_two_snapshots(copy_demo_db: Path) -> None:
    year = demo_year(copy_demo_db)
    take(copy_demo_db, year)
    with db.writing(copy_demo_db) as con:
        save_overrides(con, {"ranking.weight_participation": 0.1, "ranking.weight_satisfaction": 0.8,
                             "ranking.weight_compliance": 0.1}, "dangwei")
    take(copy_demo_db, year)
    first = cli_json(copy_demo_db, "snapshot", "show", "1", "--json")
    second = cli_json(copy_demo_db, "snapshot", "show", "2", "--json")
    result = cli_json(copy_demo_db, "snapshot", "compare", "1", "2", "--json")
    assert result["same_rules"] is False
    assert (result["first"]["id"], result["second"]["id"]) == (1, 2)
    by_branch = {r["branch"]: r for r in second["ranking"]}
    assert [r["branch"] for r in result["branches"]] == [r["branch"] for r in first["ranking"]]
    for row, old in zip(result["branches"], first["ranking"], strict=True):
        new = by_branch[old["branch"]]
        assert (row["rank_then"], row["rank_now"]) == (old["rank"], new["rank"])
        assert row["rank_change"] == old["rank"] - new["rank"]
        assert row["score_change"] == pytest.approx(new["score"] - old["score"])
    assert any(r["rank_change"] for r in result["branches"])
    assert {z["zone"] for z in result["zones"]} == {r["zone"] for r in first["ranking"]}


def test_export_reads_back_as_stored(copy_demo_db: Path, tmp_path: Path) -> None:
    year = demo_year(copy_demo_db)
    # a branch renamed to something that looks like a formula, and a snapshot name that does too
    with db.writing(copy_demo_db) as con:
        con.execute("update branches set name = '=HYPERLINK(\"http://evil\",\"点我\")' "
                    "where branch_id = (select min(branch_id) from branches)")
    take(copy_demo_db, year, "--name", "=SUM(A1:A9)", "--note", "+年终")
    snap = cli_json(copy_demo_db, "snapshot", "show", "1", "--json")
    out = tmp_path / "snapshot.xlsx"
    proc = run_cli("snapshot", "export", "1", "--out", out, db=copy_demo_db, check=True)
    assert proc.stdout.strip() == f"快照 1 已导出到 {out}"
    wb = openpyxl.load_workbook(out)
    zones = zone_order(snap["ranking"])
    assert wb.sheetnames == ["封面", "总排名", *zones, "三次不满意与资格", "未达法定人数", "缺勤党员", "推荐名单",
                             "数据来源"]
    cover = wb["封面"]
    assert cover["B5"].value == "=SUM(A1:A9)" and cover["B5"].data_type == "s"
    assert cover["B10"].value == "+年终" and cover["B10"].data_type == "s"
    assert cover["B13"].value == snap["fingerprint"]
    ws = wb["总排名"]
    header = [c.value for c in ws[3]]
    assert header[:5] == ["总名次", "党支部", "协作区", "区内名次", "得分"]
    for index, stored in enumerate(snap["ranking"], start=4):
        cells = {h: ws.cell(row=index, column=c).value for c, h in enumerate(header, start=1)}
        assert (cells["总名次"], cells["党支部"], cells["协作区"], cells["区内名次"]) == (
            stored["rank"], stored["branch"], stored["zone"], stored["zone_rank"])
        assert cells["得分"] == pytest.approx(stored["score"])
        assert cells["评先资格"] == ("是" if stored["eligible"] else "否")
        filled = ws.cell(row=index, column=1).fill.fgColor.rgb
        assert filled.endswith("F8D7DA") == (stored["eligible"] is False)
    evil = [c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert [c.value for c in evil] == ['=HYPERLINK("http://evil","点我")']
    assert all(c.data_type == "s" for c in evil)
    assert ws.max_row == 3 + len(snap["ranking"])
    absent = wb["缺勤党员"]
    assert absent.max_row == 3 + len(snap["absentees"])
    assert wb["数据来源"].max_row == 3 + len(snap["uploads"])


def test_delete_is_for_the_committee_and_recorded(copy_demo_db: Path) -> None:
    take(copy_demo_db, demo_year(copy_demo_db))
    refused = run_cli("--as-user", "viewer", "snapshot", "delete", "1", db=copy_demo_db)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "用户 viewer（角色 viewer）无权执行“snapshots”：仅党委账号可以操作。"
    refused = run_cli("--as-user", "zone1", "snapshot", "show", "1", "--json", db=copy_demo_db)
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["ok"] is False
    run_cli("--as-user", "dangwei", "snapshot", "delete", "1", db=copy_demo_db, check=True)
    gone = run_cli("snapshot", "show", "1", db=copy_demo_db)
    assert gone.returncode == 1
    assert gone.stderr.strip() == "没有编号为 1 的快照。请用 snapshot list 或“年度快照”页面查看已有快照的编号。"
    with db.reading(copy_demo_db) as con:
        actions = con.execute("select actor, action, target from audit_log where action like 'snapshot.%' "
                              "order by audit_id").fetchall()
    assert actions == [("operator", "snapshot.create", "1"), ("dangwei", "snapshot.delete", "1")]


def test_refusals_name_the_problem(copy_demo_db: Path) -> None:
    proc = run_cli("--lang", "en", "snapshot", "create", "--year", "1999", db=copy_demo_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("There is no activity data for 1999, so no snapshot can be taken. "
                                   "Upload the sign-in, attendance or evaluation sheets of that year first.")
    proc = run_cli("snapshot", "show", "9", db=copy_demo_db)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "没有编号为 9 的快照。请用 snapshot list 或“年度快照”页面查看已有快照的编号。"


def test_a_snapshot_survives_backup_and_restore(copy_demo_db: Path, tmp_path: Path) -> None:
    year = demo_year(copy_demo_db)
    take(copy_demo_db, year)
    before = cli_json(copy_demo_db, "snapshot", "show", "1", "--json")
    run_cli("backup", "--out", tmp_path / "backup", db=copy_demo_db, check=True)
    restored = tmp_path / "restored.duckdb"
    run_cli("restore", tmp_path / "backup", db=restored, check=True)
    assert cli_json(restored, "snapshot", "show", "1", "--json") == before
    assert cli_json(restored, "snapshot", "check", "1", "--json")["matches"] is True
    # numbering goes on after the restored snapshots
    assert take(restored, year)["id"] == 2


def test_a_snapshot_of_a_running_year_counts_the_months_ended_when_it_was_taken(copy_demo_db: Path) -> None:
    # Taken on the last day of the suite's month, that month is in progress: not counted, not missed.
    # Taken the next day it is counted (missed where nothing was held); each check judges as of its taking.
    last = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    for day, counted in ((last, TODAY.month - 1), (following, 12 if following.year > TODAY.year else TODAY.month)):
        proc = run_cli("snapshot", "create", "--year", str(TODAY.year), "--json", db=copy_demo_db, check=True,
                       env={"PARTYDAY_TODAY": day.isoformat()})
        head = json.loads(proc.stdout)
        assert str(head["taken_at"]).startswith(day.isoformat())
        snap = cli_json(copy_demo_db, "snapshot", "show", str(head["id"]), "--json")
        assert {r["months"] for r in snap["ranking"]} == {counted}
        assert all(r["held_months"] <= counted for r in snap["ranking"])
        assert cli_json(copy_demo_db, "snapshot", "check", str(head["id"]), "--json")["matches"] is True
