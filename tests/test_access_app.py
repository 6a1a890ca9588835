"""The app's sign-in, navigation per role, sign-out, expiry and the committee's admin page (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines import access, auth, db
from pipelines.errors import PartydayError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_db(org_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PARTYDAY_DB", str(org_db))
    return org_db


def open_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    return at


def sign_in(at: AppTest, name: str, password: str = "demo1234") -> AppTest:
    at.text_input(key="auth_login_name").input(name)
    at.text_input(key="auth_login_password").input(password)
    next(b for b in at.button if b.label in ("登录", "Sign in")).click().run()
    return at


def registered(at: AppTest) -> set[str]:
    """The page keys in the app's navigation ("login" for the sign-in page, which has no file)."""
    return {Path(str(info["script_path"])).stem if info.get("script_path") else "login"
            for info in at._registered_pages.values()}


def on_login_page(at: AppTest) -> bool:
    """Whether the app shows the sign-in form and nobody is signed in."""
    return [t.value for t in at.title] == ["党日看板 · 登录"] and "auth_user" not in at.session_state


def test_login_page_lists_the_demo_accounts_and_nothing_else(app_db: Path) -> None:
    at = open_app()
    assert [t.value for t in at.title] == ["党日看板 · 登录"]
    assert [i.value for i in at.info] == ["演示账号（密码均为 demo1234）："]
    shown = at.table[0].value
    assert shown["用户名"].tolist() == ["dangwei", "zone1", "branch1", "viewer"]
    assert shown["角色"].tolist() == ["党委", "协作区组长", "支部书记", "只读用户"]
    assert registered(at) == {"login"}


def test_wrong_password_is_refused_on_the_page(app_db: Path) -> None:
    at = sign_in(open_app(), "branch1", "wrong")
    assert [e.value for e in at.error] == ["用户名或密码不正确。"]
    assert registered(at) == {"login"}
    assert "auth_user" not in at.session_state


@pytest.mark.parametrize("name", ["dangwei", "zone1", "branch1", "viewer"])
def test_navigation_shows_only_the_pages_a_role_may_open(app_db: Path, name: str) -> None:
    at = sign_in(open_app(), name)
    assert not at.exception
    with db.reading(app_db) as con:
        user = auth.get_user(con, name)
    existing = {p.stem for p in (ROOT / "pages").glob("*.py")}
    # The pages the role may open run their files; the others' addresses only show a refusal.
    assert registered(at) - {"login"} == access.allowed_pages(user) & existing
    if name != "dangwei":
        assert not {"admin", "rules", "snapshots"} & registered(at)
        assert {i["url_pathname"] for i in at._registered_pages.values() if not i.get("script_path")} >= {
            "admin", "rules", "snapshots"}
        with pytest.raises(ValueError):
            at.switch_page(str(ROOT / "pages" / "admin.py"))


