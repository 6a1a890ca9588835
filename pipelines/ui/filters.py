"""The filters every page shares: year, quarter, month, zone and branch, plus the language.

They live in the sidebar, rendered by the shell on every run, and are bound to the URL's query
parameters (``?lang=en&year=2026&quarter=Q2&zone=…&branch=…``), so they persist between pages and a
link can be shared. URL values are language-independent (years, ``Q1``–``Q4``, month numbers, zone
and branch names); "all" is the default and leaves the parameter out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from pipelines import access, clock
from pipelines.i18n import DEFAULT_LANG, LANGS, normalise_lang, t

ALL = 0
# More branches than this and the branch list waits for a zone: a list of 20,000 names is sent to the
# browser and drawn again on every page view, and nobody scrolls it.
MAX_BRANCH_OPTIONS = 400
LANG_NAMES = {"zh": "简体中文", "en": "English"}


@dataclass(frozen=True)
class Filters:
    """What the user chose; ``None`` means "all"."""

    year: int
    quarter: int | None = None
    month: int | None = None
    zone_id: int | None = None
    branch_id: int | None = None

    def months(self) -> list[int]:
        """The months (1–12) the filters cover."""
        if self.month:
            return [self.month]
        if self.quarter:
            return quarter_months(self.quarter)
        return list(range(1, 13))

    def month_starts(self) -> list[dt.date]:
        """The first days of the covered months (how the data names a month)."""
        return [dt.date(self.year, m, 1) for m in self.months()]

    def period_quarter(self) -> int | None:
        """The quarter to rank on: the chosen one, or the month's quarter, else the year (``None``)."""
        if self.quarter:
            return self.quarter
        if self.month:
            return (self.month - 1) // 3 + 1
        return None


def quarter_months(quarter: int) -> list[int]:
    """The three months of ``quarter`` (1–4)."""
    return [3 * (quarter - 1) + i for i in (1, 2, 3)]


def month_options(quarter: int | None) -> list[int]:
    """Month choices (0 = all) within the chosen quarter."""
    return [ALL] + (quarter_months(quarter) if quarter else list(range(1, 13)))


def default_year(years: Iterable[int], today: dt.date) -> int:
    """This year when it has data (or nothing has), else the newest year with data."""
    found = sorted(set(years), reverse=True)
    if not found or today.year in found:
        return today.year
    return found[0]


def year_options(years: Iterable[int], today: dt.date) -> list[int]:
    """Years with data plus this year, newest first."""
    return sorted(set(years) | {today.year}, reverse=True)


def zone_options(branches: pl.DataFrame, visible: set[int] | None) -> dict[int, str]:
    """``{zone_id: name}`` of the zones holding at least one visible branch, in display order."""
    shown = _visible(branches, visible).filter(pl.col("zone_id").is_not_null()).unique("zone_id", maintain_order=True)
    return dict(zip(shown["zone_id"].cast(pl.Int64).to_list(), shown["zone_name"].cast(pl.Utf8).to_list(), strict=True))


def _visible(branches: pl.DataFrame, visible: set[int] | None) -> pl.DataFrame:
    return branches if visible is None else branches.filter(pl.col("branch_id").is_in(list(visible)))


def branch_options(branches: pl.DataFrame, visible: set[int] | None, zone_id: int | None) -> dict[int, str]:
    """``{branch_id: name}`` of the visible branches, within the chosen zone when there is one."""
    shown = _visible(branches, visible)
    if zone_id:
        shown = shown.filter(pl.col("zone_id") == zone_id)
    return dict(zip(shown["branch_id"].cast(pl.Int64).to_list(), shown["branch_name"].cast(pl.Utf8).to_list(),
                    strict=True))


def matching(names: Sequence[str], typed: str, limit: int = MAX_BRANCH_OPTIONS) -> tuple[list[str], int]:
    """The names that contain ``typed`` (case and surrounding spaces ignored), at most ``limit`` of them in
    their order, and how many match in all. Nothing typed matches nothing."""
    needle = typed.strip().casefold()
    if not needle:
        return [], 0
    found = [n for n in names if needle in n.casefold()]
    return found[:limit], len(found)


