"""What every page uses: language, texts, headers, empty states, issues, downloads and cached queries.

Pages are thin: filters in, a :mod:`pipelines.metrics` function through :func:`metric`, a chart from
:mod:`pipelines.ui.charts`, render. Query results are cached (shared, not copied) per database file, data version (the
file's modification stamp, so a load by the command line is seen too) and arguments;
:func:`clear_caches` drops them after every load, undo or rule change made in this server.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from pipelines import access, clock, db
from pipelines.access import User
from pipelines.config import Rules, load_rules
from pipelines.errors import Issue, PartydayError
from pipelines.i18n import catalogue, normalise_lang, t
from pipelines.ui import filters as shared_filters
from pipelines.ui import views
from pipelines.ui.filters import Filters, branch_scope, default_year, matching
from pipelines.xlsx import is_percent_column, to_xlsx

ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = ROOT / "pages"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_PAGE = 50

# Rates 0–1 of the rules engine shown as percentages (besides the ``*_rate`` / ``*_pct`` names).
RATE_COLUMNS = frozenset({"participation", "satisfaction", "compliance", "quorum_rate"})

# Session keys shared by the shell and every page; they are also the URL's query parameters.
LANG_KEY = "lang"
FILTERS_KEY = "ui_filters"


# ---------------------------------------------------------------------------------------------- texts
def lang() -> str:
    """The user's language: ``zh`` (default) or ``en``, from the switch or the URL."""
    value = st.session_state.get(LANG_KEY) or st.query_params.get(LANG_KEY)
    return normalise_lang(value)


def tr(key: str, **params: Any) -> str:
    """The text of ``key`` in the user's language."""
    return t(key, lang(), **params)


def has_text(key: str) -> bool:
    """Whether a locale file defines ``key``."""
    return key in catalogue()


def column_label(name: str, language: str | None = None) -> str:
    """The header shown for a column: ``ui.col.<name>`` when defined, else the name itself."""
    key = f"ui.col.{name}"
    return t(key, language or lang()) if has_text(key) else name


def labelled(frame: pl.DataFrame, columns: Sequence[str] | None = None, language: str | None = None) -> pl.DataFrame:
    """``frame`` cut to ``columns`` (all when None) with headers in the user's language."""
    language = language or lang()
    if columns is not None:
        frame = frame.select([c for c in columns if c in frame.columns])
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for name in frame.columns:
        label = column_label(name, language)
        while label in used:
            label += " "
        used.add(label)
        mapping[name] = label
    return frame.rename(mapping)


# -------------------------------------------------------------------------------------------- database
def is_rate(name: str, dtype: pl.DataType) -> bool:
    """Whether a column holds a rate 0–1 to show as a percentage."""
    return is_percent_column(name, dtype) or (name in RATE_COLUMNS and dtype.is_float())


def db_path() -> Path:
    """The database the server was started on (``PARTYDAY_DB`` or ``data/partyday.duckdb``)."""
    return db.db_path()


