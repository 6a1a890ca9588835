"""The assessment workbook of a snapshot (年度评先选优考核材料), written only from what the snapshot stored.

Sheets: a cover (committee, period, when, by whom, the configuration and weights, the data
fingerprint), the overall ranking, one sheet per zone, the three-strikes and ineligibility list with the
activities behind it, the quorum failures, the members who missed activities (by branch), the
recommended list with the best-case candidates, and the uploads the data came from.

Every sheet has a title, a header row with frozen panes below it, widths that fit, numbers as numbers,
rates as percentages, dates as dates, ineligible branches highlighted. Text written by users (branch,
member and topic names, notes) goes through :mod:`pipelines.xlsx`'s checks: a cell that begins like a
formula stays text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipelines import access, clock, snapshots
from pipelines.i18n import DEFAULT_LANG, t
from pipelines.xlsx import (
    DATE_FORMAT,
    MAX_WIDTH,
    MIN_WIDTH,
    PERCENT_FORMAT,
    clean_text,
    display_width,
    is_risky_text,
    sheet_title,
)

Row = dict[str, Any]

TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(italic=True, color="595959")
SECTION_FONT = Font(bold=True, size=12)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="A61B1B")
INELIGIBLE_FILL = PatternFill("solid", fgColor="F8D7DA")
LITTLE_DATA_FONT = Font(italic=True, color="7F7F7F")
THIN = Side(style="thin", color="D9D9D9")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center")
SCORE_FORMAT = "0.00"
HEADER_ROW = 3  # title, subtitle, header
NUMBER_WIDTH = 9


@dataclass(frozen=True)
class Col:
    """One column of a table: the row key, the label's message key and how the value is shown."""

    key: str
    label: str
    kind: str = "text"  # text | int | number | pct | bool | date


# ---------------------------------------------------------------------------------------------------
# Cells


