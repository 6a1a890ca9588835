"""Mutated workbooks (from the ingest fixtures and the demo's workbooks) fed to the reader with a fixed seed
and a time budget: every one ends loaded or refused with a message, never an unhandled error or a hang.

The mutations run in a child process (this file run as a script) so that a hang can be stopped and
reported: ``python tests/test_fuzz.py DB SEED BUDGET_S SOURCE...`` prints one JSON line per case.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import signal
import subprocess
import sys
import time
import traceback
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261123
BUDGET_S = 45.0
CASE_TIMEOUT_S = 30

VALUES: list[Any] = ["", " ", "√", "×", "○", "出席", "请假", "缺席", "病假（书面）", "=1+1", "=HYPERLINK(\"x\")",
                     "+86 138", "-", "@SUM(A1)", "\t", "\r\n", "2026-13-45", "2026年2月30日", "45000",
                     "半天", "14:30-17:30", "25:99-26:00", "張三", "ＡＢＣ", "　李四　", "x" * 40_000, None, 0, -1,
                     1e308, float("nan"), 3.5, 10**18, True, "总计", "合计：", "主题党日", "姓名", "签到", "日期"]


class Hang(Exception):
    """A case took longer than CASE_TIMEOUT_S."""


# ------------------------------------------------------------------------------------------- mutations
def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Flip a few bytes, or cut the file short."""
    buf = bytearray(data)
    if rng.random() < 0.4:
        return bytes(buf[: rng.randrange(0, len(buf))])
    for _ in range(rng.randint(1, 24)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """Damage one XML part of the package: cut a slice, repeat one, or splice in garbage."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    parts = [n for n in names if n.endswith(".xml") or n.endswith(".rels")]
    target = rng.choice(parts) if parts else None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            body = src.read(name)
            if name == target and body:
                i, j = sorted(rng.randrange(len(body)) for _ in range(2))
                choice = rng.random()
                if choice < 0.35:
                    body = body[:i] + body[j:]
                elif choice < 0.7:
                    body = body[:j] + body[i:j] * rng.randint(2, 50) + body[j:]
                else:
                    body = body[:i] + rng.choice([b"<c r=\"ZZZ99999999\"><v>1</v></c>", b"&#0;", b"<<<",
                                                  b"<row r=\"-1\"/>", b"\xff\xfe", b"]]>"]) + body[i:]
            if rng.random() < 0.05 and name != "[Content_Types].xml":
                continue  # a part goes missing
            dst.writestr(name, body)
    return out.getvalue()


def set_value(cell: Any, value: Any) -> None:
    """Write a cell unless it is covered by a merge (which holds no value of its own)."""
    if type(cell).__name__ != "MergedCell":
        cell.value = value


def mutate_cells(data: bytes, rng: random.Random) -> bytes:
    """Change what a secretary could: cell values, rows, merges, sheet names, extra or missing sheets."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    for _ in range(rng.randint(1, 6)):
        ws = rng.choice(wb.worksheets)
        rows, cols = max(ws.max_row, 1), max(ws.max_column, 1)
        op = rng.random()
        if op < 0.45:
            for _ in range(rng.randint(1, 30)):
                set_value(ws.cell(rng.randint(1, rows + 2), rng.randint(1, cols + 1)), rng.choice(VALUES))
        elif op < 0.55:
            ws.delete_rows(rng.randint(1, rows), rng.randint(1, 5))
        elif op < 0.62:
            ws.insert_rows(rng.randint(1, rows), rng.randint(1, 3))
        elif op < 0.68:
            ws.delete_cols(rng.randint(1, cols), 1)
        elif op < 0.74:
            r, c = rng.randint(1, rows), rng.randint(1, cols)
            with contextlib.suppress(ValueError):
                ws.merge_cells(start_row=r, start_column=c, end_row=r + rng.randint(0, 3),
                               end_column=c + rng.randint(1, 3))
        elif op < 0.8:
            ws.title = rng.choice(["Sheet1", "签到表", "測評表", "汇总", "x" * 31, "活动纪实"])[:30] + str(rng.randint(0, 9))
        elif op < 0.86 and len(wb.worksheets) > 1:
            wb.remove(ws)
        elif op < 0.92:
            wb.create_sheet(f"空表{rng.randint(0, 99)}")
        else:
            column = rng.randint(1, cols)
            for r in range(1, rows + 1):
                set_value(ws.cell(r, column), None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ordinary_package(data: bytes) -> bool:
    """A readable .xlsx package of modest unpacked size (safe to open with openpyxl here)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist() and sum(i.file_size for i in zf.infolist()) < 20_000_000
    except zipfile.BadZipFile:
        return False


def mutated(sources: list[Path], index: int, seed: int) -> tuple[str, bytes, str]:
    """Case ``index``: (file name, bytes, mutation) — the same for the same seed, always."""
    rng = random.Random(seed * 1_000_003 + index)
    source = sources[rng.randrange(len(sources))]
    data = source.read_bytes()
    kind = rng.choice(["cells", "cells", "cells", "xml", "bytes"])
    if kind != "bytes" and not ordinary_package(data):
        kind = "bytes"  # refused fixtures (renamed CSV, encrypted, cut short, zip bomb) are damaged further
    func = {"cells": mutate_cells, "xml": mutate_xml, "bytes": mutate_bytes}[kind]
    return source.name, func(data, rng), f"{kind}:{source.name}"


# -------------------------------------------------------------------------------------------- the child
def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


def message_ok(issue: Any) -> bool:
    """An error a person can read: its message is a real text, not a missing key."""
    text = issue.message("zh")
    return bool(text.strip()) and text != issue.code and not text.startswith(issue.code + " ")


def worker(db_path: str, seed: int, budget_s: float, sources: list[Path]) -> None:
    """Feed mutated workbooks to ``ingest_files`` until the budget is spent; one JSON line per case."""
    from pipelines import ingest
    from pipelines.errors import PartydayError

    signal.signal(signal.SIGALRM, _alarm)
    # An unforeseen exception that the loader caught and logged is an unhandled error all the same: the
    # person sees a generic refusal instead of what to fix.
    masked: list[str] = []

    class Caught(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.exc_info and record.exc_info[1] is not None:
                masked.append("".join(traceback.format_exception(record.exc_info[1], limit=6)))

    logging.getLogger().addHandler(Caught(logging.ERROR))
    started = time.monotonic()
    index = 0
    while time.monotonic() - started < budget_s:
        name, data, how = mutated(sources, index, seed)
        outcome: dict[str, Any] = {"case": index, "mutation": how}
        signal.alarm(CASE_TIMEOUT_S)
        t0 = time.monotonic()
        try:
            results = ingest.ingest_files(db_path, [(name, data)], actor="fuzz")
            (result,) = results
            outcome["status"] = result.status
            errors = [i for i in result.issues if i.severity == "error"]
            if result.status == "rejected" and (not errors or not all(message_ok(i) for i in errors)):
                outcome["bad_refusal"] = [i.message("zh") for i in result.issues]
        except PartydayError as exc:
            outcome["status"] = "refused"
            if not exc.issues or not all(message_ok(i) for i in exc.issues):
                outcome["bad_refusal"] = exc.message("zh")
        except Hang:
            outcome["status"] = "hang"
        except Exception:
            outcome["status"] = "crash"
            outcome["traceback"] = traceback.format_exc(limit=8)
        finally:
            signal.alarm(0)
        if masked and outcome["status"] != "crash":
            outcome["status"] = "crash"
            outcome["traceback"] = masked[-1]
        masked.clear()
        outcome["seconds"] = round(time.monotonic() - t0, 3)
        print(json.dumps(outcome, ensure_ascii=False), flush=True)
        index += 1


# --------------------------------------------------------------------------------------------- the test
def fuzz_sources(fixtures: Path, workbooks: Path) -> list[Path]:
    """Every workbook of the ingest fixtures, and every fifth demo workbook (all kinds occur)."""
    return sorted(fixtures.rglob("*.xlsx")) + sorted(workbooks.rglob("*.xlsx"))[::5]


def test_mutated_workbooks_end_loaded_or_refused(roster_db: Path, demo_workbooks: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_fixtures  # the ingest fixtures, written by their committed script

    make_fixtures.write(tmp_path / "fixtures")
    sources = fuzz_sources(tmp_path / "fixtures", demo_workbooks)
    assert sources
    proc = subprocess.run([sys.executable, str(Path(__file__)), str(roster_db), str(SEED), str(BUDGET_S),
                           *map(str, sources)], cwd=ROOT, capture_output=True, text=True,
                          timeout=BUDGET_S + CASE_TIMEOUT_S + 120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cases = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(cases) >= 20, proc.stderr[-3000:]
    bad = [c for c in cases if c["status"] not in ("loaded", "unchanged", "rejected", "refused") or "bad_refusal" in c]
    assert bad == [], json.dumps(bad[:5], ensure_ascii=False, indent=1)
    statuses = {c["status"] for c in cases}
    assert "rejected" in statuses or "refused" in statuses
    from pipelines import db

    assert db.ensure_schema(roster_db) == db.latest_version()  # and the database is still sound


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    worker(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), [Path(p) for p in sys.argv[4:]])
