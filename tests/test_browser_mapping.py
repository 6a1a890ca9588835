"""The column mapping in headless Chromium: a secretary uploads a sign-in sheet in a layout no fixture has
(scripts/mapping_layouts.py), is refused with the offer of a mapping, says which row is the header, which
columns hold the name, the mark and the remarks and what her marks mean, sees the figures that gives,
confirms; next month's file of the same layout then loads with no question."""

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
import mapping_layouts  # noqa: E402


@pytest.fixture
def server(org_db: Path) -> Iterator[Any]:
    with start_streamlit(org_db) as srv:
        yield srv


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``, as a person would (click, type, Enter)."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    wait_idle(page)


def test_a_secretary_teaches_a_layout_once(browser: Any, server: Any, org_db: Path, tmp_path: Path) -> None:
    june, july = mapping_layouts.write(tmp_path)
    page = browser.new_page()
    try:
        sign_in_to_upload(page, server.url, "branch1")  # the secretary of 甲支部
        page.locator("input[type=file]").set_input_files(str(june))
        page.get_by_text(f"为 {june.name} 建立列对应关系").wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text(f"{june.name} — 不能导入").count() == 1
        # The header row the reader found (3) is proposed; the name column it could not find is asked for.
        choose(page, "表头所在行", "3")
        choose(page, "姓名列", "B · 人员")
        choose(page, "签到标记列", "D · 到会情况")
        choose(page, "备注列", "E · 说明")
        page.get_by_text("这些标记系统不认识，请说明各自的含义：").wait_for(timeout=30_000)
        choose(page, "标记“来了”表示", "出席")
        choose(page, "标记“有事”表示", "请假")
        choose(page, "标记“嘉宾”表示", "非党员")
        page.get_by_text("按这个对应关系：出席 3 人，请假 1 人，缺席 1 人，非党员 1 人。").wait_for(timeout=60_000)
        assert page.get_by_text("党支部：甲支部").count() == 1
        page.screenshot(path=str(OUTPUT / "upload-mapping.png"), full_page=True) if OUTPUT.exists() else None
        page.get_by_role("button", name="确认导入并记住对应关系").click()
        page.get_by_text("已保存：下次同样表头的文件将直接导入。").wait_for(timeout=60_000)
        wait_idle(page)
        with db.reading(org_db) as con:
            stored = con.execute("select m.name, b.name, m.kind, m.header_row, m.created_by from column_mappings m "
                                 "join branches b using (branch_id)").fetchall()
            audit = con.execute("select actor, action from audit_log where action like 'mapping.%'").fetchall()
            statuses = con.execute("select status, count(*) from attendance group by all order by all").fetchall()
            guests = con.execute("select count(*) from guest_attendance").fetchone()[0]
        assert [s[1:] for s in stored] == [("甲支部", "signin", 2, "branch1")]
        assert audit == [("branch1", "mapping.create")]
        assert statuses == [("excused", 1), ("present", 3), ("unexcused", 1)] and guests == 1
        # Next month's file of the same layout: recognised through the mapping, no question asked.
        page.locator("input[type=file]").set_input_files(str(july))
        page.get_by_text(f"{july.name} — 可以导入").wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text(f"按列对应关系读取：{stored[0][0]}").count() == 1
        assert page.get_by_text("建立列对应关系").count() == 0
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("导入完成：1 个已导入").wait_for(timeout=60_000)
        wait_idle(page)
    finally:
        page.close()
    with db.reading(org_db) as con:
        files = con.execute("select file_name, status, uploaded_by from uploads order by upload_id").fetchall()
        july_statuses = con.execute(
            "select status, count(*) from attendance a join activities v using (activity_id) "
            "where v.activity_month = date '2024-07-01' group by all order by all").fetchall()
    assert files == [(june.name, "loaded", "branch1"), (july.name, "loaded", "branch1")]
    assert july_statuses == [("excused", 1), ("present", 4)]


def test_the_committee_renames_and_deletes_a_mapping(browser: Any, server: Any, org_db: Path) -> None:
    from pipelines.config import default_rules
    from pipelines.ingest import ingest_files, mapping
    from pipelines.ingest.safety import Limits

    data = mapping_layouts.roll("甲支部", 2024, 6, mapping_layouts.JUNE)
    sheet = mapping.sheets("x.xlsx", data, Limits.from_rules(default_rules()))[0]
    taught = mapping.taught(sheet, 2, {"name": 1, "status": 3}, {"来了": "present", "有事": "excused",
                                                                 "嘉宾": "guest"})
    (done,) = ingest_files(org_db, [("甲支部_2024年6月到会登记.xlsx", data)], actor="branch1", mapping=taught,
                           remember=True)
    name = done.summary["mappings"][0]
    page = browser.new_page()
    try:
        sign_in_to_upload(page, server.url, "dangwei")
        page.get_by_text(f"修改“{name}”").click()
        wait_idle(page)
        field = page.get_by_label("对应关系名称")
        field.fill("甲支部到会登记")
        field.press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="保存修改").click()
        page.get_by_text("列对应关系“甲支部到会登记”已保存。").wait_for(timeout=30_000)
        wait_idle(page)
        page.get_by_text("修改“甲支部到会登记”").click()
        wait_idle(page)
        page.get_by_role("button", name="删除这个对应关系").click()
        page.get_by_text("列对应关系“甲支部到会登记”已删除。").wait_for(timeout=30_000)
        wait_idle(page)
        assert page.get_by_text("还没有保存任何列对应关系。").count() == 1
    finally:
        page.close()
    with db.reading(org_db) as con:
        assert con.execute("select count(*) from column_mappings").fetchone()[0] == 0
        assert con.execute("select actor, action, target from audit_log where action like 'mapping.%' "
                           "order by audit_id").fetchall() == [
            ("branch1", "mapping.create", name), ("dangwei", "mapping.update", "甲支部到会登记"),
            ("dangwei", "mapping.delete", "甲支部到会登记")]
