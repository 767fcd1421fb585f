"""The participant's own pages in their language: sign-in (the browser's language), "My
feedback", the password pages, the development plan with its checks and the manager's page;
English stays the default and the pages of other roles stay English."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from typer.testing import CliRunner

from bifocals.cli import app as cli
from bifocals.scoring.retest import ScaleChange
from bifocals.services.pulse import PulseView
from bifocals.services.security import now
from bifocals.services.token_links import LinkKind, issue
from bifocals.store.app_tables import users
from bifocals.store.tables import participants
from bifocals.web.deps import templates
from bifocals.web.routers.plans import _labels
from support.web import PASSWORD, Auth, add_user, store_at, token_of, web_client

DEMO = "Northwind leadership programme 2026"


@pytest.fixture
def site_url(tmp_path: Path) -> str:
    """The demo campaign, released; P02 reads German, P03 French, P04 Spanish, P05 has no
    language; an account for each and one for an admin."""
    db = tmp_path / "pages.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "load", "--db", str(db)]).exit_code == 0
    release = ["campaign", "release", DEMO, "--db", str(db), "--yes"]
    assert runner.invoke(cli, release).exit_code == 0
    url = f"sqlite:///{db}"
    for code, lang in (("P02", "de"), ("P03", "fr"), ("P04", "es"), ("P05", None)):
        add_user(url, f"{code.lower()}@example.org", "participant", campaign=DEMO, participant=code)
        with store_at(url) as store, store.engine.begin() as conn:
            conn.execute(
                sa.update(participants).where(participants.c.code == code).values(language=lang)
            )
    add_user(url, "boss@example.org", "admin")
    return url


def _day(days: int) -> str:
    return (now().date() + timedelta(days=days)).isoformat()


def test_sign_in_page_follows_the_browser(client: TestClient) -> None:
    english = client.get("/login").text
    assert '<html lang="en">' in english and ">Sign in</button>" in english
    german = client.get("/login", headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"}).text
    assert '<html lang="de">' in german and ">Anmelden</button>" in german
    assert "Bewertende brauchen kein Konto" in german
    token = token_of(client)
    wrong = client.post(
        "/login",
        data={"email": "p03@example.org", "password": "not it at all", "csrf_token": token},
        headers={"accept-language": "fr"},
    )
    assert wrong.status_code == 401
    assert "L&#39;adresse e-mail ou le mot de passe est incorrect." in wrong.text


def test_my_feedback_and_password_in_the_stored_language(auth: Auth) -> None:
    fr = auth("p03@example.org")
    page = fr.get("/me").text
    assert '<html lang="fr">' in page and "<h1>Mon feedback</h1>" in page
    assert "Lire mon rapport" in page and "Télécharger le PDF" in page
    assert '<a href="/me/plan">plan de développement</a>' in page
    assert ">Se déconnecter</button>" in page and ">Mot de passe</a>" in page
    # no stored language: English, whatever the browser says
    assert "Read my report" in auth("p05@example.org").get("/me").text
    es = auth("p04@example.org")
    form = es.get("/account/password").text
    assert "Cambie su contraseña" in form and "Contraseña actual" in form
    short = es.post("/account/password", data={"current": "x" * 12, "new": "short"})
    assert short.status_code == 400 and "La contraseña actual no es correcta." in short.text
    # the admin's pages stay English
    assert "Change your password" in auth("boss@example.org").get("/account/password").text


def test_password_rule_in_spanish_and_the_flash(auth: Auth) -> None:
    es = auth("p04@example.org")
    short = es.post("/account/password", data={"current": PASSWORD, "new": "corta"})
    assert short.status_code == 400
    assert "la contraseña tiene 5 caracteres; use al menos 10" in short.text
    done = es.post("/account/password", data={"current": PASSWORD, "new": "una frase larga 1"})
    assert done.status_code == 303
    assert "Su contraseña se ha cambiado." in es.get(done.headers["location"]).text


def test_the_plan_in_german_with_its_checks_and_the_managers_page(
    auth: Auth, client: TestClient
) -> None:
    de = auth("p02@example.org")
    page = de.get("/me/plan").text
    assert '<html lang="de">' in page and "<h1>Mein Entwicklungsplan</h1>" in page
    assert "Fokus und Ziele" in page and ">Führen</span>" in page
    assert "ein Entwicklungsfeld in Ihrem Bericht" in page
    bad = de.post(
        "/me/plan",
        data={"scales": ["focus_goals.leadership"], "actions": "", "pulse_on": _day(1)},
    )
    assert bad.status_code == 400 and "Der Plan wurde nicht gespeichert." in bad.text
    assert "schreiben Sie mindestens eine Maßnahme auf" in bad.text
    assert "wählen Sie ein Datum, das mindestens 7 Tage in der Zukunft liegt" in bad.text
    assert "write at least one action" not in bad.text
    many = de.post(
        "/me/plan",
        data={
            "scales": [
                "focus_goals.leadership",
                "risk_taking.leadership",
                "time_horizon.leadership",
                "decision_making.leadership",
            ],
            "actions": "Jeden Monat sagen, wohin wir gehen.",
            "pulse_on": "bald",
        },
    )
    assert "wählen Sie höchstens 3 Skalen: Konzentration hilft" in many.text
    assert "geben Sie das Datum der Pulsbefragung als JJJJ-MM-TT an" in many.text
    no_plan = de.post("/me/plan/link")
    assert no_plan.status_code == 409 and "schreiben Sie zuerst Ihren Plan" in no_plan.text
    ok = de.post(
        "/me/plan",
        data={
            "scales": ["focus_goals.leadership"],
            "actions": "Jeden Monat sagen, wohin wir gehen.",
            "pulse_on": _day(60),
            "share_manager": "1",
        },
    )
    assert ok.status_code == 303
    assert "Ihr Plan ist gespeichert." in de.get("/me/plan").text
    made = de.post("/me/plan/link")
    found = re.search(r'id="manager-link">[a-z]+://[^/]+(/[^<]+)<', made.text)
    assert found is not None
    shared = client.get(found.group(1)).text
    assert '<html lang="de">' in shared and "Entwicklungsplan von" in shared
    assert "Woran ich arbeiten werde" in shared and "(Führen)" in shared
    when = now().date() + timedelta(days=60)
    assert f"Pulsbefragung am {when.day}." in shared
    unknown = client.get("/plan/" + "x" * 43, headers={"accept-language": "es"})
    assert unknown.status_code == 404 and "Enlace no reconocido" in unknown.text


def test_english_plan_page_reads_as_before(auth: Auth) -> None:
    page = auth("p05@example.org").get("/me/plan").text
    assert '<html lang="en">' in page and "<h1>My development plan</h1>" in page
    assert '<span class="tag tag-leadership">leadership</span>' in page


def test_set_password_page_in_the_participants_language(site_url: str) -> None:
    with store_at(site_url) as store, store.engine.begin() as conn:
        uid = conn.execute(
            sa.select(users.c.id).where(users.c.email == "p03@example.org")
        ).scalar_one()
        token = issue(conn, LinkKind.ACCOUNT, int(uid), 7)
    with web_client(site_url) as client:
        page = client.get(f"/account/setup/{token}")
        assert page.status_code == 200 and "Choisissez votre mot de passe" in page.text
        assert "<strong>p03@example.org</strong>" in page.text
        csrf = token_of(client, f"/account/setup/{token}")
        differ = client.post(
            f"/account/setup/{token}",
            data={"csrf_token": csrf, "password": "x" * 12, "again": "y" * 12},
        )
        assert differ.status_code == 400 and "Les deux mots de passe diffèrent" in differ.text
        short = client.post(
            f"/account/setup/{token}",
            data={"csrf_token": csrf, "password": "court", "again": "court"},
        )
        assert "le mot de passe compte 5 caractères ; utilisez-en au moins 10" in short.text
        ok = client.post(
            f"/account/setup/{token}",
            data={
                "csrf_token": csrf,
                "password": "une longue phrase",
                "again": "une longue phrase",
            },
        )
        assert ok.status_code == 303
        me = client.get("/me").text
        assert "Mot de passe défini : votre session est ouverte en tant que p03@example.org." in me
        used = client.get(f"/account/setup/{token}")
        assert used.status_code == 409 and '<html lang="fr">' in used.text


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        ("en", ("with the 95% interval of the change", "3.20", "+0.20 to +1.20", "yes")),
        ("de", ("mit dem 95-%-Intervall der Veränderung", "3,20", "+0,20 bis +1,20", "ja")),
    ],
)
def test_the_pulse_result_table_renders(app: FastAPI, lang: str, phrases: tuple[str, ...]) -> None:
    """The plan page's pulse table (a literal 95% in the text, numbers as the language writes
    them), rendered from the template with a pulse's result."""
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/me/plan",
            "headers": [],
            "query_string": b"",
            "app": app,
            "router": app.router,
        }
    )
    change = ScaleChange(
        "others", "focus_goals", "leadership", 3.2, 3.9, 0.7, 0.2, 1.2, 5, 5, 2.1, True
    )
    pulse = PulseView("Pulse", "released", None, 5, 5, (change,))
    values = {"scales": [], "actions": "", "support": "", "pulse_on": ""}
    html = templates.env.get_template("plan/edit.html").render(
        request=request,
        user=None,
        flashes=[],
        settings=app.state.settings,
        campaign="C",
        released=True,
        plan=None,
        choices=[],
        values=values,
        errors={},
        link=None,
        pulse=pulse,
        labels=_labels(lang),
        max_scales=3,
        max_actions=4000,
        max_support=2000,
        min_days=7,
        lang=lang,
    )
    for phrase in phrases:
        assert phrase in html, phrase


def test_a_link_from_another_site_asks_in_the_participants_language(auth: Auth) -> None:
    fr = auth("p03@example.org")
    report = re.search(r'href="(/campaigns/\d+/participants/\d+/report)"', fr.get("/me").text)
    assert report is not None
    elsewhere = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    page = fr.get(report.group(1), headers=elsewhere)
    assert page.status_code == 200 and "Ouvrir cette page ?" in page.text
    assert ">Ouvrir la page</a>" in page.text
