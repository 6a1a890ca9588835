"""From the bytes of one file to its recognised sheets: safety checks, reading, kind detection, parsing,
and the context (branch, date or month) each sheet states or inherits from its workbook and file name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from pipelines.errors import Issue, error, warning
from pipelines.ingest import dates, layout, safety, values
from pipelines.ingest import mapping as mapping_
from pipelines.ingest.detect import detect
from pipelines.ingest.model import KINDS, Context, Parsed
from pipelines.ingest.parse_forms import parse_evaluation, parse_record, parse_zones
from pipelines.ingest.parse_people import parse_roster, parse_signin, parse_year
from pipelines.ingest.read import Sheet, column_letter, read_workbook
from pipelines.ingest.values import BadValue, month_in, parse_when, year_in

# Order in which a workbook's sheets are loaded: who and when first, then the facts about an activity.
_COMMITTEE = re.compile(r"([^\s，,:：]{2,30}?党委)")
_SHEET_MONTH = re.compile(r"(?<!\d)(\d{1,2})\s*月")
LOAD_ORDER = {"zones": 0, "roster": 1, "record": 2, "signin": 3, "year": 4, "evaluation": 5}


@dataclass
class ParsedFile:
    """The recognised sheets of one file and what was found wrong with it."""

    file: str
    sheets: list[Parsed] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # kinds in the workbook's sheet order
    mapped: list[mapping_.Mapping] = field(default_factory=list)  # column mappings used, one per sheet

    @property
    def kind(self) -> str | None:
        """The kind of the file: one kind, or the kinds of its sheets joined with '+'."""
        kinds: list[str] = []
        for k in self.order or [p.kind for p in self.sheets]:
            if k not in kinds:
                kinds.append(k)
        return "+".join(kinds) if kinds else None


def parse_sheet(sheet: Sheet, forced: str | None, known: dict[str, str]) -> Parsed | None:
    """One sheet, recognised and parsed (None when it is not one of ours); issues are in the result."""
    kind, table, hint = detect(sheet, forced)
    if kind is None:
        if sheet.is_empty():
            return None
        if hint in ("signin", "roster", "year") or (table is not None and table.columns and "name" not in table.columns
                                                     and ({"status", "signature", "sex", "birth"} & set(table.columns))):
            p = Parsed(hint or "signin", sheet.name, Context())
            p.issues.append(error("ingest.no_name_column", sheet=sheet.name))
            return p
        p = Parsed("unknown", sheet.name, Context())
        p.issues.append(warning("ingest.sheet_skipped", sheet=sheet.name))
        return p
    if kind != "record" and table is None:
        p = Parsed(kind, sheet.name, Context())
        code = "ingest.no_name_column" if kind in ("signin", "roster", "year") else "ingest.no_table"
        p.issues.append(error(code, sheet=sheet.name))
        return p
    if kind in ("signin", "roster", "year") and table is not None and "name" not in table.columns:
        p = Parsed(kind, sheet.name, Context())
        p.issues.append(error("ingest.no_name_column", sheet=sheet.name))
        return p
    if kind == "record":
        p = Parsed(kind, sheet.name, Context())
        parse_record(sheet, p)
        p.ctx = record_context(p, known, sheet)
        dates.check(sheet, p, None)
        return p
    assert table is not None
    above = layout.cells_above(sheet, table.header_row)
    texts = [sheet.name] + [" ".join(s for _c, s in line) for _r, line in above]
    pairs = [(label, value, r + 1, c, written) for r, line in above for label, value, c, written in layout.pairs_at(line)]
    issues: list[Issue] = []
    p = Parsed(kind, sheet.name, layout.context_from(texts, pairs, known, issues, sheet.name), issues=issues)
    if kind == "zones":
        parse_zones(sheet, table, p)
        m = _COMMITTEE.search(values.simplified(" ".join(texts[1:])))
        if m:
            p.record["committee"] = m.group(1)
    elif kind == "roster":
        parse_roster(sheet, table, p)
    elif kind == "signin":
        parse_signin(sheet, table, p)
    elif kind == "year":
        parse_year(sheet, table, p)
    elif kind == "evaluation":
        parse_evaluation(sheet, table, p)
    dates.check(sheet, p, table)
    return p


def record_context(p: Parsed, known: dict[str, str], sheet: Sheet) -> Context:
    """The context of an activity record: its 党支部 and 活动时间 fields (the title as a fallback)."""
    ctx = layout.context_from([sheet.name] + [" ".join(layout.row_texts(sheet, r)) for r in range(min(2, sheet.n_rows))],
                              [], known)
    branch = p.record.get("branch")
    if branch:
        ctx.branch = layout.branch_in(str(branch[0]), known) or layout.clean_name(str(branch[0]))
    when = p.record.get("time")
    if when:
        try:
            w = parse_when(when[0])
        except BadValue as exc:
            p.issues.append(error(f"ingest.{exc.code}", sheet=sheet.name, row=when[1], column=column_letter(when[2]),
                                  value=layout.cell_text(when[0]), **exc.params))
            w = None
        if w:
            ctx.day, ctx.month, ctx.start, ctx.end, ctx.half_day = w.day, w.month, w.start, w.end, w.half_day
            ctx.date_at = (when[1], when[2], layout.cell_text(when[0]))
    topic = p.record.get("topic")
    if topic:
        ctx.topic = str(topic[0])
    return ctx


def parse_file(file: str, data: bytes, limits: safety.Limits, *, kind: str | None = None,
               known: dict[str, str] | None = None, mappings: Sequence[mapping_.Mapping] = (),
               mapping: mapping_.Mapping | None = None) -> ParsedFile:
    """Check, read and parse one file; sheets inherit the branch and date their workbook states.

    A sheet whose header shape is one of ``mappings`` (or ``mapping``, the one asked for) is read through
    that column mapping (``mapping.py``).
    """
    out = ParsedFile(file)
    if kind is not None and kind not in KINDS:
        out.issues.append(error("ingest.bad_kind", kind=kind, kinds=", ".join(KINDS)))
        return out
    refused = safety.check(file, data, limits)
    if refused:
        out.issues = refused
        return out
    sheets, issues = read_workbook(file, data, limits)
    if issues:
        out.issues = issues
        return out
    if all(s.is_empty() for s in sheets):
        out.issues.append(error("ingest.empty_workbook", file=file))
        return out
    known = known or {}
    for raw in sheets:
        sheet, used = mapping_.for_sheet(raw, mappings, mapping, kind, file, known)
        if used is not None:
            out.mapped.append(used)
        p = parse_sheet(sheet, kind or (used.kind if used else None), known)
        if p is None:
            continue
        if p.kind == "unknown":
            out.issues.extend(p.issues)
            continue
        out.sheets.append(p)
    if not out.sheets and not any(i.severity == "error" for i in out.issues):
        out.issues.append(error("ingest.nothing_recognised", file=file))
    inherit(out, known)
    out.order = [p.kind for p in out.sheets]
    out.sheets.sort(key=lambda p: LOAD_ORDER.get(p.kind, 9))
    return out


def inherit(out: ParsedFile, known: dict[str, str]) -> None:
    """Fill what a sheet does not say from its sibling sheets, then from the file name."""
    name_branch = layout.branch_in(out.file, known)
    name_month = month_in(out.file)
    name_year = year_in(out.file)
    days = {p.ctx.day for p in out.sheets if p.ctx.day}
    branches = {p.ctx.branch for p in out.sheets if p.ctx.branch and p.kind != "zones"}
    for p in out.sheets:
        c = p.ctx
        if c.branch is None:
            c.branch = next(iter(branches)) if len(branches) == 1 else name_branch
        if c.day is None and len(days) == 1:
            d = next(iter(days))
            if c.month is None or c.month == d.replace(day=1):
                c.day = d
        if c.day is not None and c.month is None:
            c.month = c.day.replace(day=1)
        if c.month is None and p.kind in ("signin", "evaluation", "record"):
            c.month = name_month
        if c.month is None and p.kind in ("signin", "evaluation", "record") and (c.year or name_year):
            # A ledger with one sheet per month: "3月签到表" in a workbook named for its year.
            m = _SHEET_MONTH.search(values.simplified(p.sheet))
            if m and 1 <= int(m.group(1)) <= 12:
                c.month = date(c.year or name_year or 0, int(m.group(1)), 1)
        if c.year is None:
            c.year = c.month.year if c.month else name_year
        if p.kind == "roster" and c.as_of is None:
            c.as_of = None
    for p in out.sheets:
        if p.kind in ("signin", "evaluation", "record") and p.ctx.host_branch is None:
            # The host of a joint activity, said on one of its sheets, holds for its other sheets only.
            hosts = {q.ctx.host_branch for q in out.sheets if q.ctx.host_branch
                     and (q.ctx.day, q.ctx.month) == (p.ctx.day, p.ctx.month)}
            if len(hosts) == 1:
                p.ctx.host_branch = next(iter(hosts))
