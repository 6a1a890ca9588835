"""A secretary signs in in headless Chromium and cannot reach another branch's member data or the committee's pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import OUTPUT, start_streamlit

from pipelines import access, auth, db

pytestmark = pytest.mark.browser

OWN = ["甲一明", "甲二华"]        # members of 甲支部, the secretary's branch
OTHER = ["乙三秘", "乙四密"]      # members of 乙支部: their names must never reach the secretary's browser


@pytest.fixture
def member_db(org_db: Path) -> Path:
    """The small committee with two members in each of 甲支部 and 乙支部 and one activity each."""
    with db.writing(org_db) as con:
        for branch, names in (("甲支部", OWN), ("乙支部", OTHER)):
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
        try:
            from pipelines.refresh import refresh
        except ImportError:  # the derived figures are not there yet: pages show their empty states
            pass
        else:
            refresh(con, None)
    return org_db


@pytest.fixture
def server(member_db: Path) -> Iterator[Any]:
    srv = start_streamlit(member_db)
    try:
        yield srv
    finally:
        srv.stop()


def wait_idle(page: Any) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(300)


def sign_in(page: Any, url: str, name: str) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("退出登录").wait_for(timeout=60_000)
    wait_idle(page)


def choose_branch(page: Any, name: str) -> None:
    """Pick a branch in the sidebar filter, as a person would (type its name, Enter)."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="支部").first.click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    wait_idle(page)


def menu_keys(page: Any) -> set[str]:
    """The page keys linked from the sidebar menu (the default page links to the root)."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    return {h.split("?")[0].rstrip("/").rsplit("/", 1)[-1] if h.split("?")[0].rstrip("/").count("/") > 2
            else "overview" for h in hrefs}


def test_secretary_cannot_reach_another_branchs_members(browser: Any, server: Any, member_db: Path) -> None:
    with db.reading(member_db) as con:
        user = auth.get_user(con, "branch1")
    assert user is not None
    existing = {p.stem for p in (Path(__file__).resolve().parent.parent / "pages").glob("*.py")}
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        sign_in(page, server.url, "branch1")
        assert menu_keys(page) == access.allowed_pages(user) & existing
        assert not {"admin", "rules", "snapshots"} & menu_keys(page)

        # Every page the secretary may open, with the other branch chosen in the filters.
        choose_branch(page, "乙支部")
        links = page.locator('[data-testid="stSidebarNav"] a')
        for i in range(links.count()):
            links.nth(i).click()
            wait_idle(page)
            text = page.locator("[data-testid='stMain']").inner_text()
            for name in OTHER:
                assert name not in text, (links.nth(i).get_attribute("href"), name)
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "browser_access_secretary.png"), full_page=True)

        # A committee page typed into the address bar opens a new session: the sign-in form, not the page.
        page.goto(f"{server.url}/admin")
        page.get_by_text("党日看板 · 登录").wait_for(timeout=60_000)
        wait_idle(page)
        assert "系统管理" not in page.locator("body").inner_text()

        # Sign out: back to the sign-in form, and the session has ended in the database.
        sign_in(page, server.url, "branch1")
        page.get_by_text("退出登录").click()
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
        with db.reading(member_db) as con:  # the session abandoned by the address bar lapses at its expiry
            assert con.execute("select count(*) from sessions where ended_at is null").fetchone() == (1,)
            assert con.execute("select count(*) from audit_log where action = 'logout' and actor = 'branch1'"
                               ).fetchone() == (1,)
    finally:
        context.close()
