"""A column mapping a secretary teaches once, for a sheet layout the reader does not recognise.

A mapping says, for one branch and one header shape, which row is the header, which column holds the
name, the mark and the remarks, and what each of the sheet's own status words means (present, excused,
unexcused, or "not a member"). It is applied by rewriting the sheet into the declared vocabulary: the
header row gets the canonical headers (姓名, 签到情况, 备注) at the chosen columns, each taught word is
replaced by its canonical mark, and a non-member gets an identity (身份) column. The rewritten sheet then
goes through the regular parse path (``parse.parse_sheet``), so a mapped sheet gives exactly the records,
checks and messages of a recognised one, with the same Excel rows and columns.

The header's shape is its :func:`fingerprint`: the folded text of each cell of the header row, trailing
blanks dropped. Next month's file of the same template has the same header (its title and date differ),
so it is found in any of the first rows and loads with no question. Pure functions here; the stored
mappings (table ``column_mappings``, migration 0009) are read and written by ``mapping_store``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pipelines.ingest.layout import (
    HEADER_SCAN_ROWS,
    Table,
    branch_in,
    cell_text,
    find_header,
    header_key,
    scan_header,
)
from pipelines.ingest.model import Context, Parsed
from pipelines.ingest.parse_people import data_rows, status_of
from pipelines.ingest.read import Sheet
from pipelines.ingest.vocab import lookup, norm

# The kinds a mapping can describe: the tables of people (sign-in sheet, year table, roster).
MAPPED_KINDS = ("signin", "year", "roster")
# What a taught word may mean; "guest" is a person who is not a member (counted apart, never in the quorum).
MEANINGS = ("present", "excused", "unexcused", "guest")
# The fields a secretary points at, per kind, the name first. A year table's marks are in its month
# columns (their headers, 1月…12月, are read as always); a roster has no marks.
KIND_FIELDS = {"signin": ("name", "status", "remark"), "year": ("name", "remark"), "roster": ("name", "remark")}
FIELDS = KIND_FIELDS["signin"]
# Only a sign-in line can be a non-member who came.
KIND_MEANINGS = {"signin": MEANINGS, "year": MEANINGS[:3], "roster": ()}
# The texts of the declared vocabulary the rewritten sheet is given (synonyms.toml reads each of them).
_HEADER_WORDS = {"name": "姓名", "status": "签到情况", "remark": "备注", "identity": "身份"}
_MARK_WORDS = {"present": "√", "excused": "请假", "unexcused": "缺席", "guest": "√"}
_GUEST_IDENTITY = "群众"
# Codes of refusals a mapping can cure: the upload page offers one for these.
MAPPABLE_CODES = frozenset({"ingest.no_name_column", "ingest.unknown_mark", "ingest.nothing_recognised"})


@dataclass(frozen=True)
class Mapping:
    """One taught layout: header row (0-based), the columns (0-based) of each field, the taught words.

    ``words`` maps a folded word (:func:`vocab.norm`) to one of :data:`MEANINGS`. ``name`` and
    ``branch_id`` are set once it is stored.
    """

    kind: str
    header_row: int
    columns: dict[str, int]
    words: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    name: str | None = None
    branch_id: int | None = None
    mapping_id: int | None = None
    branch_name: str | None = None

    def spec(self) -> dict[str, Any]:
        """What is stored as JSON beside the key columns."""
        return {"columns": dict(self.columns), "words": dict(self.words)}

    def to_json(self) -> dict[str, Any]:
        """The shape ``mappings --json`` prints (columns as Excel letters, the header row as Excel counts)."""
        from pipelines.ingest.read import column_letter

        return {"id": self.mapping_id, "name": self.name, "branch_id": self.branch_id, "kind": self.kind,
                "fingerprint": self.fingerprint, "header_row": self.header_row + 1,
                "columns": {k: column_letter(v) for k, v in self.columns.items()}, "words": dict(self.words)}


def from_row(mapping_id: int, name: str, branch_id: int, kind: str, fingerprint: str, header_row: int,
             spec: str, branch_name: str | None = None) -> Mapping:
    """A stored mapping from its table row (and its branch's name)."""
    data = json.loads(spec)
    return Mapping(kind, int(header_row), {k: int(v) for k, v in data.get("columns", {}).items()},
                   {str(k): str(v) for k, v in data.get("words", {}).items()}, fingerprint, name, int(branch_id),
                   int(mapping_id), branch_name)


def header_cells(sheet: Sheet, row: int) -> list[str]:
    """The folded text of each cell of ``row``, trailing blanks dropped (the header's shape)."""
    cells = [norm(cell_text(v)) for v in (sheet.cells[row] if 0 <= row < sheet.n_rows else [])]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def fingerprint(cells: Sequence[str]) -> str:
    """A stable key of a header row's shape: SHA-256 of its folded cells in order (first 16 hex digits).

    Positions count (a blank column between two headers is part of the shape); a title or date above
    the header does not.
    """
    text = "\x1f".join(norm(c) for c in cells)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def row_fingerprint(sheet: Sheet, row: int) -> str | None:
    """The fingerprint of ``row`` when it can be a header (two different texts or more: a title merged
    across the table is one), else None."""
    cells = header_cells(sheet, row)
    return fingerprint(cells) if len({c for c in cells if c}) >= 2 else None


def find(sheet: Sheet, mappings: Sequence[Mapping], context: str = "",
         known: dict[str, str] | None = None) -> tuple[Mapping, int] | None:
    """The first mapping whose header shape is one of the sheet's first rows, with that row.

    A stored mapping is its branch's: when the file name (``context``) or the lines above the header name
    a branch (``known``: the branches the database knows), only that branch's mapping applies, so two
    branches may teach one template differently and neither's words read the other's file.
    """
    if not mappings:
        return None
    by_fp: dict[str, list[Mapping]] = {}
    for m in mappings:
        by_fp.setdefault(m.fingerprint, []).append(m)
    for row in range(min(HEADER_SCAN_ROWS, sheet.n_rows)):
        fp = row_fingerprint(sheet, row)
        if fp is None or fp not in by_fp:
            continue
        found = by_fp[fp]
        if any(m.branch_name for m in found):
            above = " ".join(cell_text(v) for r in sheet.cells[:row] for v in r)
            named = branch_in(above, known or {}) or branch_in(context, known or {})
            if named is not None:
                found = [m for m in found if m.branch_name is None or norm(m.branch_name) == norm(named)]
        if found:
            return found[0], row
    return None


def apply(sheet: Sheet, mapping: Mapping, header_row: int | None = None) -> Sheet:
    """The sheet rewritten into the declared vocabulary by ``mapping`` (header at ``header_row``, else its own).

    Only the header row, the taught words of the mark columns and an identity column for non-members
    change; every other cell, and so every Excel row and column of a message, stays where it was. The
    header's other cells are kept (a year table's months, a roster's dates) unless they name a field the
    mapping places elsewhere.
    """
    row = mapping.header_row if header_row is None else header_row
    width = max((len(r) for r in sheet.cells), default=0)
    cells = [list(r) + [""] * (width - len(r)) for r in sheet.cells]
    guests = "guest" in mapping.words.values()
    ident_col = width
    if guests:
        for r in cells:
            r.append("")
    if row < len(cells):
        placed = set(mapping.columns) | ({"identity"} if guests else set())
        heads = lookup("headers")
        cells[row] = ["" if heads.get(header_key(cell_text(v))) in placed else v for v in cells[row]]
        for key, col in mapping.columns.items():
            if 0 <= col < len(cells[row]):
                cells[row][col] = _HEADER_WORDS[key]
        if guests:
            cells[row][ident_col] = _HEADER_WORDS["identity"]
    out = Sheet(sheet.name, cells)
    for mark_col in mark_columns(out, row, mapping.kind, mapping.columns) if mapping.words else []:
        for r in cells[row + 1:]:
            if mark_col >= len(r):
                continue
            meaning = mapping.words.get(norm(cell_text(r[mark_col])))
            if meaning is None:
                continue
            r[mark_col] = _MARK_WORDS[meaning]
            if meaning == "guest":
                r[ident_col] = _GUEST_IDENTITY
    return out


def mark_columns(sheet: Sheet, header_row: int, kind: str, columns: dict[str, int]) -> list[int]:
    """The columns holding marks: a sign-in sheet's mark column, a year table's month columns."""
    if kind == "signin":
        return [columns["status"]] if "status" in columns else []
    if kind == "year":
        return sorted(scan_header(sheet, header_row).months.values())
    return []


def unknown_words(sheet: Sheet, header_row: int, columns: dict[str, int], taught: dict[str, str] | None = None,
                  kind: str = "signin") -> list[str]:
    """The marks of the mark columns the vocabulary does not understand (nor ``taught``), in sheet order.

    The person lines are walked as the parser walks them (stopping at totals and legends), so exactly
    the words the parser would refuse are asked about.
    """
    if "name" not in columns:
        return []
    marks = mark_columns(sheet, header_row, kind, columns)
    table = Table(header_row, {"name": columns["name"]})
    found: dict[str, str] = {}
    taught = taught or {}
    for r, name in data_rows(sheet, table, Parsed(kind, sheet.name, Context())):
        remark = cell_text(sheet.value(r, columns["remark"])) if "remark" in columns and kind == "signin" else ""
        for col in marks:
            mark = cell_text(sheet.value(r, col))
            key = norm(mark)
            if not key or key in taught or key in found:
                continue
            _status, ok = status_of(mark, remark, name if kind == "signin" else "")
            if not ok:
                found[key] = mark
    return list(found.values())


def guess(sheet: Sheet, kind: str | None = None) -> Mapping:
    """A first proposal for the form: the kind asked for, else the kind the sheet's title names or its
    month columns show, else a sign-in sheet; the header row and columns the reader found, else the first
    row with two texts or more."""
    table = find_header(sheet)
    if kind not in MAPPED_KINDS:
        from pipelines.ingest.detect import detect

        hint = detect(sheet)[2]
        kind = hint if hint in MAPPED_KINDS else "year" if table is not None and len(table.months) >= 3 else "signin"
    if table is not None:
        cols = {k: v for k, v in table.columns.items() if k in KIND_FIELDS[kind]}
        return Mapping(kind, table.header_row, cols)
    for row in range(min(HEADER_SCAN_ROWS, sheet.n_rows)):
        if row_fingerprint(sheet, row) is not None:
            return Mapping(kind, row, {})
    return Mapping(kind, 0, {})


def taught(sheet: Sheet, header_row: int, columns: dict[str, int], words: dict[str, str],
           kind: str = "signin") -> Mapping:
    """The mapping a secretary's answers make, keyed by the fingerprint of the chosen header row.

    Only the columns of the kind's fields are kept; every word's meaning must be one the kind allows.
    """
    check(kind, columns, words)
    cols = {k: int(v) for k, v in columns.items() if k in KIND_FIELDS[kind] and v is not None}
    return Mapping(kind, header_row, cols, {norm(w): m for w, m in words.items()},
                   fingerprint(header_cells(sheet, header_row)))


def check(kind: str, columns: dict[str, Any], words: dict[str, str]) -> None:
    """Refuse a mapping without its name column (a sign-in sheet: its mark column) or with a word meaning
    what its kind cannot hold."""
    from pipelines.errors import PartydayError, error

    needed = ("name", "status") if kind == "signin" else ("name",)
    if (kind not in MAPPED_KINDS or any(columns.get(k) is None for k in needed)
            or any(m not in KIND_MEANINGS[kind] for m in words.values())):
        raise PartydayError(error("ingest.mapping.bad_spec"))


def with_name(mapping: Mapping, name: str | None, branch_id: int | None, mapping_id: int | None = None) -> Mapping:
    """The mapping as stored under ``name`` for ``branch_id``."""
    return replace(mapping, name=name, branch_id=branch_id, mapping_id=mapping_id)


def for_sheet(sheet: Sheet, mappings: Sequence[Mapping], forced: Mapping | None, kind: str | None,
              file: str = "", known: dict[str, str] | None = None) -> tuple[Sheet, Mapping | None]:
    """The sheet as a taught column mapping rewrites it, and that mapping (the sheet itself and None when
    no mapping applies); ``kind`` is the kind forced on the command line, ``file`` the file's name,
    ``known`` the branches the database knows."""
    if not mappings and forced is None:
        return sheet, None
    recognised = True
    if forced is not None:
        from pipelines.ingest.detect import detect

        found, table, _hint = detect(sheet, kind)
        recognised = found == "record" or (found is not None and table is not None and "name" in table.columns)
    return choose(sheet, mappings, forced, recognised, file, known)


def choose(sheet: Sheet, stored: Sequence[Mapping], forced: Mapping | None,
           recognised: bool, context: str = "", known: dict[str, str] | None = None) -> tuple[Sheet, Mapping | None]:
    """The sheet to parse and the mapping used on it.

    A mapping found by header shape wins (``forced`` first, then the stored ones); a ``forced`` mapping
    whose shape is not found still applies, at its own header row, to a sheet the reader does not
    recognise (``recognised`` False), so ``--mapping NAME`` also serves a header changed slightly.
    """
    if forced is not None:  # asked for by name, or just taught: whoever's branch the file names
        asked = find(sheet, [replace(forced, branch_name=None)])
        if asked is not None:
            return apply(sheet, forced, asked[1]), forced
    hit = find(sheet, stored, context, known)
    if hit is not None:
        return apply(sheet, hit[0], hit[1]), hit[0]
    if forced is not None and not recognised and not sheet.is_empty():
        return apply(sheet, forced), forced
    return sheet, None


def sheets(file: str, data: bytes, limits: Any) -> list[Sheet]:
    """The non-empty sheets of a file as read for the mapping form (nothing when it is refused as unsafe or
    unreadable: that refusal is the preview's to show)."""
    from pipelines.ingest import safety
    from pipelines.ingest.read import read_workbook

    if safety.check(file, data, limits):
        return []
    found, issues = read_workbook(file, data, limits)
    return [] if issues else [s for s in found if not s.is_empty()]


def first_rows(sheet: Sheet, n: int) -> list[list[str]]:
    """The display text of the first ``n`` rows, every row as wide as the widest."""
    rows = [[cell_text(v) for v in r] for r in sheet.cells[:n]]
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def column_labels(sheet: Sheet, header_row: int) -> dict[int, str]:
    """``{column: "B · 人员"}`` for every column of the sheet, with the text of the chosen header row."""
    from pipelines.ingest.read import column_letter

    width = max((len(r) for r in sheet.cells), default=0)
    out = {}
    for col in range(width):
        head = cell_text(sheet.value(header_row, col))
        out[col] = f"{column_letter(col)} · {head}" if head else column_letter(col)
    return out


def column_index(letters: str) -> int:
    """B -> 1, AA -> 26: a column the committee types as its Excel letters."""
    from pipelines.errors import PartydayError, error

    text = letters.strip().upper()
    if not text or not text.isascii() or not text.isalpha():
        raise PartydayError(error("ingest.mapping.bad_column", value=letters))
    n = 0
    for ch in text:
        n = n * 26 + (ord(ch) - 64)
    return n - 1
