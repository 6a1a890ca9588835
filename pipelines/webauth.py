"""Streamlit glue for signing in: who is signed in, the login form, the sign-out and password controls.

The signed-in :class:`~pipelines.access.User` is kept in ``st.session_state["auth_user"]`` (server side),
with the session token in ``st.session_state["auth_session"]``. Every run re-checks the session in the
database, so an expired session, a disabled account or a changed password signs the person out at once.

A new browser session (a reload, a new tab, a bookmark, a shared link) finds its sign-in in the
``HttpOnly`` session cookie (``pipelines/ui/session_cookie.py``), resolved on the server. After the form
signs a person in, :func:`handoff` has the browser post a one-time code that the server exchanges for
that cookie, landing on the page and filters the person had opened; after sign-out, it clears it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st

from pipelines import auth, backup, db  # noqa: F401  (backup registers the automatic pre-upgrade backup)
from pipelines.access import User
from pipelines.errors import PartydayError
from pipelines.i18n import t

USER_KEY = "auth_user"
SESSION_KEY = "auth_session"
NOTICE_KEY = "auth_notice"
OIDC_LOGGED_KEY = "auth_oidc_logged"
HANDOFF_KEY = "auth_handoff"  # what the browser must post next: (endpoint, fields)
NEXT_KEY = "auth_next"  # the page and filters opened before signing in


def _lang() -> str:
    try:
        from pipelines.ui.common import lang
    except ImportError:  # the page shell is not there (e.g. a bare test script)
        return str(st.session_state.get("lang", "zh"))
    return lang()


def _tr(key: str, **params: Any) -> str:
    return t(key, _lang(), **params)


def _forget(notice: str | None = None) -> None:
    for key in (USER_KEY, SESSION_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _oidc_user() -> User | None:
    if not st.user.get("is_logged_in"):
        return None
    email = str(st.user.get("email") or "")
    with db.reading(db.db_path()) as con:
        user = auth.user_by_email(con, email) if email else None
    if user is not None and not st.session_state.get(OIDC_LOGGED_KEY):
        from pipelines.audit import record

        with db.writing(db.db_path()) as con:
            record(con, user.name, "login.success", user.name, {"oidc": email})
        st.session_state[OIDC_LOGGED_KEY] = True
    st.session_state[USER_KEY] = user
    return user


def current_user() -> User | None:
    """The signed-in user, or None (nobody signed in, session expired or ended, account disabled)."""
    if auth.oidc_enabled():
        return _oidc_user()
    session = st.session_state.get(SESSION_KEY)
    if not session:
        st.session_state.pop(USER_KEY, None)
        return _cookie_user()
    token, expires_at = session
    if auth.now() >= expires_at:
        user = st.session_state.get(USER_KEY)
        auth.expire_session(db.db_path(), token, user.name if user else None)
        _forget("access.login.session_expired")
        return None
    with db.reading(db.db_path()) as con:
        user = auth.session_user(con, token)
    if user is None:
        _, why = auth.resolve_session(db.db_path(), token)
        _forget("access.login.session_expired" if why == "expired" else "access.login.signed_out")
        return None
    st.session_state[USER_KEY] = user
    return user


def _cookie_user() -> User | None:
    """The user of the session cookie this browser sent with the page, when it is still valid."""
    from pipelines.ui.session_cookie import COOKIE

    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or not token:  # none sent (or no browser: a test of the app)
        return None
    found, why = auth.resolve_session(db.db_path(), token)
    if found is None:
        if why == "expired":
            st.session_state[NOTICE_KEY] = "access.login.session_expired"
        return None
    st.session_state[SESSION_KEY] = (found.token, found.expires_at)
    st.session_state[USER_KEY] = found.user
    return found.user


def _here() -> str:
    """The path and query of the page being shown (``/quorum?lang=en&quarter=Q2``), to come back to."""
    from urllib.parse import urlencode, urlsplit

    path = urlsplit(st.context.url or "/").path or "/"
    query = urlencode(st.query_params.to_dict())
    return path + ("?" + query if query else "")


def handoff() -> None:
    """Have the browser post what the server must turn into a cookie (or clear), if anything is pending."""
    from pipelines.ui import session_cookie

    pending = st.session_state.pop(HANDOFF_KEY, None)
    if pending and session_cookie.ENDPOINTS_MOUNTED:
        from pipelines.ui.session_cookie import auto_post

        action, fields = pending
        st.html(auto_post(action, fields, background=action == session_cookie.SESSION_PATH),
                unsafe_allow_javascript=True)


def _sign_in(name: str, password: str) -> None:
    try:
        session = auth.login(db.db_path(), name, password)
    except PartydayError as exc:
        st.error(exc.message(_lang()))
        return
    from pipelines.ui.session_cookie import SESSION_PATH, issue_nonce

    st.session_state[SESSION_KEY] = (session.token, session.expires_at)
    st.session_state[USER_KEY] = session.user
    st.session_state.pop(NOTICE_KEY, None)
    st.session_state[HANDOFF_KEY] = (SESSION_PATH, {"code": issue_nonce(session.token), "next": _here()})
    st.rerun()


def _demo_table() -> None:
    path = db.db_path()
    if not path.exists():
        return
    with db.reading(path) as con:
        demo = auth.demo_accounts(con)
        any_user = con.execute("select count(*) from users").fetchone()
    if demo:
        st.info(_tr("access.ui.demo_accounts", password=auth.DEMO_PASSWORD))
        lang = _lang()
        st.table([{_tr("access.col.name"): u["name"], _tr("access.col.role"): t(f"access.role.{u['role']}", lang),
                   _tr("access.col.branch"): u["branch"] or "", _tr("access.col.zone"): u["zone"] or ""}
                  for u in demo])
    elif any_user is not None and not any_user[0]:
        st.warning(_tr("access.ui.no_accounts"))


def login_page() -> None:
    """The sign-in form (or the provider's button when OpenID Connect is configured), with the demo accounts."""
    db.ensure_schema(db.db_path())
    st.title(_tr("access.ui.login_title"))
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(_tr(notice))
    if auth.oidc_enabled():
        if st.user.get("is_logged_in"):
            st.error(_tr("access.ui.oidc_unknown", email=st.user.get("email") or "?"))
            if st.button(_tr("access.ui.sign_out"), key="auth_oidc_logout"):
                st.logout()
        elif st.button(_tr("access.ui.sign_in_oidc"), key="auth_oidc_login", type="primary"):
            import os

            provider = os.environ.get("PARTYDAY_OIDC_PROVIDER")
            st.login(provider) if provider else st.login()
        return
    with st.form("auth_login_form"):
        name = st.text_input(_tr("access.ui.user_name"), key="auth_login_name")
        password = st.text_input(_tr("access.ui.password"), type="password", key="auth_login_password")
        submitted = st.form_submit_button(_tr("access.ui.sign_in"), type="primary")
    if submitted:
        _sign_in(name, password)
    _demo_table()


def _scope_label(user: User) -> str:
    parts = [p for p in (user.zone_name if user.role == "zone_leader" else None, user.branch_name) if p]
    return ("，" if _lang() == "zh" else ", ").join([""] + parts) if parts else ""


def _password_form(user: User) -> None:
    with st.form("auth_password_form", clear_on_submit=True):
        old = st.text_input(_tr("access.ui.old_password"), type="password")
        new = st.text_input(_tr("access.ui.new_password"), type="password")
        again = st.text_input(_tr("access.ui.new_password_again"), type="password")
        submitted = st.form_submit_button(_tr("access.ui.change_password"))
    if not submitted:
        return
    if new != again:
        st.error(_tr("access.password.mismatch"))
        return
    try:
        auth.change_password(db.db_path(), user.name, old, new)
    except PartydayError as exc:
        st.error(exc.message(_lang()))
        return
    _forget("access.ui.password_changed")
    st.rerun()


def logout_button() -> None:
    """In the sidebar: who is signed in, a password change form and the sign-out button."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        return
    with st.sidebar:
        st.caption(_tr("access.ui.signed_in_as", name=user.name, role=t(f"access.role.{user.role}", _lang()),
                       scope=_scope_label(user)))
        if not auth.oidc_enabled():
            with st.popover(_tr("access.ui.change_password")):
                _password_form(user)
        if st.button(_tr("access.ui.sign_out"), key="auth_logout"):
            if auth.oidc_enabled():
                st.session_state.pop(OIDC_LOGGED_KEY, None)
                _forget()
                st.logout()
            from pipelines.ui.session_cookie import SIGNOUT_PATH

            session = st.session_state.get(SESSION_KEY)
            if session:
                auth.logout(db.db_path(), session[0], user.name)
            _forget()
            st.session_state[HANDOFF_KEY] = (SIGNOUT_PATH, {"next": f"/?lang={_lang()}"})
            st.rerun()


def session_expires_at() -> datetime | None:
    """When the current password session expires (None when not signed in with a password)."""
    session = st.session_state.get(SESSION_KEY)
    return session[1] if session else None
