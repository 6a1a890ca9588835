"""Plotly figures of the dashboard: plain functions of the rules engine's frames, testable without Streamlit.

Each takes the frame a :mod:`pipelines.metrics` function returned (never raw tables), the threshold
from the rules where one is drawn, and the language for every label. Charts whose cells lead to an
activity carry its id in ``customdata`` so a click can open the activity detail.

How a chart fits the scale (a committee of 15 branches or a province of 20,000 in 2,500 zones):

- **Series.** No chart has more than :data:`MAX_SERIES` named series (legend entries, colours a
  reader must tell apart). A builder given more zones keeps the ``MAX_SERIES - 1`` that matter most
  (most failures, lowest rates) and pools the rest into one grey "others" series, named with how many
  it holds (:func:`top_with_others`). The legend is horizontal under the plot and, holding at most
  :data:`MAX_SERIES` entries, wraps instead of scrolling.
- **Rows.** A heatmap has at most :data:`MAX_HEATMAP_ROWS` rows (branches, zones, members). Beyond
  that the page shows the zones instead of the branches, and beyond that again a distribution
  (:func:`distribution`, :func:`count_distribution`) and a ranked bar of the :data:`RANKED_BARS` worst
  (:func:`ranked_bars`), with the full table under the chart.
- **Tables** are never drawn as charts: every row of a page's figures is in its table, which pages
  and searches on the server and downloads whole (:func:`pipelines.ui.common.table`).
- **Choice lists.** A selectbox lists at most ``filters.MAX_BRANCH_OPTIONS`` names (branches, zones,
  uploads to undo). Beyond that the sidebar waits for a zone, and a form offers a search box matched on
  the server (:func:`pipelines.ui.common.narrowed`): 20,000 names are never sent on every run.

Per page: overview (a trend of three rates, one bar series); participation (branch × month heatmap,
zone × quarter at province scale, otherwise the distribution and the zone table; zone trends: worst
zones + others); quorum (failures by month per zone: the zones with most failures + others; a ranked
bar and a distribution of failures per zone when the zones are many); satisfaction (item heatmap of
branches or zones, distribution); compliance (calendar of branches, zone × quarter, or the zone table);
rankings (branch scores per zone: the lowest zones + others; score breakdown of the ranked branches
on request); members (member × month of one branch); activity (one activity's items).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from pipelines.i18n import t

RED = "#c0392b"
AMBER = "#f0a030"
GREEN = "#2e8b57"
GREY = "#d9d9d9"
BLUE = "#2f6db5"
PALE_BLUE = "#cfe0f3"  # a month in progress: not held yet, not missed
# One colour per series, as many as MAX_SERIES (the "others" series is grey)
PALETTE = ["#c0392b", "#2f6db5", "#2e8b57", "#8e44ad", "#f0a030", "#16a085", "#d35400", "#1f3a5f", "#b5179e",
           "#6b8e23", "#8b5a2b", "#e377c2"]
OTHERS = "#a6a6a6"
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
MAX_HEATMAP_ROWS = 80  # more rows than this and a heatmap is unreadable: the pages aggregate to zones
MAX_SERIES = 12  # named series a reader can tell apart; more zones than this: the worst ones and "others"
RANKED_BARS = 20  # bars of a ranked bar chart (one series): the worst of many zones
MAX_BOX_POINTS = 500  # a box of more branches than this draws the box only, not a dot per branch


def _layout(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title=title, font={"family": FONT, "size": 13}, margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white", legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font_family": FONT},
    )
    if height:
        fig.update_layout(height=height)
    return fig


def colour(i: int) -> str:
    """The colour of the ``i``-th series."""
    return PALETTE[i % len(PALETTE)]


def top_with_others(frame: pl.DataFrame, key: str, order: pl.Expr, lang: str, *, descending: bool = True,
                    limit: int = MAX_SERIES) -> tuple[pl.DataFrame, list[str], str | None]:
    """``frame`` with ``key`` cut to at most ``limit`` series: when there are more values, the
    ``limit - 1`` first by ``order`` (an aggregate per ``key``, e.g. ``pl.len()``; highest first unless
    ``descending`` is false) keep their name and the rest become one series "others (n)". Returns the
    frame (``key`` as text, nulls as "—"), the series names in order and the name of the "others"
    series (last; None when every value kept its name)."""
    named = frame.with_columns(pl.col(key).cast(pl.Utf8).fill_null("—"))
    ranked = (named.group_by(key).agg(order.alias("_order"))
              .sort("_order", key, descending=[descending, False], nulls_last=True)[key].to_list())
    if len(ranked) <= limit:
        return named, ranked, None
    kept = ranked[:limit - 1]
    rest = t("ui.chart.others", lang, n=len(ranked) - len(kept))
    named = named.with_columns(pl.when(pl.col(key).is_in(kept)).then(pl.col(key)).otherwise(pl.lit(rest)).alias(key))
    return named, [*kept, rest], rest


def series_colour(i: int, name: str, others: str | None) -> str:
    """The colour of the ``i``-th series; grey for the "others" series."""
    return OTHERS if name == others else colour(i)


def threshold_scale(threshold: float) -> list[list[Any]]:
    """A red-to-green colour scale on 0–1 that turns at ``threshold`` (below: reds, at or above: greens)."""
    th = min(max(threshold, 0.001), 0.999)
    return [[0.0, "#7f1d1d"], [th * 0.999, "#f4a6a0"], [th, "#b7e1c1"], [1.0, "#1e6b3a"]]


def pct_text(value: float | None) -> str:
    """``85%`` (no decimals, for cells), empty when unknown."""
    return "" if value is None else f"{value * 100:.0f}%"


def month_axis(months: Sequence[str], lang: str) -> list[str]:
    """Month labels for an axis: ``3月`` / ``Mar`` from ``YYYY-MM``."""
    return [t(f"ui.month.{int(m[5:7])}", lang) for m in months]


def click_layer(fig: go.Figure, x: Sequence[str], rows: Sequence[str], ids: Sequence[Sequence[int | None]],
                hover: Sequence[Sequence[str]]) -> None:
    """Invisible markers over the heatmap cells that lead somewhere: Plotly selects points of a scatter
    on click (not heatmap cells), so each cell with an id gets a transparent marker carrying it."""
    xs, ys, data, tips = [], [], [], []
    for i, row in enumerate(rows):
        for j, col in enumerate(x):
            if ids[i][j] is not None:
                xs.append(col)
                ys.append(row)
                data.append(ids[i][j])
                tips.append(hover[i][j])
    fig.add_scatter(x=xs, y=ys, customdata=data, text=tips, mode="markers", showlegend=False,
                    marker={"symbol": "square", "size": 22, "color": "rgba(0,0,0,0.01)"},
                    hovertemplate="%{text}<extra></extra>")


def participation_heatmap(events: pl.DataFrame, months: Sequence[str], threshold: float, lang: str,
                          branches: Sequence[str] | None = None, in_progress: str | None = None) -> go.Figure:
    """Branch × month, coloured by participation, the threshold where the colours turn; empty cells are
    months without an activity (shown grey), or, in the month ``in_progress`` ("YYYY-MM"), not held yet
    (pale blue, 本月进行中: not missed). When a branch held two activities in a month the cell shows the
    lower one. ``customdata`` holds the cell's activity id."""
    rows = list(branches) if branches is not None else sorted(events["branch"].unique().to_list())
    months = list(months)
    z: list[list[float | None]] = [[None] * len(months) for _ in rows]
    empty = [t("ui.chart.in_progress" if m == in_progress else "ui.chart.not_held", lang) for m in months]
    text = [list(empty) for _ in rows]
    ids: list[list[int | None]] = [[None] * len(months) for _ in rows]
    where = {b: i for i, b in enumerate(rows)}
    col = {m: j for j, m in enumerate(months)}
    known = events.filter(pl.col("participation").is_not_null()).sort("participation", descending=True)
    for row in known.iter_rows(named=True):
        i, j = where.get(row["branch"]), col.get(row["month"])
        if i is None or j is None:
            continue
        z[i][j] = row["participation"]  # sorted high to low: the lowest of the month is written last
        text[i][j] = pct_text(row["participation"])
        ids[i][j] = row["activity_id"]
    x = month_axis(months, lang)
    fig = go.Figure()
    # Months without an activity: grey cells under the coloured ones (a theme's background may be white);
    # in the month in progress, pale blue (0)
    fig.add_heatmap(z=[[(0 if m == in_progress else 1) if v is None else None for m, v in zip(months, line, strict=True)]
                       for line in z], x=x, y=rows, showscale=False, zmin=0, zmax=1,
                    colorscale=[[0, PALE_BLUE], [1, GREY]], xgap=2, ygap=2, hoverinfo="skip")
    fig.add_trace(go.Heatmap(
        z=z, x=x, y=rows, text=text, texttemplate="%{text}", zmin=0, zmax=1,
        colorscale=threshold_scale(threshold), xgap=2, ygap=2, hoverinfo="skip",
        colorbar={"title": t("ui.col.participation", lang), "tickformat": ".0%"},
    ))
    click_layer(fig, x, rows, ids, [[f"{r} · {m}<br>{v}" for m, v in zip(x, line, strict=True)]
                                    for r, line in zip(rows, text, strict=True)])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(plot_bgcolor=GREY)
    title = t("ui.chart.participation_heatmap", lang, threshold=pct_text(threshold))
    return _layout(fig, title, height=max(320, 28 * len(rows) + 120))


