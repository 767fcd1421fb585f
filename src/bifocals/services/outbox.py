"""Outgoing mail, sent in the background: queue now, send when the worker (or `campaign tick`)
next runs, with a status per message, retries and a visible list of failures.

A queued message holds who it is for and why, never a usable link: the rater's private link is
issued when the message is actually sent (revoking that rater's older links), and only its hash
is stored, as for every link. A sender claims one due message at a time with a single UPDATE
from queued to sending whose subquery picks the message: on PostgreSQL that subquery is
`SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent senders each get a different message without
waiting for one another; on SQLite the UPDATE holds the database's write lock from its start,
so the senders take turns. Several web instances and a cron job can therefore all run the sender
without a message going out twice. A failure is retried after 1, 4 and 16 minutes; after
MAX_ATTEMPTS it is failed, listed on the progress page, and can be queued again. A sender that
died mid-message leaves it `sending`; after STALE_MINUTES it is queued again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bifocals.errors import BifocalsError, Conflict
from bifocals.services.accounts import write_audit
from bifocals.services.mail import send_mail
from bifocals.services.mail_texts import expected_minutes, rater_message, texts_of
from bifocals.services.rater_rows import rater_rows
from bifocals.services.security import User, now, utc
from bifocals.services.settings import WebSettings
from bifocals.services.token_links import LinkKind, issue, link_url, mark_sent
from bifocals.store import Store
from bifocals.store.programme_tables import mail_outbox
from bifocals.store.tables import campaigns, raters

MAX_ATTEMPTS = 4
STALE_MINUTES = 10
RATER_KINDS = ("invitation", "reminder")


@dataclass
class Queued:
    """What a queueing call did."""

    queued: int = 0
    no_address: list[str] = field(default_factory=list)  # raters without an e-mail
    already: int = 0  # raters with a message of this kind still waiting


@dataclass
class Sent:
    """What one sending round did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0  # messages no longer needed (the rater answered, the campaign closed)


def queue_rater_mail(
    conn: sa.Connection,
    user: User | None,
    campaign_id: int,
    rater_ids: list[int],
    kind: str,
    *,
    at: datetime | None = None,
) -> Queued:
    """Queue an invitation or reminder for each of these raters who has not answered, has an
    address and has no message of the same kind waiting; audited as one line."""
    if kind not in RATER_KINDS:
        raise ValueError(kind)
    stamp = at or now()
    out = Queued()
    waiting = set(
        conn.execute(
            sa.select(mail_outbox.c.rater_id).where(
                mail_outbox.c.campaign_id == campaign_id,
                mail_outbox.c.kind == kind,
                mail_outbox.c.status.in_(("queued", "sending")),
            )
        ).scalars()
    )
    rows = conn.execute(
        sa.select(raters.c.id, raters.c.name, raters.c.email, raters.c.submitted_at).where(
            raters.c.campaign_id == campaign_id, raters.c.id.in_(rater_ids)
        )
    ).all()
    for r in rows:
        if r.submitted_at is not None:
            continue
        if not r.email:
            out.no_address.append(r.name or f"rater {r.id}")
            continue
        if r.id in waiting:
            out.already += 1
            continue
        conn.execute(
            sa.insert(mail_outbox).values(
                campaign_id=campaign_id,
                rater_id=r.id,
                kind=kind,
                to_addr=r.email,
                status="queued",
                attempts=0,
                created_at=stamp,
                next_attempt_at=stamp,
            )
        )
        out.queued += 1
    if out.queued:
        write_audit(
            conn,
            user,
            f"mail.queue.{kind}",
            f"campaign_id:{campaign_id}",
            f"{out.queued}",
            campaign_id,
        )
    return out


