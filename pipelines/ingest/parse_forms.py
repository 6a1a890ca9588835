"""Sheets that are not lists of people: evaluation (测评表), activity record (活动纪实表), zone division
(协作区划分 and the quarter leader/deputy sheet)."""

from __future__ import annotations

import re
from typing import Any

from pipelines.errors import error, warning
from pipelines.ingest import values
from pipelines.ingest.layout import Table, cell_text, is_footer, pairs_in, row_cells, row_texts
from pipelines.ingest.model import Parsed, Vote
from pipelines.ingest.read import Sheet, column_letter
from pipelines.ingest.vocab import canonical, clean_name, item_of, lookup, norm

_QUARTER = re.compile(r"([1-4一二三四])")
_CN = {"一": 1, "二": 2, "三": 3, "四": 4}


def _bad(parsed: Parsed, sheet: Sheet, r: int, c: int, code: str, raw: Any) -> None:
    parsed.issues.append(error(f"ingest.{code}", sheet=sheet.name, row=r + 1, column=column_letter(c),
                               value=cell_text(raw)))


def _add_votes(parsed: Parsed, sheet: Sheet, r: int, c: int, item: str, rating: str) -> None:
    """The vote count in cell (r, c) for ``item`` rated ``rating``; a cell that is no count is reported."""
    raw = sheet.value(r, c)
    try:
        n = values.parse_count(raw)
    except values.BadValue:
        _bad(parsed, sheet, r, c, "bad_count", raw)
        return
    if n:
        parsed.votes.append(Vote(item, rating, n))


def parse_evaluation(sheet: Sheet, table: Table, parsed: Parsed) -> None:
    """测评表 as vote counts (items down, ratings across, or transposed) or one row per ballot."""
    if table.ratings and (len(table.ratings) >= 2 or len(table.items) < 2):
        item_col = table.columns.get("item", 0)
        for r in range(table.header_row + 1, sheet.n_rows):
            texts = row_texts(sheet, r)
            if not texts:
                continue
            item = item_of(cell_text(sheet.value(r, item_col)))
            if item is None:
                if is_footer(texts):
                    break
                if any(isinstance(sheet.value(r, c), int | float) for c in table.ratings.values()):
                    parsed.issues.append(warning("ingest.unknown_item", sheet=sheet.name, row=r + 1,
                                                 column=column_letter(item_col),
                                                 value=cell_text(sheet.value(r, item_col))))
                continue
            for rating, c in table.ratings.items():
                _add_votes(parsed, sheet, r, c, item, rating)
        return
    # Items across: either rating words per ballot row, or counts per rating row (transposed).
    if not table.items:
        parsed.issues.append(error("ingest.no_table", sheet=sheet.name))
        return
    first_col = min(table.items.values())
    label_col = 0 if first_col > 0 else None
    ballot_col = table.columns.get("ballot", table.columns.get("seq"))
    rater_col = table.columns.get("rater", table.columns.get("identity"))
    n_ballot = 0
    for r in range(table.header_row + 1, sheet.n_rows):
        texts = row_texts(sheet, r)
        if not texts:
            continue
        row_rating: str | None = None
        if label_col is not None:
            row_rating = canonical("ratings", cell_text(sheet.value(r, label_col)))
        if row_rating and ballot_col is None:
            for item, c in table.items.items():
                _add_votes(parsed, sheet, r, c, item, row_rating)
            continue
        ratings: list[tuple[str, str]] = []
        for item, c in table.items.items():
            word = cell_text(sheet.value(r, c))
            if not word:
                continue
            found = canonical("ratings", word)
            if found is None:
                if is_footer(texts):
                    ratings = []
                    break
                _bad(parsed, sheet, r, c, "unknown_rating", word)
                continue
            ratings.append((item, found))
        if not ratings:
            if is_footer(texts):
                break
            continue
        n_ballot += 1
        ballot = n_ballot
        if ballot_col is not None:
            try:
                ballot = values.parse_count(sheet.value(r, ballot_col)) or n_ballot
            except values.BadValue:
                ballot = n_ballot
        rater_text = cell_text(sheet.value(r, rater_col)) if rater_col is not None else ""
        rater = canonical("raters", rater_text) if rater_text else None
        if rater is None and rater_text:
            rater = "non_member" if canonical("identity.guests", rater_text) else None
        for item, rating in ratings:
            parsed.votes.append(Vote(item, rating, 1, rater, ballot))


def parse_record(sheet: Sheet, parsed: Parsed) -> None:
    """活动纪实表: label/value pairs (two or four columns) into record fields."""
    rec = lookup("record")
    fields: dict[str, tuple[str, int, int]] = {}
    for r in range(sheet.n_rows):
        texts = row_cells(sheet, r)
        i = 0
        while i < len(texts):
            c, s = texts[i]
            key = rec.get(norm(s).rstrip(":"))
            if key and i + 1 < len(texts) and key not in fields:
                c2, v = texts[i + 1]
                if rec.get(norm(v).rstrip(":")) is None or key == "content":
                    fields[key] = (v, r + 1, c2)
                    i += 2
                    continue
            if key is None:
                for label, v in pairs_in([s]):
                    k2 = canonical("record", label)
                    if k2 and k2 not in fields:
                        fields[k2] = (v, r + 1, c)
            i += 1
    parsed.record = {k: v for k, v in fields.items()}


def parse_zones(sheet: Sheet, table: Table, parsed: Parsed) -> None:
    """协作区划分 (zone, branch, secretary; a zone merged down or written once above blank cells) or the quarter
    leader/deputy sheet."""
    cols = table.columns
    roles = "quarter" in cols
    year = None
    quarter_above = ""
    zone_above = ""  # a zone written once for the branches below it (merged down, or just left blank)
    for r in range(table.header_row + 1, sheet.n_rows):
        texts = row_texts(sheet, r)
        if not texts or is_footer(texts):
            continue
        if roles:
            raw_year = sheet.value(r, cols["year"]) if "year" in cols else None
            try:
                year = values.parse_count(raw_year) or year
            except values.BadValue:
                _bad(parsed, sheet, r, cols["year"], "bad_count", raw_year)
                continue
            q_text = values.simplified(cell_text(sheet.value(r, cols["quarter"]))) or quarter_above
            m = _QUARTER.search(q_text)
            zone = (clean_name(cell_text(sheet.value(r, cols["zone"]))) if "zone" in cols else "") or zone_above
            quarter_above, zone_above = q_text, zone
            if not m or year is None or not zone:
                parsed.issues.append(warning("ingest.row_skipped", sheet=sheet.name, row=r + 1))
                continue
            q = _CN.get(m.group(1)) or int(m.group(1))
            leader = clean_name(cell_text(sheet.value(r, cols["leader"]))) if "leader" in cols else ""
            deputy = clean_name(cell_text(sheet.value(r, cols["deputy"]))) if "deputy" in cols else ""
            parsed.roles.append((year, q, zone, leader or None, deputy or None, r + 1))
            continue
        zone = clean_name(cell_text(sheet.value(r, cols["zone"]))) or zone_above
        branch = clean_name(cell_text(sheet.value(r, cols["branch"])))
        zone_above = zone
        if not branch:
            continue
        if not zone:
            parsed.issues.append(warning("ingest.row_skipped", sheet=sheet.name, row=r + 1))
            continue
        secretary = clean_name(cell_text(sheet.value(r, cols["secretary"]))) if "secretary" in cols else ""
        parsed.zones.append((zone, branch, secretary or None, r + 1))
