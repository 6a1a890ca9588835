"""Shaping the rules engine's frames for the pages: which months a page covers, the rows it lists, the
alerts it raises. Selection and counting only; every rate and judgement comes from
:mod:`pipelines.metrics` (``quorum_met``, ``low_satisfaction``, ``violations``, ``eligible`` ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from pipelines.config import Rules
from pipelines.i18n import t
from pipelines.metrics import VIOLATIONS, in_progress_month
from pipelines.ui.filters import Filters

PPM = 1_000_000


def month_keys(filters: Filters, today: dt.date) -> list[str]:
    """``YYYY-MM`` of the months a page shows: the filter's months, up to this month for this year."""
    if filters.year > today.year:
        return []
    last = today.month if filters.year == today.year else 12
    return [f"{filters.year}-{m:02d}" for m in filters.months() if m <= last]


def in_progress_key(filters: Filters, today: dt.date) -> str | None:
    """``YYYY-MM`` of the filter's year's month in progress on ``today`` (not held yet is not missed), or None."""
    month = in_progress_month(filters.year, today)
    return None if month is None else f"{month.year:04d}-{month.month:02d}"


def in_months(frame: pl.DataFrame, months: Sequence[str]) -> pl.DataFrame:
    """Rows of ``frame`` whose ``month`` (``YYYY-MM``) is one of ``months``."""
    return frame.filter(pl.col("month").is_in(list(months)))


def quorum_needed(expected: Any, rules: Rules) -> Any:
    """Members who must be present for ``expected`` to meet the quorum (threshold inclusive or not):
    of an int an int, of a polars expression an expression (the same integer arithmetic)."""
    ppm = round(float(rules.get("attendance.quorum_threshold")) * PPM)
    exact = expected * ppm
    if rules.get("attendance.quorum_inclusive"):
        return (exact + PPM - 1) // PPM
    return exact // PPM + 1


