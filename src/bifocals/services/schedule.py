"""A campaign's schedule: reminders some days before the deadline, and the close at it.

`tick` does whatever is due at a moment: for each open campaign with a deadline, each reminder
round whose day has come (and whose deadline has not passed) queues a reminder to every rater
who has not answered; at the deadline a campaign whose close mode is "auto" closes itself. Then
the outbox sends what is queued. Nothing is kept in memory: what was done is a row of
campaign_events, unique per (campaign, kind, due moment), so

- a server that was not running when an event fell due does it at its next tick (a reminder
  whose deadline has already passed is not sent any more: the close comes instead);
- two servers, or a server and `bifocals campaign tick` from cron, ticking at the same moment
  do each event once. A ticker first claims the campaign's row: on PostgreSQL with
  `SELECT ... FOR UPDATE SKIP LOCKED`, so a campaign another ticker (or an editor) holds is
  skipped, not waited for, and comes up again at the next tick; on SQLite by taking the
  database's write lock (`lock_campaign`), which makes tickers take turns. Holding the claim,
  it looks for the event's row and records it in the same transaction as the work, so the
  next ticker finds it done. The unique constraint is the last guard: an insert that loses a
  race anyway fails, rolls its work back, and that ticker moves on;
- moving the deadline moves the events still to come.

Pulse checks (services.pulse) are started by claiming the plan (an UPDATE only one
transaction wins, backed by the unique campaign name) and released through change_status under
the campaign's lock, so they too happen once however many tickers run. The queued mail is
claimed message by message (services.outbox: FOR UPDATE SKIP LOCKED). The web app
ticks once at start-up and then every `tick_seconds`; `bifocals campaign tick` ticks once, for
deployments that prefer cron.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bifocals.errors import Invalid, NotFound, Problem, ValidationError
from bifocals.services.accounts import write_audit
from bifocals.services.campaigns import lock_campaign, lock_live_campaign
from bifocals.services.mail_texts import Texts, check_text
from bifocals.services.outbox import Sent, queue_rater_mail, send_due
from bifocals.services.pulse import release_closed_pulses, start_due_pulses
from bifocals.services.security import User, now, utc
from bifocals.services.settings import WebSettings
from bifocals.store import Store
from bifocals.store.programme_tables import campaign_events
from bifocals.store.tables import campaigns, raters

CLOSE_MODES: tuple[str, ...] = ("auto", "manual")
MAX_REMINDERS = 5
MAX_DAYS = 90
SCHEDULER = "scheduler"


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """Days before the deadline, as typed ("7, 2"): whole numbers from 1 to 90, at most 5,
    largest first; an Invalid names the bad value."""
    days: set[int] = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip().removesuffix("days").removesuffix("d").strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_DAYS:
            raise Invalid(
                f"{part!r} is not a number of days from 1 to {MAX_DAYS}; write e.g. 7, 2",
                "reminder_days",
            )
        days.add(int(part))
    if len(days) > MAX_REMINDERS:
        raise Invalid(f"at most {MAX_REMINDERS} reminder rounds", "reminder_days")
    return tuple(sorted(days, reverse=True))


def days_text(days: tuple[int, ...]) -> str:
    """The stored form of reminder days ("7,2"; "" for none)."""
    return ",".join(str(d) for d in days)


TEXT_FIELDS: tuple[tuple[str, bool], ...] = (
    ("invite_subject", False),
    ("invite_body", True),
    ("remind_subject", False),
    ("remind_body", True),
)


def check_schedule(
    reminder_days: str, close_mode: str, texts: Texts | None
) -> tuple[dict[str, Any], list[Problem]]:
    """The columns to store, and every problem at once (field, value, what to do)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    try:
        values["reminder_days"] = days_text(parse_reminder_days(reminder_days)) or None
    except Invalid as exc:
        problems.append(Problem("schedule", None, "reminder_days", reminder_days, exc.message))
    if close_mode in CLOSE_MODES:
        values["close_mode"] = close_mode
    else:
        problems.append(
            Problem("schedule", None, "close_mode", close_mode, "choose auto or manual")
        )
    if texts is not None:
        for name, needs_link in TEXT_FIELDS:
            raw = getattr(texts, name) or ""
            try:
                values[name] = check_text(raw, name, needs_link=needs_link)
            except Invalid as exc:
                problems.append(Problem("schedule", None, name, raw[:60], exc.message))
    return values, problems