def with_session(token: str, expires_at: object) -> AppTest:
    """A new browser session of the app that already holds a sign-in (as after the sign-in form)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["auth_session"] = (token, expires_at)
    at.run()
    return at


def test_sign_out_ends_the_session(app_db: Path) -> None:
    session = auth.login(app_db, "viewer", "demo1234")
    assert with_session(session.token, session.expires_at).session_state["auth_user"].name == "viewer"
    auth.logout(app_db, session.token, "viewer")
    assert on_login_page(with_session(session.token, session.expires_at))
    with db.reading(app_db) as con:
        assert con.execute("select count(*) from sessions where ended_at is null").fetchone() == (0,)
        assert con.execute("select actor, action from audit_log order by audit_id desc limit 1").fetchone() == (
            "viewer", "logout")


def test_expired_session_or_disabled_account_returns_to_the_login_page(app_db: Path) -> None:
    session = auth.login(app_db, "zone1", "demo1234")
    assert not on_login_page(with_session(session.token, session.expires_at))
    with db.writing(app_db) as con:
        con.execute("update sessions set expires_at = started_at")
    at = with_session(session.token, session.expires_at)
    assert on_login_page(at)
    assert "登录已过期，请重新登录。" in [w.value for w in at.warning]
    # The expiry kept in the browser session counts too, even if the database still had the session open.
    session = auth.login(app_db, "zone1", "demo1234")
    assert on_login_page(with_session(session.token, auth.now()))

    session = auth.login(app_db, "viewer", "demo1234")
    with db.writing(app_db) as con:
        auth.disable_user(con, "viewer", actor="dangwei")
    assert on_login_page(with_session(session.token, session.expires_at))


def test_committee_admin_page_users_audit_backup(app_db: Path) -> None:
    at = sign_in(open_app(), "dangwei")
    at.switch_page(str(ROOT / "pages" / "admin.py")).run()
    assert not at.exception
    assert "系统管理" in [t.value for t in at.title]
    users = at.dataframe[0].value
    assert sorted(users["用户名"].tolist()) == ["branch1", "dangwei", "viewer", "zone1"]
    assert "password_hash" not in " ".join(map(str, users.columns))

    form = [w for w in at.text_input if w.form_id == "admin_add_user"]
    form[0].input("chen")
    form[1].input("chen-pass-1")
    role = next(s for s in at.selectbox if s.form_id == "admin_add_user" and s.label == "角色")
    role.set_value("viewer")
    next(b for b in at.button if b.form_id == "admin_add_user").click().run()
    assert [s.value for s in at.success] == ["已新增用户 chen。"]
    assert auth.login(app_db, "chen", "chen-pass-1").user.role == "viewer"

    at.segmented_control(key="admin_section").set_value("audit").run()
    log = at.dataframe[0].value
    assert {"login.success", "user.add"} <= set(log["操作"].tolist())
    at.selectbox(key="admin_audit_kind").set_value("user").run()
    assert set(at.dataframe[0].value["操作"].tolist()) == {"user.add"}
    assert any(b.label == "下载操作日志（Excel）" for b in at.get("download_button"))

    at.segmented_control(key="admin_section").set_value("backup").run()
    assert any(b.label == "下载完整备份（zip）" for b in at.get("download_button"))


def oidc_app(monkeypatch: pytest.MonkeyPatch, identity: dict[str, object]) -> AppTest:
    monkeypatch.setenv("PARTYDAY_AUTH", "oidc")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = identity
    at.run()
    return at


def test_single_sign_on_replaces_the_password_form(app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = oidc_app(monkeypatch, {"is_logged_in": False})
    assert [b.label for b in at.button] == ["使用单位统一身份登录"]
    assert not [w for w in at.text_input if w.key in ("auth_login_name", "auth_login_password")]

    at = oidc_app(monkeypatch, {"is_logged_in": True, "email": "nobody@example.cn"})
    assert [e.value for e in at.error] == ["单位账号 nobody@example.cn 尚未开通党日看板权限，请联系党委管理员。"]
    assert "auth_user" not in at.session_state or at.session_state["auth_user"] is None

    with db.writing(app_db) as con:
        auth.create_user(con, "zhao", "secretary", branch="乙支部", email="Zhao@Example.cn", actor="dangwei")
    at = oidc_app(monkeypatch, {"is_logged_in": True, "email": "zhao@example.cn"})
    assert at.session_state["auth_user"].name == "zhao"
    assert at.session_state["auth_user"].branch_name == "乙支部"
    with db.reading(app_db) as con:
        assert con.execute("select actor, action from audit_log order by audit_id desc limit 1").fetchone() == (
            "zhao", "login.success")
    # An account without a password cannot sign in with one.
    with pytest.raises(PartydayError):
        auth.login(app_db, "zhao", "")


def test_beyond_the_option_limit_branches_and_zones_are_searched_not_listed(
        app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A province has 20,000 branches: the admin and upload pages list only the names matching what was
    typed (the 4 branches and 2 zones here play a province with a limit of 1), and an account can still
    be given the branch found."""
    from pipelines.ui import filters

    monkeypatch.setattr(filters, "MAX_BRANCH_OPTIONS", 1)
    at = sign_in(open_app(), "dangwei")
    at.switch_page(str(ROOT / "pages" / "admin.py")).run()
    assert not at.exception

    def form_select(label: str):  # noqa: ANN202 - AppTest's widget type
        return next(s for s in at.selectbox if s.form_id == "admin_add_user" and s.label == label)

    assert form_select("支部").options == ["—"] and form_select("协作区").options == ["—"]
    assert "支部太多，无法全部列出：请在上方输入名称中的几个字，再从下面的列表中选择。" in [c.value for c in at.caption]
    at.text_input(key="admin_branch_search").input(" 丙 ").run()
    assert form_select("支部").options == ["—", "丙支部"]
    at.text_input(key="admin_zone_search").input("区").run()
    assert form_select("协作区").options == ["—", "一区"]
    assert "列出前 1 个，共 2 个匹配：再多输入几个字可缩小范围。" in [c.value for c in at.caption]
    at.text_input(key="admin_zone_search").input("九").run()
    assert "没有名称含“九”的协作区，请检查输入。" in [c.value for c in at.caption]

    form = [w for w in at.text_input if w.form_id == "admin_add_user"]
    form[0].input("bing")
    form[1].input("bing-pass-1")
    form_select("角色").set_value("secretary")
    form_select("支部").set_value("丙支部")
    next(b for b in at.button if b.form_id == "admin_add_user").click().run()
    assert [s.value for s in at.success] == ["已新增用户 bing。"]
    user = auth.login(app_db, "bing", "bing-pass-1").user
    with db.reading(app_db) as con:
        branch = con.execute("select name from branches where branch_id = ?", [user.branch_id]).fetchone()
    assert branch == ("丙支部",)

    at.switch_page(str(ROOT / "pages" / "upload.py")).run()
    assert not at.exception
    assert at.selectbox(key="up_branch").options == ["由工作簿识别"]
    at.text_input(key="up_branch_search").input("丁").run()
    assert at.selectbox(key="up_branch").options == ["由工作簿识别", "丁支部"]


