"""党日看板 · Party Day Dashboard: the Streamlit entry point.

Builds the navigation from what the signed-in user may open (``pipelines.access.allowed_pages``), the
language switch and the shared filters, then runs the chosen page. Nobody signed in: the login page, at
every page's address too (a shared link shows the form, then opens that page with its filters); a page
the role may not see: a refusal at its address. Any error a page raises is caught here and shown as a friendly message in the user's language;
no stack trace ever reaches the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from streamlit.navigation.page import StreamlitPage

import pipelines.backup  # noqa: F401  (registers the automatic backup before a schema upgrade)
from pipelines.errors import PartydayError
from pipelines.ui import common, filters

log = logging.getLogger("partyday.app")

# (page key, material icon) in menu order, grouped in sections.
SECTIONS: dict[str, list[tuple[str, str]]] = {
    "dashboards": [("overview", "dashboard"), ("participation", "groups"), ("quorum", "person_off"),
                   ("satisfaction", "sentiment_satisfied"), ("compliance", "event_available"),
                   ("rankings", "leaderboard"), ("members", "badge"), ("activity", "description")],
    "data": [("upload", "upload_file"), ("snapshots", "photo_camera")],
    "settings": [("rules", "rule"), ("admin", "admin_panel_settings")],
}

st.set_page_config(page_title="党日看板 · Party Day Dashboard", page_icon=":material/flag:", layout="wide")


def _stand_in(key: str, show: Callable[[str], None]) -> StreamlitPage:
    """A page not in the menu at the address of page ``key``, showing ``show(key)`` instead: the sign-in
    form for a link opened before signing in, a refusal for a page the role may not see. So a shared
    link never meets Streamlit's "Page not found"."""
    def run() -> None:
        show(key)

    run.__name__ = f"stand_in_{key}"
    return st.Page(run, title=common.tr(f"ui.nav.{key}"), url_path=key, visibility="hidden")


def _refusal(key: str) -> None:
    from pipelines import access

    user = common.current_user()
    assert user is not None
    st.title(common.tr(f"ui.nav.{key}"))
    st.error(common.tr("access.ui.page_refused", name=user.name, role=common.tr(f"access.role.{user.role}"),
                       page=common.tr(f"ui.nav.{key}")), icon=":material/block:")
    log.info("page %s refused to %s (%s)", key, user.name, access.allowed_pages(user))


def _navigation(allowed: set[str]) -> StreamlitPage:
    sections: dict[str, list[StreamlitPage]] = {}
    hidden: list[StreamlitPage] = []
    for section, pages in SECTIONS.items():
        entries = []
        for key, icon in pages:
            if not (common.PAGES_DIR / f"{key}.py").exists():
                continue
            if key in allowed:
                entries.append(st.Page(str(common.PAGES_DIR / f"{key}.py"), title=common.tr(f"ui.nav.{key}"),
                                       icon=f":material/{icon}:", url_path=key, default=(key == "overview")))
            else:
                hidden.append(_stand_in(key, _refusal))
        if entries:
            sections[common.tr(f"ui.section.{section}")] = entries
    if hidden:
        sections[common.tr("ui.section.settings")] = sections.get(common.tr("ui.section.settings"), []) + hidden
    return st.navigation(sections, expanded=True)


def _signed_out_navigation() -> StreamlitPage:
    """The sign-in page, also at the address of every page (a deep link shows the form, then that page)."""
    from pipelines import webauth

    login = st.Page(webauth.login_page, title=common.tr("ui.nav.login"), icon=":material/login:",
                    url_path="login", default=True)
    stand_ins = [_stand_in(key, lambda _key: webauth.login_page()) for pages in SECTIONS.values()
                 for key, _ in pages]
    return st.navigation([login, *stand_ins])


def _unexpected(exc: BaseException) -> None:
    log.exception("page failed", exc_info=exc)
    st.error(common.tr("ui.error.unexpected"), icon=":material/error:")
    if common.debug_enabled():
        st.exception(exc)


def main() -> None:
    """One run of the app."""
    lang = filters.language_switch()
    try:
        common.ensure_database()
    except PartydayError as exc:
        st.error(exc.message(lang))
        st.stop()
    from pipelines import access, webauth

    user = common.current_user()
    if user is None:
        webauth.handoff()
        _signed_out_navigation().run()
        return
    allowed = access.allowed_pages(user)
    page = _navigation(allowed)
    webauth.logout_button()
    years = common.sql_frame("ui_years")["year"].to_list()
    branches = common.sql_frame("ui_branches")
    st.session_state[common.FILTERS_KEY] = filters.render(lang, years, branches, common.visible_ids())
    key = page.url_path or "overview"
    webauth.handoff()  # before the page, which may stop early (an empty state)
    if key in allowed:
        # Defence in depth: the menu only lists allowed pages, but a page is refused here as well.
        access.require_page(user, key)
    page.run()


try:
    main()
except PartydayError as exc:
    common.show_issues(exc.issues)
except Exception as exc:  # the last guard: a friendly message, details only in the server log
    _unexpected(exc)
