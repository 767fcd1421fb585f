"""The pages people outside the HR team open from a private link, and the error pages, in their
reader's language: the nomination page in the participant's (else the browser's), the
readiness survey in the browser's, a 404 in the browser's for a visitor; English stays the
default. Real SQLite, real HTTP through the app."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.services.token_links import LinkKind, issue
from bifocals.store.tables import campaigns, participants
from support.campaign_pages import add_person, make_campaign
from support.readiness import ALL4, CSRF, KEY, seed
from support.readiness import issue as issue_readiness
from support.web import Auth, add_user, store_at

HTML_LANG = re.compile(r'<html lang="([a-z]+)">')


@pytest.fixture
def site_url(sqlite_url: str) -> str:
    """The payroll initiative (coach@ runs it) and a facilitator for campaigns."""
    seed(sqlite_url)
    add_user(sqlite_url, "fac@example.org", "facilitator")
    return sqlite_url


def _lang(page_text: str) -> str:
    found = HTML_LANG.search(page_text)
    assert found, page_text[:200]
    return found.group(1)


def _nomination_path(url: str, auth: Auth, code: str, language: str | None) -> str:
    """A participant `code` of a new campaign, with `language` stored; their nomination link."""
    fac = auth("fac@example.org")
    cid = make_campaign(fac, fac.token, f"Campaign {code}")
    pid = add_person(fac, fac.token, cid, code, name=f"Pat {code}", email=f"{code}@example.org")
    with store_at(url) as store, store.engine.begin() as conn:
        where = participants.c.id == pid
        conn.execute(sa.update(participants).where(where).values(language=language))
        return f"/nominate/{issue(conn, LinkKind.NOMINATION, pid, 30)}"


def _suggest(client: TestClient, path: str, page: str, **fields: str) -> str:
    csrf = CSRF.search(page).group(1)  # type: ignore[union-attr]
    return client.post(path, data={"csrf_token": csrf, **fields}).text


def test_the_nomination_page_is_in_the_participants_language(
    site_url: str, auth: Auth, client: TestClient
) -> None:
    path = _nomination_path(site_url, auth, "P-DE", "de")
    # The stored language wins over the browser's.
    page = client.get(path, headers={"Accept-Language": "es"})
    assert page.status_code == 200 and _lang(page.text) == "de"
    assert "Schlagen Sie vor, wer Ihnen Feedback gibt" in page.text
    assert "Pat P-DE, Kampagne „Campaign P-DE“." in page.text
    assert ">Kolleg:in</option>" in page.text and ">Führungskraft</option>" in page.text
    assert "Noch keine." in page.text
    done = _suggest(client, path, page.text, name="Lee", email="lee@example.org", group="peer")
    assert "Lee ist vorgeschlagen." in done and "wartet auf Prüfung" in done
    # The service's refusals, in German with their values.
    again = _suggest(client, path, page.text, name="Lee", email="lee@example.org", group="peer")
    assert "lee@example.org ist bereits vorgeschlagen und wartet auf Prüfung" in again
    bad = _suggest(client, path, page.text, name="Kim", email="kim-at-home", group="peer")
    assert "ist keine E-Mail-Adresse" in bad and "kim-at-home" in bad
    assert "Suggest who gives you feedback" not in page.text + done + again + bad


def test_without_a_stored_language_the_nomination_page_follows_the_browser(
    site_url: str, auth: Auth, client: TestClient
) -> None:
    path = _nomination_path(site_url, auth, "P-NONE", None)
    french = client.get(path, headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert _lang(french.text) == "fr" and "Proposez qui vous donne du feedback" in french.text
    english = client.get(path)
    assert _lang(english.text) == "en"
    assert "Suggest who gives you feedback" in english.text and ">Peer</option>" in english.text
    done = _suggest(client, path, english.text, name="Mo", email="mo@example.org", group="peer")
    assert "Mo is suggested." in done and "<em>pending</em>" in done


def test_the_readiness_survey_is_in_the_browsers_language(
    site_url: str, auth: Auth, client: TestClient
) -> None:
    coach = auth("coach@example.org")
    first, second = issue_readiness(coach, coach.token, "ops", 2)
    spanish = {"Accept-Language": "es-ES,es;q=0.9"}
    page = client.get(first, headers=spanish)
    assert page.status_code == 200 and _lang(page.text) == "es"
    assert "¿Cuál es su grado de preparación?" in page.text
    assert "Totalmente de acuerdo" in page.text and "No lo sé" in page.text
    assert "Entiendo por qué se produce este cambio" in page.text
    assert "<strong>Payroll team</strong>" in page.text  # the initiative's own words
    assert "How ready do you feel?" not in page.text
    # The check's refusal and the thank-you page, in Spanish too.
    key = KEY.search(page.text).group(1)  # type: ignore[union-attr]
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    form = {"idempotency_key": key, "csrf_token": csrf}
    none = {f"adkar_{e}": "not_sure" for e in ALL4}
    refused = client.post(first, data={**form, **none}, headers=spanish)
    assert refused.status_code == 422
    assert "Responda al menos a una de las cinco afirmaciones" in refused.text
    scores = {f"adkar_{e}": v for e, v in ALL4.items()}
    sent = client.post(first, data={**form, **scores}, headers=spanish)
    assert sent.status_code == 200 and "Sus respuestas se han registrado." in sent.text
    # English without a header.
    english = client.get(second)
    assert _lang(english.text) == "en" and "How ready do you feel?" in english.text
    assert "Strongly agree" in english.text


def test_the_error_pages_follow_the_reader(site_url: str, auth: Auth, client: TestClient) -> None:
    french = client.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert french.status_code == 404 and _lang(french.text) == "fr"
    assert "Introuvable" in french.text
    assert "Il n'y a pas de page à cette adresse" in french.text.replace("&#39;", "'")
    assert "Retour à la page d'accueil" in french.text.replace("&#39;", "'")
    english = client.get("/no-such-page")
    assert english.status_code == 404 and _lang(english.text) == "en"
    assert "Not found" in english.text and "There is no page at this address" in english.text
    # The facilitators' pages are English, their errors too.
    fac = auth("fac@example.org")
    theirs = fac.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert theirs.status_code == 404 and _lang(theirs.text) == "en"


def test_a_link_that_cannot_be_used_says_so_in_the_readers_language(
    site_url: str, auth: Auth, client: TestClient
) -> None:
    """Nomination links that cannot be used: the participant's language (replaced, then
    closed with the campaign); an unknown readiness link: the browser's, naming nobody."""
    path = _nomination_path(site_url, auth, "P-OLD", "de")
    with store_at(site_url) as store, store.engine.begin() as conn:
        row = conn.execute(
            sa.select(participants.c.id, participants.c.campaign_id).where(
                participants.c.code == "P-OLD"
            )
        ).one()
        newer = issue(conn, LinkKind.NOMINATION, int(row.id), 30)  # replaces the old link
    old = client.get(path, headers={"Accept-Language": "es"})
    assert old.status_code == 410 and _lang(old.text) == "de"
    assert "Dieser Link wurde durch einen neueren ersetzt." in old.text
    with store_at(site_url) as store, store.engine.begin() as conn:
        where = campaigns.c.id == row.campaign_id
        conn.execute(sa.update(campaigns).where(where).values(status="closed"))
    closed = client.get(f"/nominate/{newer}")
    assert closed.status_code == 410 and "Vorschläge sind geschlossen" in closed.text
    unknown = client.get("/readiness/no-such-token", headers={"Accept-Language": "es"})
    assert unknown.status_code == 404 and _lang(unknown.text) == "es"
    assert "pida uno nuevo a la persona que se lo envió." in unknown.text
