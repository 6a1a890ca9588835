"""党日看板 · Party Day Dashboard: the Streamlit entry point.

Builds the navigation from what the signed-in user may open (``pipelines.access.allowed_pages``), the
language switch and the shared filters, then runs the chosen page. Nobody signed in: only the login
page. Any error a page raises is caught here and shown as a friendly message in the user's language;
no stack trace ever reaches the browser.
"""

from __future__ import annotations

import logging

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


def _navigation(allowed: set[str]) -> StreamlitPage:
    sections: dict[str, list[StreamlitPage]] = {}
    for section, pages in SECTIONS.items():
        entries = [
            st.Page(str(common.PAGES_DIR / f"{key}.py"), title=common.tr(f"ui.nav.{key}"),
                    icon=f":material/{icon}:", url_path=key, default=(key == "overview"))
            for key, icon in pages
            if key in allowed and (common.PAGES_DIR / f"{key}.py").exists()
        ]
        if entries:
            sections[common.tr(f"ui.section.{section}")] = entries
    return st.navigation(sections, expanded=True)


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
        st.navigation([st.Page(webauth.login_page, title=common.tr("ui.nav.login"), icon=":material/login:",
                               url_path="login", default=True)]).run()
        return
    page = _navigation(access.allowed_pages(user))
    webauth.logout_button()
    years = common.sql_frame("ui_years")["year"].to_list()
    branches = common.sql_frame("ui_branches")
    st.session_state[common.FILTERS_KEY] = filters.render(lang, years, branches, common.visible_ids())
    # Defence in depth: the menu only lists allowed pages, but a page is refused here as well.
    access.require_page(user, page.url_path or "overview")
    page.run()


try:
    main()
except PartydayError as exc:
    common.show_issues(exc.issues)
except Exception as exc:  # the last guard: a friendly message, details only in the server log
    _unexpected(exc)
