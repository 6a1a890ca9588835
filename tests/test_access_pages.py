"""Every page, opened by every role with another branch chosen in the filters: member names of a branch
reach only the committee and that branch's own secretary (Streamlit AppTest, real database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import OTHER_MEMBERS, OWN_MEMBERS
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from pipelines import access, auth, db

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


def rendered_text(at: AppTest) -> str:
    """Everything the page sent to the browser, as text: labels, tables, charts."""
    out: list[str] = []

    def walk(node: Any) -> None:
        for child in (getattr(node, "children", None) or {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is None:
            return
        try:
            value = node.value
        except Exception:  # elements without a value
            value = None
        if hasattr(value, "to_string"):
            out.append(value.to_string())
        elif value is not None:
            out.append(str(value))
        spec = getattr(proto, "spec", None)
        if isinstance(spec, str) and spec.startswith("{"):
            out.append(json.dumps(json.loads(spec), ensure_ascii=False))
        out.append(text_format.MessageToString(proto, as_utf8=True))

    walk(at._tree)
    return "\n".join(out)


def open_as(path: Path, name: str, **query: str) -> AppTest:
    session = auth.login(path, name, "demo1234")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["auth_session"] = (session.token, session.expires_at)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


@pytest.mark.parametrize("name", ["branch1", "zone1", "viewer", "dangwei"])
def test_member_names_reach_only_their_branch_and_the_committee(member_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                                name: str) -> None:
    monkeypatch.setenv("PARTYDAY_DB", str(member_db))
    with db.reading(member_db) as con:
        user = auth.get_user(con, name)
    assert user is not None
    at = open_as(member_db, name, branch="乙支部")
    assert not at.exception
    allowed = [p for p in PAGES if p in access.allowed_pages(user)]
    for page in sorted(set(PAGES) - set(allowed)):
        with pytest.raises(ValueError):  # not in this person's navigation at all
            at.switch_page(str(ROOT / "pages" / f"{page}.py"))
    seen: dict[str, str] = {}
    for page in allowed:
        at.switch_page(str(ROOT / "pages" / f"{page}.py")).run()
        assert not at.exception, (page, at.exception)
        seen[page] = rendered_text(at)
    everything = "\n".join(seen.values())
    forbidden = {"branch1": OTHER_MEMBERS, "zone1": OTHER_MEMBERS + OWN_MEMBERS,
                 "viewer": OTHER_MEMBERS + OWN_MEMBERS, "dangwei": []}[name]
    for member in forbidden:
        leaked = [p for p, text in seen.items() if member in text]
        assert not leaked, f"{member} shown to {name} on {leaked}"
    if name == "dangwei" and "members" in seen:
        assert all(m in everything for m in OTHER_MEMBERS)  # the check can see names when they are shown
