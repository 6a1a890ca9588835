"""The clock is an input: one seed and one day give the same committee and the same figures whatever the
machine's date, time zone or locale; "today" is read in one place; the months judged complete move at the
month's and the year's boundary, and only there."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import CLOCK_ENV, ROOT, TODAY, run_cli
from test_demo import table_contents

from pipelines import clock
from pipelines.errors import PartydayError
from pipelines.metrics import counted_months
from pipelines.ui import views
from pipelines.ui.filters import Filters, default_year, year_options

FAKETIME = shutil.which("faketime")


def figures(db: Path, today: date) -> dict[str, str]:
    """What the figure commands print (``--json``) for the committee's two years, judged as of ``today``."""
    out = {}
    for year in (today.year - 1, today.year):
        for command, dated in (("compliance", True), ("ranking", True), ("zones", True), ("events", False),
                               ("strikes", False)):
            args = [command, "--year", str(year), "--json", *(["--today", today.isoformat()] if dated else [])]
            out[f"{command} {year}"] = run_cli(*args, db=db, check=True).stdout
    return out


def test_one_seed_and_day_give_the_same_figures_on_another_machine_date(demo_db: Path, tmp_path: Path) -> None:
    # The demo again with the suite's day given, on a machine whose clock says another day (a real other
    # date under faketime when it is installed, else the machine's own date, which is not the suite's
    # day), in the time zone furthest from UTC and another locale.
    again = tmp_path / "again.duckdb"
    env = {k: v for k, v in os.environ.items() if k != clock.ENV}
    env.update(TZ="Pacific/Kiritimati", LC_ALL="zh_CN.UTF-8", LANG="zh_CN.UTF-8")
    cmd = [sys.executable, "-m", "pipelines", "--db", str(again), "demo", "--today", TODAY.isoformat(), "--json",
           "--out", str(tmp_path / "wb")]
    if FAKETIME:
        cmd = [FAKETIME, "2028-02-29 23:30:00", *cmd]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    assert f'"today": "{TODAY.isoformat()}"' in proc.stdout
    assert table_contents(demo_db) == table_contents(again)
    # ... and the figures, judged as of the same day by commands run on yet another machine date
    assert figures(demo_db, TODAY) == figures(again, TODAY)
    later = run_cli("ranking", "--year", str(TODAY.year - 1), "--today", TODAY.isoformat(), "--json", db=again,
                    env={clock.ENV: "2028-02-29"}, check=True)
    assert later.stdout == figures(demo_db, TODAY)[f"ranking {TODAY.year - 1}"]


def test_the_demo_date_is_an_input(tmp_path: Path) -> None:
    proc = run_cli("--lang", "en", "demo", "--today", "2026-02-30", db=tmp_path / "x.duckdb")
    assert proc.returncode == 2
    assert "argument --today: invalid iso_day value: '2026-02-30'" in proc.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_the_clock_reads_the_pinned_day_or_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    assert clock.today() == TODAY == date.fromisoformat(CLOCK_ENV[clock.ENV])
    assert clock.now().date() == TODAY
    monkeypatch.setenv(clock.ENV, " 2027-01-01 ")
    assert clock.today() == date(2027, 1, 1)
    monkeypatch.delenv(clock.ENV)
    assert clock.today() == date.today()
    monkeypatch.setenv(clock.ENV, "2027-13-01")
    with pytest.raises(PartydayError) as caught:
        clock.today()
    assert caught.value.message("zh") == "PARTYDAY_TODAY 的值“2027-13-01”不是日期：请写成 年-月-日，例如 2026-06-30。"
    assert caught.value.message("en") == ('PARTYDAY_TODAY is "2027-13-01", which is not a date: write it as '
                                          "YYYY-MM-DD, e.g. 2026-06-30.")


# The only places that may read the machine's clock: the clock itself, the stamps of real moments
# (sign-in sessions expire in real time; backups are named by when they were made), and this file.
REAL_CLOCK = {"pipelines/clock.py", "pipelines/auth.py", "pipelines/backup.py", "tests/test_clock.py"}
READS_CLOCK = re.compile(r"\b(date\.today|datetime\.now|datetime\.today|time\.localtime|current_date)\b")


def test_today_is_read_in_one_place() -> None:
    found = []
    for path in sorted([*ROOT.glob("pipelines/**/*.py"), *ROOT.glob("pipelines/sql/*.sql"), *ROOT.glob("pages/*.py"),
                        ROOT / "app.py", *ROOT.glob("tests/*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel in REAL_CLOCK:
            continue
        found += [f"{rel}:{n}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                  if READS_CLOCK.search(line)]
    assert found == []


@pytest.mark.parametrize(("today", "year", "months"), [
    (date(2026, 11, 30), 2026, 10),   # the last day of November: November is still in progress
    (date(2026, 12, 1), 2026, 11),    # the next day it counts
    (date(2026, 12, 31), 2026, 11),   # New Year's Eve: December still in progress
    (date(2027, 1, 1), 2026, 12),     # New Year's Day: the whole year counts ...
    (date(2027, 1, 1), 2027, 0),      # ... and the new year has nothing complete yet
    (date(2026, 12, 31), 2027, 0),    # a year to come: nothing
    (date(2028, 3, 1), 2028, 2),      # a leap year's February is complete on 1 March
    (date(2028, 2, 29), 2028, 1),
])
def test_counted_months_move_at_the_month_and_year_boundary(today: date, year: int, months: int) -> None:
    assert counted_months(year, today) == [date(year, m, 1) for m in range(1, months + 1)]


def test_the_pages_months_and_default_year_at_the_year_boundary() -> None:
    assert views.month_keys(Filters(year=2026), date(2026, 12, 31))[-1] == "2026-12"
    assert views.month_keys(Filters(year=2027), date(2026, 12, 31)) == []
    assert views.month_keys(Filters(year=2027), date(2027, 1, 1)) == ["2027-01"]
    assert views.month_keys(Filters(year=2026), date(2027, 1, 1))[-1] == "2026-12"
    # the month in progress: December on New Year's Eve, none of the old year's on New Year's Day
    assert views.in_progress_key(Filters(year=2026), date(2026, 12, 31)) == "2026-12"
    assert views.in_progress_key(Filters(year=2026), date(2027, 1, 1)) is None
    assert views.in_progress_key(Filters(year=2027), date(2027, 1, 1)) == "2027-01"
    assert views.in_progress_key(Filters(year=2026), date(2026, 11, 30)) == "2026-11"
    assert views.in_progress_key(Filters(year=2026), date(2026, 12, 1)) == "2026-12"
    # the default year follows the clock once the new year has data, and the new year can be chosen at once
    assert default_year([2025, 2026], date(2026, 12, 31)) == 2026
    assert default_year([2025, 2026], date(2027, 1, 1)) == 2026
    assert default_year([2026, 2027], date(2027, 1, 1)) == 2027
    assert year_options([2025, 2026], date(2027, 1, 1)) == [2027, 2026, 2025]
