"""Who may see which campaign and which participant's report: the one place the rules live.

- admin: every campaign;
- facilitator: the campaigns they are assigned to (campaign_facilitators);
- participant: no campaign pages; only their own report, once the campaign is released.
A campaign a user may not see answers 404, so its existence is not revealed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bifocals.errors import BifocalsError, NotFound
from bifocals.services.security import User
from bifocals.store.app_tables import campaign_facilitators, nominations, users
from bifocals.store.tables import campaigns, participants, raters


def is_assigned(conn: sa.Connection, table: sa.Table, key: str, key_id: int, user_id: int) -> bool:
    """True when `table` (a facilitator assignment: `key` column + user_id) links the two."""
    found = conn.execute(
        sa.select(table.c.user_id).where(table.c[key] == key_id, table.c.user_id == user_id)
    ).first()
    return found is not None


def may_manage(conn: sa.Connection, user: User, table: sa.Table, key: str, key_id: int) -> bool:
    """True for an admin, or a facilitator whom `table` (an assignment table) links to
    `key_id`; False for every other role."""
    if user.role == "admin":
        return True
    if user.role != "facilitator":
        return False
    return is_assigned(conn, table, key, key_id, user.id)


def assign_facilitator_to(
    conn: sa.Connection, table: sa.Table, key: str, key_id: int, email: str, what: str
) -> tuple[int, str]:
    """Link the facilitator account `email` to `key_id` in `table` (an assignment table);
    (user id, normalised address), or a BifocalsError if it is not a facilitator account or
    already linked to this `what` (campaign, initiative)."""
    uid, addr = facilitator_account(conn, email)
    if is_assigned(conn, table, key, key_id, uid):
        raise BifocalsError(f"{addr} is already a facilitator of this {what}")
    conn.execute(sa.insert(table).values({key: key_id, "user_id": uid}))
    return uid, addr


def unassign_facilitator(
    conn: sa.Connection, table: sa.Table, key: str, key_id: int, user_id: int
) -> str | None:
    """Remove the link of account `user_id` to `key_id` in `table`; the account's e-mail
    (None for an unknown account)."""
    email = conn.execute(sa.select(users.c.email).where(users.c.id == user_id)).scalar()
    conn.execute(sa.delete(table).where(table.c[key] == key_id, table.c.user_id == user_id))
    return email


def assigned_facilitators(conn: sa.Connection, table: sa.Table, key: str, key_id: int) -> list[Any]:
    """users rows (id, email) linked to `key_id` by `table` (an assignment table), by e-mail."""
    return list(
        conn.execute(
            sa.select(users.c.id, users.c.email)
            .join(table, table.c.user_id == users.c.id)
            .where(table.c[key] == key_id)
            .order_by(users.c.email)
        ).all()
    )


def facilitator_account(conn: sa.Connection, email: str) -> tuple[int, str]:
    """(user id, normalised address) of a facilitator account, or a BifocalsError saying what
    to do; used by every "assign a facilitator" form."""
    addr = email.strip().lower()
    row = conn.execute(sa.select(users.c.id, users.c.role).where(users.c.email == addr)).first()
    if row is None or row.role != "facilitator":
        raise BifocalsError(f"{addr!r} is not a facilitator account; create it under Users first")
    return int(row.id), addr


def visible_campaigns_query(user: User) -> sa.Select[Any]:
    """campaigns rows the user may manage, newest first."""
    q = sa.select(campaigns).order_by(campaigns.c.created_at.desc(), campaigns.c.id.desc())
    if user.role == "admin":
        return q
    if user.role == "facilitator":
        return q.join(
            campaign_facilitators,
            sa.and_(
                campaign_facilitators.c.campaign_id == campaigns.c.id,
                campaign_facilitators.c.user_id == user.id,
            ),
        )
    return q.where(sa.false())


def can_manage(conn: sa.Connection, user: User, campaign_id: int) -> bool:
    """True for an admin, or a facilitator assigned to the campaign."""
    return may_manage(conn, user, campaign_facilitators, "campaign_id", campaign_id)


def managed_campaign(conn: sa.Connection, user: User, campaign_id: int) -> Any:
    """The campaigns row if the user may manage it; 404 otherwise (also for other roles)."""
    row = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).first()
    if row is None or not can_manage(conn, user, campaign_id):
        raise NotFound("no such campaign", "campaign_id")
    return row


def managed_participant(conn: sa.Connection, user: User, campaign_id: int, pid: int) -> Any:
    """(campaign row, participant row) if the user manages the campaign holding participant."""
    camp = managed_campaign(conn, user, campaign_id)
    row = conn.execute(
        sa.select(participants).where(
            participants.c.id == pid, participants.c.campaign_id == campaign_id
        )
    ).first()
    if row is None:
        raise NotFound("no such participant in this campaign", "participant_id")
    return camp, row


def _managed_owner(
    conn: sa.Connection, user: User, campaign_id: int, query: sa.Select[Any], what: str
) -> int:
    managed_campaign(conn, user, campaign_id)
    pid = conn.execute(query).scalar()
    if pid is None:
        raise NotFound(f"no such {what} in this campaign", f"{what}_id")
    return int(pid)


def managed_rater_participant(conn: sa.Connection, user: User, campaign_id: int, rid: int) -> int:
    """The participant id of rater `rid` of a campaign the user manages (404 for a rater of
    another campaign, told apart from an unknown one by nothing)."""
    query = sa.select(raters.c.participant_id).where(
        raters.c.id == rid, raters.c.campaign_id == campaign_id
    )
    return _managed_owner(conn, user, campaign_id, query, "rater")


def managed_nomination_participant(
    conn: sa.Connection, user: User, campaign_id: int, nid: int
) -> int:
    """The participant id of suggestion `nid` in a campaign the user manages (404 otherwise)."""
    query = (
        sa.select(nominations.c.participant_id)
        .join(participants, participants.c.id == nominations.c.participant_id)
        .where(nominations.c.id == nid, participants.c.campaign_id == campaign_id)
    )
    return _managed_owner(conn, user, campaign_id, query, "nomination")


def can_view_report(conn: sa.Connection, user: User, campaign_id: int, pid: int) -> bool:
    """May this user read participant `pid`'s individual report in this campaign?

    Admins and the campaign's facilitators may, once the campaign is closed or released (the
    reports helper records each view so that re-opening is refused afterwards). A participant
    user may read only their own, and only after release.
    """
    row = conn.execute(
        sa.select(campaigns.c.status)
        .join(participants, participants.c.campaign_id == campaigns.c.id)
        .where(campaigns.c.id == campaign_id, participants.c.id == pid)
    ).first()
    if row is None:
        return False
    if user.role == "participant":
        return user.participant_id == pid and row.status == "released"
    return row.status in ("closed", "released") and can_manage(conn, user, campaign_id)
