"""Scheduled work claimed once by concurrent tickers and senders (threads, each with its own
Store, started together at a barrier), on SQLite and PostgreSQL; on PostgreSQL a ticker skips a
campaign another transaction holds instead of waiting for it (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bifocals.services.outbox import send_due
from bifocals.services.schedule import TickReport, tick
from bifocals.services.security import utc
from bifocals.store.app_tables import audit_log
from bifocals.store.programme_tables import campaign_events, mail_outbox
from bifocals.store.tables import campaigns, raters
from bifocals.web import SmtpSettings, WebSettings
from support.programme import cli, roster_file
from support.web import free_port, store_at

BASE = "http://testserver"
NAMES = ("Cohort A", "Cohort B", "Cohort C")
THREADS = 4
T = TypeVar("T")


class Inbox:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def _mail(port: int) -> WebSettings:
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="hr@example.org", timeout=10)
    return WebSettings(smtp=smtp, base_url=BASE)


def _campaigns(url: str, tmp: Path) -> tuple[list[int], datetime]:
    """Three open campaigns of 10 raters, reminders 7 and 2 days before a common deadline,
    closing by themselves; their ids and the deadline."""
    roster = roster_file(tmp / "roster.csv")
    for name in NAMES:
        assert cli(url, "create", name, "--deadline", "2027-03-31")[0] == 0
        assert cli(url, "roster", name, str(roster))[0] == 0
        assert cli(url, "open", name)[0] == 0
        code, _, err = cli(url, "schedule", name, "--remind", "7,2", "--close", "auto")
        assert code == 0, err
    with store_at(url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(campaigns.c.id, campaigns.c.deadline).order_by(campaigns.c.id)
        ).all()
    deadline = utc(rows[0].deadline)
    assert deadline is not None
    return [int(r.id) for r in rows], deadline


def _together(url: str, work: Callable[[Any], T]) -> list[T]:
    """Run work(store) in THREADS threads at once, each with a Store of its own."""
    gate = threading.Barrier(THREADS)
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with store_at(url) as store:
                gate.wait(timeout=60)
                results.append(work(store))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == THREADS
    return results


def test_concurrent_ticks_and_senders_do_each_item_once(
    db_url: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    box, port = smtp
    ids, deadline = _campaigns(db_url, tmp_path)
    # Both reminder rounds of every campaign are due; no mail server yet, so only the events
    # and the queue are claimed here.
    at = deadline - timedelta(days=2) + timedelta(hours=1)
    reports: list[TickReport] = _together(db_url, lambda s: tick(s, WebSettings(), at=at))
    queued = Counter(name for r in reports for name, _ in r.reminders)
    assert sum(n for r in reports for _, n in r.reminders) == 30  # one per rater
    assert set(queued) == set(NAMES)
    with store_at(db_url) as store, store.engine.connect() as conn:
        events = Counter(
            (int(c), str(k))
            for c, k in conn.execute(
                sa.select(campaign_events.c.campaign_id, campaign_events.c.kind)
            )
        )
        per_rater = Counter(
            conn.execute(
                sa.select(mail_outbox.c.rater_id).where(mail_outbox.c.kind == "reminder")
            ).scalars()
        )
        addresses = Counter(str(a) for a in conn.execute(sa.select(raters.c.email)).scalars())
    assert events == Counter({(c, "reminder"): 2 for c in ids})
    assert len(per_rater) == 30 and set(per_rater.values()) == {1}

    # Four senders at once: every message goes out once.
    sent = _together(db_url, lambda s: send_due(s, _mail(port), BASE, at=at))
    assert sum(r.sent for r in sent) == 30
    assert sum(r.retried + r.failed + r.dropped for r in sent) == 0
    assert Counter(str(m["To"]) for m in box.messages) == addresses
    with store_at(db_url) as store, store.engine.connect() as conn:
        statuses = conn.execute(sa.select(mail_outbox.c.status)).scalars().all()
    assert statuses == ["sent"] * 30

    # At the deadline four tickers close each campaign once, audited once.
    closing = _together(
        db_url, lambda s: tick(s, WebSettings(), at=deadline + timedelta(minutes=1))
    )
    assert sorted(c for r in closing for c in r.closed) == sorted(NAMES)
    with store_at(db_url) as store, store.engine.connect() as conn:
        closes = conn.execute(
            sa.select(sa.func.count()).where(audit_log.c.action == "campaign.close")
        ).scalar_one()
        status = set(conn.execute(sa.select(campaigns.c.status)).scalars())
    assert closes == 3 and status == {"closed"}


@pytest.mark.postgres
def test_a_ticker_skips_a_campaign_another_transaction_holds(pg_url: str, tmp_path: Path) -> None:
    ids, deadline = _campaigns(pg_url, tmp_path)
    held = ids[0]
    at = deadline - timedelta(days=7) + timedelta(hours=1)
    with store_at(pg_url) as other, other.engine.connect() as conn:
        trans = conn.begin()
        conn.execute(
            sa.select(campaigns.c.id).where(campaigns.c.id == held).with_for_update()
        ).one()
        found: list[TickReport] = []

        def ticker() -> None:
            with store_at(pg_url) as store:
                found.append(tick(store, WebSettings(), at=at))

        thread = threading.Thread(target=ticker)
        started = time.monotonic()
        thread.start()
        thread.join(timeout=20)
        # The other two are done at once; the held one is neither waited for nor done.
        assert not thread.is_alive(), "the ticker waited for the held campaign"
        assert time.monotonic() - started < 10
        assert sorted(c for c, _ in found[0].reminders) == sorted(NAMES[1:])
        trans.rollback()
    with store_at(pg_url) as store:
        later = tick(store, WebSettings(), at=at + timedelta(minutes=1))
    assert later.reminders == [(NAMES[0], 10)]