def put(ws: Worksheet, row: int, column: int, value: Any, kind: str = "text", lang: str = DEFAULT_LANG) -> Any:
    """Write one value: numbers as numbers, rates as percentages, ``YYYY-MM-DD`` as dates, yes/no in
    words, and any text that could be read as a formula as a quoted text cell."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return cell
    if kind == "bool":
        value = t("snapshots.x.yes" if value else "snapshots.x.no", lang)
    elif kind == "date" and isinstance(value, str) and len(value) >= 10:
        try:
            cell.value = dt.date.fromisoformat(value[:10])
            cell.number_format = DATE_FORMAT
            return cell
        except ValueError:
            pass
    elif kind in ("int", "number", "pct") and isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = {"int": "0", "number": SCORE_FORMAT, "pct": PERCENT_FORMAT}[kind]
        return cell
    if isinstance(value, bool | int | float):
        cell.value = value
        return cell
    text = clean_text(str(value))
    cell.value = text
    if isinstance(cell.value, str) and (is_risky_text(str(value)) or is_risky_text(text)):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _title(ws: Worksheet, title: str, subtitle: str) -> None:
    put(ws, 1, 1, title).font = TITLE_FONT
    put(ws, 2, 1, subtitle).font = SUBTITLE_FONT
    ws.row_dimensions[1].height = 24


def _widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))


def _print_setup(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header_row}:{header_row}"


def table(ws: Worksheet, columns: Sequence[Col], rows: Sequence[Row], *, lang: str, start_row: int = HEADER_ROW,
          highlight: Callable[[Row], bool] | None = None, dim: Callable[[Row], bool] | None = None,
          freeze: bool = True) -> int:
    """Write a header row at ``start_row`` and ``rows`` below it; returns the next free row.

    ``highlight(row)`` fills a row (ineligible branches); ``dim(row)`` greys it (too little data).
    """
    widths: dict[int, int] = {}
    for c, col in enumerate(columns, start=1):
        label = t(col.label, lang)
        cell = put(ws, start_row, c, label)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # long headers of number columns wrap onto two lines rather than widening the column
        shown = display_width(label) if col.kind in ("text", "date") else min(display_width(label), NUMBER_WIDTH)
        widths[c] = max(shown, 8 if col.kind == "pct" else 4, 11 if col.kind == "date" else 4)
    for r, row in enumerate(rows, start=start_row + 1):
        marked = bool(highlight and highlight(row))
        greyed = bool(dim and dim(row))
        for c, col in enumerate(columns, start=1):
            cell = put(ws, r, c, row.get(col.key), col.kind, lang)
            cell.border = BORDER
            if col.kind in ("int", "bool", "date"):
                cell.alignment = CENTER
            if marked:
                cell.fill = INELIGIBLE_FILL
            if greyed:
                cell.font = LITTLE_DATA_FONT
            if col.kind in ("text", "bool") and cell.value is not None:
                widths[c] = max(widths[c], display_width(str(cell.value)))
            elif col.kind in ("int", "number"):
                widths[c] = max(widths[c], 6)
    current = {c: (ws.column_dimensions[get_column_letter(c)].width or 0) - 2 for c in widths}
    _widths(ws, {c: max(w, int(current[c])) for c, w in widths.items()})
    ws.row_dimensions[start_row].height = 30
    if freeze:
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
        _print_setup(ws, start_row)
    return start_row + 1 + len(rows)


# ---------------------------------------------------------------------------------------------------
# Columns


def component_keys(ranking: Sequence[Row]) -> list[str]:
    """The keys of the score breakdown (``components``) in the order the rules engine gave them."""
    keys: list[str] = []
    for row in ranking:
        comp = row.get("components")
        if isinstance(comp, dict):
            keys += [k for k in comp if k not in keys]
    return keys


# Breakdown entries that are points on the 0-100 scale rather than rates.
POINT_COMPONENTS = ("bonus", "points", "score")


def _component_kind(key: str) -> str:
    if any(word in key for word in POINT_COMPONENTS):
        return "number"
    if key.endswith(("count", "activities", "months", "_n")) or key.startswith("n_"):
        return "int"
    return "pct"


def ranking_columns(ranking: Sequence[Row], rank_key: str) -> list[Col]:
    """The columns of a ranking sheet (overall: ``rank`` first; a zone: ``zone_rank`` first)."""
    first = [Col(rank_key, f"snapshots.x.col.{rank_key}", "int"), Col("branch", "snapshots.x.col.branch"),
             Col("zone", "snapshots.x.col.zone")]
    other = "zone_rank" if rank_key == "rank" else "rank"
    cols = first + [Col(other, f"snapshots.x.col.{other}", "int"), Col("score", "snapshots.x.col.score", "number")]
    cols += [Col(f"c.{k}", f"snapshots.x.component.{k}", _component_kind(k)) for k in component_keys(ranking)]
    cols += [Col(k, f"snapshots.x.col.{k}", "int") for k in ("activities", "rank_change")
             if any(k in r for r in ranking)]
    cols += [Col("low_satisfaction_events", "snapshots.x.col.low_satisfaction_events", "int"),
             Col("eligible", "snapshots.x.col.eligible", "bool"),
             Col("too_little_data", "snapshots.x.col.too_little_data", "bool")]
    return cols


def _flat(row: Row) -> Row:
    comp = row.get("components")
    extra = {f"c.{k}": v for k, v in comp.items()} if isinstance(comp, dict) else {}
    return {**row, **extra}


def _ineligible(row: Row) -> bool:
    return row.get("eligible") is False


def _little(row: Row) -> bool:
    return bool(row.get("too_little_data"))


# ---------------------------------------------------------------------------------------------------
# Sheets


def _cover(wb: Workbook, snap: Row, lang: str) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(t("snapshots.x.sheet.cover", lang))
    committee = snap.get("committee_name") or t("snapshots.x.committee_unknown", lang)
    _title(ws, t("snapshots.x.cover_title", lang, committee=committee), t("snapshots.x.cover_subtitle", lang))
    facts = [
        ("snapshots.x.cover.id", snap["id"]),
        ("snapshots.x.cover.name", snap["name"]),
        ("snapshots.x.cover.committee", committee),
        ("snapshots.x.cover.period", period(snap, lang)),
        ("snapshots.x.cover.taken_at", snap["taken_at"]),
        ("snapshots.x.cover.taken_by", snap["taken_by"]),
        ("snapshots.x.cover.note", snap.get("note") or ""),
        ("snapshots.x.cover.branches", len(snap["ranking"])),
        ("snapshots.x.cover.ineligible", sum(1 for r in snap["ranking"] if _ineligible(r))),
        ("snapshots.x.cover.fingerprint", snap["fingerprint"]),
        ("snapshots.x.cover.uploads", len(snap["uploads"])),
        ("snapshots.x.cover.superseded_by", snap.get("superseded_by") or t("snapshots.x.current", lang)),
        ("snapshots.x.cover.exported_at", clock.now().strftime("%Y-%m-%d %H:%M")),
    ]
    row = 4
    for label, value in facts:
        put(ws, row, 1, t(label, lang)).font = Font(bold=True)
        put(ws, row, 2, value).alignment = Alignment(horizontal="left", wrap_text=True)
        row += 1
    row += 1
    put(ws, row, 1, t("snapshots.x.cover.rules", lang)).font = SECTION_FONT
    rules_rows = rule_rows(snap["rules"], lang)
    cols = [Col("label", "snapshots.x.col.setting"), Col("value", "snapshots.x.col.value"),
            Col("key", "snapshots.x.col.key")]
    end = table(ws, cols, rules_rows, lang=lang, start_row=row + 1, freeze=False)
    for r in range(row + 2, end):  # weights and thresholds that are shares read as percentages
        key = ws.cell(row=r, column=3).value
        value = ws.cell(row=r, column=2).value
        if isinstance(value, float) and str(key).endswith(("weight_participation", "weight_satisfaction",
                                                           "weight_compliance", "threshold", "share")):
            ws.cell(row=r, column=2).number_format = PERCENT_FORMAT
        ws.cell(row=r, column=2).alignment = Alignment(horizontal="left")
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 22)
    ws.column_dimensions["B"].width = 70
    _print_setup(ws, 1)
    ws.print_title_rows = None


# The settings an assessment is judged by, in the order the cover lists them (upload limits and
# sign-in settings are left out); any other stored key follows in key order.
COVER_RULES = ("ranking.weight_participation", "ranking.weight_satisfaction", "ranking.weight_compliance",
               "ranking.open_day_bonus", "attendance.quorum_threshold", "attendance.quorum_inclusive",
               "evaluation.satisfaction_threshold", "evaluation.satisfied_ratings", "evaluation.primary_item",
               "evaluation.strikes_limit", "ranking.min_activities_year", "ranking.min_activities_quarter",
               "ranking.recommend_count", "ranking.recommend_share", "ranking.best_case_count",
               "schedule.notice_min_days", "schedule.report_max_days", "schedule.half_day_hours",
               "warnings.unexcused_in_a_row", "warnings.unexcused_per_year")
COVER_SKIP = ("limits", "access")


def rule_rows(tree: dict[str, dict[str, Any]], lang: str) -> list[Row]:
    """The stored configuration as cover rows: label, value in words where it is a word, key."""
    flat = {f"{s}.{n}": v for s, tab in tree.items() if s not in COVER_SKIP for n, v in tab.items()}
    keys = [k for k in COVER_RULES if k in flat] + sorted(k for k in flat if k not in COVER_RULES)
    rows = []
    for key in keys:
        label_key = f"snapshots.x.rule.{key}"
        label = t(label_key, lang)
        rows.append({"key": key, "label": key if label == label_key else label,
                     "value": _rule_value(flat[key], lang)})
    return rows


def _rule_value(value: Any, lang: str) -> Any:
    if isinstance(value, bool):
        return t("snapshots.x.yes" if value else "snapshots.x.no", lang)
    if isinstance(value, list):
        return "、".join(str(_rule_value(v, lang)) for v in value) if lang == "zh" else ", ".join(
            str(_rule_value(v, lang)) for v in value)
    if isinstance(value, str):
        key = f"snapshots.x.word.{value}"
        text = t(key, lang)
        return value if text == key else text
    return value


def period(snap: Row, lang: str) -> str:
    """``2026 年度`` or ``2026 年第 4 季度`` for a snapshot's header."""
    if snap.get("quarter"):
        return t("snapshots.period_quarter", lang, year=snap["year"], quarter=snap["quarter"])
    return t("snapshots.period_year", lang, year=snap["year"])


