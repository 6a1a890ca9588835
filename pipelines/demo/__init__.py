"""The demo committee (seed 002) and committees of any scale, built into a database.

``build(db_path, seed=..., scale=...)`` generates a committee (:mod:`.generate`), writes the workbooks
secretaries keep (:mod:`.workbooks`) and loads them through :func:`pipelines.ingest.ingest_files`, the
same path as any upload; ``province`` (and ``via="direct"``) loads straight into the core tables
(:mod:`.bulk`). Afterwards the derived figures are refreshed and the demo accounts created, in one write.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from pipelines import clock, db
from pipelines.demo.generate import SCALES, Committee, generate
from pipelines.errors import PartydayError, error

DEFAULT_SEED = 2
# Scales that write their workbooks; of these, the small ones load them through ingest by default
# (``large`` writes them for the ingest benchmark and loads its tables directly, like ``province``).
WORKBOOK_SCALES = ("demo", "tiny", "large")
INGEST_SCALES = ("demo", "tiny")

Progress = Callable[[str, int], None]


def finish(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Recompute the derived figures of every year and create the demo accounts (inside a write)."""
    from pipelines.auth import create_demo_accounts
    from pipelines.refresh import refresh

    refresh(con, None)
    return list(create_demo_accounts(con))


def counts(con: duckdb.DuckDBPyConnection, today: date | None = None) -> dict[str, int]:
    """Zones, branches, members on the roster on ``today`` (default: :func:`pipelines.clock.today`),
    activities, attendance and evaluation rows, uploads."""
    rel = db.query(con, "demo_counts", today=today or clock.today())
    names = [d[0] for d in rel.description]
    return dict(zip(names, (int(v) for v in rel.fetchone()), strict=True))


def default_out(path: Path, scale: str) -> Path:
    """Where the workbooks go unless ``--out`` says: beside the database (``data/demo-workbooks`` for the
    default database), so that two databases never share a folder."""
    return path.parent / ("demo-workbooks" if scale == "demo" else f"{scale}-workbooks")


def refuse_if_loaded(path: Path) -> None:
    """A committee is built into an empty database only (never mixed with real data)."""
    if not path.exists():
        return
    db.ensure_schema(path)
    with db.reading(path) as con:
        n = counts(con)["branches"]
    if n:
        raise PartydayError(error("demo.not_empty", path=str(path), branches=n))


def build(db_path: str | Path | None = None, *, seed: int = DEFAULT_SEED, scale: str = "demo",
          out: str | Path | None = None, via: str = "auto", today: date | None = None, lang: str = "zh",
          progress: Progress | None = None, workbook_branches: int | None = None) -> dict[str, Any]:
    """Generate the committee of ``scale`` from ``seed`` into the database at ``db_path``; returns a summary.

    The workbook scales write their workbooks into ``out`` (of the first ``workbook_branches`` branches
    only, when given). ``via``: ``"ingest"`` uploads them like any upload; ``"direct"`` loads the
    generated tables; ``"auto"`` is ingest for ``demo`` and ``tiny``, direct for the big scales.
    """
    if scale not in SCALES:
        raise PartydayError(error("demo.bad_scale", scale=scale, known=", ".join(SCALES)))
    if via == "ingest" and scale not in WORKBOOK_SCALES:
        raise PartydayError(error("demo.no_workbooks", scale=scale, known=", ".join(WORKBOOK_SCALES)))
    path = db.db_path(db_path)
    refuse_if_loaded(path)
    started = time.perf_counter()
    c = generate(scale, seed, today)
    timings = {"generate_s": time.perf_counter() - started}
    if via == "auto":
        via = "ingest" if scale in INGEST_SCALES else "direct"
    out_dir = Path(out) if out else default_out(path, scale)
    files: list[Path] = []
    if scale in WORKBOOK_SCALES:
        from pipelines.demo.workbooks import write_workbooks

        t0 = time.perf_counter()
        files = write_workbooks(c, out_dir, branches=workbook_branches)
        timings["workbooks_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rejected: list[dict[str, Any]] = []
    if via == "ingest":
        rejected = load_via_ingest(path, files, lang=lang, today=c.today)
        with db.writing(path) as con:
            accounts = finish(con)
    else:
        from pipelines.demo.bulk import load_committee

        with db.writing(path) as con:
            load_committee(con, c, progress=progress)
            accounts = finish(con)
    timings["load_s"] = time.perf_counter() - t0
    with db.reading(path) as con:
        figures = counts(con, c.today)
    return {"db": str(path), "scale": scale, "seed": seed, "via": via, "today": c.today.isoformat(),
            "workbooks": str(out_dir) if files else None, "workbook_files": len(files), "rejected": rejected,
            "accounts": accounts, **figures, **{k: round(v, 2) for k, v in timings.items()}}


def load_via_ingest(path: Path, files: list[Path], *, lang: str = "zh",
                    today: date | None = None) -> list[dict[str, Any]]:
    """Upload ``files`` in order through the ingest path, as uploaded on ``today`` (the committee's date:
    its workbooks are not in the future then, whatever the machine's date); returns the files it
    refused, with their issues."""
    from pipelines.ingest import ingest_files

    results = ingest_files(path, files, actor="demo", lang=lang, today=today)
    return [{"file": str(r.file), "issues": [i.to_json(lang) for i in r.issues if i.severity == "error"]}
            for r in results if r.status == "rejected"]


__all__ = ["SCALES", "Committee", "build", "generate"]
