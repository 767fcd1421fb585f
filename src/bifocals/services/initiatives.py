"""Who may see and manage which change initiative: the rules in one place.

- admin: every initiative; assigns and removes facilitators;
- facilitator: the initiatives assigned to them (change_facilitators), including those they
  imported on the web;
- participant: none (the change pages answer 403 before this is asked).
An initiative a facilitator may not manage answers 404, the same as one that does not exist,
so its existence is not revealed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bifocals.errors import NotFound
from bifocals.services.access import (
    assign_facilitator_to,
    assigned_facilitators,
    may_manage,
    unassign_facilitator,
)
from bifocals.services.accounts import write_audit
from bifocals.services.security import User
from bifocals.store import Store
from bifocals.store.app_tables import users
from bifocals.store.change_tables import change_facilitators, change_initiatives

NOT_FOUND = "There is no initiative with that name. The list shows every one you may open."


def can_manage_initiative(conn: sa.Connection, user: User, initiative_id: int) -> bool:
    """True for an admin, or a facilitator assigned to the initiative."""
    return may_manage(conn, user, change_facilitators, "initiative_id", initiative_id)


def managed_initiative(conn: sa.Connection, user: User, name: str) -> Any:
    """The change_initiatives row (id, name, readiness_closed_at) if the user may manage it;
    404 otherwise, worded as for an unknown name."""
    t = change_initiatives
    row = conn.execute(
        sa.select(t.c.id, t.c.name, t.c.readiness_closed_at).where(t.c.name == name)
    ).first()
    if row is None or not can_manage_initiative(conn, user, int(row.id)):
        raise NotFound(NOT_FOUND, "initiative_id")
    return row


def facilitators_of(conn: sa.Connection, initiative_id: int) -> list[Any]:
    """users rows (id, email) of an initiative's facilitators, by e-mail."""
    return assigned_facilitators(conn, change_facilitators, "initiative_id", initiative_id)


def facilitator_counts(conn: sa.Connection) -> dict[str, int]:
    """Initiative name -> number of facilitators (for the admin's list)."""
    t, f = change_initiatives, change_facilitators
    rows = conn.execute(
        sa.select(t.c.name, sa.func.count(f.c.user_id).label("n"))
        .outerjoin(f, f.c.initiative_id == t.c.id)
        .group_by(t.c.name)
    ).all()
    return {str(r.name): int(r.n) for r in rows}


def assign_initiative_facilitator(
    store: Store, admin: User, initiative_id: int, name: str, email: str
) -> str:
    """Give a facilitator account access to an initiative; returns the normalised address."""
    with store.engine.begin() as conn:
        _, addr = assign_facilitator_to(
            conn, change_facilitators, "initiative_id", initiative_id, email, "initiative"
        )
        write_audit(conn, admin, "initiative.facilitator.add", f"initiative:{name}", addr)
    return addr


def remove_initiative_facilitator(
    store: Store, admin: User, initiative_id: int, name: str, user_id: int
) -> None:
    """Take a facilitator's access to an initiative away."""
    with store.engine.begin() as conn:
        email = unassign_facilitator(
            conn, change_facilitators, "initiative_id", initiative_id, user_id
        )
        write_audit(conn, admin, "initiative.facilitator.remove", f"initiative:{name}", email or "")


def assign_by_email(store: Store, name: str, email: str) -> None:
    """Assign a facilitator account to the initiative called `name` (the demo's coach)."""
    with store.engine.begin() as conn:
        iid = conn.execute(
            sa.select(change_initiatives.c.id).where(change_initiatives.c.name == name)
        ).scalar_one()
        uid = conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar_one()
        conn.execute(
            sa.delete(change_facilitators).where(
                change_facilitators.c.initiative_id == iid, change_facilitators.c.user_id == uid
            )
        )
        conn.execute(sa.insert(change_facilitators).values(initiative_id=iid, user_id=uid))
