"""The participant's own e-mails (the set-password invitation, "your report is ready") in the
participant's stored language, through a real SMTP server; English when none is set."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bifocals.services.outbox import send_due
from bifocals.services.participant_accounts import (
    invite_participants,
    notify_release,
    set_password_by_link,
)
from bifocals.services.security import now
from bifocals.store.programme_tables import account_links
from bifocals.store.tables import participants
from bifocals.web import SmtpSettings, WebSettings
from support.mail import Inbox, body, inbox
from support.programme import cli, roster_file
from support.web import store_at

__all__ = ["inbox"]  # the fixture, used by name
NAME = "Kohorte 2027"
BASE = "http://testserver"


def test_account_and_release_mail_in_the_participants_language(
    db_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="hr@example.org", timeout=5)
    settings = WebSettings(smtp=smtp, base_url=BASE)
    assert cli(db_url, "create", NAME, "--deadline", "2027-03-31")[0] == 0
    assert cli(db_url, "roster", NAME, str(roster_file(tmp_path / "roster.csv")))[0] == 0
    with store_at(db_url) as store:
        cid = store.get_campaign(NAME).id
        with store.engine.begin() as conn:
            conn.execute(
                sa.update(participants).where(participants.c.code == "P1").values(language="de")
            )
        assert invite_participants(store, settings, None, cid, BASE).queued == 2
        assert send_due(store, settings, BASE).sent == 2
    mail = {m["To"]: m for m in box.messages}
    ana, gil = mail["ana@ex.org"], mail["gil@ex.org"]
    assert ana["Subject"] == "Legen Sie Ihr Passwort fest, um Ihr Feedback zu lesen"
    text = body(ana)
    assert text.startswith("Guten Tag Ana Lima,") and "Konto in „Kohorte 2027“" in text
    assert "der Link funktioniert einmal, 14 Tage lang" in text
    assert f"{BASE}/account/setup/" in text
    assert gil["Subject"] == "Set your password to read your feedback"
    assert body(gil).startswith("Hello Gil Hart,") and "Choose your password here" in body(gil)
    box.messages.clear()
    with store_at(db_url) as store:
        with store.engine.begin() as conn:
            assert notify_release(conn, cid) == 2
        assert send_due(store, settings, BASE).sent == 2
    mail = {m["To"]: m for m in box.messages}
    assert mail["ana@ex.org"]["Subject"] == "Ihr Feedbackbericht liegt vor"
    assert f"Melden Sie sich an, um ihn zu lesen:\r\n{BASE}/login" in body(mail["ana@ex.org"])
    assert mail["gil@ex.org"]["Subject"] == "Your feedback report is ready"
    # Nobody has chosen a password yet and the first links still work: the release mail
    # points to them (a new link would make the first mail's stop working).
    assert "with the most recent set-password link you received" in body(mail["gil@ex.org"])
    assert "mit dem neuesten Link" in body(mail["ana@ex.org"])
    assert "/account/setup/" not in body(mail["gil@ex.org"])
    # Once they have expired, the release mail brings a new one.
    with store_at(db_url) as store:
        with store.engine.begin() as conn:
            conn.execute(sa.update(account_links).values(expires_at=now() - timedelta(days=1)))
            assert notify_release(conn, cid) == 2
        box.messages.clear()
        assert send_due(store, settings, BASE).sent == 2
    mail = {m["To"]: m for m in box.messages}
    gil_text = body(mail["gil@ex.org"])
    assert "If you have not chosen your password yet, choose it here first" in gil_text
    assert "Falls Sie Ihr Passwort noch nicht festgelegt haben" in body(mail["ana@ex.org"])
    found = re.search(rf"{BASE}/account/setup/(\S+)", gil_text)
    assert found
    with store_at(db_url) as store:
        set_password_by_link(store, found.group(1), "a long enough passphrase")
        box.messages.clear()
        with store.engine.begin() as conn:
            assert notify_release(conn, cid) == 2
        assert send_due(store, settings, BASE).sent == 2
    mail = {m["To"]: m for m in box.messages}
    assert "password" not in body(mail["gil@ex.org"])  # he has chosen his
    assert "mit dem neuesten Link" in body(mail["ana@ex.org"])  # the one of the last mail
