"""The audit log: logins, uploads, undos, rule changes, snapshot actions, user changes."""

from __future__ import annotations

import json
from typing import Any


def record(con: Any, actor: str | None, action: str, target: str | None, detail: Any = None) -> None:
    """Append one entry, inside the caller's write transaction so it commits or rolls back with it."""
    con.execute(
        "insert into audit_log (actor, action, target, detail) values (?, ?, ?, ?)",
        [actor, action, target, json.dumps(detail, ensure_ascii=False, default=str) if detail is not None else None],
    )
