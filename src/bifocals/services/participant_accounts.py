"""Participant accounts by invitation: made in bulk from the roster's e-mails; each person sets
their own password through a one-time link; release tells them by e-mail that their report is
ready.

An invited account starts with a random password nobody knows, so it cannot be used until its
owner opens the link (14 days, one use; a new invitation replaces the old link). The link is
issued when the message is sent (by the outbox), or shown once for copying when no mail server
is configured. An address that already has an account is left as it is: a participant account
reads one participant's report, and moving it would take away the report it reads now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bifocals.errors import Conflict
from bifocals.locale import gettext_for
from bifocals.services.accounts import check_password, write_audit
from bifocals.services.security import hash_password, new_token, now
from bifocals.services.settings import WebSettings
from bifocals.services.token_links import LinkKind, issue, link_url, lookup
from bifocals.store import Store
from bifocals.store.app_tables import sessions, users
from bifocals.store.programme_tables import account_links, mail_outbox
from bifocals.store.tables import campaigns, participants

ACCOUNT_LINK_DAYS = 14


@dataclass
class Invited:
    """What an account invitation round did."""

    created: list[str] = field(default_factory=list)  # new accounts (participant codes)
    again: list[str] = field(default_factory=list)  # accounts never used: a new link
    skipped: list[str] = field(default_factory=list)  # why a participant got nothing
    queued: int = 0  # messages queued for the outbox
    shown: list[tuple[str, str]] = field(default_factory=list)  # (label, url) to copy


def _queue(conn: sa.Connection, campaign_id: int, pid: int, kind: str, to: str) -> None:
    stamp = now()
    conn.execute(
        sa.insert(mail_outbox).values(
            campaign_id=campaign_id,
            participant_id=pid,
            kind=kind,
            to_addr=to,
            status="queued",
            attempts=0,
            created_at=stamp,
            next_attempt_at=stamp,
        )
    )


def invite_participants(
    store: Store,
    settings: WebSettings,
    user: Any,
    campaign_id: int,
    base: str,
    participant_ids: list[int] | None = None,
) -> Invited:
    """Make an account for each participant (all, or those given) with an e-mail and none yet,
    and send (or show) each a link to set a password. Accounts never used get a new link."""
    out = Invited()
    by_mail = settings.smtp.enabled
    with store.engine.begin() as conn:
        q = sa.select(participants).where(participants.c.campaign_id == campaign_id)
        if participant_ids is not None:
            q = q.where(participants.c.id.in_(participant_ids))
        for p in conn.execute(q.order_by(participants.c.code)).all():
            if not p.email:
                out.skipped.append(f"{p.code}: no e-mail address")
                continue
            account = conn.execute(sa.select(users).where(users.c.email == p.email)).first()
            if account is None:
                uid = int(
                    conn.execute(
                        sa.insert(users)
                        .values(
                            email=p.email,
                            password_hash=hash_password(new_token()),
                            role="participant",
                            participant_id=p.id,
                            created_at=now(),
                        )
                        .returning(users.c.id)
                    ).scalar_one()
                )
                out.created.append(str(p.code))
            elif account.participant_id != p.id or account.role != "participant":
                out.skipped.append(f"{p.code}: {p.email} already has another account")
                continue
            elif _has_signed_in(conn, int(account.id)):
                out.skipped.append(f"{p.code}: already set a password")
                continue
            else:
                uid = int(account.id)
                out.again.append(str(p.code))
            if by_mail:
                _queue(conn, campaign_id, int(p.id), "account", str(p.email))
                out.queued += 1
            else:
                token = issue(conn, LinkKind.ACCOUNT, uid, ACCOUNT_LINK_DAYS)
                label = f"{p.name or p.code} ({p.email}): set a password"
                out.shown.append((label, link_url(LinkKind.ACCOUNT, base, token)))
        detail = f"{len(out.created)} created, {len(out.again)} new link"
        write_audit(conn, user, "account.invite", f"campaign_id:{campaign_id}", detail, campaign_id)
    return out


def _has_signed_in(conn: sa.Connection, user_id: int) -> bool:
    used = conn.execute(
        sa.select(account_links.c.id).where(
            account_links.c.user_id == user_id, account_links.c.used_at.isnot(None)
        )
    ).first()
    return used is not None


def _live_link(conn: sa.Connection, user_id: int) -> bool:
    """Whether the account has a set-password link that still works."""
    cols = account_links.c
    live = conn.execute(
        sa.select(cols.id).where(
            cols.user_id == user_id,
            cols.used_at.is_(None),
            cols.revoked_at.is_(None),
            cols.expires_at > now(),
        )
    ).first()
    return live is not None


def notify_release(conn: sa.Connection, campaign_id: int) -> int:
    """Queue a "your report is ready" message to each enabled participant account."""
    rows = conn.execute(
        sa.select(users.c.email, users.c.participant_id)
        .join(participants, participants.c.id == users.c.participant_id)
        .where(participants.c.campaign_id == campaign_id, users.c.disabled_at.is_(None))
    ).all()
    for r in rows:
        _queue(conn, campaign_id, int(r.participant_id), "release", str(r.email))
    return len(rows)


def release(store: Store, settings: WebSettings, user: Any, campaign_id: int) -> int:
    """Release a closed campaign's reports (services.campaigns.change_status) and, when a mail
    server is configured, queue a "your report is ready" message to each participant account;
    returns how many were queued. Every door releases through here."""
    from bifocals.services.campaigns import change_status

    change_status(store, user, campaign_id, "release")
    if not settings.smtp.enabled:
        return 0
    with store.engine.begin() as conn:
        return notify_release(conn, campaign_id)


def compose(store: Store, settings: WebSettings, message: Any, base: str) -> Any:
    """The outbox's writer for participant messages: a Composed, or None when not needed."""
    from bifocals.services.outbox import Composed

    with store.engine.begin() as conn:
        row = conn.execute(
            sa.select(
                participants.c.code,
                participants.c.name,
                participants.c.language,
                campaigns.c.name.label("campaign"),
                users.c.id.label("user_id"),
                users.c.disabled_at,
            )
            .join(campaigns, campaigns.c.id == participants.c.campaign_id)
            .join(users, users.c.participant_id == participants.c.id)
            .where(participants.c.id == message.participant_id, users.c.email == message.to_addr)
        ).first()
        if row is None or row.disabled_at is not None:
            return None
        who = row.name or row.code
        # In the participant's language, as their report and pages are (English when none).
        _ = gettext_for(row.language)
        if message.kind == "release":
            body = _(
                'Hello {who},\n\nYour feedback report from "{campaign}" is ready. '
                "Sign in to read it:\n{login}\n\n"
                "It shows how you see your leadership and management side by side with how "
                "others see them. Groups too small to keep answers anonymous are pooled or "
                "left out.\n"
            ).format(who=who, campaign=row.campaign, login=f"{base.rstrip('/')}/login")
            if _has_signed_in(conn, int(row.user_id)):
                return Composed(_("Your feedback report is ready"), body)
            # No set-password link used yet. While the earlier one still works, point to it
            # (a new link would replace it, and the earlier mail's link would stop working);
            # once it has expired, bring a new one, so that "sign in" is something they can do.
            if _live_link(conn, int(row.user_id)):
                body += "\n" + _(
                    "If you have not chosen your password yet, choose it first with the most "
                    "recent set-password link you received by e-mail.\n"
                )
                return Composed(_("Your feedback report is ready"), body)
            token = issue(conn, LinkKind.ACCOUNT, int(row.user_id), ACCOUNT_LINK_DAYS)
            body += "\n" + _(
                "If you have not chosen your password yet, choose it here first (the link "
                "works once, for {days} days, and replaces any earlier one):\n{link}\n"
            ).format(days=ACCOUNT_LINK_DAYS, link=link_url(LinkKind.ACCOUNT, base, token))
            return Composed(_("Your feedback report is ready"), body, token, LinkKind.ACCOUNT)
        if _has_signed_in(conn, int(row.user_id)):
            return None
        token = issue(conn, LinkKind.ACCOUNT, int(row.user_id), ACCOUNT_LINK_DAYS)
    link = link_url(LinkKind.ACCOUNT, base, token)
    body = _(
        'Hello {who},\n\nAn account has been made for you in "{campaign}", where you '
        "will read your feedback report once it is released.\n\n"
        "Choose your password here (the link works once, for {days} days):\n"
        "{link}\n\nThen sign in with this e-mail address and that password.\n"
    ).format(who=who, campaign=row.campaign, days=ACCOUNT_LINK_DAYS, link=link)
    subject = _("Set your password to read your feedback")
    return Composed(subject, body, token, LinkKind.ACCOUNT)


def set_password_by_link(store: Store, token: str, password: str) -> tuple[int, str]:
    """Set an invited account's password through its one-time link; returns the account's
    id and e-mail (the web then signs the person in)."""
    check_password(password)
    with store.engine.begin() as conn:
        look = lookup(conn, LinkKind.ACCOUNT, token)
        if not look.valid:
            raise Conflict(f"this link cannot be used: it is {look.status.value}", "token")
        row = look.row
        stamp = now()
        done = conn.execute(
            sa.update(account_links)
            .where(account_links.c.id == row.id, account_links.c.used_at.is_(None))
            .values(used_at=stamp)
        )
        if done.rowcount != 1:
            raise Conflict("this link has just been used", "token")
        conn.execute(
            sa.update(users)
            .where(users.c.id == row.user_id)
            .values(password_hash=hash_password(password))
        )
        conn.execute(sa.delete(sessions).where(sessions.c.user_id == row.user_id))
        write_audit(
            conn,
            None,
            "account.password_set",
            f"user:{row.email}",
            "by invitation link",
            actor=str(row.email),
        )
    return int(row.user_id), str(row.email)