def zone_quarter_heatmap(zones: pl.DataFrame, value: str, threshold: float | None, lang: str) -> go.Figure:
    """Zone × quarter coloured by ``value`` (a rate of :func:`pipelines.metrics.zone_quarters`); with a
    ``threshold`` the colours turn there, without one they run from red (0) to green (1)."""
    names = zones.sort("zone_order")["zone"].unique(maintain_order=True).to_list()
    quarters = [1, 2, 3, 4]
    z: list[list[float | None]] = [[None] * 4 for _ in names]
    for row in zones.iter_rows(named=True):
        if row["zone"] in names and row[value] is not None:
            z[names.index(row["zone"])][row["quarter"] - 1] = row[value]
    text = [[pct_text(v) for v in line] for line in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"Q{q}" for q in quarters], y=names, text=text, texttemplate="%{text}", zmin=0, zmax=1,
        colorscale=threshold_scale(threshold) if threshold is not None else "RdYlGn", xgap=2, ygap=2,
        hoverongaps=False,
        colorbar={"tickformat": ".0%"},
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t(f"ui.chart.zone_{value}", lang), height=max(260, 40 * len(names) + 120))


def zone_trend(zones: pl.DataFrame, value: str, threshold: float | None, lang: str) -> go.Figure:
    """One line per zone across the quarters of :func:`pipelines.metrics.zone_quarters`; of more zones
    than :data:`MAX_SERIES`, the lowest by their mean ``value`` and one line of the others' median."""
    frame, names, others = top_with_others(zones, "zone", pl.col(value).mean(), lang, descending=False)
    frame = frame.group_by("zone", "quarter").agg(pl.col(value).median()).sort("quarter")
    fig = go.Figure()
    for i, name in enumerate(names):
        part = frame.filter(pl.col("zone") == name)
        fig.add_scatter(x=[f"Q{q}" for q in part["quarter"]], y=part[value].to_list(), name=name,
                        mode="lines+markers", line={"color": series_colour(i, name, others)})
    if threshold is not None:
        fig.add_hline(y=threshold, line_dash="dash", line_color=RED,
                      annotation_text=t("ui.chart.threshold", lang, value=pct_text(threshold)))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(fig, t(f"ui.chart.zone_trend_{value}", lang), height=360)


