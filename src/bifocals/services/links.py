"""Private links: rater invitations and participants' nomination links.

A link carries secrets.token_urlsafe(32); the database keeps only its sha256. The raw token is
returned once, when the link is issued; issuing a new link for the same rater or participant
revokes the old one, so a forwarded or leaked link can be cut off by re-issuing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from bifocals.services.security import new_token, now, token_hash, utc
from bifocals.store.app_tables import invitations, nomination_links
from bifocals.store.tables import campaigns, participants, raters

SURVEY_PATH = "/survey/{token}"
NOMINATE_PATH = "/nominate/{token}"


def survey_url(base: str, token: str) -> str:
    """The absolute survey link of an invitation token."""
    return base.rstrip("/") + SURVEY_PATH.format(token=token)


def nominate_url(base: str, token: str) -> str:
    """The absolute nomination link of a participant's token."""
    return base.rstrip("/") + NOMINATE_PATH.format(token=token)


def issue_invitation(conn: sa.Connection, rater_id: int, days: int) -> str:
    """A new invitation token for a rater (older ones are revoked); returned only here."""
    stamp = now()
    conn.execute(
        sa.update(invitations)
        .where(invitations.c.rater_id == rater_id, invitations.c.revoked_at.is_(None))
        .values(revoked_at=stamp)
    )
    raw = new_token()
    conn.execute(
        sa.insert(invitations).values(
            rater_id=rater_id,
            token_hash=token_hash(raw),
            created_at=stamp,
            expires_at=stamp + timedelta(days=days),
        )
    )
    return raw


def mark_sent(conn: sa.Connection, token: str) -> None:
    """Record that an invitation was e-mailed."""
    conn.execute(
        sa.update(invitations)
        .where(invitations.c.token_hash == token_hash(token))
        .values(sent_at=now())
    )


@dataclass(frozen=True)
class InvitationLookup:
    """What a survey token leads to. status: ok, unknown, revoked, expired, closed, submitted.

    `closed` means the campaign is not open (draft, closed or released); `submitted` means the
    rater has already answered. Only `ok` may show or accept answers.
    """

    status: str
    invitation_id: int | None = None
    rater_id: int | None = None
    participant_id: int | None = None
    campaign_id: int | None = None
    campaign_status: str | None = None
    instrument_id: str | None = None
    instrument_yaml: str | None = None  # the campaign's copy of a non-built-in instrument
    opened: bool = False


def resolve_invitation(conn: sa.Connection, token: str) -> InvitationLookup:
    """Look a survey token up (by its hash) and say whether it may be used now."""
    row = conn.execute(
        sa.select(
            invitations.c.id,
            invitations.c.rater_id,
            invitations.c.expires_at,
            invitations.c.revoked_at,
            raters.c.participant_id,
            raters.c.submitted_at,
            campaigns.c.id.label("campaign_id"),
            campaigns.c.status,
            campaigns.c.instrument_id,
            campaigns.c.instrument_yaml,
            invitations.c.opened_at,
        )
        .join(raters, raters.c.id == invitations.c.rater_id)
        .join(campaigns, campaigns.c.id == raters.c.campaign_id)
        .where(invitations.c.token_hash == token_hash(token))
    ).first()
    if row is None:
        return InvitationLookup("unknown")
    ids: dict[str, Any] = {
        "invitation_id": int(row.id),
        "rater_id": int(row.rater_id),
        "participant_id": int(row.participant_id),
        "campaign_id": int(row.campaign_id),
        "campaign_status": str(row.status),
        "instrument_id": str(row.instrument_id),
        "instrument_yaml": row.instrument_yaml,
        "opened": row.opened_at is not None,
    }
    expires = utc(row.expires_at)
    if row.revoked_at is not None:
        status = "revoked"
    elif expires is not None and expires <= now():
        status = "expired"
    elif row.submitted_at is not None:
        status = "submitted"
    elif row.status != "open":
        status = "closed"
    else:
        status = "ok"
    return InvitationLookup(status, **ids)


def mark_opened(conn: sa.Connection, invitation_id: int) -> None:
    """Record the first time an invitation link was opened."""
    conn.execute(
        sa.update(invitations)
        .where(invitations.c.id == invitation_id, invitations.c.opened_at.is_(None))
        .values(opened_at=now())
    )


def issue_nomination_link(conn: sa.Connection, participant_id: int, days: int) -> str:
    """A new nomination token for a participant (older ones are revoked); returned only here."""
    stamp = now()
    conn.execute(
        sa.update(nomination_links)
        .where(
            nomination_links.c.participant_id == participant_id,
            nomination_links.c.revoked_at.is_(None),
        )
        .values(revoked_at=stamp)
    )
    raw = new_token()
    conn.execute(
        sa.insert(nomination_links).values(
            participant_id=participant_id,
            token_hash=token_hash(raw),
            created_at=stamp,
            expires_at=stamp + timedelta(days=days),
        )
    )
    return raw


def resolve_nomination_link(conn: sa.Connection, token: str) -> tuple[str, Any]:
    """(status, row) for a nomination token; status ok, unknown, revoked, expired or closed.

    The row holds the participant (id, code, name) and the campaign (campaign_id, campaign,
    status) when the token is known.
    """
    row = conn.execute(
        sa.select(
            nomination_links.c.expires_at,
            nomination_links.c.revoked_at,
            participants.c.id,
            participants.c.code,
            participants.c.name,
            campaigns.c.id.label("campaign_id"),
            campaigns.c.name.label("campaign"),
            campaigns.c.status,
        )
        .join(participants, participants.c.id == nomination_links.c.participant_id)
        .join(campaigns, campaigns.c.id == participants.c.campaign_id)
        .where(nomination_links.c.token_hash == token_hash(token))
    ).first()
    if row is None:
        return "unknown", None
    expires = utc(row.expires_at)
    if row.revoked_at is not None:
        return "revoked", row
    if expires is not None and expires <= now():
        return "expired", row
    if row.status not in ("draft", "open"):
        return "closed", row
    return "ok", row
