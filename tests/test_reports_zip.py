"""All of a campaign's reports as one zip over HTTP: contents, file names, who may download it,
and that downloading it counts as seeing the results (audited; re-opening refused)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.errors import BifocalsError
from bifocals.store.app_tables import audit_log
from support.closed_campaign import LONE_COMMENT, Site, release, seeded_site
from support.web import Auth, store_at


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Site:
    return seeded_site(db_url, tmp_path)


@pytest.fixture
def site_url(site: Site) -> str:
    """The `client` and `auth` fixtures serve the seeded site."""
    return site.url


@pytest.fixture
def no_pdf_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """html_to_pdf fails as it does where WeasyPrint cannot load Pango."""

    def refuse(html: str) -> bytes:
        raise BifocalsError("WeasyPrint cannot load Pango here")

    monkeypatch.setattr("bifocals.reports.files.html_to_pdf", refuse)


def _zip_path(s: Site) -> str:
    return f"/campaigns/{s.campaign_id}/reports.zip"


def _archive(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_without_a_pdf_engine_the_zip_holds_the_html_pages(
    site: Site, no_pdf_engine: None, auth: Auth
) -> None:
    client = auth("fac@example.org")
    r = client.get(_zip_path(site))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == 'attachment; filename="Autumn-reports.zip"'
    files = _archive(r.content)
    # One file per participant, named by code and name, safe for any file system.
    assert sorted(files) == ["P1-Person-P1.html", "P2-Person-P2.html", "cohort.html"]
    assert b"Person P1" in files["P1-Person-P1.html"]
    assert b"Person P2" in files["P2-Person-P2.html"]
    assert b"Person P1" in files["cohort.html"] and b"Person P2" in files["cohort.html"]
    for name, data in files.items():
        assert LONE_COMMENT.encode() not in data, name  # anonymity rules as in every report
        assert data.startswith(b"<!doctype html>"), name


@pytest.mark.pdf
def test_the_zip_holds_one_pdf_per_participant_and_the_cohort(
    site: Site, pdf_engine: object, auth: Auth
) -> None:
    client = auth("admin@example.org")
    r = client.get(_zip_path(site))
    assert r.status_code == 200
    files = _archive(r.content)
    assert sorted(files) == ["P1-Person-P1.pdf", "P2-Person-P2.pdf", "cohort.pdf"]
    assert all(data.startswith(b"%PDF") for data in files.values())


def test_the_download_counts_as_results_seen(site: Site, no_pdf_engine: None, auth: Auth) -> None:
    client = auth("fac@example.org")
    assert client.get(_zip_path(site)).status_code == 200
    r = client.post(f"/campaigns/{site.campaign_id}/reopen")
    assert r.status_code == 303
    with store_at(site.url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.detail).where(
                audit_log.c.campaign_id == site.campaign_id
            )
        ).all()
        status = conn.execute(
            sa.text("select status from campaigns where id = :c"), {"c": site.campaign_id}
        ).scalar()
    assert ("report.export", "reports.zip") in {(r.action, r.detail) for r in rows}
    assert status == "closed"  # re-opening was refused: the results have been seen


@pytest.mark.parametrize("who", ["outsider@example.org", "p1@example.org", "p2@example.org"])
def test_others_get_404_or_403_and_nothing_is_recorded(
    site: Site, no_pdf_engine: None, who: str, auth: Auth
) -> None:
    client = auth(who)
    assert client.get(_zip_path(site)).status_code in (403, 404)
    release(site.url, site.campaign_id)
    # Not even after release: a participant reads only their own report.
    assert client.get(_zip_path(site)).status_code in (403, 404)
    with store_at(site.url) as store, store.engine.connect() as conn:
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
    assert "report.export" not in actions


def test_a_facilitator_of_another_campaign_cannot_take_this_one(
    site: Site, no_pdf_engine: None, auth: Auth
) -> None:
    client = auth("fac@example.org")
    other = client.get(f"/campaigns/{site.other_campaign_id}/reports.zip")
    assert other.status_code == 404


def test_anonymous_visitor_is_sent_to_login(site: Site, client: TestClient) -> None:
    r = client.get(_zip_path(site))
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_an_open_campaign_has_no_reports_yet(site: Site, no_pdf_engine: None, auth: Auth) -> None:
    with store_at(site.url) as store, store.engine.begin() as conn:
        conn.execute(
            sa.text("update campaigns set status = 'open' where id = :c"), {"c": site.campaign_id}
        )
    client = auth("admin@example.org")
    assert client.get(_zip_path(site)).status_code == 409