def update_schedule(
    store: Store,
    user: User | None,
    campaign_id: int,
    *,
    reminder_days: str,
    close_mode: str,
    texts: Texts | None = None,
) -> tuple[tuple[int, ...], str]:
    """Set a campaign's reminder days, close mode and (if given) e-mail texts; audited. A
    ValidationError lists every problem of the form at once; nothing is changed then."""
    values, problems = check_schedule(reminder_days, close_mode, texts)
    if problems:
        raise ValidationError(problems, "nothing was saved; fix these fields")
    with store.engine.begin() as conn:
        row = lock_live_campaign(conn, campaign_id, "its schedule can no longer change", None)
        conn.execute(sa.update(campaigns).where(campaigns.c.id == campaign_id).values(**values))
        detail = f"reminders={values['reminder_days'] or 'none'} close={close_mode}"
        if texts is not None:
            detail += " texts=" + ",".join(k for k, _ in TEXT_FIELDS if values[k] is not None)
        write_audit(conn, user, "campaign.schedule", f"campaign:{row.name}", detail, campaign_id)
    return parse_reminder_days(values["reminder_days"] or ""), close_mode


@dataclass(frozen=True)
class Planned:
    """One event of a campaign's schedule."""

    kind: str  # reminder or close
    due: datetime
    done: datetime | None


def planned_events(conn: sa.Connection, row: Any) -> list[Planned]:
    """The schedule of a campaign row, with when each event was done (None: not yet)."""
    deadline = utc(row.deadline)
    if deadline is None:
        return []
    done = {
        (str(e.kind), utc(e.due_at)): utc(e.done_at)
        for e in conn.execute(
            sa.select(campaign_events).where(campaign_events.c.campaign_id == row.id)
        )
    }
    out = [
        Planned("reminder", due, done.get(("reminder", due)))
        for due in (
            deadline - timedelta(days=d) for d in parse_reminder_days(row.reminder_days or "")
        )
    ]
    if row.close_mode == "auto":
        out.append(Planned("close", deadline, done.get(("close", deadline))))
    return out


@dataclass
class TickReport:
    """What one tick did."""

    reminders: list[tuple[str, int]] = field(default_factory=list)  # (campaign, queued)
    closed: list[str] = field(default_factory=list)
    pulses: list[str] = field(default_factory=list)  # pulse checks started (services.pulse)
    released: list[str] = field(default_factory=list)  # pulse checks released after closing
    mail: Sent = field(default_factory=Sent)

    def summary(self) -> str:
        """One line for a log or a terminal."""
        parts = [f"reminders for {c}: {n} queued" for c, n in self.reminders]
        parts += [f"closed {c} at its deadline" for c in self.closed]
        parts += [f"started {c}" for c in self.pulses]
        parts += [f"released {c}" for c in self.released]
        m = self.mail
        if m.sent or m.retried or m.failed or m.dropped:
            parts.append(
                f"mail: {m.sent} sent, {m.retried} to retry, {m.failed} failed, "
                f"{m.dropped} no longer needed"
            )
        return "; ".join(parts) or "nothing was due"


def _once(conn: sa.Connection, campaign_id: int, kind: str, due: datetime, at: datetime) -> bool:
    """Record the event as done in this transaction; False when it already was."""
    exists = conn.execute(
        sa.select(campaign_events.c.id).where(
            campaign_events.c.campaign_id == campaign_id,
            campaign_events.c.kind == kind,
            campaign_events.c.due_at == due,
        )
    ).first()
    if exists is not None:
        return False
    conn.execute(
        sa.insert(campaign_events).values(
            campaign_id=campaign_id, kind=kind, due_at=due, done_at=at
        )
    )
    return True