def queue_invitations(
    store: Store, settings: WebSettings, user: User | None, campaign_id: int
) -> tuple[Queued, int]:
    """Queue an invitation for every rater of a draft or open campaign with an address, no
    answer and no live link (a rater holding one was handed a link already, by mail or by the
    links sheet); returns what was queued and how many raters were left out for their link."""
    from bifocals.services.campaigns import lock_live_campaign
    from bifocals.services.link_sheet import live_links

    require_mail(settings)
    with store.engine.begin() as conn:
        lock_live_campaign(conn, campaign_id, "no more invitations")
        live = live_links(conn, campaign_id)
        waiting = conn.execute(
            sa.select(raters.c.id).where(
                raters.c.campaign_id == campaign_id, raters.c.submitted_at.is_(None)
            )
        ).scalars()
        ids = [int(i) for i in waiting if int(i) not in live]
        return queue_rater_mail(conn, user, campaign_id, ids, "invitation"), len(live)


def claim_next(conn: sa.Connection, stamp: datetime) -> Any | None:
    """Mark the next due message as being sent by this sender and return it (its `attempts`
    already counting this try); None when nothing is due or every due message is taken."""
    pick = (
        sa.select(mail_outbox.c.id)
        .where(mail_outbox.c.status == "queued", mail_outbox.c.next_attempt_at <= stamp)
        .order_by(mail_outbox.c.next_attempt_at, mail_outbox.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders none of it
        .scalar_subquery()
    )
    return conn.execute(
        sa.update(mail_outbox)
        .where(mail_outbox.c.id == pick, mail_outbox.c.status == "queued")
        .values(status="sending", attempts=mail_outbox.c.attempts + 1, next_attempt_at=stamp)
        .returning(*mail_outbox.c)
    ).first()


def _rater_context(conn: sa.Connection, rater_id: int) -> Any:
    return conn.execute(
        rater_rows(
            campaigns.c.name.label("campaign"),
            campaigns.c.status,
            campaigns.c.deadline,
            campaigns.c.instrument_id,
            campaigns.c.instrument_yaml,
            campaigns.c.invite_subject,
            campaigns.c.invite_body,
            campaigns.c.remind_subject,
            campaigns.c.remind_body,
        )
        .join(campaigns, campaigns.c.id == raters.c.campaign_id)
        .where(raters.c.id == rater_id)
    ).first()


@dataclass(frozen=True)
class Composed:
    """A message ready to send, and the link token to mark as sent once it went out."""

    subject: str
    body: str
    token: str | None = None
    link_kind: LinkKind = LinkKind.INVITATION


def _asked_instrument(
    conn: sa.Connection, campaign_id: int, instrument_id: str, snapshot: str | None
) -> Any:
    from bifocals.services.pulse import asked_instrument  # pulse queues mail through here

    return asked_instrument(conn, campaign_id, instrument_id, snapshot)


def _compose_rater(store: Store, settings: WebSettings, message: Any, base: str) -> Composed | None:
    """Issue the link and write the message; None when it is no longer needed."""
    with store.engine.begin() as conn:
        ctx = _rater_context(conn, int(message.rater_id))
        if ctx is None or ctx.submitted_at is not None or ctx.status not in ("draft", "open"):
            return None
        token = issue(conn, LinkKind.INVITATION, int(ctx.id), settings.invitation_days)
        asked = _asked_instrument(
            conn, int(ctx.campaign_id), ctx.instrument_id, ctx.instrument_yaml
        )
    texts = texts_of(ctx)
    minutes = expected_minutes(asked)
    subject, body = rater_message(
        texts,
        reminder=message.kind == "reminder",
        is_self=ctx.group == "self",
        participant=ctx.pname or ctx.pcode,
        campaign=ctx.campaign,
        deadline=utc(ctx.deadline),
        minutes=minutes,
        link=link_url(LinkKind.INVITATION, base, token),
        language=ctx.language or ctx.planguage,  # the rater's language (mail_texts)
    )
    return Composed(subject, body, token)


def _compose(store: Store, settings: WebSettings, message: Any, base: str) -> Composed | None:
    if message.kind in RATER_KINDS:
        return _compose_rater(store, settings, message, base)
    from bifocals.services import participant_accounts

    made: Composed | None = participant_accounts.compose(store, settings, message, base)
    return made


def _finish(store: Store, message: Any, error: str | None, stamp: datetime, out: Sent) -> None:
    values: dict[str, Any]
    if error is None:
        values = {"status": "sent", "sent_at": stamp, "last_error": None}
        out.sent += 1
    elif message.attempts >= MAX_ATTEMPTS:
        values = {"status": "failed", "last_error": error[:2000]}
        out.failed += 1
    else:
        wait = timedelta(minutes=4 ** (message.attempts - 1))
        values = {"status": "queued", "last_error": error[:2000], "next_attempt_at": stamp + wait}
        out.retried += 1
    with store.engine.begin() as conn:
        conn.execute(sa.update(mail_outbox).where(mail_outbox.c.id == message.id).values(**values))


def send_due(
    store: Store,
    settings: WebSettings,
    base: str,
    *,
    at: datetime | None = None,
    limit: int = 200,
) -> Sent:
    """Send the messages that are due (at most `limit`), one claim at a time; links in them
    are made on `base` (the site's public address). Any number of senders may run at once."""
    out = Sent()
    if not settings.smtp.enabled:
        return out
    stamp = at or now()
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(mail_outbox)
            .where(
                mail_outbox.c.status == "sending",
                mail_outbox.c.next_attempt_at < stamp - timedelta(minutes=STALE_MINUTES),
            )
            .values(status="queued")
        )
    for _ in range(limit):
        with store.engine.begin() as conn:
            message = claim_next(conn, stamp)
        if message is None:
            break
        made = _compose(store, settings, message, base)
        if made is None:
            with store.engine.begin() as conn:
                conn.execute(
                    sa.update(mail_outbox)
                    .where(mail_outbox.c.id == message.id)
                    .values(status="sent", last_error="not needed any more", sent_at=stamp)
                )
            out.dropped += 1
            continue
        try:
            send_mail(settings.smtp, message.to_addr, made.subject, made.body)
        except BifocalsError as exc:
            _finish(store, message, str(exc), stamp, out)
            continue
        if made.token and made.link_kind is LinkKind.INVITATION:
            with store.engine.begin() as conn:
                mark_sent(conn, LinkKind.INVITATION, made.token)
        _finish(store, message, None, stamp, out)
    return out


