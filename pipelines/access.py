"""Who may see and change what: roles, branch scopes and the pages each role may open.

Every page and command asks this module, on the server side, which branches a user may see, whose
member-level detail, and for which branches they may upload; the menu only mirrors it.

| role | branch-level figures | member-level detail | upload / undo | pages |
|---|---|---|---|---|
| ``committee`` (党委) | every branch | every branch | every branch | all, including rules, snapshots, admin |
| ``zone_leader`` (协作区组长) | the branches of their zone | their own branch, if they have one | none | figures pages |
| ``secretary`` (支部书记) | every branch | their own branch | their own branch | figures pages, members, upload |
| ``viewer`` | every branch | none | none | figures pages |

``None`` as a scope means "every branch"; an empty set means "none".

Column mappings (``ingest/mapping_store.py``) follow the upload scope: a secretary's upload finds and
creates the mappings of her own branch (the load decides the branch and refuses any other), and she
lists only those; editing and deleting them is for the committee (``require_committee(user, "mappings")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.errors import PartydayError, error

ROLES = ("committee", "zone_leader", "secretary", "viewer")

PAGES = ("overview", "participation", "quorum", "satisfaction", "compliance", "rankings", "members",
         "activity", "upload", "snapshots", "rules", "admin")

# Pages that show branch-level figures only (member detail inside them is filtered by member_branch_ids).
FIGURE_PAGES = frozenset({"overview", "participation", "quorum", "satisfaction", "compliance", "rankings",
                          "activity"})


@dataclass(frozen=True)
class User:
    """A signed-in person (or the command line's operator) and the scope their role gives them."""

    name: str
    role: str
    branch_id: int | None = None
    zone_id: int | None = None
    branch_name: str | None = None
    zone_name: str | None = None

    @property
    def is_committee(self) -> bool:
        """True for the committee, who may see and change everything."""
        return self.role == "committee"


# The command line acts as this user unless ``--as-user NAME`` is given.
OPERATOR = User(name="operator", role="committee")


def allowed_pages(user: User | None) -> set[str]:
    """The page keys ``user`` may open (nothing when nobody is signed in)."""
    if user is None:
        return set()
    if user.role == "committee":
        return set(PAGES)
    pages = set(FIGURE_PAGES)
    if user.role == "secretary":
        pages |= {"members", "upload"}
    elif user.role == "zone_leader" and user.branch_id is not None:
        pages.add("members")
    return pages


def zone_branch_ids(con: Any, zone_id: int | None) -> set[int]:
    """The ids of the branches in zone ``zone_id``."""
    if zone_id is None:
        return set()
    rows = con.execute("select branch_id from branches where zone_id = ?", [zone_id]).fetchall()
    return {int(r[0]) for r in rows}


def visible_branch_ids(con: Any, user: User) -> set[int] | None:
    """Branches whose branch-level figures ``user`` may see; ``None`` means every branch."""
    if user.role == "zone_leader":
        return zone_branch_ids(con, user.zone_id)
    if user.role in ("committee", "secretary", "viewer"):
        return None
    return set()


def member_branch_ids(con: Any, user: User) -> set[int] | None:
    """Branches whose member-level detail (names, attendance per member) ``user`` may see; ``None`` = all."""
    if user.role == "committee":
        return None
    if user.role in ("secretary", "zone_leader") and user.branch_id is not None:
        return {user.branch_id}
    return set()


def upload_branch_ids(con: Any, user: User) -> set[int] | None:
    """Branches for which ``user`` may load or undo data; ``None`` = every branch, empty = none."""
    if user.role == "committee":
        return None
    if user.role == "secretary" and user.branch_id is not None:
        return {user.branch_id}
    return set()


def narrow(allowed: set[int] | None, requested: set[int] | None) -> set[int] | None:
    """The branches a query may cover: what was asked for, cut down to what is allowed."""
    if allowed is None:
        return requested
    if requested is None:
        return set(allowed)
    return set(requested) & allowed


def in_scope(scope: set[int] | None, branch_id: int | None) -> bool:
    """Whether ``branch_id`` lies inside ``scope`` (``None`` = every branch)."""
    return scope is None or (branch_id is not None and branch_id in scope)


def branch_label(con: Any, branch_id: int | None) -> str:
    """The branch's name for a message, or its id when it is unknown."""
    if branch_id is None:
        return "-"
    row = con.execute("select name from branches where branch_id = ?", [branch_id]).fetchone()
    return str(row[0]) if row else str(branch_id)


def refused(code: str, user: User, **params: Any) -> PartydayError:
    """The error raised for an action ``user`` may not take (message ``access.refused.<code>``)."""
    return PartydayError(error(f"access.refused.{code}", user=user.name, role=user.role, **params))


def require_page(user: User | None, page: str) -> User:
    """Refuse unless ``user`` is signed in and may open ``page``; returns the user."""
    if user is None:
        raise PartydayError(error("access.refused.not_signed_in"))
    if page not in allowed_pages(user):
        raise refused("page", user, page=page)
    return user


def require_committee(user: User, action: str) -> None:
    """Refuse ``action`` (a short label such as ``users``, ``rules``, ``backup``) unless ``user`` is the committee."""
    if not user.is_committee:
        raise refused("committee_only", user, action=action)


def require_branch(con: Any, user: User, branch_id: int | None) -> None:
    """Refuse unless ``user`` may see the branch-level figures of ``branch_id``."""
    if not in_scope(visible_branch_ids(con, user), branch_id):
        raise refused("branch", user, branch=branch_label(con, branch_id))


def require_member_detail(con: Any, user: User, branch_id: int | None) -> None:
    """Refuse unless ``user`` may see member-level detail of ``branch_id``."""
    if not in_scope(member_branch_ids(con, user), branch_id):
        raise refused("members", user, branch=branch_label(con, branch_id))


def require_upload(con: Any, user: User, branch_id: int | None) -> None:
    """Refuse unless ``user`` may load or undo data of ``branch_id``."""
    if not in_scope(upload_branch_ids(con, user), branch_id):
        raise refused("upload", user, branch=branch_label(con, branch_id))
