"""The upload page in headless Chromium: the committee signs in, uploads a workbook, sees its recognised
kind and issues, confirms, and finds it in the history; then undoes it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import OUTPUT, ROOT, sign_in_to_upload, start_streamlit, wait_idle

from pipelines import db

pytestmark = pytest.mark.browser
sys.path.insert(0, str(ROOT / "scripts"))
import make_fixtures  # noqa: E402


@pytest.fixture
def server(org_db: Path) -> Iterator[Any]:
    with start_streamlit(org_db) as srv:
        yield srv


def test_upload_a_workbook_and_see_it_in_the_history(browser: Any, server: Any, org_db: Path,
                                                      tmp_path: Path) -> None:
    data, _golden = make_fixtures.cases()["04_乙支部_2024年3月签到.xlsx"]
    workbook = tmp_path / "乙支部_2024年3月签到.xlsx"
    workbook.write_bytes(data)
    page = browser.new_page()
    try:
        sign_in_to_upload(page, server.url, "dangwei")
        page.locator("input[type=file]").set_input_files(str(workbook))
        page.get_by_text("可以导入").first.wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("识别类型：签到表、测评表").count() == 1
        assert page.get_by_text("党支部：乙支部").count() == 1
        assert page.get_by_text("将导入：").count() == 1
        assert page.get_by_text("问题（按行排序）").count() == 1  # its warnings, in a table sorted by row
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("导入完成：1 个已导入，0 个未变化，0 个被拒绝。").wait_for(timeout=60_000)
        wait_idle(page)
        page.screenshot(path=str(OUTPUT / "upload.png"), full_page=True) if OUTPUT.exists() else None
        with db.reading(org_db) as con:
            rows = con.execute("select upload_id, file_name, status, uploaded_by from uploads").fetchall()
            n = con.execute("select count(*) from attendance").fetchone()[0]
        assert [r[1:] for r in rows] == [("乙支部_2024年3月签到.xlsx", "loaded", "dangwei")] and n == 3
        # The history offers it for undo, by number and file name.
        pick = page.locator('[data-testid="stSelectbox"]').filter(has_text="选择要撤销的上传")
        assert f"{rows[0][0]} · 乙支部_2024年3月签到.xlsx" in (pick.inner_text() + pick.locator("input").first
                                                             .get_attribute("value", timeout=5_000).__str__())
        wait_idle(page)
        page.get_by_role("button", name="撤销这次上传").click()
        page.get_by_role("button", name="撤销这次上传").wait_for(state="detached", timeout=30_000)
        wait_idle(page)
        page.get_by_text(f"已撤销上传 {rows[0][0]}（乙支部_2024年3月签到.xlsx），它替换的数据已恢复。").wait_for(timeout=30_000)
    finally:
        page.close()
    with db.reading(org_db) as con:
        assert con.execute("select status, undone_by from uploads").fetchall() == [("undone", "dangwei")]
        assert con.execute("select count(*) from attendance").fetchone()[0] == 0


def test_upload_the_other_formats_at_once(browser: Any, server: Any, org_db: Path, tmp_path: Path) -> None:
    """A legacy .xls, an .ods, a GBK CSV and a web system's HTML export: the page's file dialog takes them and
    each loads as what its bytes are."""
    import fixture_formats as ff

    def signin(month: int) -> Any:
        return make_fixtures.book(("签到表", make_fixtures.signin_of("乙支部", month, 10, make_fixtures.YI)))

    files = {"乙支部_2024年4月_旧版.xls": ff.to_xls(signin(4)), "乙支部_2024年5月.ods": ff.to_ods(signin(5)),
             "乙支部_2024年6月.csv": ff.to_text(signin(6), "gbk"), "乙支部_2024年7月_系统导出.xls": ff.to_html(signin(7))}
    paths = []
    for name, data in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    page = browser.new_page()
    try:
        sign_in_to_upload(page, server.url, "dangwei")
        page.locator("input[type=file]").set_input_files([str(p) for p in paths])
        page.get_by_role("button", name="确认导入").wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("识别类型：签到表").count() == 4
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("导入完成：4 个已导入，0 个未变化，0 个被拒绝。").wait_for(timeout=60_000)
    finally:
        page.close()
    with db.reading(org_db) as con:
        assert con.execute("select file_name, status from uploads order by file_name").fetchall() == sorted(
            (name, "loaded") for name in files)
        assert con.execute("select month(a.activity_month), count(*) from attendance t join activities a "
                           "using (activity_id) group by 1 order by 1").fetchall() == [(4, 3), (5, 3), (6, 3), (7, 3)]