def _ranking_sheet(wb: Workbook, name: str, title: str, rows: list[Row], rank_key: str, snap: Row,
                   lang: str, taken: list[str]) -> None:
    ws = wb.create_sheet(sheet_title(name, taken))
    taken.append(ws.title)
    _title(ws, title, t("snapshots.x.ranking_subtitle", lang, period=period(snap, lang), name=snap["name"],
                        taken_at=snap["taken_at"]))
    # stable: branches that tie keep the rules engine's order
    ordered = sorted(rows, key=lambda r: (r.get(rank_key) is None, r.get(rank_key) or 0))
    table(ws, ranking_columns(snap["ranking"], rank_key), [_flat(r) for r in ordered], lang=lang,
          highlight=_ineligible, dim=_little)


def _simple_sheet(wb: Workbook, key: str, cols: list[Col], rows: list[Row], snap: Row, lang: str,
                  taken: list[str], highlight: Callable[[Row], bool] | None = None) -> Worksheet:
    ws = wb.create_sheet(sheet_title(t(f"snapshots.x.sheet.{key}", lang), taken))
    taken.append(ws.title)
    quorum = snap["rules"].get("attendance", {}).get("quorum_threshold")
    _title(ws, t(f"snapshots.x.title.{key}", lang, period=period(snap, lang),
                 quorum=f"{quorum:.0%}" if isinstance(quorum, int | float) else "?"),
           t(f"snapshots.x.subtitle.{key}", lang, count=len(rows), name=snap["name"]))
    table(ws, cols, rows, lang=lang, highlight=highlight)
    return ws


