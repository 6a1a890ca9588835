"""Which kind each sheet is: zone division, roster, sign-in, year table, evaluation or activity record.

The header row decides (which known columns it has); the title and sheet name break ties and name
the kind of a sheet whose table lacks its name column, so that sheet is refused with a clear message.
"""

from __future__ import annotations

from pipelines.ingest.layout import Table, find_header, lines_above, row_texts
from pipelines.ingest.read import Sheet
from pipelines.ingest.vocab import lookup, norm

PERSON_FIELDS = {"sex", "birth", "joined", "member_kind", "id_card", "phone"}
# Words in a title or sheet name that name the kind (normalised, Simplified).
TITLE_HINTS: dict[str, tuple[str, ...]] = {
    "signin": ("签到",),
    "year": ("出勤统计", "考勤统计", "年度出勤", "出勤情况统计", "出勤表", "attendance"),
    "roster": ("花名册", "名册", "党员名单", "roster"),
    "evaluation": ("测评", "满意度", "evaluation"),
    "record": ("纪实", "活动记录", "record"),
    "zones": ("协作区划分", "协作区", "zone"),
}
RECORD_MIN_LABELS = 4


def title_kind(text: str) -> str | None:
    """The kind a title or sheet name announces, if any."""
    key = norm(text)
    for kind, hints in TITLE_HINTS.items():
        if any(h in key for h in hints):
            return kind
    return None


def record_labels(sheet: Sheet) -> int:
    """How many rows start with a label of the activity record form."""
    rec = lookup("record")
    n = 0
    for r in range(min(sheet.n_rows, 60)):
        texts = row_texts(sheet, r)
        if texts and norm(texts[0]).rstrip(":") in rec:
            n += 1
    return n


def kind_of(table: Table | None, hint: str | None) -> str | None:
    """The kind a header row shows (None: not a table we know)."""
    if table is None:
        return None
    cols = table.columns
    if "quarter" in cols and ("leader" in cols or "deputy" in cols):
        return "zones"
    if "zone" in cols and "branch" in cols:
        return "zones"
    if len(table.ratings) >= 2 or len(table.items) >= 2:
        return "evaluation"
    if "item" in cols and table.ratings:
        return "evaluation"
    if "name" not in cols:
        return None
    if len(table.months) >= 3:
        return "year"
    if "status" in cols or "signature" in cols or table.status_cols:
        return "signin"
    if PERSON_FIELDS & set(cols):
        return "roster"
    if hint in ("signin", "roster", "year"):
        return hint
    return None


def detect(sheet: Sheet, forced: str | None = None) -> tuple[str | None, Table | None, str | None]:
    """``(kind, header, hinted kind)`` of a sheet; ``forced`` (the ``--kind`` override) wins."""
    table = find_header(sheet)
    above = lines_above(sheet, table.header_row if table else min(sheet.n_rows, 3))
    # The title says more than the sheet name (often left as 签到表 in a copied workbook).
    hint = title_kind(" ".join(t for line in above for t in line)) or title_kind(sheet.name)
    if forced:
        if forced == "record":
            return "record", None, hint
        return forced, table, hint
    kind = kind_of(table, hint)
    if kind is None and record_labels(sheet) >= (2 if hint == "record" else RECORD_MIN_LABELS):
        return "record", None, hint
    return kind, table, hint