def claim_campaign(conn: sa.Connection, campaign_id: int) -> Any | None:
    """The campaign's row, locked for this transaction; None when another transaction holds
    it (PostgreSQL: FOR UPDATE SKIP LOCKED; the caller tries again at its next tick) or the
    campaign is gone. SQLite has no row locks: the database's write lock is taken instead
    (waiting up to the busy timeout), so there the tickers take turns."""
    if conn.dialect.name == "postgresql":
        return conn.execute(
            sa.select(campaigns)
            .where(campaigns.c.id == campaign_id)
            .with_for_update(skip_locked=True)
        ).first()
    try:
        return lock_campaign(conn, campaign_id)
    except NotFound:
        return None


def _remind(store: Store, campaign_id: int, due: datetime, at: datetime) -> int | None:
    try:
        with store.engine.begin() as conn:
            row = claim_campaign(conn, campaign_id)
            if row is None or row.status != "open":
                return None
            if not _once(conn, campaign_id, "reminder", due, at):
                return None
            ids = list(
                conn.execute(
                    sa.select(raters.c.id).where(
                        raters.c.campaign_id == campaign_id, raters.c.submitted_at.is_(None)
                    )
                ).scalars()
            )
            queued = queue_rater_mail(conn, None, campaign_id, ids, "reminder", at=at)
            conn.execute(
                sa.update(campaign_events)
                .where(
                    campaign_events.c.campaign_id == campaign_id,
                    campaign_events.c.kind == "reminder",
                    campaign_events.c.due_at == due,
                )
                .values(detail=f"{queued.queued} queued, {len(queued.no_address)} without e-mail")
            )
            return queued.queued
    except sa.exc.IntegrityError:
        return None  # another ticker recorded it first


def _close(store: Store, campaign_id: int, due: datetime, at: datetime) -> str | None:
    try:
        with store.engine.begin() as conn:
            row = claim_campaign(conn, campaign_id)
            if row is None or row.status != "open" or row.close_mode != "auto":
                return None
            if not _once(conn, campaign_id, "close", due, at):
                return None
            conn.execute(
                sa.update(campaigns)
                .where(campaigns.c.id == campaign_id)
                .values(status="closed", closed_at=at)
            )
            write_audit(
                conn,
                None,
                "campaign.close",
                f"campaign:{row.name}",
                "at its deadline",
                campaign_id,
                actor=SCHEDULER,
            )
            return str(row.name)
    except sa.exc.IntegrityError:
        return None


def tick(
    store: Store, settings: WebSettings, base: str | None = None, *, at: datetime | None = None
) -> TickReport:
    """Do what is due at `at` (default: now): reminders, closes, pulse checks (started at
    their plan's date, released once closed), then queued mail."""
    stamp = at or now()
    report = TickReport()
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(campaigns).where(
                campaigns.c.status == "open", campaigns.c.deadline.isnot(None)
            )
        ).all()
    for row in rows:
        deadline = utc(row.deadline)
        assert deadline is not None
        for day in parse_reminder_days(row.reminder_days or ""):
            due = deadline - timedelta(days=day)
            if due <= stamp < deadline:
                n = _remind(store, int(row.id), due, stamp)
                if n is not None:
                    report.reminders.append((str(row.name), n))
        if stamp >= deadline:
            closed = _close(store, int(row.id), deadline, stamp)
            if closed is not None:
                report.closed.append(closed)
    report.released = release_closed_pulses(store)
    report.pulses = start_due_pulses(store, stamp)
    link_base = base or settings.mail_base()
    if link_base:
        report.mail = send_due(store, settings, link_base, at=stamp)
    return report
