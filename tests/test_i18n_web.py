"""The rater's survey in German, French and Spanish: the language switch, remembered for the
rater; defaults from the rater's, then the participant's stored language; link pages."""

from __future__ import annotations

import re

import sqlalchemy as sa

from bifocals.instruments import get_instrument, translated
from bifocals.store.tables import participants, raters
from support.survey import KEY, full_answers, seed
from support.web import store_at, web_client


def _set(url: str, table: sa.Table, row_id: int, language: str | None) -> None:
    with store_at(url) as store, store.engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == row_id).values(language=language))


def _language(url: str, rater_id: int) -> str | None:
    with store_at(url) as store, store.engine.connect() as conn:
        q = sa.select(raters.c.language).where(raters.c.id == rater_id)
        return conn.execute(q).scalar_one()  # type: ignore[no-any-return]


def test_english_by_default_with_a_switch(sqlite_url: str) -> None:
    s = seed(sqlite_url)
    with web_client(sqlite_url) as client:
        page = client.get(f"/survey/{s.tokens['R1']}").text
    assert '<html lang="en">' in page and "About Ana Lima" in page
    assert 'action="/survey/' in page and 'value="de"' in page and ">Deutsch<" in page
    assert 'aria-pressed="true" aria-describedby="language-label">English<' in page


def test_without_stored_languages_the_survey_follows_the_browser(sqlite_url: str) -> None:
    s = seed(sqlite_url)
    token = s.tokens["R1"]
    with web_client(sqlite_url) as client:
        german = client.get(f"/survey/{token}", headers={"Accept-Language": "de-DE,de;q=0.9"})
        assert '<html lang="de">' in german.text and "Über Ana Lima" in german.text
        # A language the participant's roster line names wins over the browser's.
        _set(sqlite_url, participants, s.participant_id, "fr")
        french = client.get(f"/survey/{token}", headers={"Accept-Language": "de-DE"})
        assert '<html lang="fr">' in french.text


def test_participant_language_is_the_default_and_rater_choice_wins(db_url: str) -> None:
    s = seed(db_url)
    _set(db_url, participants, s.participant_id, "fr")
    de = translated(get_instrument(), "de")
    fr = translated(get_instrument(), "fr")
    token = s.tokens["R1"]
    with web_client(db_url) as client:
        page = client.get(f"/survey/{token}").text
        assert '<html lang="fr">' in page and "À propos de Ana Lima" in page
        assert fr.items[0].text.replace("'", "&#39;") in page and "Jamais" in page
        assert "Cap et objectifs" in page  # the dimension's name
        r = client.post(f"/survey/{token}/language", data={"lang": "de"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/survey/{token}"
        assert _language(db_url, s.rater_ids["R1"]) == "de"
        page = client.get(f"/survey/{token}").text
        assert '<html lang="de">' in page and "Über Ana Lima" in page
        assert de.items[0].text in page and "Fast immer" in page and "Nicht beobachtet" in page
        assert "Meine Antworten senden" in page and "Speichern und später fortfahren" in page
        assert "Fokus und Ziele" in page and "Etwa " in page
        # an unknown language changes nothing
        client.post(f"/survey/{token}/language", data={"lang": "it"})
        assert _language(db_url, s.rater_ids["R1"]) == "de"
        # the other raters keep the participant's language
        assert "À propos de vous" in client.get(f"/survey/{s.tokens['SELF']}").text
        saved = client.post(f"/survey/{token}", data={"action": "save", "a_FG-L1": "2"})
        assert saved.status_code == 303
        assert "Ihre Antworten sind gespeichert" in client.get(saved.headers["location"]).text
        key = KEY.search(client.get(f"/survey/{token}").text)
        assert key
        done = client.post(
            f"/survey/{token}",
            data={**full_answers(), "action": "submit", "idempotency_key": key.group(1)},
        )
        assert (
            done.status_code == 200 and "Vielen Dank, Ihre Antworten sind angekommen" in done.text
        )
        again = client.get(f"/survey/{token}")
        assert again.status_code == 409 and "Bereits beantwortet" in again.text


def test_spanish_validation_page_and_unknown_link_by_browser(sqlite_url: str) -> None:
    s = seed(sqlite_url)
    _set(sqlite_url, raters, s.rater_ids["R2"], "es")
    token = s.tokens["R2"]
    with web_client(sqlite_url) as client:
        key = KEY.search(client.get(f"/survey/{token}").text)
        assert key
        r = client.post(
            f"/survey/{token}",
            data={"action": "submit", "idempotency_key": key.group(1), "a_FG-L1": "3"},
        )
        assert r.status_code == 422
        assert "Algunas respuestas necesitan una revisión" in r.text
        assert re.search(r"Ir a la primera afirmación sin respuesta", r.text)
        assert "Valore al menos 28 de las 56 afirmaciones (lleva 1)" in r.text
        assert "«No observado» es válido" in r.text
        bad = client.post(f"/survey/{token}", data={"action": "save", "a_FG-L1": "9"})
        assert bad.status_code == 422 and "elija 1, 2, 3, 4, 5 o «No observado»" in bad.text
        unknown = client.get("/survey/not-a-token", headers={"accept-language": "de-CH, fr;q=0.5"})
        assert unknown.status_code == 404 and "Link nicht erkannt" in unknown.text
        english = client.get("/survey/not-a-token")
        assert "Link not recognised" in english.text
