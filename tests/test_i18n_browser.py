"""Issue 15 end to end in a real browser (Debian Chromium) and a real SMTP server (aiosmtpd):
invitations and reminders arrive in each rater's language; a rater answers in German on a
phone, another in Spanish, a third switches the survey from French to German; the participant
reads the report and its PDF in French.

Screenshots land in test-output/screenshots/i18n-*.png for people to look at.
"""

from __future__ import annotations

import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from bifocals.instruments import get_instrument, translated
from bifocals.services.accounts import create_user
from bifocals.services.campaigns import change_status
from bifocals.services.delivery import deliver_invitations
from bifocals.services.roster import import_roster
from bifocals.services.security import User
from bifocals.store.tables import campaigns, raters
from bifocals.web import SmtpSettings, WebSettings, create_app
from support.web import PASSWORD, add_user, store_at

pytestmark = [pytest.mark.browser, pytest.mark.pdf]
PHONE = {"width": 390, "height": 844}
CAMPAIGN = "Hiver 2026"
HEAD = "participant,participant_name,participant_email,rater_name,rater_email,group,language"
ROSTER = f"""{HEAD},participant_language
P1,Amélie Roux,amelie@example.org,Jonas Weber,jonas@example.org,peer,de,fr
P1,Amélie Roux,amelie@example.org,Lucía Pérez,lucia@example.org,peer,es,
P1,Amélie Roux,amelie@example.org,Claire Petit,claire@example.org,peer,,
P1,Amélie Roux,amelie@example.org,Sam Hill,sam@example.org,manager,en,
"""
LINK = re.compile(r"http://[^/\s]+/survey/([A-Za-z0-9_-]{43})")
SUBJECTS = {
    "jonas@example.org": (
        "Ihr Feedback zu Amélie Roux ist gefragt",
        "Erinnerung: Ihr Feedback zu Amélie Roux",
    ),
    "lucia@example.org": (
        "Se solicita su opinión sobre Amélie Roux",
        "Recordatorio: su opinión sobre Amélie Roux",
    ),
    "claire@example.org": (
        "Votre avis sur Amélie Roux est sollicité",
        "Rappel : votre avis sur Amélie Roux",
    ),
    "sam@example.org": (
        "Your feedback for Amélie Roux is asked",
        "Reminder: your feedback for Amélie Roux",
    ),
    "amelie@example.org": (
        f"Votre auto-évaluation dans {CAMPAIGN}",
        f"Rappel : votre auto-évaluation dans {CAMPAIGN}",
    ),
}


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


def _subject(msg: Message) -> str:
    return str(make_header(decode_header(str(msg["Subject"]))))


def _body(msg: Message) -> str:
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(msg.get_content_charset() or "utf-8")


def _answer_all(page: Any, value: str) -> None:
    radios = page.locator(f'input[type="radio"][value="{value}"]')
    for i in range(radios.count()):
        radios.nth(i).check()


def _submit_over_http(base: str, token: str, value: str) -> None:
    """A rater who answers without the browser (the form posted as the page would)."""
    with httpx.Client(base_url=base) as client:
        page = client.get(f"/survey/{token}")
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
        assert key
        inst = get_instrument()
        data = {f"a_{i}": value for i in inst.item_ids}
        data.update(action="submit", idempotency_key=key.group(1))
        assert client.post(f"/survey/{token}", data=data).status_code == 200


