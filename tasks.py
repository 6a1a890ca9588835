#!/usr/bin/env python3
"""The two commands of the README, with nothing but Python 3.11+ needed to start them.

    python3 tasks.py serve   # set up .venv/, build the demo database, start the dashboard
    python3 tasks.py test    # set up .venv/ with dev tools, then lint, types, unit, integration, browser
    python3 tasks.py bench   # the benchmarks of BENCHMARKS.md (not part of the test run)

Setting up is skipped when pyproject.toml has not changed since the last successful set-up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".setup-stamp"


def _run(*cmd: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True, env=env)


def setup(dev: bool) -> None:
    """Create .venv/ and install the project (with its dev group when asked)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs on the system Python, before any venv
        sys.exit("Python 3.11 or newer is needed / 需要 Python 3.11 或更高版本")
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest() + (":dev" if dev else "")
    if STAMP.exists() and want in STAMP.read_text().split():
        return
    if not PY.exists():
        _run(sys.executable, "-m", "venv", VENV)
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]" if dev else ".")
    old = STAMP.read_text() if STAMP.exists() else ""
    STAMP.write_text(old + " " + want)


# What the tests need from the system: the browser tests Debian's chromium (and CJK fonts for their
# screenshots); the clock test faketime, to run the demo under a real other date; the Spark equality test a
# headless Java runtime.
SYSTEM_NEEDS = {"chromium": ["chromium", "fonts-noto-cjk"], "faketime": ["faketime"],
                "java": ["openjdk-17-jre-headless"]}


def ensure_system_packages() -> None:
    """Install the Debian packages the tests need when we are root and they are missing; else say which
    tests will skip."""
    missing = [pkg for cmd, pkgs in SYSTEM_NEEDS.items()
               if not (shutil.which(cmd) or Path("/usr/bin", cmd).exists()) for pkg in pkgs]
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        _run("apt-get", "update", "-qq", env=env)
        _run("apt-get", "install", "-y", "-qq", *missing, env=env)
    else:
        print(f"missing and we are not root: {' '.join(missing)}; the tests that need them will be skipped "
              "or run without them", flush=True)


def serve() -> None:
    setup(dev=False)
    db = Path(os.environ.get("PARTYDAY_DB", ROOT / "data" / "partyday.duckdb"))
    if not db.exists():
        _run(PY, "-m", "pipelines", "--db", db, "demo")
    env = dict(os.environ, PARTYDAY_DB=str(db))
    _run(PY, "-m", "pipelines.ui.serve", "app.py", "--server.port", "8501", env=env)  # streamlit run


def test() -> None:
    setup(dev=True)
    ensure_system_packages()
    _run(PY, "-m", "ruff", "check", ".")
    _run(PY, "-m", "mypy")
    _run(PY, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *sys.argv[2:])  # -rs: every skip says why


def bench() -> None:
    setup(dev=True)
    _run(PY, "benchmarks/run.py", *sys.argv[2:])


if __name__ == "__main__":
    commands = {"serve": serve, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    try:
        commands[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
    except KeyboardInterrupt:
        sys.exit(130)
