"""Participant logins when their campaign is replaced or deleted on the command line.

A participant account points at one participant row. `campaign import --replace` deletes the
campaign's participants and inserts the file's, so the account would point at nothing: the
participant could still sign in but would never see a report again, with no word why. Here
the logins of a campaign are read before it goes, then moved to the participant with the same
code in the new import; a login whose code is gone, or whose campaign is deleted, is disabled
(and signed out), which the admin's user list shows. Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa

from bifocals.services.accounts import write_audit
from bifocals.services.security import now
from bifocals.store import Store
from bifocals.store.app_tables import sessions, users
from bifocals.store.tables import campaigns, participants

T = TypeVar("T")


@dataclass(frozen=True)
class Login:
    """A participant account and the participant code it reads the report of."""

    user_id: int
    email: str
    code: str


@dataclass(frozen=True)
class Moved:
    """What happened to a campaign's participant logins."""

    kept: list[str]
    disabled: list[str]

    def summary(self) -> str:
        """One line for the terminal ('' when the campaign had no participant logins)."""
        parts = []
        if self.kept:
            parts.append(f"{len(self.kept)} participant login(s) kept (same participant code)")
        if self.disabled:
            parts.append(
                f"{len(self.disabled)} disabled, their participant is gone: "
                + ", ".join(self.disabled)
            )
        return "; ".join(parts)


def logins_of(store: Store, campaign: str) -> list[Login]:
    """The enabled participant accounts of a campaign ([] if there is no such campaign)."""
    q = (
        sa.select(users.c.id, users.c.email, participants.c.code)
        .join(participants, participants.c.id == users.c.participant_id)
        .join(campaigns, campaigns.c.id == participants.c.campaign_id)
        .where(campaigns.c.name == campaign, users.c.disabled_at.is_(None))
        .order_by(users.c.email)
    )
    with store.engine.connect() as conn:
        return [Login(int(r.id), r.email, r.code) for r in conn.execute(q)]


def move_logins(store: Store, campaign: str, logins: list[Login]) -> Moved:
    """Point each login at the participant with its code in `campaign` as it is now; disable
    the ones whose code is not there (or when the campaign no longer exists)."""
    kept: list[str] = []
    disabled: list[str] = []
    with store.engine.begin() as conn:
        pid_of = dict(
            conn.execute(
                sa.select(participants.c.code, participants.c.id)
                .join(campaigns, campaigns.c.id == participants.c.campaign_id)
                .where(campaigns.c.name == campaign)
            ).all()
        )
        for login in logins:
            pid = pid_of.get(login.code)
            if pid is not None:
                conn.execute(
                    sa.update(users).where(users.c.id == login.user_id).values(participant_id=pid)
                )
                kept.append(login.email)
                continue
            conn.execute(
                sa.update(users)
                .where(users.c.id == login.user_id)
                .values(participant_id=None, disabled_at=now())
            )
            conn.execute(sa.delete(sessions).where(sessions.c.user_id == login.user_id))
            write_audit(
                conn,
                None,
                "user.disable",
                f"user:{login.email}",
                f"participant {login.code} of campaign {campaign} no longer exists",
            )
            disabled.append(login.email)
        if kept:
            write_audit(
                conn, None, "user.relink", f"campaign:{campaign}", f"{len(kept)} login(s) kept"
            )
    return Moved(kept, disabled)


def keeping_logins(
    store: Store, campaign: str, change: Callable[[], T], *, follow: bool = True
) -> tuple[T, Moved]:
    """Run `change` (which replaces or deletes `campaign`) with the campaign's logins read
    before it and moved after it (`move_logins`); follow=False leaves the logins alone."""
    logins = logins_of(store, campaign) if follow else []
    result = change()
    moved = move_logins(store, campaign, logins) if logins else Moved([], [])
    return result, moved
