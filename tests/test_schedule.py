"""The schedule with the clock moved, never by waiting: reminders before the deadline, the
close at it, events done once across tickers, events missed while down; the mail outbox with a
real SMTP server (aiosmtpd): retries, failures, texts; accounts by invitation; warnings."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bifocals.errors import ValidationError
from bifocals.services.at_risk import groups_at_risk
from bifocals.services.mail_texts import Texts
from bifocals.services.outbox import mail_status, requeue_failed, send_due
from bifocals.services.participant_accounts import invite_participants
from bifocals.services.schedule import tick, update_schedule
from bifocals.services.security import utc
from bifocals.services.token_links import LinkKind, LinkStatus, lookup
from bifocals.store.app_tables import audit_log
from bifocals.store.programme_tables import campaign_events
from bifocals.store.tables import campaigns
from bifocals.web import SmtpSettings, WebSettings
from support.mail import SURVEY, Inbox, body, inbox
from support.programme import answer, cli, roster_file
from support.web import free_port, store_at, web_client

__all__ = ["inbox"]  # the fixture, used by name

NAME = "Cohort 2027"
BASE = "http://testserver"


def _settings(port: int) -> WebSettings:
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="hr@example.org", timeout=5)
    return WebSettings(smtp=smtp, base_url=BASE)


def _programme(url: str, tmp: Path, remind: str = "7,2", close: str = "auto") -> int:
    assert cli(url, "create", NAME, "--deadline", "2027-03-31")[0] == 0
    assert cli(url, "roster", NAME, str(roster_file(tmp / "roster.csv")))[0] == 0
    assert cli(url, "open", NAME)[0] == 0
    code, _, err = cli(url, "schedule", NAME, "--remind", remind, "--close", close)
    assert code == 0, err
    with store_at(url) as store:
        return store.get_campaign(NAME).id


def _deadline(url: str, cid: int):  # type: ignore[no-untyped-def]
    with store_at(url) as store, store.engine.connect() as conn:
        return utc(
            conn.execute(sa.select(campaigns.c.deadline).where(campaigns.c.id == cid)).scalar()
        )


def _status(url: str, cid: int) -> str:
    with store_at(url) as store, store.engine.connect() as conn:
        return str(
            conn.execute(sa.select(campaigns.c.status).where(campaigns.c.id == cid)).scalar()
        )


def test_reminders_and_close_follow_the_clock(
    db_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    settings = _settings(port)
    cid = _programme(db_url, tmp_path)
    deadline = _deadline(db_url, cid)
    with store_at(db_url) as store:
        assert (
            tick(store, settings, at=deadline - timedelta(days=10)).summary() == "nothing was due"
        )
        assert box.messages == []
        # Seven days before: every rater without an answer gets a reminder with a working link.
        report = tick(store, settings, at=deadline - timedelta(days=7) + timedelta(hours=1))
        assert report.reminders == [(NAME, 10)] and report.mail.sent == 10
        assert len(box.messages) == 10
        assert all(m["Subject"].startswith("Reminder:") for m in box.messages)
        first = SURVEY.findall(body(box.messages[0]))[0]
        with store.engine.connect() as conn:
            assert lookup(conn, LinkKind.INVITATION, first).valid
        # The same moment again does nothing.
        assert tick(store, settings, at=deadline - timedelta(days=6)).summary() == "nothing was due"
        assert len(box.messages) == 10

    # One rater answers with the link of their reminder.
    with web_client(db_url) as client:
        assert answer(client, f"{BASE}/survey/{first}") == 200
    # Two days before, two tickers at the same moment (two servers, or a server and cron).
    results: list[object] = []

    def go() -> None:
        with store_at(db_url) as s:
            results.append(tick(s, settings, at=deadline - timedelta(days=2)))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(box.messages) == 10 + 9  # once each, and not to the one who answered
    assert box.messages[0]["To"] not in [m["To"] for m in box.messages[10:]]
    with store_at(db_url) as store, store.engine.connect() as conn:
        events = conn.execute(sa.select(campaign_events.c.kind)).scalars().all()
        assert sorted(events) == ["reminder", "reminder"]
    # At the deadline the campaign closes itself, audited as the scheduler.
    with store_at(db_url) as store:
        report = tick(store, settings, at=deadline + timedelta(minutes=1))
        assert report.closed == [NAME]
        with store.engine.connect() as conn:
            actor = conn.execute(
                sa.select(audit_log.c.actor).where(audit_log.c.action == "campaign.close")
            ).scalar_one()
        assert actor == "scheduler"
    assert _status(db_url, cid) == "closed"
    with store_at(db_url) as store, store.engine.connect() as conn:
        assert lookup(conn, LinkKind.INVITATION, first).status is LinkStatus.USED


def test_what_fell_due_while_down_is_done_at_the_next_tick(db_url: str, tmp_path: Path) -> None:
    cid = _programme(db_url, tmp_path)
    deadline = _deadline(db_url, cid)
    with store_at(db_url) as store:
        # Down from before the first reminder until after the deadline: no late reminders,
        # the close happens at once.
        report = tick(store, WebSettings(), at=deadline + timedelta(days=1))
    assert report.reminders == [] and report.closed == [NAME]
    assert _status(db_url, cid) == "closed"


def test_manual_close_mode_keeps_the_campaign_open(db_url: str, tmp_path: Path) -> None:
    cid = _programme(db_url, tmp_path, remind="", close="manual")
    with store_at(db_url) as store:
        report = tick(store, WebSettings(), at=_deadline(db_url, cid) + timedelta(days=3))
    assert report.summary() == "nothing was due" and _status(db_url, cid) == "open"
    code, _, err = cli(db_url, "schedule", NAME, "--remind", "2,x")
    assert code == 1 and "'x' is not a number of days" in err


def test_failed_mail_is_retried_then_listed_then_sent_again(
    sqlite_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    cid = _programme(sqlite_url, tmp_path)
    deadline = _deadline(sqlite_url, cid)
    down = _settings(free_port())  # nothing listens there
    with store_at(sqlite_url) as store:
        at = deadline - timedelta(days=7)
        report = tick(store, down, at=at)
        assert report.reminders == [(NAME, 10)] and report.mail.retried == 10
        for minutes in (1, 4, 16):  # retries after 1, 4 and 16 minutes, then failed
            at += timedelta(minutes=minutes, seconds=1)
            sent = send_due(store, down, BASE, at=at)
        assert sent.failed == 10
        with store.engine.connect() as conn:
            status = mail_status(conn, cid)
        assert status.counts == {"failed": 10}
        assert len(status.failures) == 10 and "could not send mail" in status.failures[0][2]
        # The server is back: the failed messages are queued again and go out once.
        assert requeue_failed(store, None, cid) == 10
        sent = send_due(store, _settings(port), BASE)
        assert sent.sent == 10 and len(box.messages) == 10
        with store.engine.connect() as conn:
            assert mail_status(conn, cid).counts == {"sent": 10}
    # The outbox holds no usable link: the tokens that went out are nowhere in the database.
    tokens = [t for m in box.messages for t in SURVEY.findall(body(m))]
    assert len(tokens) == 10
    raw = Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()
    assert not any(t.encode() in raw for t in tokens)


def test_campaign_texts_with_placeholders(
    sqlite_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    cid = _programme(sqlite_url, tmp_path)
    with store_at(sqlite_url) as store:
        with pytest.raises(ValidationError, match=r"\{name\} is not a placeholder"):
            update_schedule(
                store,
                None,
                cid,
                reminder_days="7",
                close_mode="auto",
                texts=Texts(remind_body="Hello {name}: {link}"),
            )
        with pytest.raises(ValidationError, match=r"must contain \{link\}"):
            update_schedule(
                store,
                None,
                cid,
                reminder_days="7",
                close_mode="auto",
                texts=Texts(remind_body="Hi"),
            )
        update_schedule(
            store,
            None,
            cid,
            reminder_days="7",
            close_mode="auto",
            texts=Texts(
                remind_subject="Still time for {participant}",
                remind_body="About {participant}, {minutes} minutes, by {deadline}: {link}",
            ),
        )
        tick(store, _settings(port), at=_deadline(sqlite_url, cid) - timedelta(days=6))
    ana = [m for m in box.messages if m["Subject"] == "Still time for Ana Lima"]
    assert len(ana) == 4  # her manager and three peers
    text = body(ana[0])
    assert (
        "About Ana Lima, 11 minutes, by Wednesday 31 March 2027 (end of the day, UTC): "
        "http://testserver/survey/" in text
    )
    # A participant's own self-assessment keeps the built-in self text.
    selfs = [m for m in box.messages if m["Subject"].startswith("Reminder: your self-assessment")]
    assert sorted(m["To"] for m in selfs) == ["ana@ex.org", "gil@ex.org"]
    assert "Still time for" not in "".join(m["Subject"] for m in selfs)
    # Every message has a date and an id of its own (spam filters distrust those without).
    assert all(m["Date"] and m["Message-ID"] for m in box.messages)


def test_participant_accounts_by_invitation(
    db_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    settings = _settings(port)
    cid = _programme(db_url, tmp_path)
    # An address that already has an account (here an admin's) is never taken over.
    from support.web import add_user

    add_user(db_url, "boss@ex.org", "admin")
    assert (
        cli(
            db_url,
            "roster",
            NAME,
            str(
                roster_file(
                    tmp_path / "r2.csv",
                    [
                        "P3,The Boss,boss@ex.org,,,",
                    ],
                )
            ),
        )[0]
        == 0
    )
    with store_at(db_url) as store:
        out = invite_participants(store, settings, None, cid, BASE)
        assert out.created == ["P1", "P2"] and out.queued == 2
        assert "P3: boss@ex.org already has another account" in out.skipped
        assert send_due(store, settings, BASE).sent == 2
    to_ana = next(m for m in box.messages if m["To"] == "ana@ex.org")
    link = next(w for w in body(to_ana).split() if "/account/setup/" in w)
    path = link.removeprefix(BASE)
    with web_client(db_url, settings) as client:
        page = client.get(path)
        assert page.status_code == 200 and "ana@ex.org" in page.text
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        bad = client.post(path, data={"csrf_token": token, "password": "x" * 12, "again": "y" * 12})
        assert bad.status_code == 400 and "differ" in bad.text
        ok = client.post(
            path,
            data={"csrf_token": token, "password": "a long secret 1", "again": "a long secret 1"},
        )
        # The link proved the address: the participant is signed in.
        assert ok.status_code == 303 and ok.headers["location"] == "/me"
        me = client.get("/me")
        assert me.status_code == 200 and "Password set: you are signed in as ana@ex.org" in me.text
        assert client.get(path).status_code == 409  # one use
    with web_client(db_url, settings) as other:
        token = other.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        r = other.post(
            "/login",
            data={"email": "ana@ex.org", "password": "a long secret 1", "csrf_token": token},
        )
        assert r.status_code == 303
    with store_at(db_url) as store:
        again = invite_participants(store, settings, None, cid, BASE)
    assert again.created == [] and again.again == ["P2"]
    assert "P1: already set a password" in again.skipped
    # Without a mail server the links are shown, once, to pass on.
    with store_at(db_url) as store:
        shown = invite_participants(store, WebSettings(), None, cid, BASE, None)
    assert len(shown.shown) == 1 and "/account/setup/" in shown.shown[0][1]


def test_groups_at_risk_and_the_cli_warning(db_url: str, tmp_path: Path) -> None:
    _programme(db_url, tmp_path)
    _, out, _ = cli(db_url, "links", NAME, "--base-url", BASE)
    rows = [line.split(",") for line in out.strip().splitlines()[1:]]
    with web_client(db_url) as client:
        for r in rows:
            if r[0] == "P1" and r[2] in ("Cy Diaz", "Di Evans", "Bo Chen"):
                assert answer(client, r[5]) == 200
    with store_at(db_url) as store, store.engine.connect() as conn:
        cid = store.get_campaign(NAME).id
        risks = {(r.participant.split()[0], r.group): r for r in groups_at_risk(conn, cid)}
    peer = risks[("P1", "peer")]
    assert (peer.counted, peer.invited, peer.threshold, peer.more_needed) == (2, 3, 3, 1)
    assert peer.fate == "dropped" and peer.reachable
    assert "1 more answer would show it on its own" in peer.sentence()
    assert ("P1", "manager") not in risks  # one manager answered: threshold 1
    assert risks[("P2", "peer")].more_needed == 3
    code, out, _ = cli(db_url, "check", NAME)
    assert code == 0 and "P1 Ana Lima: 2 of 3 peers counted" in out
    code, out, _ = cli(db_url, "close", NAME)
    assert code == 0 and "Groups under their threshold" in out and "is now closed" in out
    with store_at(db_url) as store, store.engine.connect() as conn:
        assert groups_at_risk(conn, cid)  # still computed; the reports decide the same way
