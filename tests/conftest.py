"""Shared fixtures: fresh databases, the demo database, a real Streamlit server, headless Chromium.

The suite runs on a pinned day, :data:`TODAY`: the demo committee is built up to it, and every command
line and server the tests start judge as of it (``PARTYDAY_TODAY``), so the same seed and day give the
same figures whatever the machine's date, time zone or locale.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PARTYDAY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]
OUTPUT = ROOT / "test-output"

# The day the suite runs on: late in a year, so the current year has months complete, one in progress
# and one still to come, and the year before is complete. PARTYDAY_TEST_TODAY moves it (the suite is
# meant to pass on any day of 2025-2028 but January, whose year has no complete month yet).
TODAY = date.fromisoformat(os.environ.get("PARTYDAY_TEST_TODAY") or "2026-11-23")
CLOCK_ENV = {"PARTYDAY_TODAY": TODAY.isoformat(), "TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


def run_cli(*args: str | Path, db: Path | None = None, stdin: str | None = None, check: bool = False,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pipelines`` as a real process, as IT staff would, on the suite's day (:data:`TODAY`;
    ``env`` adds to or overrides the environment)."""
    cmd = [sys.executable, "-m", "pipelines"]
    if db is not None:
        cmd += ["--db", str(db)]
    cmd += [str(a) for a in args]
    full_env = {**os.environ, **CLOCK_ENV, **(env or {})}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=900, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session", autouse=True)
def pinned_clock() -> Iterator[date]:
    """The tests' own process judges as of :data:`TODAY` too (an upload is "in the future" against it)."""
    patch = pytest.MonkeyPatch()
    for key, value in CLOCK_ENV.items():
        patch.setenv(key, value)
    time.tzset()
    yield TODAY
    patch.undo()
    time.tzset()


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    """A new, initialised database file."""
    from pipelines import db

    path = tmp_path / "partyday.duckdb"
    db.ensure_schema(path)
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo committee (seed default) up to :data:`TODAY`, built once per test session through the
    real command line.

    Tests must not write to it: copy it (``copy_demo_db``) for that.
    """
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    run_cli("demo", "--today", TODAY.isoformat(), db=path, check=True)
    return path


@pytest.fixture
def copy_demo_db(demo_db: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo database."""
    target = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_db, target)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StreamlitServer:
    """``streamlit run app.py`` as a real process on a free loopback port."""

    def __init__(self, db_path: Path, env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **CLOCK_ENV, "PARTYDAY_DB": str(db_path), **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.ui.serve", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not start")

    def __enter__(self) -> StreamlitServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_idle(page: Any) -> None:
    """Wait until Streamlit has finished running the script in a Playwright ``page``."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(300)


def wait_for_session_cookie(page: Any) -> None:
    """After the sign-in form: wait until the browser has the session cookie (posted in the background;
    a page load only if that failed) and the signed-in page is idle."""
    for _ in range(300):
        if any(c["name"] == "partyday_session" for c in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state()
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=60_000)
    wait_idle(page)


def sign_in(page: Any, url: str, name: str = "dangwei") -> None:
    """Open the app and sign in as ``name`` (demo password) through the form, as a person would."""
    page.goto(url)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("退出登录").wait_for(timeout=60_000)
    wait_for_session_cookie(page)


def sign_in_to_upload(page: Any, url: str, name: str = "dangwei") -> None:
    """Sign in as ``name`` and open the upload page."""
    sign_in(page, url, name)
    page.locator('[data-testid="stSidebarNav"] a', has_text="上传数据").click()
    page.get_by_text("空白模板下载").wait_for(timeout=60_000)
    wait_idle(page)


def start_streamlit(db_path: Path, env: dict[str, str] | None = None) -> StreamlitServer:
    """Start a real Streamlit server on ``db_path``; the caller stops it."""
    return StreamlitServer(db_path, env)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright; skips when chromium is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (python3 tasks.py test installs it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def org_db(tmp_db: Path) -> Path:
    """A small committee without activities: zones 一区/二区, branches 甲乙 (一区) and 丙丁 (二区), the demo accounts."""
    from pipelines import auth, db

    with db.writing(tmp_db) as con:
        con.execute("insert into zones (name, sort_order) values ('一区', 1), ('二区', 2)")
        for branch, zone in (("甲支部", "一区"), ("乙支部", "一区"), ("丙支部", "二区"), ("丁支部", "二区")):
            con.execute("insert into branches (name, zone_id) select ?, zone_id from zones where name = ?",
                        [branch, zone])
        auth.create_demo_accounts(con)
    return tmp_db


@pytest.fixture(scope="session")
def demo_workbooks(demo_db: Path) -> Path:
    """The folder of workbooks the demo committee was loaded from (written beside the demo database)."""
    return demo_db.parent / "demo-workbooks"


@pytest.fixture(scope="session")
def roster_db_template(demo_workbooks: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding only the demo's zone division and rosters, loaded through ingest, and the demo
    accounts; built once per session. Copy it (``roster_db``) before writing."""
    ingest = pytest.importorskip("pipelines.ingest")
    from pipelines import auth, db

    path = tmp_path_factory.mktemp("rosters") / "rosters.duckdb"
    files = sorted(demo_workbooks.glob("00_*.xlsx")) + sorted(demo_workbooks.glob("01_*/*.xlsx"))
    results = ingest.ingest_files(path, files, actor="setup")
    assert all(r.status == "loaded" for r in results), [(r.file, r.issues) for r in results]
    with db.writing(path) as con:
        auth.create_demo_accounts(con)
    return path


@pytest.fixture
def roster_db(roster_db_template: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the roster-only database."""
    target = tmp_path / "rosters.duckdb"
    shutil.copy(roster_db_template, target)
    return target


OWN_MEMBERS = ["甲一明", "甲二华"]     # members of 甲支部 (the demo secretary branch1's branch in org_db)
OTHER_MEMBERS = ["乙三秘", "乙四密"]   # members of 乙支部: only the committee may see these names


@pytest.fixture
def member_db(org_db: Path) -> Path:
    """``org_db`` with two members in each of 甲支部 and 乙支部, one activity each (both absent without leave,
    so that warnings name them) and the derived figures refreshed."""
    from pipelines import db
    from pipelines.refresh import refresh

    with db.writing(org_db) as con:
        for branch, names in (("甲支部", OWN_MEMBERS), ("乙支部", OTHER_MEMBERS)):
            (branch_id,) = con.execute("select branch_id from branches where name = ?", [branch]).fetchone()
            act = con.execute("insert into activities (host_branch_id, activity_month, activity_date, topic) "
                              "values (?, date '2026-03-01', date '2026-03-12', '学习') returning activity_id",
                              [branch_id]).fetchone()[0]
            con.execute("insert into activity_branches values (?, ?)", [act, branch_id])
            for name in names:
                mid = con.execute("insert into members (name, member_kind) values (?, 'full') returning member_id",
                                  [name]).fetchone()[0]
                con.execute("insert into memberships (member_id, branch_id, start_date) values (?, ?, "
                            "date '2025-01-01')", [mid, branch_id])
                con.execute("insert into attendance (activity_id, member_id, branch_id, status) values "
                            "(?, ?, ?, 'unexcused')", [act, mid, branch_id])
        refresh(con, None)
    return org_db