def data_version(path: Path | None = None) -> tuple[int, int, int]:
    """A stamp that changes with every committed write to the database file (mtime, size, WAL size)."""
    path = path or db_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (0, 0, 0)
    wal = path.with_name(path.name + ".wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    return (stat.st_mtime_ns, stat.st_size, wal_size)


@st.cache_resource(show_spinner=False)
def _schema_ready(path: str) -> int:
    return db.ensure_schema(Path(path))


def ensure_database() -> None:
    """Create or upgrade the database once per server process (an empty file shows empty states)."""
    _schema_ready(str(db_path()))


def _as_ids(ids: Iterable[int] | None) -> tuple[int, ...] | None:
    return None if ids is None else tuple(sorted(int(i) for i in ids))


def metrics_module() -> Any:
    """:mod:`pipelines.metrics`, imported when a page first needs a figure."""
    return importlib.import_module("pipelines.metrics")


# Query results are kept as they are (``cache_resource``), not pickled and copied on every read as
# ``cache_data`` would: a province's events are a few hundred thousand rows, their copy ~50 ms a page
# view. Polars frames are immutable and no page changes one in place, so sharing them is safe.
@st.cache_resource(max_entries=512, show_spinner=False)
def _run_metric(path: str, version: tuple[int, int, int], name: str, args: tuple[Any, ...],
                kwargs: tuple[tuple[str, Any], ...]) -> Any:
    func = getattr(metrics_module(), name)
    call_kwargs = {k: (set(v) if k == "branch_ids" and v is not None else v) for k, v in kwargs}
    with db.reading(path) as con:
        params = list(inspect.signature(func).parameters)
        if len(params) > 1 and params[1] == "rules":
            return func(con, load_rules(con), *args, **call_kwargs)
        return func(con, *args, **call_kwargs)


@st.cache_resource(max_entries=64, show_spinner=False)
def _run_per_branch(path: str, version: tuple[int, int, int], name: str, branches: tuple[str, ...],
                    args: tuple[Any, ...]) -> pl.DataFrame:
    func = getattr(metrics_module(), name)
    with db.reading(path) as con:
        rules = load_rules(con)
        frames = [func(con, rules, branch, *args).with_columns(pl.lit(branch).alias("branch")) for branch in branches]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def metric_per_branch(name: str, branches: Sequence[str], *args: Any) -> pl.DataFrame:
    """``pipelines.metrics.<name>(con, rules, branch, *args)`` of each of ``branches``, one frame with a
    ``branch`` column, on one connection (opening one costs ~20 ms, as much as a branch's query), cached
    until the data changes."""
    path = db_path()
    return _run_per_branch(str(path), data_version(path), name, tuple(branches), tuple(args))


def metric(name: str, *args: Any, **kwargs: Any) -> Any:
    """``pipelines.metrics.<name>(con, rules, *args, **kwargs)``, cached until the data changes, as of
    :func:`today` for a figure that depends on the day (the day is part of the cache key, so a server
    running past a month's end judges the new month)."""
    if "branch_ids" in kwargs:
        kwargs["branch_ids"] = _as_ids(kwargs["branch_ids"])
    if "today" not in kwargs and "today" in inspect.signature(getattr(metrics_module(), name)).parameters:
        kwargs["today"] = today()
    path = db_path()
    return _run_metric(str(path), data_version(path), name, tuple(args), tuple(sorted(kwargs.items())))


@st.cache_resource(max_entries=64, show_spinner=False)
def _run_sql(path: str, version: tuple[int, int, int], name: str,
             params: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    with db.reading(path) as con, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Arrow output on a DB-API result makes a copy"
        frame = pl.from_arrow(db.query(con, name, **dict(params)).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def sql_frame(name: str, **params: Any) -> pl.DataFrame:
    """The rows of ``pipelines/sql/<name>.sql`` as a frame, cached until the data changes."""
    path = db_path()
    return _run_sql(str(path), data_version(path), name, tuple(sorted(params.items())))


HISTORY_COLUMNS = ("upload_id", "file", "kind", "branch", "uploaded_by", "uploaded_at", "status")


@st.cache_resource(max_entries=16, show_spinner=False)
def _upload_history(path: str, version: tuple[int, int, int], branch_ids: tuple[int, ...] | None) -> pl.DataFrame:
    from pipelines.ingest import uploads

    rows = uploads(path, branch_ids=None if branch_ids is None else set(branch_ids))
    schema = {c: (pl.Int64 if c == "upload_id" else pl.String) for c in HISTORY_COLUMNS}
    return pl.DataFrame([{c: r[c] for c in HISTORY_COLUMNS} for r in rows], schema=schema)


def upload_history(branch_ids: Iterable[int] | None) -> pl.DataFrame:
    """The upload history (:func:`pipelines.ingest.uploads` about ``branch_ids``, newest first) as a frame
    of :data:`HISTORY_COLUMNS` with the kind and status as codes, cached until the data changes (a
    province files hundreds of thousands of workbooks a year)."""
    path = db_path()
    return _upload_history(str(path), data_version(path), _as_ids(branch_ids))


@st.cache_data(max_entries=16, show_spinner=False)
def _rules(path: str, version: tuple[int, int, int]) -> Rules:
    with db.reading(path) as con:
        return load_rules(con)


def rules() -> Rules:
    """The rules configuration in force in this database."""
    path = db_path()
    return _rules(str(path), data_version(path))


def clear_caches() -> None:
    """Drop every cached query result; call after a load, an undo or a rule change."""
    st.cache_data.clear()
    for cached in (_run_metric, _run_sql, _run_per_branch, _events_in_months, _alerts):
        cached.clear()


# ------------------------------------------------------------------------------------------- who/scope
RUN_USER_KEY = "ui_run_user"


def current_user() -> User | None:
    """The signed-in user (``None`` when nobody is), checked in the database once per run of the app.

    The shell and every part of a page ask; each check opens the database (~20 ms), and a page asked
    up to eight times. The answer is kept for the rest of the run only (the run's cursors, which
    Streamlit renews for every run, mark it), so every run still checks the session afresh."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from pipelines import webauth

    ctx = get_script_run_ctx()
    run = getattr(ctx, "cursors", None)
    kept = st.session_state.get(RUN_USER_KEY)
    if run is not None and isinstance(kept, tuple) and kept[0] is run:
        return kept[1]
    found = webauth.current_user()
    if run is not None:
        st.session_state[RUN_USER_KEY] = (run, found)
    return found


def user() -> User:
    """The signed-in user; the shell only runs pages when there is one."""
    found = current_user()
    if found is None:  # pragma: no cover - the shell shows the login page instead
        st.stop()
    assert found is not None
    return found


@st.cache_data(max_entries=256, show_spinner=False)
def _scopes(path: str, version: tuple[int, int, int], who: User) -> tuple[tuple[int, ...] | None, ...]:
    with db.reading(path) as con:
        return (_as_ids(access.visible_branch_ids(con, who)), _as_ids(access.member_branch_ids(con, who)),
                _as_ids(access.upload_branch_ids(con, who)))


def _scope(index: int) -> set[int] | None:
    path = db_path()
    ids = _scopes(str(path), data_version(path), user())[index]
    return None if ids is None else set(ids)


def visible_ids() -> set[int] | None:
    """Branches whose figures the user may see (``None`` = every branch)."""
    return _scope(0)


def member_ids() -> set[int] | None:
    """Branches whose member-level detail the user may see (``None`` = every branch)."""
    return _scope(1)


def may_open(page: str) -> bool:
    """Whether the user may open page ``page`` and the page exists in this installation."""
    return page in access.allowed_pages(current_user()) and (PAGES_DIR / f"{page}.py").exists()


# ------------------------------------------------------------------------------------------- rendering
def page_header(title_key: str, caption_key: str | None = None, **params: Any) -> None:
    """The page title (and an optional caption) in the user's language.

    For the pages of the menu (``ui.nav.<page>``) the user's right to open the page is checked first,
    so a page reached by any route still refuses someone who may not see it.
    """
    if title_key.startswith("ui.nav."):
        try:
            access.require_page(current_user(), title_key.removeprefix("ui.nav."))
        except PartydayError as exc:
            show_issues(exc.issues)
            st.stop()
    st.title(tr(title_key))
    if caption_key:
        st.caption(tr(caption_key, **params))


def empty_state(key: str, **params: Any) -> None:
    """Say what is missing and where to upload it (never an error)."""
    st.info(tr(key, **params), icon=":material/info:")
    if may_open("upload"):
        st.page_link(page_file("upload"), label=tr("ui.empty.go_upload"), icon=":material/upload:")
    else:
        st.caption(tr("ui.empty.ask_secretary"))


def issue_text(issue: Issue, file: str | None = None) -> str:
    """An issue as one line: where (file, sheet, row, column) and what, in the user's language."""
    where = []
    if file:
        where.append(tr("ui.issue.file", file=file))
    if issue.sheet:
        where.append(tr("ui.issue.sheet", sheet=issue.sheet))
    if issue.row is not None:
        where.append(tr("ui.issue.row", row=issue.row))
    if issue.column:
        where.append(tr("ui.issue.column", column=issue.column))
    message = issue.message(lang())
    return f"{' · '.join(where)}：{message}" if where and lang() == "zh" else (
        f"{' · '.join(where)}: {message}" if where else message)


def show_issues(issues: Iterable[Issue], file: str | None = None) -> None:
    """Errors and warnings, each naming its place, errors first."""
    items = sorted(issues, key=lambda i: 0 if i.severity == "error" else 1)
    for issue in items:
        if issue.severity == "error":
            st.error(issue_text(issue, file), icon=":material/error:")
        else:
            st.warning(issue_text(issue, file), icon=":material/warning:")


def xlsx_bytes(df_or_sheets: pl.DataFrame | Mapping[str, pl.DataFrame],
               columns: Sequence[str] | None = None, language: str | None = None) -> bytes:
    """The download workbook: headers in the user's language, rates as percentages."""
    language = language or lang()
    frames = {"data": df_or_sheets} if isinstance(df_or_sheets, pl.DataFrame) else dict(df_or_sheets)
    sheets: dict[str, pl.DataFrame] = {}
    percent: list[str] = []
    for title, frame in frames.items():
        if columns is not None:
            frame = frame.select([c for c in columns if c in frame.columns])
        for name in frame.columns:
            if is_rate(name, frame.schema[name]):
                percent.append(column_label(name, language))
        sheet = t(f"ui.sheet.{title}", language) if has_text(f"ui.sheet.{title}") else title
        sheets[sheet] = labelled(frame, language=language)
    return to_xlsx(sheets, percent=percent)


def download_xlsx(df_or_sheets: pl.DataFrame | Mapping[str, pl.DataFrame], file_name: str,
                  label_key: str = "ui.download.xlsx", *, columns: Sequence[str] | None = None,
                  key: str | None = None) -> None:
    """A button that downloads the table(s) as a real ``.xlsx`` (built only when clicked)."""
    name = file_name if file_name.endswith(".xlsx") else f"{file_name}.xlsx"
    language = lang()  # the workbook is built later, on another thread, without the session
    st.download_button(tr(label_key), data=lambda: xlsx_bytes(df_or_sheets, columns, language), file_name=name,
                       mime=XLSX_MIME, on_click="ignore", icon=":material/download:",
                       key=key or f"dl_{name}")


def paged(frame: pl.DataFrame, key: str, rows: int = ROWS_PER_PAGE) -> pl.DataFrame:
    """The slice of a long table the user has paged to (a pager appears only when needed)."""
    pages = max(1, (frame.height + rows - 1) // rows)
    if pages == 1:
        return frame
    page = st.pagination(pages, key=f"{key}_page", max_visible_pages=7)
    st.caption(tr("ui.table.rows", shown=min(rows, frame.height - (page - 1) * rows), total=frame.height))
    return frame.slice((int(page) - 1) * rows, rows)


def searched(frame: pl.DataFrame, key: str, search: Sequence[str]) -> pl.DataFrame:
    """The rows of ``frame`` whose ``search`` columns hold what the user typed in the search box (shown
    only when there are columns to search), filtered here on the server."""
    if not search:
        return frame
    needle = st.text_input(tr("ui.table.search"), key=f"{key}_search", placeholder=tr("ui.table.search_hint"))
    if not needle:
        return frame
    cond = pl.lit(False)
    for col in search:
        if col in frame.columns:
            cond = cond | pl.col(col).cast(pl.Utf8).str.contains(needle, literal=True)
    return frame.filter(cond)


def narrowed(names: Sequence[str], key: str, what_key: str) -> list[str]:
    """The ``names`` a selectbox offers: all of them up to ``filters.MAX_BRANCH_OPTIONS``; beyond that, a search
    box (matched here on the server) and the names that contain what was typed, so that a province's
    20,000 branch names are never sent to the browser on every run. ``what_key`` names the things listed.
    Call it outside a form: typing in the box runs the page again."""
    limit = shared_filters.MAX_BRANCH_OPTIONS
    if len(names) <= limit:
        return list(names)
    what = tr(what_key)
    typed = st.text_input(tr("ui.pick.search", what=what, count=len(names)), key=f"{key}_search",
                          placeholder=tr("ui.pick.hint"))
    found, total = matching(names, typed, limit)
    if not typed.strip():
        st.caption(tr("ui.pick.prompt", what=what))
    elif not total:
        st.caption(tr("ui.pick.none", what=what, typed=typed.strip()))
    elif total > len(found):
        st.caption(tr("ui.pick.more", shown=len(found), total=total))
    return found


def table(frame: pl.DataFrame, key: str, *, columns: Sequence[str] | None = None,
          file_name: str | None = None, search: Sequence[str] = (), column_config: Mapping[str, Any] | None = None,
          selectable: bool = False) -> dict[str, Any] | None:
    """A searchable, paged table with translated headers and its Excel download.

    Search and paging happen on the server: the search filters ``frame`` here, and the browser receives
    only the :data:`ROWS_PER_PAGE` rows of the page shown (a province's year is 200,000 rows). The
    download holds every row the search kept, built only when clicked. With ``selectable`` a click on
    a row returns that row (all columns of ``frame``), else None.
    """
    shown = searched(frame, key, search)
    view = paged(shown, key)
    config = {column_label(k): v for k, v in (column_config or {}).items()}
    for name in (columns or view.columns):
        if name not in view.columns or column_label(name) in config:
            continue
        if is_rate(name, view.schema[name]):
            config[column_label(name)] = st.column_config.NumberColumn(format="percent")
        elif view.schema[name] == pl.Date:
            config[column_label(name)] = st.column_config.DateColumn(format="YYYY-MM-DD")
    kwargs: dict[str, Any] = {"hide_index": True, "column_config": config, "key": f"{key}_table"}
    if selectable:
        kwargs.update(on_select="rerun", selection_mode="single-row")
    event = st.dataframe(labelled(view, columns), **kwargs)
    if file_name:
        download_xlsx(shown, file_name, columns=columns, key=f"{key}_xlsx")
    rows = getattr(getattr(event, "selection", None), "rows", None) if selectable else None
    if rows:
        return view.row(int(rows[0]), named=True)
    return None


def percent(value: Any, digits: int = 1) -> str:
    """A rate 0–1 as ``81.3%`` (``–`` when unknown)."""
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "–"
    if number != number:  # NaN
        return "–"
    return f"{number * 100:.{digits}f}%"


def debug_enabled() -> bool:
    """Whether the server was started with ``PARTYDAY_DEBUG=1`` (then errors show their details)."""
    return os.environ.get("PARTYDAY_DEBUG") == "1"


# --------------------------------------------------------------------------------------------- filters
def filters() -> Filters:
    """The filters chosen in the sidebar (set by the shell before the page runs)."""
    found = st.session_state.get(FILTERS_KEY)
    if isinstance(found, Filters):
        return found
    return Filters(year=default_year(sql_frame("ui_years")["year"].to_list(), today()))


def branches() -> pl.DataFrame:
    """Every branch with its zone (``branch_id, branch_name, zone_id, zone_name``)."""
    return sql_frame("ui_branches")


def branches_in(ids: set[int] | None) -> pl.DataFrame:
    """The branches (with their zones) among ``ids`` (``None`` = every branch), in display order."""
    found = branches()
    return found if ids is None else found.filter(pl.col("branch_id").is_in(list(ids)))


def scope_ids(chosen: Filters | None = None) -> set[int] | None:
    """The branches a page's query covers: chosen branch or zone, cut to what the user may see."""
    return branch_scope(chosen or filters(), visible_ids(), branches())


# ----------------------------------------------------------------------------------------------- links
FILTER_PARAMS = ("lang", "year", "quarter", "month", "zone", "branch")


def link_params(**extra: Any) -> dict[str, str]:
    """The current filters as URL parameters (so a link keeps them), plus ``extra`` (None drops a key)."""
    params = {k: str(v) for k, v in st.query_params.to_dict().items() if k in FILTER_PARAMS}
    params["lang"] = lang()
    for key, value in extra.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return params


def page_file(page: str) -> str:
    """``pages/<page>.py``: links and page switches name pages relative to the entry script."""
    return f"pages/{page}.py"


def open_activity(activity_id: int) -> None:
    """Go to the activity detail of ``activity_id`` (filters kept)."""
    st.switch_page(page_file("activity"), query_params=link_params(activity=activity_id))


def activity_link(activity_id: int, label: str, icon: str = ":material/open_in_new:") -> None:
    """A link to the activity detail of ``activity_id``."""
    st.page_link(page_file("activity"), label=label, icon=icon, query_params=link_params(activity=activity_id))


def page_link(page: str, label: str, icon: str | None = None, **extra: Any) -> None:
    """A link to another page with the current filters (and ``extra`` parameters)."""
    if may_open(page):
        st.page_link(page_file(page), label=label, icon=icon, query_params=link_params(**extra))


def chart(fig: Any, key: str, clickable: bool = False) -> Any:
    """Draw a Plotly figure; when ``clickable``, a click on a point returns its ``customdata``."""
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    if not clickable:
        st.plotly_chart(fig, key=key, config=config)
        return None
    event = st.plotly_chart(fig, key=key, config=config, on_select="rerun", selection_mode="points")
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        data = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(data, list):
            data = data[0] if data else None
        if data is not None:
            return data
    return None


def heavy(key: str) -> bool:
    """A toggle for a heavy chart (drawn only when asked), remembered in the session."""
    return bool(st.toggle(tr(f"ui.toggle.{key}"), key=f"toggle_{key}", value=False))


def today() -> dt.date:
    """The day the dashboard judges as of (:func:`pipelines.clock.today`: ``$PARTYDAY_TODAY`` when the
    server was started with it, else the machine's date)."""
    return clock.today()


def counts_shown(chosen: Filters) -> pl.DataFrame:
    """:func:`pipelines.metrics.event_counts` of the filters' year and months within the user's scope."""
    return views.in_months(metric("event_counts", chosen.year, branch_ids=scope_ids(chosen)),
                           views.month_keys(chosen, today()))


@st.cache_resource(max_entries=64, show_spinner=False)
def _events_in_months(path: str, version: tuple[int, int, int], year: int, ids: tuple[int, ...] | None,
                      only: str | None, columns: tuple[str, ...] | None, months: tuple[str, ...],
                      order: tuple[str, ...]) -> pl.DataFrame:
    events = views.in_months(metric("events", year, branch_ids=None if ids is None else set(ids), ordered=False,
                                    only=only, columns=columns), months)
    return events.sort(list(order), nulls_last=True) if order else events


def events_shown(chosen: Filters, empty_key: str = "ui.participation.empty", *, only: str | None = None,
                 columns: Sequence[str] | None = None, order: Sequence[str] = ()) -> pl.DataFrame:
    """The events of the filters' year and months within the user's scope (``only``: that subset;
    ``columns``: those only, with ``month``; see :func:`pipelines.metrics.events`), sorted by ``order``
    (else in no particular order) and kept so until the data changes (a province's year is 200,000 rows,
    their sort 0.1 s of every view); when the scope has no event at all in those months, the page shows
    the empty state ``empty_key`` and stops."""
    wanted = None if columns is None else tuple(dict.fromkeys(["month", *columns]))
    path = db_path()
    events = _events_in_months(str(path), data_version(path), chosen.year, _as_ids(scope_ids(chosen)), only, wanted,
                               tuple(views.month_keys(chosen, today())), tuple(order))
    none_at_all = events.is_empty() if only is None else int(counts_shown(chosen)["rows"].sum()) == 0
    if none_at_all:
        empty_state(empty_key, year=chosen.year)
        st.stop()
    return events


@st.cache_resource(max_entries=32, show_spinner=False)
def _alerts(path: str, version: tuple[int, int, int], chosen: Filters, ids: tuple[int, ...] | None,
            months: tuple[str, ...], language: str) -> list[views.Alert]:
    scope = None if ids is None else set(ids)
    events = metric("events", chosen.year, branch_ids=scope, ordered=False, only="flagged", columns=views.ALERT_COLUMNS)
    calendar = metric("compliance", chosen.year, branch_ids=scope, only_missed=True)
    return views.alerts(views.in_months(events, months), metric("strikes", chosen.year, branch_ids=scope),
                        views.in_months(calendar, months), rules(), language)


def alerts_shown(chosen: Filters) -> list[views.Alert]:
    """The overview's alerts (:func:`pipelines.ui.views.alerts`) of the filters' year and months within the
    user's scope, in the user's language, kept until the data changes: a province's year raises tens of
    thousands, and writing their texts took longer than the queries behind them."""
    path = db_path()
    return _alerts(str(path), data_version(path), chosen, _as_ids(scope_ids(chosen)),
                   tuple(views.month_keys(chosen, today())), lang())
