"""Words for what an upload recognised and loaded, in the user's language (for the upload page)."""

from __future__ import annotations

from typing import Any

from pipelines.i18n import t


def kind_label(kind: str | None, lang: str) -> str:
    """``signin+evaluation`` -> 签到表、测评表."""
    if not kind:
        return "-"
    sep = "、" if lang == "zh" else ", "
    return sep.join(t(f"ingest.kind.{k}", lang) for k in kind.split("+"))


def counts_label(counts: dict[str, Any], lang: str) -> str:
    """What a load writes, e.g. 出勤记录 31 条、测评记录 15 条."""
    sep = "、" if lang == "zh" else ", "
    parts = [t(f"ingest.count.{k}", lang, n=v) for k, v in counts.items()
             if v and not k.endswith("_replaced") and not k.startswith("memberships_")]
    return sep.join(parts) or "-"


def activities_label(labels: list[dict[str, Any]], lang: str) -> str:
    """The activities a preview touches: branch, date (or month) and topic."""
    sep = "；" if lang == "zh" else "; "
    out = []
    for a in labels:
        when = a["date"][:7] if a.get("month_only") else a["date"]
        out.append(" ".join(x for x in (a.get("branch") or "", when, a.get("topic") or "") if x))
    return sep.join(out) or "-"