def strike_rows(snap: Row) -> list[Row]:
    """One row per low-satisfaction activity, with its branch's strike count and eligibility; branches
    not eligible without a listed activity still get a row."""
    by_branch = {r.get("branch"): r for r in snap["ranking"]}
    rows: list[Row] = []
    for s in snap["strikes"]:
        rank = by_branch.get(s.get("branch"), {})
        rows.append({**s, "zone": s.get("zone", rank.get("zone")),
                     "low_satisfaction_events": rank.get("low_satisfaction_events", s.get("strikes")),
                     "eligible": rank.get("eligible", s.get("eligible"))})
    listed = {r.get("branch") for r in rows}
    rows += [{"branch": r.get("branch"), "zone": r.get("zone"), "eligible": False,
              "low_satisfaction_events": r.get("low_satisfaction_events")}
             for r in snap["ranking"] if _ineligible(r) and r.get("branch") not in listed]
    place = {zone: i for i, zone in enumerate(snapshots.zone_order(snap["ranking"]))}
    return sorted(rows, key=lambda r: (r.get("eligible") is not False, place.get(r.get("zone"), len(place)),
                                       str(r.get("branch")), str(r.get("date") or r.get("month") or "")))


def workbook(snap: Row, lang: str = DEFAULT_LANG) -> Workbook:
    """The assessment workbook of the stored snapshot ``snap`` (as :func:`snapshots.show` returns it)."""
    wb = Workbook()
    _cover(wb, snap, lang)
    taken = [wb.worksheets[0].title]
    ranking = snap["ranking"]
    _ranking_sheet(wb, t("snapshots.x.sheet.ranking", lang), t("snapshots.x.title.ranking", lang,
                   period=period(snap, lang)), ranking, "rank", snap, lang, taken)
    zones = snapshots.zone_order(ranking)
    place = {zone: i for i, zone in enumerate(zones)}

    def by_zone(*keys: str) -> Callable[[Row], tuple[Any, ...]]:
        return lambda r: (place.get(r.get("zone"), len(place)), *(str(r.get(k) or "") for k in keys))

    for zone in zones:
        _ranking_sheet(wb, str(zone), t("snapshots.x.title.zone", lang, zone=zone, period=period(snap, lang)),
                       [r for r in ranking if r.get("zone") == zone], "zone_rank", snap, lang, taken)
    _simple_sheet(wb, "strikes", [
        Col("branch", "snapshots.x.col.branch"), Col("zone", "snapshots.x.col.zone"),
        Col("low_satisfaction_events", "snapshots.x.col.low_satisfaction_events", "int"),
        Col("eligible", "snapshots.x.col.eligible", "bool"), Col("date", "snapshots.x.col.date", "date"),
        Col("topic", "snapshots.x.col.topic"), Col("satisfaction", "snapshots.x.col.satisfaction", "pct"),
    ], strike_rows(snap), snap, lang, taken, highlight=_ineligible)
    _simple_sheet(wb, "quorum", [
        Col("branch", "snapshots.x.col.branch"), Col("zone", "snapshots.x.col.zone"),
        Col("date", "snapshots.x.col.date", "date"), Col("month", "snapshots.x.col.month"),
        Col("topic", "snapshots.x.col.topic"), Col("expected", "snapshots.x.col.expected", "int"),
        Col("present", "snapshots.x.col.present", "int"), Col("excused", "snapshots.x.col.excused", "int"),
        Col("unexcused", "snapshots.x.col.unexcused", "int"),
        Col("participation", "snapshots.x.col.participation", "pct"),
    ], sorted(snap["quorum_failures"], key=by_zone("branch", "month")), snap, lang, taken)
    _simple_sheet(wb, "absentees", [
        Col("branch", "snapshots.x.col.branch"), Col("zone", "snapshots.x.col.zone"),
        Col("name", "snapshots.x.col.member"), Col("present", "snapshots.x.col.present_times", "int"),
        Col("excused", "snapshots.x.col.excused_times", "int"),
        Col("unexcused", "snapshots.x.col.unexcused_times", "int"),
        Col("warning", "snapshots.x.col.warning", "bool"),
    ], sorted(snap["absentees"], key=by_zone("branch", "name")), snap, lang, taken,
        highlight=lambda r: bool(r.get("warning")))
    recommended = [{**r, "scope_label": t("snapshots.x.scope_overall", lang) if r["scope"] == "overall"
                    else r.get("zone_scope")} for r in snap["recommended"]]
    ws = _simple_sheet(wb, "recommended", [
        Col("scope_label", "snapshots.x.col.scope"), Col("place", "snapshots.x.col.place", "int"),
        Col("rank", "snapshots.x.col.rank_in_scope", "int"), Col("branch", "snapshots.x.col.branch"),
        Col("zone", "snapshots.x.col.zone"), Col("score", "snapshots.x.col.score", "number"),
    ], recommended, snap, lang, taken)
    start = ws.max_row + 2
    put(ws, start, 1, t("snapshots.x.best_cases_title", lang, count=len(snap["best_cases"]))).font = SECTION_FONT
    table(ws, [
        Col("place", "snapshots.x.col.place", "int"), Col("branch", "snapshots.x.col.branch"),
        Col("zone", "snapshots.x.col.zone"), Col("date", "snapshots.x.col.date", "date"),
        Col("topic", "snapshots.x.col.topic"), Col("satisfaction", "snapshots.x.col.satisfaction", "pct"),
        Col("ballots", "snapshots.x.col.ballots", "int"),
        Col("participation", "snapshots.x.col.participation", "pct"),
    ], [{**e, "place": i} for i, e in enumerate(snap["best_cases"], start=1)], lang=lang, start_row=start + 1,
        freeze=False)
    _simple_sheet(wb, "uploads", [
        Col("upload_id", "snapshots.x.col.upload_id", "int"), Col("file_name", "snapshots.x.col.file_name"),
        Col("kind", "snapshots.x.col.kind"), Col("branch", "snapshots.x.col.branch"),
        Col("uploaded_at", "snapshots.x.col.uploaded_at"), Col("uploaded_by", "snapshots.x.col.uploaded_by"),
        Col("sha256", "snapshots.x.col.sha256"),
    ], snap["uploads"], snap, lang, taken)
    return wb


def to_bytes(snap: Row, lang: str = DEFAULT_LANG) -> bytes:
    """The workbook of ``snap`` as ``.xlsx`` bytes (for a download button)."""
    buf = io.BytesIO()
    workbook(snap, lang).save(buf)
    return buf.getvalue()


def export(path: str | Path | None, snapshot_id: int, out: str | Path, *, user: access.User | None = None,
           lang: str = DEFAULT_LANG) -> Path:
    """Write the assessment workbook of snapshot ``snapshot_id`` to ``out``; returns the file's path."""
    snap = snapshots.show(path, snapshot_id, user=user)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(to_bytes(snap, lang))
    return target
