"""Helpers for the page tests: a signed-in AppTest of the real app on a real database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@contextmanager
def database(path: Path) -> Iterator[None]:
    """Point the app (``PARTYDAY_DB``) at ``path`` for the block."""
    old = os.environ.get("PARTYDAY_DB")
    os.environ["PARTYDAY_DB"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PARTYDAY_DB", None)
        else:
            os.environ["PARTYDAY_DB"] = old


class _NavigationOnly(PagesManager):
    """A served app runs its ``st.navigation`` once and from then on never the legacy ``pages/`` folder
    mode; AppTest resets that on every run, which would run a page file without the shell. Keep the
    served behaviour so each test run goes through ``app.py`` as in a browser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def _navigation_only() -> None:
    import streamlit.testing.v1.app_test as app_test

    app_test.PagesManager = _NavigationOnly  # type: ignore[attr-defined]


def app(db: Path, user: str | None = "dangwei", page: str | None = None, lang: str = "zh",
        params: dict[str, Any] | None = None, password: str = "demo1234") -> AppTest:
    """The app, signed in as ``user`` (a real session through ``pipelines.auth.login``), on ``page``, run once."""
    from pipelines import auth

    _navigation_only()
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        session = auth.login(db, user, password)
        at.session_state["auth_session"] = (session.token, session.expires_at)
    at.query_params["lang"] = lang
    for key, value in (params or {}).items():
        at.query_params[key] = str(value)
    os.environ["PARTYDAY_DB"] = str(db)
    at.run()  # the shell first (as a browser does), then the page through its navigation
    if page and page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    return at


def texts(at: AppTest) -> str:
    """Every piece of text the page shows (markdown, captions, titles, metrics, alerts), joined."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def cli_json(db: Path, *args: str) -> Any:
    """What ``python -m pipelines --db DB ARGS --json`` prints, parsed (the figures the pages must match)."""
    import json

    from conftest import run_cli

    proc = run_cli(*args, "--json", db=db, check=True)
    return json.loads(proc.stdout)


def metric_value(at: AppTest, label: str) -> str:
    """The value shown by the ``st.metric`` labelled ``label``."""
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return str(found[0])


def frames(at: AppTest) -> list[Any]:
    """The tables the page shows (pandas frames as AppTest gives them)."""
    return [d.value for d in at.dataframe]
