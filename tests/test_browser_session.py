"""Signed in means signed in, in headless Chromium: signing in goes straight on to the page (the cookie
is set in the background, without a reload), the session cookie survives a reload and a new tab, a
shared link opens the page and filters it names (after the sign-in form, in the link's language), sign-out
in one tab signs the other out on its next action, an expired or forged cookie is the sign-in form, and a
page the role may not see is refused in the person's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import start_streamlit, wait_idle

from pipelines import db

pytestmark = pytest.mark.browser

COOKIE = "partyday_session"


@pytest.fixture
def server(member_db: Path) -> Iterator[Any]:
    with start_streamlit(member_db) as srv:
        yield srv


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    yield ctx
    ctx.close()


def sign_in_here(page: Any, name: str = "dangwei", button: str = "登录") -> None:
    """Fill the sign-in form the page shows and wait for the signed-in shell."""
    page.get_by_role("button", name=button, exact=True).wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名" if button == "登录" else "User name").fill(name)
    page.get_by_role("textbox", name="密码" if button == "登录" else "Password").fill("demo1234")
    page.get_by_role("button", name=button, exact=True).click()
    for _ in range(300):  # the page posts the one-time code in the background and gets the cookie
        if any(c["name"] == COOKIE for c in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state()
    page.get_by_role("button", name="退出登录" if button == "登录" else "Sign out").wait_for(timeout=60_000)
    wait_idle(page)


def main_text(page: Any) -> str:
    return str(page.locator("[data-testid='stMain']").inner_text())


def shows_sign_in_form(page: Any, title: str = "党日看板 · 登录") -> bool:
    page.get_by_text(title).wait_for(timeout=60_000)
    wait_idle(page)
    return page.get_by_role("button", name="退出登录").count() == 0


def filter_value(page: Any, label: str) -> str:
    """What the sidebar's filter ``label`` shows as chosen."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text=label).first
    return str(box.inner_text()) + " " + str(box.locator("input").first.get_attribute("value") or "")


def test_reload_and_a_new_tab_keep_the_session_and_the_cookie_is_out_of_scripts_reach(
        context: Any, server: Any) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/quorum?quarter=Q2")
    assert shows_sign_in_form(page)
    assert "Page not found" not in page.locator("body").inner_text()
    sign_in_here(page)
    page.get_by_role("heading", name="未达标", exact=True).wait_for(timeout=60_000)
    assert "/quorum" in page.url and "quarter=Q2" in page.url
    assert "Q2" in filter_value(page, "季度")
    [cookie] = [c for c in context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert COOKIE not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.url

    page.reload()
    page.get_by_role("button", name="退出登录").wait_for(timeout=60_000)
    wait_idle(page)
    assert "/quorum" in page.url and "Q2" in filter_value(page, "季度")
    assert page.get_by_role("heading", name="未达标", exact=True).count() == 1

    other = context.new_page()
    other.goto(f"{server.url}/participation")
    other.get_by_role("button", name="退出登录").wait_for(timeout=60_000)
    wait_idle(other)
    assert other.get_by_role("heading", name="参与率", exact=True).count() == 1


def test_signing_in_goes_straight_on_without_reloading_the_page(context: Any, server: Any) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/quorum?quarter=Q2")
    assert shows_sign_in_form(page)
    page.evaluate("window.__before_sign_in = 'still here'")  # gone if the page were loaded again
    sign_in_here(page)
    page.get_by_role("heading", name="未达标", exact=True).wait_for(timeout=60_000)
    assert page.evaluate("window.__before_sign_in") == "still here"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert [c for c in context.cookies() if c["name"] == COOKIE]


def test_a_forged_code_posted_in_the_background_gets_no_cookie(context: Any, server: Any) -> None:
    page = context.new_page()
    page.goto(server.url)
    assert shows_sign_in_form(page)
    status = page.evaluate("""() => fetch("/partyday/session", {method: "POST", credentials: "same-origin",
        headers: {"x-partyday-background": "1"}, body: new URLSearchParams({code: "forged", next: "/"})})
        .then((r) => r.status)""")
    assert status == 403
    assert not [c for c in context.cookies() if c["name"] == COOKIE]


@pytest.mark.parametrize(("lang", "title", "button", "heading"), [
    ("zh", "党日看板 · 登录", "登录", "未达标"), ("en", "Party Day Dashboard · Sign in", "Sign in", "Quorum failures")])
def test_a_shared_link_opens_its_page_and_filters_after_signing_in(
        browser: Any, context: Any, server: Any, lang: str, title: str, button: str, heading: str) -> None:
    # The link as the app writes it: a page, the language, a quarter, a month.
    first = context.new_page()
    first.goto(server.url)
    sign_in_here(first)
    first.goto(f"{server.url}/quorum?lang={lang}&quarter=Q2&month=5")
    first.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
    wait_idle(first)
    link = first.url
    # Forwarded to someone not signed in: the form in the link's language, then exactly that page.
    fresh = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    try:
        page = fresh.new_page()
        page.goto(link)
        assert shows_sign_in_form(page, title)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body and "Running the app's main page" not in body
        sign_in_here(page, "dangwei", button)
        page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=60_000)
        wait_idle(page)
        assert page.url == link
        assert "Q2" in filter_value(page, "季度" if lang == "zh" else "Quarter")
    finally:
        fresh.close()