def chosen_only(names: Mapping[int, str], chosen: object, in_url: str | None) -> dict[int, str]:
    """Of ``{branch_id: name}``, the branch already chosen (its id in the session, or its name in the
    URL, as a link gives it), or nothing."""
    if isinstance(chosen, int) and chosen in names:
        return {chosen: names[chosen]}
    if in_url:
        return {i: n for i, n in names.items() if n == in_url}
    return {}


def branch_scope(filters: Filters, visible: set[int] | None, branches: pl.DataFrame) -> set[int] | None:
    """The branches a page's query covers: the chosen branch, else the chosen zone, cut to the visible ones.

    ``None`` means every branch (the user may see all and chose none).
    """
    requested: set[int] | None = None
    if filters.branch_id:
        requested = {filters.branch_id}
    elif filters.zone_id:
        requested = set(branches.filter(pl.col("zone_id") == filters.zone_id)["branch_id"].to_list())
    return access.narrow(visible, requested)


def branch_zone(branches: pl.DataFrame) -> Mapping[int, int | None]:
    """``{branch_id: zone_id}``."""
    return dict(zip(branches["branch_id"].to_list(), branches["zone_id"].to_list(), strict=True))


def quarter_label(value: int, lang: str) -> str:
    """``Q2`` (the same in both languages, so links work in either), or "all"."""
    return t("ui.filter.all", lang) if value == ALL else f"Q{value}"


def month_label(value: int, lang: str) -> str:
    """The month number (language-independent in the URL), or "all"."""
    return t("ui.filter.all", lang) if value == ALL else str(value)


def language_switch() -> str:
    """The 简体中文 / English switch in the sidebar, kept in the URL as ``lang=zh|en``; returns the language.

    Not a bound widget: a bound one would put the label ("English") in the URL, and links should carry
    the code. The URL seeds the choice on a new session; every run writes it back.
    """
    import streamlit as st

    initial = normalise_lang(st.session_state.get("lang") or st.query_params.get("lang"))
    chosen = st.sidebar.radio("语言 / Language", options=list(LANGS), format_func=LANG_NAMES.__getitem__,
                              index=LANGS.index(initial), horizontal=True, key="lang",
                              label_visibility="collapsed")
    lang = normalise_lang(str(chosen or DEFAULT_LANG))
    if st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


def render(lang: str, years: Iterable[int], branches: pl.DataFrame, visible: set[int] | None,
           today: dt.date | None = None) -> Filters:
    """Draw the filters in the sidebar (bound to the URL) and return the choice."""
    import streamlit as st

    today = today or clock.today()
    years = list(years)
    side = st.sidebar
    side.subheader(t("ui.filter.title", lang))
    year_choices = year_options(years, today)
    year_default = default_year(years, today)
    year = side.selectbox(t("ui.filter.year", lang), year_choices, index=year_choices.index(year_default),
                          key="year", bind="query-params")
    quarter = side.selectbox(t("ui.filter.quarter", lang), [ALL, 1, 2, 3, 4],
                             format_func=lambda v: quarter_label(v, lang), key="quarter", bind="query-params")
    month = side.selectbox(t("ui.filter.month", lang), month_options(quarter or None),
                           format_func=lambda v: month_label(v, lang), key="month", bind="query-params")
    zones = zone_options(branches, visible)
    zone = side.selectbox(t("ui.filter.zone", lang), [ALL, *zones],
                          format_func=lambda v: t("ui.filter.all", lang) if v == ALL else zones.get(v, str(v)),
                          key="zone", bind="query-params")
    names = branch_options(branches, visible, zone or None)
    help_text = t("ui.filter.branch_help", lang)
    if len(names) > MAX_BRANCH_OPTIONS:  # too many to list: the chosen one only, until a zone is chosen
        names = chosen_only(names, st.session_state.get("branch"), st.query_params.get("branch"))
        help_text = t("ui.filter.branch_pick_zone", lang, limit=MAX_BRANCH_OPTIONS)
    branch = side.selectbox(t("ui.filter.branch", lang), [ALL, *names],
                            format_func=lambda v: t("ui.filter.all", lang) if v == ALL else names.get(v, str(v)),
                            key="branch", bind="query-params", help=help_text)
    return Filters(year=int(year or year_default), quarter=quarter or None, month=month or None,
                   zone_id=zone or None, branch_id=branch or None)
