"""Invitations and reminders in each rater's language, through a real SMTP server (aiosmtpd):
the rater's language, else the participant's, else English; dates as the language writes them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bifocals.services.delivery import deliver_invitations
from bifocals.services.mail_texts import Texts, rater_message
from bifocals.services.roster import import_roster
from bifocals.services.security import User
from bifocals.store.tables import campaigns, raters
from bifocals.web import SmtpSettings, WebSettings
from support.web import add_user, store_at

HEAD = "participant,participant_name,participant_email,rater_name,rater_email,group,language"
ROSTER = f"""{HEAD},participant_language
P1,Amélie Roux,amelie@example.org,Jonas Weber,jonas@example.org,peer,de,fr
P1,Amélie Roux,amelie@example.org,Lucía Pérez,lucia@example.org,peer,es,
P1,Amélie Roux,amelie@example.org,Claire Petit,claire@example.org,manager,,
P2,Sam Hill,sam@example.org,Ola Berg,ola@example.org,peer,,
"""


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def text_of(msg: Message) -> str:
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(msg.get_content_charset() or "utf-8")


def subject_of(msg: Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(str(msg["Subject"]))))


def test_messages_in_every_language_keep_the_placeholders() -> None:
    deadline = datetime(2026, 12, 18, tzinfo=UTC)
    args: dict[str, Any] = {
        "participant": "Amélie Roux",
        "campaign": "Winter",
        "deadline": deadline,
        "minutes": 11,
        "link": "https://x.example/survey/T",
    }
    en = rater_message(Texts(), reminder=False, is_self=False, **args)
    assert en == rater_message(Texts(), reminder=False, is_self=False, language="en", **args)
    assert "Friday 18 December 2026 (end of the day, UTC)" in en[1]
    seen = {en}
    for lang, words, day in (
        ("de", "Ihr Feedback zu Amélie Roux", "Freitag, 18. Dezember 2026 (Tagesende, UTC)"),
        ("fr", "Votre avis sur Amélie Roux", "vendredi 18 décembre 2026 (fin de journée, UTC)"),
        ("es", "Se solicita su opinión sobre Amélie Roux", "viernes, 18 de diciembre de 2026"),
    ):
        for reminder in (False, True):
            for is_self in (False, True):
                subject, body = rater_message(
                    Texts(), reminder=reminder, is_self=is_self, language=lang, **args
                )
                assert "{" not in subject + body and "https://x.example/survey/T" in body
                assert day in body and " 11 " in body
                seen.add((subject, body))
        invite = rater_message(Texts(), reminder=False, is_self=False, language=lang, **args)
        assert invite[0].startswith(words)
    assert len(seen) == 13  # every message differs from every other
    # A campaign's own texts go to raters who read English; others get the built-in texts.
    own = Texts("Quick favour for {participant}", "Please: {link}")
    assert rater_message(own, reminder=False, is_self=False, **args)[0] == (
        "Quick favour for Amélie Roux"
    )
    de = rater_message(own, reminder=False, is_self=False, language="de", **args)
    assert de[0] == "Ihr Feedback zu Amélie Roux ist gefragt"


def test_invitations_and_reminders_arrive_in_each_raters_language(
    sqlite_url: str, inbox: tuple[Inbox, int]
) -> None:
    box, port = inbox
    settings = WebSettings(smtp=SmtpSettings(host="127.0.0.1", port=port, sender="hr@x.org"))
    add_user(sqlite_url, "fa@example.org", "facilitator")
    user = User(1, "fa@example.org", "facilitator", None)
    with store_at(sqlite_url) as store:
        cid = store.create_campaign("Winter", "bifocals_open_360")
        with store.engine.begin() as conn:
            conn.execute(
                sa.update(campaigns)
                .where(campaigns.c.id == cid)
                .values(deadline=datetime(2026, 12, 18, tzinfo=UTC))
            )
        import_roster(store, None, cid, ROSTER.encode(), "team.csv")
        with store.engine.connect() as conn:
            ids = [int(i) for i in conn.execute(sa.select(raters.c.id)).scalars()]
        for reminder in (False, True):
            out = deliver_invitations(
                store,
                settings,
                user,
                cid,
                ids,
                "https://x.example",
                by_email=True,
                reminder=reminder,
            )
            assert len(out.sent) == 6 and not out.failed
    assert len(box.messages) == 12
    got = {(m["To"], i // 6): (subject_of(m), text_of(m)) for i, m in enumerate(box.messages)}
    expect = {
        "jonas@example.org": (
            "Ihr Feedback zu Amélie Roux ist gefragt",
            "Erinnerung: Ihr Feedback zu Amélie Roux",
        ),
        "lucia@example.org": (
            "Se solicita su opinión sobre Amélie Roux",
            "Recordatorio: su opinión sobre Amélie Roux",
        ),
        # no language of her own: the participant's (French)
        "claire@example.org": (
            "Votre avis sur Amélie Roux est sollicité",
            "Rappel : votre avis sur Amélie Roux",
        ),
        "amelie@example.org": (
            "Votre auto-évaluation dans Winter",
            "Rappel : votre auto-évaluation dans Winter",
        ),
        "ola@example.org": (
            "Your feedback for Sam Hill is asked",
            "Reminder: your feedback for Sam Hill",
        ),
        "sam@example.org": (
            "Your self-assessment in Winter",
            "Reminder: your self-assessment in Winter",
        ),
    }
    for to, (invite, remind) in expect.items():
        assert got[(to, 0)][0] == invite, to
        assert got[(to, 1)][0] == remind, to
    assert "Freitag, 18. Dezember 2026" in got[("jonas@example.org", 0)][1]
    assert "viernes, 18 de diciembre de 2026" in got[("lucia@example.org", 1)][1]
    assert "Friday 18 December 2026" in got[("ola@example.org", 0)][1]
