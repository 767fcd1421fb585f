"""Invitations, reminders and the progress dashboard, with a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from bifocals.services.security import token_hash
from bifocals.services.token_links import LinkKind, LinkStatus, lookup
from bifocals.store.app_tables import invitations, nomination_links
from bifocals.store.tables import raters
from bifocals.web import SmtpSettings, WebSettings
from support.campaign_pages import add_person, make_campaign
from support.mail import SURVEY, Inbox, body
from support.web import Auth, add_user, free_port, store_at


def _setup(url: str, port: int) -> WebSettings:
    add_user(url, "fa@example.org", "facilitator")
    return WebSettings(smtp=SmtpSettings(host="127.0.0.1", port=port, sender="hr@example.org"))


def test_invitations_by_smtp_and_tokens_stored_hashed(
    db_url: str, inbox: tuple[Inbox, int], auth: Auth
) -> None:
    box, port = inbox
    settings = _setup(db_url, port)
    a = auth("fa@example.org", db_url, settings=settings)
    ta = a.token
    cid = make_campaign(a, ta)
    pid = add_person(a, ta, cid, "P1", name="Pat Doe", email="pat@example.org")
    for name, mail, group in (
        ("Mo", "mo@example.org", "manager"),
        ("Lee", "lee@example.org", "peer"),
        ("Kim", "", "peer"),
    ):
        a.post(
            f"/campaigns/{cid}/participants/{pid}/raters",
            data={"name": name, "email": mail, "group": group},
        )
    r = a.post(
        f"/campaigns/{cid}/participants/{pid}/invite",
        data={"mode": "email"},
        follow_redirects=True,
    )
    # Kim has no address: her link is shown for copying; the others are e-mailed.
    assert r.status_code == 200 and "Kim (peer) for P1" in r.text
    shown = SURVEY.findall(r.text)
    assert len(shown) == 1
    assert sorted(m["To"] for m in box.messages) == [
        "lee@example.org",
        "mo@example.org",
        "pat@example.org",
    ]
    mo = next(m for m in box.messages if m["To"] == "mo@example.org")
    assert mo["From"] == "hr@example.org" and "Pat Doe" in mo["Subject"]
    mailed = SURVEY.findall(body(mo))
    assert len(mailed) == 1
    self_msg = next(m for m in box.messages if m["To"] == "pat@example.org")
    assert self_msg["Subject"] == "Your self-assessment in Spring"
    tokens = shown + [t for m in box.messages for t in SURVEY.findall(body(m))]
    assert len(set(tokens)) == 4
    # The database holds only sha256 digests: no raw token anywhere in it.
    with store_at(db_url) as store, store.engine.connect() as conn:
        hashes = set(conn.execute(sa.select(invitations.c.token_hash)).scalars())
        assert {token_hash(t) for t in tokens} == hashes
        dump = " ".join(
            str(v)
            for table in ("invitations", "nomination_links", "audit_log", "sessions")
            for row in conn.execute(sa.text(f"select * from {table}"))
            for v in row
        )
        assert not any(t in dump for t in tokens)
        sent = conn.execute(
            sa.select(sa.func.count()).where(invitations.c.sent_at.isnot(None))
        ).scalar()
        assert sent == 3
        found = lookup(conn, LinkKind.INVITATION, mailed[0])
        assert found.status is LinkStatus.CLOSED  # a draft campaign does not take answers yet
        assert lookup(conn, LinkKind.INVITATION, "x" * 43).status is LinkStatus.UNKNOWN
    if db_url.startswith("sqlite"):
        raw = Path(db_url.removeprefix("sqlite:///")).read_bytes()
        assert not any(t.encode() in raw for t in tokens)


def test_reissue_revokes_and_reminders(db_url: str, inbox: tuple[Inbox, int], auth: Auth) -> None:
    box, port = inbox
    settings = _setup(db_url, port)
    a = auth("fa@example.org", db_url, settings=settings)
    ta = a.token
    cid = make_campaign(a, ta)
    pid = add_person(a, ta, cid, "P1", name="Pat", email="pat@example.org")
    for i in range(3):
        a.post(
            f"/campaigns/{cid}/participants/{pid}/raters",
            data={
                "name": f"Peer {i}",
                "email": f"p{i}@example.org",
                "group": "peer",
            },
        )
    r = a.post(
        f"/campaigns/{cid}/participants/{pid}/invite",
        data={"mode": "show"},
        follow_redirects=True,
    )
    first = SURVEY.findall(r.text)
    assert len(first) == 4 and not box.messages
    a.post(f"/campaigns/{cid}/open")
    with a.app.state.store.engine.begin() as conn:  # type: ignore[attr-defined]
        assert all(lookup(conn, LinkKind.INVITATION, t).valid for t in first)
        done = conn.execute(
            sa.select(raters.c.id).where(raters.c.email == "p0@example.org")
        ).scalar_one()
        conn.execute(
            sa.update(raters).where(raters.c.id == done).values(submitted_at=sa.func.now())
        )
    page = a.get(f"/campaigns/{cid}/progress").text
    assert "1 of 4 raters have answered (25%)" in page
    assert "Not answered yet (3)" in page
    assert "p0@example.org" not in page.split("Not answered yet")[1]
    # Remind needs a choice; then everyone pending gets a fresh link by e-mail.
    r = a.post(f"/campaigns/{cid}/remind")
    assert "Choose at least one" in a.get(r.headers["location"]).text
    r = a.post(f"/campaigns/{cid}/remind", data={"everyone": "1"})
    assert r.status_code == 303
    assert "Sent 3 reminders." in a.get(r.headers["location"]).text
    assert sorted(m["To"] for m in box.messages) == [
        "p1@example.org",
        "p2@example.org",
        "pat@example.org",
    ]
    assert all(m["Subject"].startswith("Reminder:") for m in box.messages)
    with a.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
        statuses = [lookup(conn, LinkKind.INVITATION, t).status for t in first]
        assert sorted(statuses) == ["replaced", "replaced", "replaced", "used"]
        pat = next(m for m in box.messages if m["To"] == "pat@example.org")
        fresh = SURVEY.findall(body(pat))[0]
        assert lookup(conn, LinkKind.INVITATION, fresh).valid
    # Reminding one chosen rater only.
    with a.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
        p1 = conn.execute(
            sa.select(raters.c.id).where(raters.c.email == "p1@example.org")
        ).scalar_one()
    r = a.post(f"/campaigns/{cid}/remind", data={"rater_id": str(p1)})
    assert box.messages[-1]["To"] == "p1@example.org" and len(box.messages) == 4
    # The peers are under their threshold: closing asks first, naming the group.
    warned = a.post(f"/campaigns/{cid}/close")
    assert warned.status_code == 200 and "under its threshold" in warned.text
    assert "would be left out of the report" in warned.text
    a.post(f"/campaigns/{cid}/close", data={"accept_losses": "1"})
    with a.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
        assert lookup(conn, LinkKind.INVITATION, fresh).status is LinkStatus.CLOSED
    r = a.post(f"/campaigns/{cid}/remind", data={"everyone": "1"})
    assert "only while the campaign is open" in a.get(r.headers["location"]).text


def test_mail_failure_falls_back_to_copy(sqlite_url: str, auth: Auth) -> None:
    settings = _setup(sqlite_url, free_port())  # nothing listens there
    a = auth("fa@example.org", settings=settings)
    ta = a.token
    cid = make_campaign(a, ta)
    pid = add_person(a, ta, cid, "P1", name="Pat", email="pat@example.org")
    r = a.post(
        f"/campaigns/{cid}/participants/{pid}/nomination-link",
        data={"mode": "email"},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "Sending failed" in r.text
    assert "/nominate/" in r.text
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(nomination_links)).scalar() == 1


def test_nomination_link_by_mail(sqlite_url: str, inbox: tuple[Inbox, int], auth: Auth) -> None:
    box, port = inbox
    settings = _setup(sqlite_url, port)
    a = auth("fa@example.org", settings=settings)
    ta = a.token
    cid = make_campaign(a, ta)
    pid = add_person(a, ta, cid, "P1", name="Pat", email="pat@example.org")
    r = a.post(
        f"/campaigns/{cid}/participants/{pid}/nomination-link",
        data={"mode": "email"},
    )
    assert r.status_code == 303
    assert box.messages[0]["To"] == "pat@example.org"
    found = re.search(r"http://testserver(/nominate/\S+)", body(box.messages[0]))
    assert found
    assert a.get(found.group(1)).status_code == 200