def requeue_failed(store: Store, user: User | None, campaign_id: int) -> int:
    """Queue every failed message of a campaign again (after the SMTP settings were fixed)."""
    with store.engine.begin() as conn:
        res = conn.execute(
            sa.update(mail_outbox)
            .where(mail_outbox.c.campaign_id == campaign_id, mail_outbox.c.status == "failed")
            .values(status="queued", attempts=0, next_attempt_at=now())
        )
        n = int(res.rowcount or 0)
        if n:
            write_audit(conn, user, "mail.retry", f"campaign_id:{campaign_id}", f"{n}", campaign_id)
    return n


@dataclass(frozen=True)
class MailStatus:
    """The campaign's messages by status, and the failures to show."""

    counts: dict[str, int]
    failures: list[tuple[str, str, str, str]]  # (kind, to, last error, when)


def mail_status(conn: sa.Connection, campaign_id: int) -> MailStatus:
    """Counts of queued, sending, sent and failed messages, and the failed ones."""
    counts = {
        str(status): int(n)
        for status, n in conn.execute(
            sa.select(mail_outbox.c.status, sa.func.count())
            .where(mail_outbox.c.campaign_id == campaign_id)
            .group_by(mail_outbox.c.status)
        )
    }
    failures = [
        (
            str(r.kind),
            str(r.to_addr),
            str(r.last_error or ""),
            (utc(r.next_attempt_at) or now()).strftime("%Y-%m-%d %H:%M"),
        )
        for r in conn.execute(
            sa.select(mail_outbox)
            .where(mail_outbox.c.campaign_id == campaign_id, mail_outbox.c.status == "failed")
            .order_by(mail_outbox.c.id)
            .limit(200)
        )
    ]
    return MailStatus(counts, failures)


def require_mail(settings: WebSettings) -> None:
    """A Conflict when no SMTP server is configured (links must then go by the sheet)."""
    if not settings.smtp.enabled:
        raise Conflict(
            "no mail server is configured (serve --smtp-host or BIFOCALS_SMTP_HOST); "
            "download the links sheet for a mail merge instead",
            "mail",
        )