def distribution(values: Sequence[float] | pl.Series, threshold: float, lang: str, label_key: str) -> go.Figure:
    """Histogram of rates (0–1) in bins of 5 % with the threshold marked. The bins are counted here,
    not in the browser: a province's year is hundreds of thousands of rates, the chart 20 bars."""
    width = 0.05
    series = pl.Series("v", values, dtype=pl.Float64).drop_nulls().drop_nans()
    bins = (series / width).floor().clip(0, 1 / width - 1).cast(pl.Int64)  # 100 % falls in the last bin
    counts = dict(bins.value_counts().iter_rows())
    edges = [round(i * width, 2) for i in range(round(1 / width))]
    fig = go.Figure(go.Bar(x=[e + width / 2 for e in edges], y=[counts.get(i, 0) for i in range(len(edges))],
                           width=width * 0.95, marker_color=BLUE, opacity=0.85,
                           customdata=[f"{pct_text(e)}–{pct_text(e + width)}" for e in edges],
                           hovertemplate="%{customdata}: %{y}<extra></extra>"))
    fig.add_vline(x=threshold, line_dash="dash", line_color=RED,
                  annotation_text=t("ui.chart.threshold", lang, value=pct_text(threshold)))
    fig.update_xaxes(tickformat=".0%", title=t(label_key, lang), range=[0, 1])
    fig.update_yaxes(title=t("ui.chart.activities", lang))
    return _layout(fig, t("ui.chart.distribution", lang, what=t(label_key, lang)), height=320)