def test_a_long_upload_history_is_paged_and_searched_on_the_server(
        app_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A year of a province's uploads is hundreds of thousands of rows: the page shows 50 at a time, its
    search finds the older ones, and the undo list offers the latest few (here 5) of what was found."""
    from pipelines.ui import filters

    with db.writing(app_db) as con:
        con.execute("insert into uploads (file_name, sha256, kind, branch_id, uploaded_by, uploaded_at, status) "
                    "select '甲支部_' || i || '月签到.xlsx', md5(i::varchar), 'signin', "
                    "(select branch_id from branches where name = '甲支部'), 'branch1', "
                    "timestamp '2026-01-01' + to_minutes(i), case when i % 10 = 0 then 'undone' else 'loaded' end "
                    "from range(1, 121) as r(i)")
    monkeypatch.setattr(filters, "MAX_BRANCH_OPTIONS", 5)
    at = sign_in(open_app(), "dangwei")
    at.switch_page(str(ROOT / "pages" / "upload.py")).run()
    assert not at.exception
    def shown_history():  # noqa: ANN202 - a pandas frame, as AppTest gives it
        return next(d.value for d in at.dataframe if "文件" in d.value.columns)

    history = shown_history()
    assert len(history) == 50 and history["文件"].iloc[0] == "甲支部_120月签到.xlsx"
    assert "本页 50 行，共 120 行" in [c.value for c in at.caption]
    assert set(history["类型"]) == {"签到表"} and set(history["状态"]) == {"已导入", "已撤销"}
    latest = zip(history["编号"].iloc[1:6], range(119, 114, -1), strict=True)
    assert at.selectbox(key="up_undo_pick").options == [f"{i} · 甲支部_{n}月签到.xlsx" for i, n in latest]
    assert "下面列出最近的 5 次上传；更早的请先在上方按文件名、支部或上传人搜索。" in [c.value for c in at.caption]

    at.text_input(key="up_history_search").input("_7月").run()
    history = shown_history()
    assert history["文件"].tolist() == ["甲支部_7月签到.xlsx"]
    assert at.selectbox(key="up_undo_pick").options == [f"{history['编号'].iloc[0]} · 甲支部_7月签到.xlsx"]
