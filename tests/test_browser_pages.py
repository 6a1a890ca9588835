"""Every dashboard page in headless Chromium on the demo database, signed in as the committee.

Visits each page of the menu in both languages, checks that charts render and no error shows, follows
a heatmap cell and an alert to the activity detail, downloads a table and reads the workbook back,
and saves a screenshot of each page under ``test-output/screenshots/`` for review.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import OUTPUT, start_streamlit, wait_for_session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = OUTPUT / "screenshots"
PAGES = ["overview", "participation", "quorum", "satisfaction", "compliance", "rankings", "members", "activity",
         "rules"]
TITLES = {
    "zh": {"overview": "总览", "participation": "参与率", "quorum": "未达标", "satisfaction": "满意度",
           "compliance": "合规", "rankings": "协作区排名", "members": "党员", "activity": "活动详情",
           "rules": "规则设置"},
    "en": {"overview": "Overview", "participation": "Participation", "quorum": "Quorum failures",
           "satisfaction": "Satisfaction", "compliance": "Compliance", "rankings": "Zone rankings",
           "members": "Members", "activity": "Activity detail", "rules": "Rules"},
}
# Pages that draw at least one chart on the demo data with the default filters.
CHART_PAGES = {"overview", "participation", "quorum", "satisfaction", "compliance", "rankings", "members"}


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = tmp_path_factory.mktemp("browser-pages") / "demo.duckdb"
    shutil.copy(demo_db, path)
    srv = start_streamlit(path)
    yield srv
    srv.stop()


def settle(page: Any, timeout: float = 30.0) -> None:
    """Wait until Streamlit has finished the current run (no "running" indicator for a moment)."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        running = page.locator("[data-testid='stStatusWidget']").count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.8:
            return
        time.sleep(0.1)
    raise AssertionError("the page did not finish running")


def sign_in(page: Any, url: str, lang: str = "zh", query: str = "") -> None:
    page.goto(f"{url}/?lang={lang}{query}")
    page.wait_for_selector("input[type=password]", timeout=30000)
    page.locator("input[type=text]").first.fill("dangwei")
    page.locator("input[type=password]").fill("demo1234")
    page.get_by_role("button", name="登录" if lang == "zh" else "Sign in").click()
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=30000)
    wait_for_session_cookie(page)
    settle(page)


def open_page(page: Any, key: str, lang: str) -> None:
    # the link's text is the icon's ligature name, then the title
    links = page.locator("[data-testid='stSidebarNav'] a")
    texts = links.all_inner_texts()
    index = next(i for i, text in enumerate(texts) if text.split("\n")[-1].strip() == TITLES[lang][key])
    links.nth(index).click()
    page.wait_for_selector(f"h1:has-text('{TITLES[lang][key]}')", timeout=30000)
    settle(page)


def assert_clean(page: Any, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, where
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, f"{where}: {errors.all_inner_texts()}"


def charts_rendered(page: Any) -> int:
    """How many Plotly charts have drawn their SVG."""
    page.wait_for_timeout(300)
    return page.locator("[data-testid='stPlotlyChart'] .main-svg").count()


def test_every_page_in_both_languages(server: Any, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 1400}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, server.url)
    for lang in ("zh", "en"):
        if lang == "en":
            page.get_by_text("English", exact=True).click()
            page.wait_for_selector("h1:has-text('Overview'), h1:has-text('Rules'), h1:has-text('Activity')",
                                   timeout=30000)
            settle(page)
            assert "lang=en" in page.url
        for key in PAGES:
            open_page(page, key, lang)
            assert_clean(page, f"{key} ({lang})")
            if key in CHART_PAGES:
                page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=30000)
                assert charts_rendered(page) >= 1, key
            page.screenshot(path=str(SHOTS / f"{key}-{lang}.png"), full_page=True)
    context.close()


def test_heatmap_cell_and_alert_open_the_activity(server: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1400})
    page = context.new_page()
    sign_in(page, server.url, lang="en")
    # an alert of the overview
    alert = page.locator("[data-testid='stPageLink'] a", has_text="under").first
    alert.click()
    page.wait_for_selector("h1:has-text('Activity detail')", timeout=30000)
    settle(page)
    assert "activity=" in page.url
    assert page.get_by_text("Rule broken: quorum not met.").count() == 1
    assert_clean(page, "activity from alert")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "activity-detail-en.png"), full_page=True)
    # a cell of the participation heatmap
    open_page(page, "participation", "en")
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=30000)
    page.wait_for_timeout(1500)  # Plotly attaches its click handlers after drawing
    # the cells that lead to an activity carry a (transparent) marker: click the first one
    point = page.locator("[data-testid='stPlotlyChart']").first.locator(".scatterlayer .point").first
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("h1:has-text('Activity detail')", timeout=30000)
    settle(page)
    assert "activity=" in page.url
    assert_clean(page, "activity from heatmap")
    context.close()


def test_filters_travel_in_the_link(server: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    # a shared link with filters: they hold after signing in and from page to page
    sign_in(page, server.url, lang="en", query="&quarter=Q2")
    open_page(page, "participation", "en")
    open_page(page, "quorum", "en")
    assert "quarter=Q2" in page.url and "lang=en" in page.url
    context.close()


def test_download_a_table_as_excel(server: Any, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, server.url, lang="en")
    open_page(page, "rules", "en")
    with page.expect_download(timeout=30000) as info:
        page.locator("[data-testid='stDownloadButton'] button").first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.suffix == ".xlsx"
    ws = openpyxl.load_workbook(target).active
    assert [c.value for c in ws[1]][:3] == ["Section", "Meaning", "Setting"]
    assert ws.freeze_panes == "A2"
    assert any(row[2].value == "attendance.quorum_threshold" for row in ws.iter_rows(min_row=2))
    context.close()


def test_first_visit_to_a_deep_link_asks_to_sign_in(demo_db: Path, browser: Any, tmp_path: Path) -> None:
    # A fresh server whose very first visitor opens /rules: the shell's sign-in, not the page file, and no
    # menu of the files in pages/.
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    srv = start_streamlit(path)
    try:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.goto(f"{srv.url}/rules?lang=en")
        page.wait_for_selector("input[type=password]", timeout=30000)
        settle(page)
        assert page.locator("h1").all_inner_texts() == ["Party Day Dashboard · Sign in"]
        assert page.locator("[data-testid='stSidebarNav'] a").count() == 0
        context.close()
    finally:
        srv.stop()