def month_trend(trend: pl.DataFrame, lang: str, thresholds: dict[str, float]) -> go.Figure:
    """The overview's trend by month: participation, satisfaction and compliance rates per month."""
    fig = go.Figure()
    x = month_axis(trend["month"].to_list(), lang)
    for i, name in enumerate(("participation", "satisfaction", "compliance")):
        if name in trend.columns:
            fig.add_scatter(x=x, y=trend[name].to_list(), name=t(f"ui.col.{name}", lang), mode="lines+markers",
                            line={"color": PALETTE[i]})
    for name, value in thresholds.items():
        fig.add_hline(y=value, line_dash="dot", line_color=GREY,
                      annotation_text=t("ui.chart.threshold_of", lang, what=t(f"ui.col.{name}", lang),
                                        value=pct_text(value)))
    if "quorum_failures" in trend.columns:
        fig.add_bar(x=x, y=trend["quorum_failures"].to_list(), name=t("ui.col.quorum_failures", lang),
                    yaxis="y2", marker_color=RED, opacity=0.35)
        fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero",
                                  "title": t("ui.col.quorum_failures", lang), "showgrid": False})
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], selector={"anchor": "x"})
    return _layout(fig, t("ui.chart.month_trend", lang), height=380)


def failures_by_zone_month(failures: pl.DataFrame, months: Sequence[str], lang: str) -> go.Figure:
    """Stacked bars: quorum failures per month, one colour per zone; of more zones than
    :data:`MAX_SERIES`, the zones with most failures and one grey series of the others."""
    frame, names, others = top_with_others(failures, "zone", pl.len(), lang)
    counts = {(z, m): n for z, m, n in frame.group_by("zone", "month").len().iter_rows()}
    fig = go.Figure()
    x = month_axis(months, lang)
    for i, zone in enumerate(names):
        fig.add_bar(x=x, y=[counts.get((zone, m), 0) for m in months], name=zone,
                    marker_color=series_colour(i, zone, others))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=t("ui.col.quorum_failures", lang), rangemode="tozero")
    return _layout(fig, t("ui.chart.failures_by_zone", lang), height=340)


def ranked_bars(frame: pl.DataFrame, label: str, value: str, lang: str, title_key: str, *,
                descending: bool = True, limit: int = RANKED_BARS, rate: bool = False) -> go.Figure:
    """One series of horizontal bars: the ``limit`` rows of ``frame`` with the highest ``value`` (the
    lowest unless ``descending``), labelled by ``label``, worst on top."""
    top = frame.filter(pl.col(value).is_not_null()).sort(value, label, descending=[descending, False]).head(limit)
    fig = go.Figure(go.Bar(y=top[label].cast(pl.Utf8).to_list(), x=top[value].to_list(), orientation="h",
                           marker_color=RED if descending else AMBER,
                           text=[pct_text(v) for v in top[value].to_list()] if rate else None))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t(f"ui.col.{value}", lang), tickformat=".0%" if rate else None, rangemode="tozero")
    return _layout(fig, t(title_key, lang, n=top.height), height=max(300, 22 * top.height + 120))


def count_distribution(counts: Sequence[int], lang: str, title_key: str, axis_key: str) -> go.Figure:
    """How many units (e.g. zones) have 0, 1, 2 ... of something (e.g. quorum failures), counted here."""
    tally = dict(pl.Series("n", counts, dtype=pl.Int64).value_counts().iter_rows())
    xs = sorted(tally)
    fig = go.Figure(go.Bar(x=xs, y=[tally[x] for x in xs], marker_color=BLUE, opacity=0.85))
    fig.update_xaxes(title=t(axis_key, lang), dtick=1 if xs and xs[-1] <= 20 else None)
    fig.update_yaxes(title=t("ui.chart.zones", lang))
    return _layout(fig, t(title_key, lang), height=320)


def absence_split(failures: pl.DataFrame, lang: str) -> go.Figure:
    """Per failing activity: present, excused and unexcused members, stacked (branch · date on the axis)."""
    labels = [f"{r['branch']} · {r['month']}" for r in failures.iter_rows(named=True)]
    fig = go.Figure()
    for name, colour in (("present", GREEN), ("excused", AMBER), ("unexcused", RED)):
        fig.add_bar(y=labels, x=failures[name].to_list(), name=t(f"ui.col.{name}", lang), orientation="h",
                    marker_color=colour, customdata=failures["activity_id"].to_list())
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("ui.chart.absence_split", lang), height=max(300, 26 * len(labels) + 120))


