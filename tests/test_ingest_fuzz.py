"""Damaged bytes and random layouts never crash the ingest: every file comes back loaded or refused
with a message, and one bad file never stops the others."""

from __future__ import annotations

import datetime as dt
import io
import random
import sys
from pathlib import Path

from conftest import ROOT
from openpyxl import Workbook

from pipelines.ingest import ingest_files, preview_files

sys.path.insert(0, str(ROOT / "scripts"))
import make_fixtures  # noqa: E402

TOKENS = ["姓名", "签到", "备注", "序号", "性别", "出生日期", "1月", "2月", "3月", "满意", "基本满意", "不满意", "测评项目",
          "总体评价", "主题特色鲜明", "党支部", "活动时间", "协作区", "季度", "组长单位", "√", "×", "请假", "王芳", "甲支部",
          "2024年3月15日", "2024年2月30日", "应到5人", "注：", "", None, 3, 4.5, -1, dt.datetime(2024, 3, 1),
          "截至2024年1月", "花名册", "签到表", "出席", "缺席", "身份", "入党积极分子", "票号", "14:30-17:30", "下午",
          "张伟(1990)", "合计", "年度", "第一季度"]


def random_book(rng: random.Random) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = rng.choice(["签到表", "Sheet1", "花名册", "测评", "纪实", "3月"])
    for _ in range(rng.randint(1, 12)):
        ws.append([rng.choice(TOKENS) for _ in range(rng.randint(1, 8))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_random_layouts_and_damaged_bytes_are_loaded_or_refused() -> None:
    rng = random.Random(2024)
    cases = make_fixtures.cases()
    files: list[tuple[str, bytes]] = []
    for i in range(60):
        files.append((f"甲支部_2024年3月_{i}.xlsx", random_book(rng)))
    for i in range(60):
        data = bytearray(rng.choice(list(cases.values()))[0])
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        files.append((f"damaged_{i}.xlsx", bytes(data)))
    results = preview_files(files)
    assert len(results) == len(files)
    for r in results:
        assert r.status in ("loaded", "rejected")
        if r.status == "rejected":
            assert any(i.severity == "error" and i.message("en").startswith("File ") for i in r.issues), r.file


def test_one_bad_file_never_stops_the_others(org_db: Path) -> None:
    good = make_fixtures.cases()["04_乙支部_2024年3月签到.xlsx"][0]
    results = ingest_files(org_db, [("bad.xlsx", b"PK\x03\x04garbage"), ("good.xlsx", good), ("empty.xlsx", b"")])
    assert [r.status for r in results] == ["rejected", "loaded", "rejected"]
