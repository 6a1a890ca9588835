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

from pipelines.ingest.layout import HEADER_SCAN_ROWS, Table, cell_text, find_header
from pipelines.ingest.model import Context, Parsed
from pipelines.ingest.parse_people import data_rows, status_of
from pipelines.ingest.read import Sheet
from pipelines.ingest.vocab import norm

# The kinds a mapping can describe so far: the sign-in sheet (签到表), the most common upload.
MAPPED_KINDS = ("signin",)
# What a taught word may mean; "guest" is a person who is not a member (counted apart, never in the quorum).
MEANINGS = ("present", "excused", "unexcused", "guest")
# The fields a secretary points at, the name first.
FIELDS = ("name", "status", "remark")
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
             spec: str) -> Mapping:
    """A stored mapping from its table row."""
    data = json.loads(spec)
    return Mapping(kind, int(header_row), {k: int(v) for k, v in data.get("columns", {}).items()},
                   {str(k): str(v) for k, v in data.get("words", {}).items()}, fingerprint, name, int(branch_id),
                   int(mapping_id))


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
    """The fingerprint of ``row`` when it can be a header (two cells or more), else None."""
    cells = header_cells(sheet, row)
    return fingerprint(cells) if sum(1 for c in cells if c) >= 2 else None


def find(sheet: Sheet, mappings: Sequence[Mapping]) -> tuple[Mapping, int] | None:
    """The first mapping whose header shape is one of the sheet's first rows, with that row."""
    if not mappings:
        return None
    by_fp: dict[str, Mapping] = {}
    for m in mappings:
        by_fp.setdefault(m.fingerprint, m)
    for row in range(min(HEADER_SCAN_ROWS, sheet.n_rows)):
        fp = row_fingerprint(sheet, row)
        if fp in by_fp:
            return by_fp[fp], row
    return None


def apply(sheet: Sheet, mapping: Mapping, header_row: int | None = None) -> Sheet:
    """The sheet rewritten into the declared vocabulary by ``mapping`` (header at ``header_row``, else its own).

    Only the header row, the taught words of the mark column and an identity column for non-members
    change; every other cell, and so every Excel row and column of a message, stays where it was.
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
        cells[row] = [""] * len(cells[row])
        for key, col in mapping.columns.items():
            if 0 <= col < len(cells[row]):
                cells[row][col] = _HEADER_WORDS[key]
        if guests:
            cells[row][ident_col] = _HEADER_WORDS["identity"]
    mark_col = mapping.columns.get("status")
    if mark_col is not None and mapping.words:
        for r in cells[row + 1:]:
            if mark_col >= len(r):
                continue
            meaning = mapping.words.get(norm(cell_text(r[mark_col])))
            if meaning is None:
                continue
            r[mark_col] = _MARK_WORDS[meaning]
            if meaning == "guest":
                r[ident_col] = _GUEST_IDENTITY
    return Sheet(sheet.name, cells)


def unknown_words(sheet: Sheet, header_row: int, columns: dict[str, int], taught: dict[str, str] | None = None
                  ) -> list[str]:
    """The marks of the mark column the vocabulary does not understand (nor ``taught``), in sheet order.

    The person lines are walked as the parser walks them (stopping at totals and legends), so exactly
    the words the parser would refuse are asked about.
    """
    if "name" not in columns or "status" not in columns:
        return []
    table = Table(header_row, {"name": columns["name"]})
    found: dict[str, str] = {}
    taught = taught or {}
    for r, name in data_rows(sheet, table, Parsed("signin", sheet.name, Context())):
        mark = cell_text(sheet.value(r, columns["status"]))
        remark = cell_text(sheet.value(r, columns["remark"])) if "remark" in columns else ""
        key = norm(mark)
        if not key or key in taught or key in found:
            continue
        _status, ok = status_of(mark, remark, name)
        if not ok:
            found[key] = mark
    return list(found.values())


def guess(sheet: Sheet) -> Mapping:
    """A first proposal for the form: the header row and columns the reader found, else the first row with
    two texts or more and the first columns."""
    table = find_header(sheet)
    if table is not None:
        cols = {k: v for k, v in table.columns.items() if k in FIELDS}
        return Mapping("signin", table.header_row, cols)
    for row in range(min(HEADER_SCAN_ROWS, sheet.n_rows)):
        if row_fingerprint(sheet, row) is not None:
            return Mapping("signin", row, {})
    return Mapping("signin", 0, {})


def taught(sheet: Sheet, header_row: int, columns: dict[str, int], words: dict[str, str],
           kind: str = "signin") -> Mapping:
    """The mapping a secretary's answers make, keyed by the fingerprint of the chosen header row.

    Only the columns given are kept; every word's meaning must be one of :data:`MEANINGS`.
    """
    bad = [w for w, m in words.items() if m not in MEANINGS]
    if bad or kind not in MAPPED_KINDS or "name" not in columns:
        raise ValueError(f"bad mapping: kind={kind} columns={columns} words={bad}")
    cols = {k: int(v) for k, v in columns.items() if k in FIELDS and v is not None}
    return Mapping(kind, header_row, cols, {norm(w): m for w, m in words.items()},
                   fingerprint(header_cells(sheet, header_row)))


def with_name(mapping: Mapping, name: str | None, branch_id: int | None, mapping_id: int | None = None) -> Mapping:
    """The mapping as stored under ``name`` for ``branch_id``."""
    return replace(mapping, name=name, branch_id=branch_id, mapping_id=mapping_id)


def choose(sheet: Sheet, stored: Sequence[Mapping], forced: Mapping | None,
           recognised: bool) -> tuple[Sheet, Mapping | None]:
    """The sheet to parse and the mapping used on it.

    A mapping found by header shape wins (``forced`` first, then the stored ones); a ``forced`` mapping
    whose shape is not found still applies, at its own header row, to a sheet the reader does not
    recognise (``recognised`` False), so ``--mapping NAME`` also serves a header changed slightly.
    """
    hit = find(sheet, ([forced] if forced else []) + list(stored))
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
