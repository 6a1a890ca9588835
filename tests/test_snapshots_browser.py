"""The committee takes, checks and downloads a snapshot on the real server in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import OUTPUT, start_streamlit, wait_for_session_cookie, wait_idle

pytestmark = pytest.mark.browser


@pytest.fixture
def server(copy_demo_db: Path) -> Iterator[Any]:
    with start_streamlit(copy_demo_db) as srv:
        yield srv


def test_take_check_download(browser: Any, server: Any, tmp_path: Path) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(server.url)
        page.get_by_label("用户名").fill("dangwei")
        page.get_by_label("密码").fill("demo1234")
        page.get_by_role("button", name="登录").click()
        page.get_by_text("退出登录").wait_for(timeout=60_000)
        wait_for_session_cookie(page)
        # a new address would start a new session: open the page from the menu, as a person does
        page.locator("[data-testid=stSidebarNav]").get_by_text("排名快照").click()
        wait_idle(page)
        page.get_by_text("还没有快照").wait_for(timeout=60_000)

        page.get_by_text("生成快照", exact=True).click()
        wait_idle(page)
        page.get_by_label("名称").fill("年终排名")
        page.get_by_role("button", name="冻结并保存快照").click()
        page.get_by_text("已生成快照 1：年终排名").wait_for(timeout=60_000)
        wait_idle(page)

        page.get_by_role("button", name="检查可复现性").click()
        page.get_by_text("可以复现：用其保存的规则配置对当前数据重新计算，排名完全一致。").wait_for(timeout=60_000)
        wait_idle(page)
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "snapshots_page.png"), full_page=True)

        with page.expect_download(timeout=60_000) as caught:
            page.get_by_role("button", name="下载考核材料（Excel）").click()
        target = tmp_path / caught.value.suggested_filename
        caught.value.save_as(target)
        assert target.name == "snapshot-1.xlsx"
        wb = openpyxl.load_workbook(target)
        assert wb.sheetnames[:2] == ["封面", "总排名"]
        assert wb["封面"]["B5"].value == "年终排名"
    finally:
        context.close()
