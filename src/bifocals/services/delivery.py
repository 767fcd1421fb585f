"""Issuing and delivering links: by e-mail when a server is set and an address is known,
otherwise (or when sending fails) shown once on the page for copying by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from bifocals.errors import BifocalsError
from bifocals.services.accounts import write_audit
from bifocals.services.link_sheet import live_links
from bifocals.services.mail import nomination_text, send_mail
from bifocals.services.mail_texts import expected_minutes, rater_message, texts_of
from bifocals.services.people import GROUP_LABELS
from bifocals.services.rater_rows import rater_rows
from bifocals.services.security import User, utc
from bifocals.services.settings import WebSettings
from bifocals.services.token_links import LinkKind, issue, link_url, mark_sent
from bifocals.store import Store
from bifocals.store.tables import campaigns, participants, raters


@dataclass
class Delivery:
    """What happened to each link: e-mailed, or to be shown for copying (label, url)."""

    sent: list[str] = field(default_factory=list)
    shown: list[tuple[str, str]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    kept: int = 0  # raters left out because their link is still live


def _label(r: sa.Row[tuple[object, ...]] | object) -> str:
    name = getattr(r, "name", None) or getattr(r, "code", "")
    group = str(getattr(r, "group", ""))
    return f"{name} ({GROUP_LABELS.get(group, group).lower()}) for {getattr(r, 'pcode', '')}"


def deliver_invitations(
    store: Store,
    settings: WebSettings,
    user: User,
    campaign_id: int,
    rater_ids: list[int],
    base: str,
    *,
    by_email: bool,
    reminder: bool = False,
    keep_live: bool = False,
) -> Delivery:
    """Issue a fresh link for each rater who has not answered (revoking older ones) and send
    or show it. With `keep_live`, raters whose link is still live are left out (counted in
    `kept`): their link keeps working."""
    out = Delivery()
    with store.engine.begin() as conn:
        camp = conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).one()
        live = live_links(conn, campaign_id) if keep_live else set()
        rows = conn.execute(
            rater_rows()
            .where(raters.c.campaign_id == campaign_id, raters.c.id.in_(rater_ids))
            .order_by(participants.c.code, raters.c.group, raters.c.id)
        ).all()
        issued = []
        for r in rows:
            if r.submitted_at is not None:
                continue
            if int(r.id) in live:
                out.kept += 1
                continue
            token = issue(conn, LinkKind.INVITATION, int(r.id), settings.invitation_days)
            issued.append((r, token))
        action = "reminder.issue" if reminder else "invitation.issue"
        write_audit(
            conn, user, action, f"campaign:{camp.name}", f"{len(issued)} link(s)", campaign_id
        )
    from bifocals.services.pulse import asked_instrument  # pulse imports the outbox

    with store.engine.connect() as conn:
        asked = asked_instrument(conn, campaign_id, camp.instrument_id, camp.instrument_yaml)
    minutes = expected_minutes(asked)
    for r, token in issued:
        link = link_url(LinkKind.INVITATION, base, token)
        if by_email and settings.smtp.enabled and r.email:
            subject, body = rater_message(
                texts_of(camp),
                reminder=reminder,
                is_self=r.group == "self",
                participant=r.pname or r.pcode,
                campaign=camp.name,
                deadline=utc(camp.deadline),
                minutes=minutes,
                link=link,
                language=r.language or r.planguage,  # the rater's language (mail_texts)
            )
            try:
                send_mail(settings.smtp, r.email, subject, body)
            except BifocalsError:
                out.failed.append(_label(r))
                out.shown.append((_label(r), link))
                continue
            with store.engine.begin() as conn:
                mark_sent(conn, LinkKind.INVITATION, token)
            out.sent.append(_label(r))
        else:
            out.shown.append((_label(r), link))
    return out


def deliver_nomination_link(
    store: Store,
    settings: WebSettings,
    user: User,
    campaign_id: int,
    participant_id: int,
    base: str,
    *,
    by_email: bool,
) -> Delivery:
    """Issue a participant's nomination link (revoking the old one) and send or show it."""
    out = Delivery()
    with store.engine.begin() as conn:
        row = conn.execute(
            sa.select(participants, campaigns.c.name.label("campaign"))
            .join(campaigns, campaigns.c.id == participants.c.campaign_id)
            .where(participants.c.id == participant_id)
        ).one()
        token = issue(conn, LinkKind.NOMINATION, participant_id, settings.nomination_days)
        write_audit(conn, user, "nomination_link.issue", f"participant:{row.code}", "", campaign_id)
    link = link_url(LinkKind.NOMINATION, base, token)
    label = f"{row.name or row.code} (nomination page)"
    if by_email and settings.smtp.enabled and row.email:
        subject, body = nomination_text(row.name or row.code, row.campaign, link)
        try:
            send_mail(settings.smtp, row.email, subject, body)
            out.sent.append(label)
            return out
        except BifocalsError:
            out.failed.append(label)
    out.shown.append((label, link))
    return out