def test_sign_out_in_one_tab_signs_the_other_out_on_its_next_action(context: Any, server: Any,
                                                                     member_db: Path) -> None:
    one = context.new_page()
    one.goto(server.url)
    sign_in_here(one)
    two = context.new_page()
    two.goto(f"{server.url}/compliance")
    two.get_by_role("button", name="退出登录").wait_for(timeout=60_000)
    wait_idle(two)
    one.get_by_role("button", name="退出登录").click()
    assert shows_sign_in_form(one)
    assert not [c for c in context.cookies() if c["name"] == COOKIE]
    # The other tab's next action: opening another page from its menu.
    two.locator('[data-testid="stSidebarNav"] a', has_text="参与率").click()
    assert shows_sign_in_form(two)
    assert two.get_by_text("您已退出登录（可能是在其他窗口中退出，或密码已更改），请重新登录。").count() == 1
    with db.reading(member_db) as con:
        assert con.execute("select count(*) from sessions where ended_at is null").fetchone() == (0,)
        assert con.execute("select action from audit_log where actor = 'dangwei' order by audit_id").fetchall() \
            == [("login.success",), ("logout",)]


def test_an_expired_or_forged_cookie_is_the_sign_in_form(context: Any, server: Any, member_db: Path) -> None:
    page = context.new_page()
    page.goto(server.url)
    sign_in_here(page, "zone1")
    with db.writing(member_db) as con:
        con.execute("update sessions set expires_at = started_at")
    page.reload()
    assert shows_sign_in_form(page)
    assert page.get_by_text("登录已过期，请重新登录。").count() == 1
    with db.reading(member_db) as con:
        assert con.execute("select action from audit_log where actor = 'zone1' order by audit_id").fetchall() == [
            ("login.success",), ("logout.expired",)]
    context.clear_cookies()
    context.add_cookies([{"name": COOKIE, "value": "forged-" + "x" * 40, "url": server.url}])
    page.goto(f"{server.url}/rankings")
    assert shows_sign_in_form(page)
    assert page.get_by_text("登录已过期，请重新登录。").count() == 0


@pytest.mark.parametrize(("lang", "message"), [
    ("zh", "您（branch1，支部书记）无权查看“用户管理”页面。如需此权限，请联系党委管理员。"),
    ("en", 'You (branch1, Branch secretary) may not open the page "Users". Ask the committee\'s administrator if '
           "you need it.")])
def test_a_secretarys_link_to_the_admin_page_is_refused_in_her_language(
        context: Any, server: Any, lang: str, message: str) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/admin?lang={lang}")
    sign_in_here(page, "branch1", "登录" if lang == "zh" else "Sign in")
    page.get_by_text(message).wait_for(timeout=60_000)
    assert "/admin" in page.url
    assert "Page not found" not in page.locator("body").inner_text()
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # no list of users
