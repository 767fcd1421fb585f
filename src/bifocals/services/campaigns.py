"""Campaign life cycle for the web: create, facilitators, open, close, re-open, release.

Re-opening rule (stops the re-opening attack, where someone compares a report before and after
one late response to learn that rater's answers): a closed campaign may be re-opened only while
no report of it has been released, viewed or exported. Once any of that happened (an audit row
with an action in REPORT_SEEN_ACTIONS, or the campaign was released), re-opening is refused.
A released campaign never goes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bifocals.errors import BifocalsError
from bifocals.instruments import get_instrument
from bifocals.scoring.model import Thresholds
from bifocals.services.access import assigned_facilitators, facilitator_account, is_assigned
from bifocals.services.accounts import write_audit
from bifocals.services.security import User, now, utc
from bifocals.store import Store
from bifocals.store.app_tables import audit_log, campaign_facilitators, users
from bifocals.store.tables import campaigns

# Audit actions meaning "someone has seen results of this campaign".
REPORT_SEEN_ACTIONS: tuple[str, ...] = (
    "campaign.release",
    "report.view",
    "report.pdf",
    "report.export",
    "cohort.view",
    "cohort.export",
)

TRANSITIONS: dict[str, tuple[str, str]] = {
    # action: (required status, new status)
    "open": ("draft", "open"),
    "close": ("open", "closed"),
    "reopen": ("closed", "open"),
    "release": ("closed", "released"),
}


def create_campaign(
    store: Store,
    user: User,
    name: str,
    instrument_id: str,
    thresholds: Thresholds,
    deadline: datetime | None,
) -> int:
    """Create a draft campaign; a facilitator who creates one is assigned to it."""
    if user.role not in ("admin", "facilitator"):
        raise BifocalsError("only admins and facilitators create campaigns")
    for group, value in thresholds.to_dict().items():
        if not 1 <= value <= 50:
            raise BifocalsError(f"threshold for {group} is {value}; use a number from 1 to 50")
    inst = get_instrument(instrument_id)
    cid = store.create_campaign(
        name.strip(), thresholds=thresholds, deadline=deadline, instrument=inst
    )
    with store.engine.begin() as conn:
        if user.role == "facilitator":
            conn.execute(sa.insert(campaign_facilitators).values(campaign_id=cid, user_id=user.id))
        detail = f"instrument={inst.id} thresholds={thresholds.to_dict()}"
        write_audit(conn, user, "campaign.create", f"campaign:{name.strip()}", detail, cid)
    return cid


def facilitators_of(conn: sa.Connection, campaign_id: int) -> list[Any]:
    """users rows (id, email) of a campaign's facilitators, by e-mail."""
    return assigned_facilitators(conn, campaign_facilitators, "campaign_id", campaign_id)


def assign_facilitator(store: Store, admin: User, campaign_id: int, email: str) -> None:
    """Give a facilitator account access to a campaign."""
    with store.engine.begin() as conn:
        uid, addr = facilitator_account(conn, email)
        if is_assigned(conn, campaign_facilitators, "campaign_id", campaign_id, uid):
            raise BifocalsError(f"{addr} is already a facilitator of this campaign")
        conn.execute(sa.insert(campaign_facilitators).values(campaign_id=campaign_id, user_id=uid))
        write_audit(conn, admin, "campaign.facilitator.add", f"user:{addr}", "", campaign_id)


def remove_facilitator(store: Store, admin: User, campaign_id: int, user_id: int) -> None:
    """Take a facilitator's access to a campaign away."""
    with store.engine.begin() as conn:
        email = conn.execute(sa.select(users.c.email).where(users.c.id == user_id)).scalar()
        conn.execute(
            sa.delete(campaign_facilitators).where(
                campaign_facilitators.c.campaign_id == campaign_id,
                campaign_facilitators.c.user_id == user_id,
            )
        )
        write_audit(conn, admin, "campaign.facilitator.remove", f"user:{email}", "", campaign_id)


def results_seen(conn: sa.Connection, campaign_id: int) -> bool:
    """True once any report of the campaign was released, viewed or exported."""
    found = conn.execute(
        sa.select(audit_log.c.id)
        .where(
            audit_log.c.campaign_id == campaign_id,
            audit_log.c.action.in_(REPORT_SEEN_ACTIONS),
        )
        .limit(1)
    ).first()
    return found is not None


def change_status(store: Store, user: User, campaign_id: int, action: str) -> str:
    """Apply open, close, reopen or release; returns the new status or raises BifocalsError."""
    if action not in TRANSITIONS:
        raise BifocalsError(f"unknown action {action!r}")
    need, new = TRANSITIONS[action]
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).one()
        if row.status != need:
            raise BifocalsError(
                f"cannot {action} a campaign that is {row.status}; it must be {need}"
            )
        if action == "reopen" and (row.released_at is not None or results_seen(conn, campaign_id)):
            raise BifocalsError(
                "cannot re-open: reports of this campaign have already been released, viewed "
                "or exported, and comparing them with later reports would reveal who answered "
                "late. Start a new campaign for further feedback."
            )
        values: dict[str, Any] = {"status": new}
        stamp = now()
        if action == "close":
            values["closed_at"] = stamp
        elif action == "reopen":
            values["closed_at"] = None
        elif action == "release":
            values["released_at"] = stamp
        conn.execute(sa.update(campaigns).where(campaigns.c.id == campaign_id).values(**values))
        write_audit(conn, user, f"campaign.{action}", f"campaign:{row.name}", "", campaign_id)
    return new


def update_settings(
    store: Store,
    user: User,
    campaign_id: int,
    thresholds: Thresholds,
    deadline: datetime | None,
) -> None:
    """Change the deadline and thresholds while the campaign is a draft or open.

    Once closed they are frozen: lowering a threshold after results exist would show groups that
    were hidden before, which is the same leak as re-opening.
    """
    for group, value in thresholds.to_dict().items():
        if not 1 <= value <= 50:
            raise BifocalsError(f"threshold for {group} is {value}; use a number from 1 to 50")
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).one()
        if row.status not in ("draft", "open"):
            raise BifocalsError(
                f"the campaign is {row.status}; its deadline and thresholds can no longer change"
            )
        values: dict[str, Any] = {f"threshold_{g}": v for g, v in thresholds.to_dict().items()}
        values["deadline"] = deadline
        changed = {k: v for k, v in values.items() if k != "deadline" and getattr(row, k) != v}
        detail = ", ".join(f"{k}={v}" for k, v in changed.items())
        if deadline != utc(row.deadline):
            detail = ", ".join(x for x in (detail, f"deadline={deadline}") if x)
        conn.execute(sa.update(campaigns).where(campaigns.c.id == campaign_id).values(**values))
        write_audit(conn, user, "campaign.change", f"campaign:{row.name}", detail, campaign_id)
