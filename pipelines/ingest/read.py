"""Read every sheet of a (safe) workbook into a grid of cell values, merged cells filled.

python-calamine (Rust) reads values many times faster than openpyxl, and still reports the merged
ranges: a zone written once and merged down its branches, a title merged across the table. The value
of a merged range is copied into each of its cells, so every row of the table carries its zone.
Grid positions are absolute: ``cells[i][j]`` is Excel row ``i + 1``, column ``column_letter(j)``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from pipelines.errors import Issue, error
from pipelines.ingest.safety import Limits


@dataclass
class Sheet:
    """One sheet as read: its name and the absolute grid of values ('' or None when blank)."""

    name: str
    cells: list[list[Any]]

    @property
    def n_rows(self) -> int:
        """Rows in the grid."""
        return len(self.cells)

    def value(self, row: int, col: int) -> Any:
        """The value at 0-based ``(row, col)``, None outside the grid or blank."""
        if 0 <= row < len(self.cells):
            r = self.cells[row]
            if 0 <= col < len(r):
                v = r[col]
                return None if v == "" else v
        return None

    def is_empty(self) -> bool:
        """No value anywhere."""
        return not any(v not in ("", None) for r in self.cells for v in r)


def column_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_workbook(file: str, data: bytes, limits: Limits) -> tuple[list[Sheet], list[Issue]]:
    """Every worksheet of ``data`` (already checked by :func:`safety.check`); issues when it cannot be read."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            return [], [error("ingest.encrypted", file=file)]
        return [], [error("ingest.corrupt", file=file)]
    sheets: list[Sheet] = []
    try:
        for meta in wb.sheets_metadata:
            if str(meta.typ).lower().find("worksheet") < 0:
                continue
            sh = wb.get_sheet_by_name(meta.name)
            end = sh.end
            height = (end[0] + 1) if end else 0
            width = (end[1] + 1) if end else 0
            if height > limits.max_rows:
                return [], [error("ingest.too_many_rows", file=file, sheet=meta.name, rows=height,
                                  limit=limits.max_rows)]
            if height * width > limits.max_cells:
                return [], [error("ingest.too_many_cells", file=file, sheet=meta.name, cells=height * width,
                                  limit=limits.max_cells)]
            cells = sh.to_python(skip_empty_area=False) if height else []
            for (r0, c0), (r1, c1) in sh.merged_cell_ranges or []:
                if r0 >= len(cells):
                    continue
                top = cells[r0][c0] if c0 < len(cells[r0]) else ""
                if top in ("", None):
                    continue
                for r in range(r0, min(r1, len(cells) - 1) + 1):
                    row = cells[r]
                    for c in range(c0, min(c1, len(row) - 1) + 1):
                        if row[c] in ("", None):
                            row[c] = top
            sheets.append(Sheet(meta.name, cells))
    except (CalamineError, ValueError, OSError):
        return [], [error("ingest.corrupt", file=file)]
    return sheets, []