def quorum_failures(events: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Activities under the quorum (``quorum_met`` false), with the shortfall in people; lowest first."""
    failed = events.filter(pl.col("quorum_met").not_() & pl.col("expected").is_not_null())
    needed = quorum_needed(pl.col("expected").cast(pl.Int64), rules)
    return (failed.with_columns(needed.cast(pl.Int64).alias("needed"))
            .with_columns((pl.col("needed") - pl.col("present")).clip(lower_bound=0).alias("shortfall"))
            .sort("participation", "month", "branch", "activity_id"))


def failures_per_zone(failures: pl.DataFrame, scope: pl.DataFrame) -> pl.DataFrame:
    """Per zone of ``scope`` (:func:`pipelines.ui.common.branches_in`): its branches, its quorum failures
    among ``failures`` (:func:`quorum_failures`; zones without any count 0) and the people short; most
    failures first."""
    per_zone = failures.group_by("zone").agg(pl.len().alias("quorum_failures"), pl.col("shortfall").sum())
    return (scope.filter(pl.col("zone_name").is_not_null())
            .group_by(pl.col("zone_name").alias("zone")).agg(pl.len().alias("branches"))
            .join(per_zone, on="zone", how="left")
            .with_columns(pl.col("quorum_failures", "shortfall").fill_null(0).cast(pl.Int64))
            .sort("quorum_failures", "zone", descending=[True, False]))


def lowest_zones(items: pl.DataFrame, n: int) -> pl.DataFrame:
    """The rows of ``items`` (:func:`pipelines.metrics.item_totals` per zone) of the ``n`` zones whose
    votes, all items pooled, are least satisfied."""
    pooled = (items.filter(pl.col("votes") > 0).group_by("zone")
              .agg(((pl.col("satisfaction") * pl.col("votes")).sum() / pl.col("votes").sum()).alias("rate"))
              .sort("rate", "zone").head(n))
    return items.filter(pl.col("zone").is_in(pooled["zone"].to_list()))


def violation_counts(counts: pl.DataFrame) -> dict[str, int]:
    """How many activity rows broke each rule, from :func:`pipelines.metrics.event_counts` (the rules
    broken at least once)."""
    totals = {code: int(counts[code].sum()) for code in VIOLATIONS if code in counts.columns}
    return {code: n for code, n in totals.items() if n}


def with_violation(events: pl.DataFrame, *codes: str) -> pl.DataFrame:
    """Rows whose ``violations`` hold any of ``codes``."""
    cond = pl.lit(False)
    for code in codes:
        cond = cond | pl.col("violations").list.contains(code)
    return events.filter(cond)


def violation_text(codes: Sequence[str] | None, lang: str) -> str:
    """The broken rules in words (``、``-joined in Chinese)."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(t(f"ui.violation.{c}", lang) for c in (codes or []))


def with_violation_text(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """``frame`` with ``violation_text``: its ``violations`` codes in words (as :func:`violation_text`;
    in one expression, not row by row: a province's year has 60,000 rows that broke a rule)."""
    words = {code: t(f"ui.violation.{code}", lang) for code in VIOLATIONS}
    text = (pl.col("violations").fill_null([]).list.eval(pl.element().replace_strict(words, default=pl.element()))
            .list.join("、" if lang == "zh" else ", "))
    return frame.with_columns(text.cast(pl.Utf8).alias("violation_text"))


def translated(frame: pl.DataFrame, column: str, prefix: str, lang: str, alias: str) -> pl.DataFrame:
    """``frame`` with ``alias``: each value of ``column`` as the text ``<prefix>.<value>`` (blank for null)."""
    values = frame[column].drop_nulls().unique().to_list()  # each distinct value looked up once
    texts = {v: t(f"{prefix}.{v}", lang) for v in values}
    return frame.with_columns(pl.col(column).replace_strict(texts, default="", return_dtype=pl.Utf8)
                              .fill_null("").alias(alias))


@dataclass(frozen=True)
class Alert:
    """One line of the overview's 预警 list and where it leads."""

    severity: str  # error | warning
    month: str
    text: str
    activity_id: int | None = None
    page: str | None = None
    branch: str | None = None


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


# What the participation page's heatmap, distribution and table read of the events (a province's year
# is a few hundred thousand rows: every column more is time)
PARTICIPATION_COLUMNS = ("activity_id", "branch", "zone", "month", "date", "topic", "expected", "present", "excused",
                         "unexcused", "participation", "quorum_met")

# What the compliance page's list of activities that broke a rule reads of the events
COMPLIANCE_COLUMNS = ("activity_id", "branch", "zone", "month", "date", "topic", "notice_days", "report_days",
                      "duration_hours", "violations")

# What alerts() and the overview's late-record count read of the events
ALERT_COLUMNS = ("activity_id", "branch", "month", "date", "participation", "present", "expected", "quorum_met",
                 "satisfaction", "low_satisfaction", "violations")


def alerts(events: pl.DataFrame, strikes: pl.DataFrame, calendar: pl.DataFrame, rules: Rules,
           lang: str) -> list[Alert]:
    """Quorum failures, low satisfaction, missed months (``calendar`` rows with ``missed``: a month that has
    ended; the month in progress raises none) and three-strikes risk, newest first."""
    out: list[Alert] = []
    limit = int(rules.get("evaluation.strikes_limit"))
    threshold = float(rules.get("attendance.quorum_threshold"))
    sat_threshold = float(rules.get("evaluation.satisfaction_threshold"))
    def flagged(condition: pl.Expr) -> Iterator[dict[str, Any]]:  # in a stable order within a month
        return events.filter(condition).sort("date", "branch", "activity_id", nulls_last=True).iter_rows(named=True)

    for row in flagged(pl.col("quorum_met").not_()):
        out.append(Alert("error", row["month"], t(
            "ui.alert.quorum", lang, branch=row["branch"], when=row["date"] or row["month"],
            rate=_pct(row["participation"]), threshold=_pct(threshold), present=row["present"],
            expected=row["expected"]), activity_id=row["activity_id"]))
    for row in flagged(pl.col("low_satisfaction")):
        out.append(Alert("warning", row["month"], t(
            "ui.alert.satisfaction", lang, branch=row["branch"], when=row["date"] or row["month"],
            rate=_pct(row["satisfaction"]), threshold=_pct(sat_threshold)), activity_id=row["activity_id"]))
    for row in calendar.filter(pl.col("missed")).iter_rows(named=True):
        out.append(Alert("error", row["month"], t("ui.alert.missed", lang, branch=row["branch"], month=row["month"]),
                         page="compliance", branch=row["branch"]))
    per_branch = strikes.group_by("branch").agg(pl.col("strikes").max(), pl.col("month").max())
    for row in per_branch.iter_rows(named=True):
        if row["strikes"] >= limit:
            out.append(Alert("error", row["month"], t("ui.alert.ineligible", lang, branch=row["branch"],
                                                      strikes=row["strikes"], limit=limit),
                             page="satisfaction", branch=row["branch"]))
        elif row["strikes"] == limit - 1:
            out.append(Alert("warning", row["month"], t("ui.alert.at_risk", lang, branch=row["branch"],
                                                        strikes=row["strikes"], limit=limit),
                             page="satisfaction", branch=row["branch"]))
    return sorted(out, key=lambda a: (a.month, a.severity == "error"), reverse=True)


def strike_table(strikes: pl.DataFrame, lang: str = "zh") -> pl.DataFrame:
    """One row per branch with strikes: count, eligibility and the activities that count."""
    if strikes.is_empty():
        return pl.DataFrame(schema={"branch": pl.Utf8, "zone": pl.Utf8, "strikes": pl.Int64, "eligible": pl.Boolean,
                                    "strike_activities": pl.Utf8})
    opening, closing, sep = ("（", "%）", "；") if lang == "zh" else (" (", "%)", "; ")
    return (strikes.sort("month")
            .group_by("branch", "zone", maintain_order=True)
            .agg(pl.col("strikes").max(), pl.col("eligible").all(),
                 pl.concat_str([pl.col("month"), pl.lit(" "), pl.col("topic").fill_null(""), pl.lit(opening),
                                (pl.col("satisfaction") * 100).round(1).cast(pl.Utf8), pl.lit(closing)])
                 .str.join(sep).alias("strike_activities"))
            .sort("eligible", pl.col("strikes"), descending=[False, True]))


def member_statuses(details: pl.DataFrame, events: pl.DataFrame, branch_id: int) -> pl.DataFrame:
    """Member × month statuses of one branch from :func:`pipelines.metrics.activity_details` of its
    ``events``; columns ``member_id, name, status, month``."""
    members = details.filter((pl.col("kind") == "member") & (pl.col("branch_id") == branch_id))
    return (members.join(events.filter(pl.col("branch_id") == branch_id).select("activity_id", "month"),
                         on="activity_id")
            .select(pl.col("member_id").cast(pl.Int64), pl.col("name").cast(pl.Utf8), pl.col("status").cast(pl.Utf8),
                    pl.col("month").cast(pl.Utf8)))


def _filled(key: str, lang: str, value: pl.Expr, param: str) -> pl.Expr:
    """The text of ``key`` with ``param`` filled from ``value``, row by row (null where ``value`` is)."""
    before, _, after = t(key, lang, **{param: "\x00"}).partition("\x00")
    return pl.concat_str([pl.lit(before), value.cast(pl.Utf8), pl.lit(after)])


def ranking_marks(ranking: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The ranking with texts a reader needs: shared ranks marked as ties, the change against the previous
    period as an arrow, and the marks for ineligible branches and branches with too little data
    (computed column-wise: a province ranks 20,000 branches on every run of the page)."""
    def rank_text(rank: str, *over: str) -> pl.Expr:
        tied = pl.len().over(*over) > 1
        return (pl.when(pl.col(rank).is_null()).then(pl.lit("–"))
                .when(tied).then(_filled("ui.rankings.tie", lang, pl.col(rank), "rank"))
                .otherwise(pl.col(rank).cast(pl.Utf8)))

    change = pl.col("rank_change")
    marks = [pl.when(pl.col("too_little_data")).then(_filled("ui.rankings.too_little", lang, pl.col("activities"), "n")),
             pl.when(~pl.col("eligible")).then(_filled("ui.rankings.ineligible", lang,
                                                       pl.col("low_satisfaction_events"), "n"))]
    return ranking.with_columns(
        rank_text("rank", "rank").alias("rank_text"),
        rank_text("zone_rank", "zone_id", "zone_rank").alias("zone_rank_text"),
        pl.when(change.is_null()).then(pl.lit("–"))
        .when(change > 0).then(pl.lit("↑") + change.cast(pl.Utf8))
        .when(change < 0).then(pl.lit("↓") + (-change).cast(pl.Utf8))
        .otherwise(pl.lit("＝")).alias("change_text"),
        pl.concat_str(marks, separator="；" if lang == "zh" else "; ", ignore_nulls=True).fill_null("")
        .alias("status_text"),
    )


def with_warning_text(members: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Members (:func:`pipelines.metrics.members`) with ``warning_text``: why each warning was raised."""
    texts = []
    for r in members.iter_rows(named=True):
        parts = []
        if r["warning_in_a_row"]:
            parts.append(t("ui.quorum.warn_row", lang, n=r["max_unexcused_run"]))
        if r["warning_per_year"]:
            parts.append(t("ui.quorum.warn_year", lang, n=r["unexcused"]))
        texts.append(("；" if lang == "zh" else "; ").join(parts))
    return members.with_columns(pl.Series("warning_text", texts, dtype=pl.Utf8))