ITEMS = ("theme", "content", "format", "effect", "overall")


def item_heatmap(items: pl.DataFrame, threshold: float, lang: str, label: str = "branch") -> go.Figure:
    """Branch (or ``label``: ``zone``) × evaluation item: the share of satisfied votes, pooled over the
    rows of each (each row's item rate weighted by its votes)."""
    pooled = (items.filter(pl.col("votes") > 0)
              .group_by(label, "item")
              .agg(((pl.col("satisfaction") * pl.col("votes")).sum() / pl.col("votes").sum()).alias("rate")))
    rows = sorted(pooled[label].unique().to_list())
    cols = [i for i in ITEMS if i in set(pooled["item"].to_list())]
    z: list[list[float | None]] = [[None] * len(cols) for _ in rows]
    for row in pooled.iter_rows(named=True):
        z[rows.index(row[label])][cols.index(row["item"])] = row["rate"]
    fig = go.Figure(go.Heatmap(
        z=z, x=[t(f"ui.item.{c}", lang) for c in cols], y=rows, text=[[pct_text(v) for v in line] for line in z],
        texttemplate="%{text}", zmin=0, zmax=1, colorscale=threshold_scale(threshold), xgap=2, ygap=2,
        colorbar={"tickformat": ".0%"}, hoverongaps=False,
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("ui.chart.item_heatmap", lang), height=max(320, 28 * len(rows) + 120))


def activity_items(items: pl.DataFrame, lang: str) -> go.Figure:
    """One activity's votes per item: satisfied, basically satisfied, unsatisfied (stacked)."""
    order = [i for i in ITEMS if i in set(items["item"].to_list())]
    frame = items.with_columns(pl.col("item").replace_strict({k: n for n, k in enumerate(order)}).alias("o")).sort("o")
    x = [t(f"ui.item.{i}", lang) for i in frame["item"].to_list()]
    fig = go.Figure()
    for name, colour in (("satisfied", GREEN), ("basic", BLUE), ("unsatisfied", RED)):
        fig.add_bar(x=x, y=frame[name].to_list(), name=t(f"ui.col.{name}", lang), marker_color=colour)
    fig.update_layout(barmode="stack")
    return _layout(fig, t("ui.chart.activity_items", lang), height=320)


def compliance_calendar(calendar: pl.DataFrame, months: Sequence[str], lang: str,
                        branches: Sequence[str] | None = None) -> go.Figure:
    """Branch × month: not held (red), held with a broken rule (amber), held and compliant (green), the
    month in progress not held yet (pale blue, rows with ``status`` ``in_progress``: not missed); the cell
    text names the broken rules."""
    rows = list(branches) if branches is not None else sorted(calendar["branch"].unique().to_list())
    months = list(months)
    z: list[list[float | None]] = [[None] * len(months) for _ in rows]
    text = [[""] * len(months) for _ in rows]
    hover = [[""] * len(months) for _ in rows]
    for row in calendar.iter_rows(named=True):
        if row["branch"] not in rows or row["month"] not in months:
            continue
        i, j = rows.index(row["branch"]), months.index(row["month"])
        codes = list(row["violations"] or [])
        waiting = not row["held"] and row.get("status") == "in_progress"
        if waiting:
            z[i][j], text[i][j] = -1, t("ui.chart.in_progress", lang)
        elif not row["held"]:
            z[i][j], text[i][j] = 0, t("ui.chart.not_held", lang)
        elif codes:
            z[i][j] = 1
            text[i][j] = "<br>".join(t(f"ui.violation_short.{c}", lang) for c in codes)
        else:
            z[i][j], text[i][j] = 2, "✓"
        hover[i][j] = "、".join(t(f"ui.violation.{c}", lang) for c in codes) if codes else (
            t("ui.chart.compliant", lang) if row["held"] else text[i][j])
    fig = go.Figure(go.Heatmap(  # -1 in progress, 0 not held, 1 a rule broken, 2 compliant
        z=z, x=month_axis(months, lang), y=rows, text=text, texttemplate="%{text}", customdata=hover,
        zmin=-1, zmax=2, colorscale=[[0, PALE_BLUE], [1 / 3, "#e8a09a"], [2 / 3, "#f6d27a"], [1, "#a8d5b5"]],
        showscale=False,
        xgap=2, ygap=2, hoverongaps=False, hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("ui.chart.compliance_calendar", lang), height=max(320, 34 * len(rows) + 120))


def violation_counts(counts: dict[str, int], lang: str) -> go.Figure:
    """How many activities broke each rule."""
    codes = sorted(counts, key=lambda c: -counts[c])
    fig = go.Figure(go.Bar(x=[t(f"ui.violation.{c}", lang) for c in codes], y=[counts[c] for c in codes],
                           marker_color=AMBER))
    fig.update_yaxes(title=t("ui.chart.activities", lang), rangemode="tozero")
    return _layout(fig, t("ui.chart.violation_counts", lang), height=320)


def score_breakdown(ranking: pl.DataFrame, weights: dict[str, float], lang: str) -> go.Figure:
    """Each ranked branch's score as stacked points: 100 × weight × rate per part, plus the open-day bonus."""
    frame = ranking.sort("score", descending=True, nulls_last=True)
    labels = frame["branch"].to_list()
    fig = go.Figure()
    for i, part in enumerate(("participation", "satisfaction", "compliance")):
        points = [None if v is None else round(100 * weights[part] * v, 2) for v in frame[part].to_list()]
        fig.add_bar(y=labels, x=points, orientation="h", marker_color=PALETTE[i],
                    name=t("ui.chart.part_points", lang, what=t(f"ui.col.{part}", lang),
                           weight=f"{weights[part]:g}"))
    fig.add_bar(y=labels, x=frame["open_day_bonus"].to_list(), orientation="h", marker_color=PALETTE[4],
                name=t("ui.col.open_day_bonus", lang))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("ui.col.score", lang), range=[0, 100])
    return _layout(fig, t("ui.chart.score_breakdown", lang), height=max(320, 26 * len(labels) + 140))


def zone_scores(ranking: pl.DataFrame, lang: str) -> go.Figure:
    """Zones side by side: each branch's score as a dot in its zone's box (ranked branches only); of more
    zones than :data:`MAX_SERIES`, the zones of lowest median score and one box of all the others."""
    ranked = ranking.filter(pl.col("score").is_not_null()).sort("zone_id")
    frame, names, others = top_with_others(ranked, "zone", pl.col("score").median(), lang, descending=False)
    fig = go.Figure()
    for i, zone in enumerate(names):
        part = frame.filter(pl.col("zone") == zone)
        # an array, not a list: plotly checks a list value by value (20,000 scores in a province's "others")
        fig.add_box(y=part["score"].to_numpy(), name=zone, boxpoints="all" if part.height <= MAX_BOX_POINTS else False,
                    jitter=0.4, pointpos=0, marker_color=series_colour(i, zone, others),
                    text=part["branch"].to_list() if part.height <= MAX_BOX_POINTS else None,
                    hovertemplate="%{text}: %{y}<extra></extra>" if part.height <= MAX_BOX_POINTS else None)
    fig.update_yaxes(title=t("ui.col.score", lang), range=[0, 100])
    fig.update_layout(showlegend=False)
    return _layout(fig, t("ui.chart.zone_scores", lang), height=360)


STATUS_CODE = {"present": 3, "excused": 2, "unexcused": 1, "exempt": 0}


def member_calendar(statuses: pl.DataFrame, months: Sequence[str], lang: str) -> go.Figure:
    """Member × month: present, excused, unexcused or exempt at the branch's activity of the month."""
    names = statuses.sort("name")["name"].unique(maintain_order=True).to_list()
    months = list(months)
    z: list[list[float | None]] = [[None] * len(months) for _ in names]
    text = [[""] * len(months) for _ in names]
    for row in statuses.iter_rows(named=True):
        if row["status"] is None or row["month"] not in months:
            continue
        i, j = names.index(row["name"]), months.index(row["month"])
        code = STATUS_CODE.get(row["status"])
        if code is None:
            continue
        if z[i][j] is None or code < (z[i][j] or 0):
            z[i][j], text[i][j] = code, t(f"ui.status_short.{row['status']}", lang)
    fig = go.Figure(go.Heatmap(
        z=z, x=month_axis(months, lang), y=names, text=text, texttemplate="%{text}", zmin=0, zmax=3,
        colorscale=[[0, "#cfd8dc"], [0.33, "#e8a09a"], [0.66, "#f6d27a"], [1, "#a8d5b5"]], showscale=False,
        xgap=2, ygap=2, hoverongaps=False,
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("ui.chart.member_calendar", lang), height=max(320, 24 * len(names) + 120))
