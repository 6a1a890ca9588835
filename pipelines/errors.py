"""One error shape for the whole product.

An :class:`Issue` is what a person sees about their input: severity, where (file, sheet, Excel row as
the user sees it, column letter) and a message in the user's language. The library raises
:class:`PartydayError` carrying one or more issues; only the outer layers (command line, pages) render
them. Messages live in ``pipelines/locales/*.toml`` and are looked up by code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pipelines.i18n import DEFAULT_LANG, t

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """A problem or remark about one place in the user's input."""

    severity: Severity
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang``, naming the place when there is one."""
        return t(self.code, lang, **self.params)

    def to_json(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        """The shape the command line prints and the pages show."""
        return {
            "severity": self.severity,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message(lang),
        }


def error(code: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None,
          **params: Any) -> Issue:
    """An error issue (the file is refused)."""
    return Issue("error", code, params, sheet, row, column)


def warning(code: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None,
            **params: Any) -> Issue:
    """A warning issue (the file loads, the user is told)."""
    return Issue("warning", code, params, sheet, row, column)


class PartydayError(Exception):
    """Raised by the library for anything a user must fix; carries the issues."""

    def __init__(self, *issues: Issue) -> None:
        self.issues = list(issues)
        super().__init__("; ".join(i.message("en") for i in issues))

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """All messages joined, in ``lang``."""
        return "\n".join(i.message(lang) for i in self.issues)
