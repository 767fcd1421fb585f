"""The change initiative pages: list, dashboard, PDF; roles, unknown names, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from bifocals.change.loader import load_initiative_text
from bifocals.reports.change import report_css
from bifocals.services.change_records import save_initiative
from bifocals.store.app_tables import audit_log
from bifocals.web.routers.change import _pdf_filename, initiative_path, scope_css
from support.change_pages import DEMO, seed
from support.web import Auth, add_user, login, store_at, web_client


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


@pytest.fixture
def site_url(seeded: str) -> str:
    """The `client` and `auth` fixtures serve the seeded database."""
    return seeded


@pytest.mark.parametrize("who", ["admin@example.org", "coach@example.org"])
def test_list_and_dashboard_for_managers(seeded: str, who: str, auth: Auth) -> None:
    client = auth(who)
    page = client.get("/initiatives")
    assert page.status_code == 200
    href = initiative_path(DEMO)
    assert f'href="{href}"' in page.text and DEMO in page.text
    dash = client.get(href)
    assert dash.status_code == 200, dash.text
    text = dash.text
    # Inside the site layout: the site's nav and stylesheet, the report's scoped styles.
    assert "/static/app.css" in text and 'class="site-header"' in text
    assert ".change-report h2" in text and "body {" not in text
    for anchor in ("findings", "alignment", "duties", "readiness"):
        assert f'id="{anchor}"' in text and f'href="#{anchor}"' in text
    assert text.count("<svg") >= 2  # the angle chart and the readiness heat map
    assert "Duty coverage" in text and "Readiness (ADKAR)" in text
    assert f'href="{href}.pdf"' in text
    assert dash.headers["cache-control"] == "no-store"


def test_visitors_are_sent_to_login_and_participants_refused(seeded: str) -> None:
    href = initiative_path(DEMO)
    with web_client(seeded) as client:
        for path in ("/initiatives", href, href + ".pdf"):
            r = client.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        login(client, "p01@example.org")
        for path in ("/initiatives", href, href + ".pdf", "/initiatives/nothing-here"):
            r = client.get(path)
            assert r.status_code == 403, path
            assert DEMO not in r.text


def test_unknown_initiative_is_404(seeded: str, auth: Auth) -> None:
    client = auth("coach@example.org")
    for path in ("/initiatives/No%20such%20thing", "/initiatives/No%20such%20thing.pdf"):
        r = client.get(path)
        assert r.status_code == 404
        assert "There is no initiative with that name" in r.text
        assert DEMO not in r.text  # the error does not list the stored names


def test_empty_list_says_how_to_import(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "admin@example.org", "admin")
    client = auth("admin@example.org", sqlite_url)
    page = client.get("/initiatives")
    assert page.status_code == 200 and "bifocals change import" in page.text


def test_names_are_escaped_and_quoted(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "admin@example.org", "admin")
    from bifocals.change import demo_initiative_text

    name = 'Merge <b>"A/B"</b> & co'
    text = demo_initiative_text().replace(DEMO, name, 1)
    with store_at(sqlite_url) as store:
        ini, data = load_initiative_text(text, "test")
        assert ini.name == name
        save_initiative(store, ini, data, "test", False, None)
    client = auth("admin@example.org", sqlite_url)
    page = client.get("/initiatives")
    assert "<b>" not in page.text and "&lt;b&gt;" in page.text
    href = initiative_path(name)
    assert "/" not in href[len("/initiatives/") :]
    dash = client.get(href)
    assert dash.status_code == 200
    assert "<b>" not in dash.text and "&lt;b&gt;" in dash.text


@pytest.mark.pdf
def test_pdf_download_is_audited(
    seeded: str, pdf_engine: None, artifacts_dir: Path, auth: Auth
) -> None:
    client = auth("coach@example.org")
    r = client.get(initiative_path(DEMO) + ".pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert 'filename="Move-the-order-system-to-the-cloud.pdf"' in r.headers["content-disposition"]
    out = artifacts_dir / "change"
    out.mkdir(parents=True, exist_ok=True)
    (out / "initiative.pdf").write_bytes(r.content)
    with store_at(seeded) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.target).where(audit_log.c.action == "initiative.pdf")
        ).all()
    assert [row.target for row in rows] == [f"initiative:{DEMO}"]


def test_scope_css_keeps_the_site_styles() -> None:
    css = scope_css(report_css())
    assert "@page" not in css and "@media" not in css
    assert "margin: 24px" not in css  # the report's page margin stays out of the site
    for line in css.splitlines():
        for sel in line.split("{")[0].split(","):
            assert sel.strip().startswith(".change-report"), line
    assert (
        scope_css("body, h1 { color: red }") == ".change-report, .change-report h1 { color: red }"
    )
    assert _pdf_filename("../a b") == "a-b.pdf" and _pdf_filename("***") == "initiative.pdf"