def test_raters_and_participant_in_their_languages(
    tmp_path: Path,
    live_server: Callable[[FastAPI | str], str],
    browser: Any,
    pdf_engine: None,
    artifacts_dir: Path,
    inbox: tuple[Inbox, int],
) -> None:
    from playwright.sync_api import expect

    box, port = inbox
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{tmp_path / 'i18n.db'}"
    add_user(url, "fa@example.org", "facilitator")
    settings = WebSettings(smtp=SmtpSettings(host="127.0.0.1", port=port, sender="hr@x.org"))
    base = live_server(create_app(url))
    fac = User(1, "fa@example.org", "facilitator", None)
    with store_at(url) as store:
        cid = store.create_campaign(CAMPAIGN, "bifocals_open_360", status="open")
        with store.engine.begin() as conn:
            conn.execute(
                sa.update(campaigns)
                .where(campaigns.c.id == cid)
                .values(deadline=datetime(2026, 12, 18, tzinfo=UTC), threshold_peer=3)
            )
        import_roster(store, None, cid, ROSTER.encode(), "team.csv")
        with store.engine.connect() as conn:
            ids = {r.email: int(r.id) for r in conn.execute(sa.select(raters))}
        # Invitations, then reminders (each with a fresh link), at the test SMTP server.
        for reminder in (False, True):
            out = deliver_invitations(
                store,
                settings,
                fac,
                cid,
                list(ids.values()),
                base,
                by_email=True,
                reminder=reminder,
            )
            assert len(out.sent) == 5 and not out.failed
    assert len(box.messages) == 10
    for n, msg in enumerate(box.messages):
        assert _subject(msg) == SUBJECTS[str(msg["To"])][n // 5], msg["To"]
    links: dict[str, str] = {}
    for msg in box.messages[5:]:
        found = LINK.search(_body(msg))
        assert found
        links[str(msg["To"])] = found.group(0)
    german_reminder = next(m for m in box.messages[5:] if m["To"] == "jonas@example.org")
    assert "Freitag, 18. Dezember 2026 (Tagesende, UTC)" in _body(german_reminder)
    spanish_invite = next(m for m in box.messages[:5] if m["To"] == "lucia@example.org")
    assert "viernes, 18 de diciembre de 2026" in _body(spanish_invite)

    # Jonas answers in German on his phone.
    de = translated(get_instrument(), "de")
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE")
    page = phone.new_page()
    page.goto(links["jonas@example.org"])
    expect(page.get_by_role("heading", name="Über Amélie Roux")).to_be_visible()
    expect(page.locator("legend").first).to_have_text(de.items[0].text)
    assert page.evaluate("document.documentElement.lang") == "de"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(shots / "i18n-survey-de-phone.png"))
    _answer_all(page, "4")
    expect(page.locator("#autosave-status")).to_have_text("Gespeichert")
    page.locator("textarea").first.fill("Sie gibt dem Team eine klare Richtung und hört zu.")
    page.get_by_role("button", name="Meine Antworten senden").click()
    thanks = page.get_by_role("heading", name="Vielen Dank, Ihre Antworten sind angekommen")
    expect(thanks).to_be_visible()
    phone.close()

    # Lucía answers in Spanish on a laptop.
    laptop = browser.new_context(viewport={"width": 1200, "height": 900})
    page = laptop.new_page()
    page.goto(links["lucia@example.org"])
    expect(page.get_by_role("heading", name="Sobre Amélie Roux")).to_be_visible()
    expect(page.get_by_text("Enfoque y objetivos")).to_be_visible()
    _answer_all(page, "3")
    page.get_by_role("button", name="Enviar mis respuestas").click()
    gracias = page.get_by_role("heading", name="Gracias, hemos recibido sus respuestas")
    expect(gracias).to_be_visible()

    # Claire's survey opens in the participant's language (French); she switches to German,
    # which is kept for her.
    page = laptop.new_page()
    page.goto(links["claire@example.org"])
    expect(page.get_by_role("heading", name="À propos de Amélie Roux")).to_be_visible()
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Über Amélie Roux")).to_be_visible()
    page.screenshot(path=str(shots / "i18n-survey-switched.png"))
    _answer_all(page, "5")
    page.get_by_role("button", name="Meine Antworten senden").click()
    expect(page.get_by_role("heading", name=re.compile("Vielen Dank"))).to_be_visible()
    laptop.close()
    with store_at(url) as store, store.engine.connect() as conn:
        q = sa.select(raters.c.language).where(raters.c.id == ids["claire@example.org"])
        assert conn.execute(q).scalar_one() == "de"
    _submit_over_http(base, links["sam@example.org"].split("/survey/")[1], "2")
    _submit_over_http(base, links["amelie@example.org"].split("/survey/")[1], "5")

    # The participant reads her report, and its PDF, in French.
    with store_at(url) as store:
        change_status(store, fac, cid, "close")
        change_status(store, fac, cid, "release")
        create_user(
            store,
            "amelie@example.org",
            "participant",
            PASSWORD,
            campaign=CAMPAIGN,
            participant="P1",
        )
    reader = browser.new_context(viewport={"width": 1200, "height": 900})
    page = reader.new_page()
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("amelie@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(base + "/me")  # her own page is in French too
    expect(page.get_by_role("heading", name="Mon feedback", level=1)).to_be_visible()
    page.get_by_role("link", name="Lire mon rapport").click()
    page.wait_for_url(re.compile(r"/report$"))
    expect(page.get_by_role("heading", name="Amélie Roux", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Comment lire ce rapport")).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger le PDF")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "fr"
    text = page.locator("main").inner_text()
    assert "Qui a donné son avis" in text and "Pairs" in text and "Responsable" in text
    assert "Cap et objectifs" in text and re.search(r"\d,\d", text)
    assert "1 commentaire n'est pas rédigé en anglais" in text  # Jonas's German comment
    page.screenshot(path=str(shots / "i18n-report-fr.png"), full_page=True)
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    pdf_path = tmp_path / "report-fr.pdf"
    pdf_path.write_bytes(pdf.body())
    pdf_text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phrase in ("Comment lire ce rapport", "Qui a donné son avis", "Dimension par dimension"):
        assert phrase in pdf_text, phrase
    assert "How to read this report" not in pdf_text
    reader.close()
