"""Report pages and exports over HTTP: who may see what, and when."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

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


def _paths(s: Site) -> dict[str, str]:
    c = s.campaign_id
    return {
        "report": f"/campaigns/{c}/participants/{s.pids['P1']}/report",
        "cohort": f"/campaigns/{c}/cohort",
        "scores.csv": f"/campaigns/{c}/export/scores.csv",
        "scores.json": f"/campaigns/{c}/export/scores.json",
        "progress.csv": f"/campaigns/{c}/export/progress.csv",
    }


def test_facilitator_sees_reports_and_exports(site: Site, auth: Auth) -> None:
    client = auth("fac@example.org")
    paths = _paths(site)
    page = client.get(paths["report"])
    assert page.status_code == 200, page.text
    assert "Person P1" in page.text
    assert f'href="/campaigns/{site.campaign_id}"' in page.text
    assert LONE_COMMENT not in page.text
    cohort = client.get(paths["cohort"])
    assert cohort.status_code == 200 and "Person P2" in cohort.text
    rows = list(csv.DictReader(io.StringIO(client.get(paths["scores.csv"]).text)))
    assert rows and {r["participant"] for r in rows} == {"P1", "P2"}
    assert "direct_report" not in {r["group"] for r in rows}
    data = json.loads(client.get(paths["scores.json"]).text)
    assert [p["participant"] for p in data["participants"]] == ["P1", "P2"]
    progress = list(csv.DictReader(io.StringIO(client.get(paths["progress.csv"]).text)))
    assert {r["answered"] for r in progress} == {"6", "5"}
    assert "direct_report_invited" in progress[0]


def test_views_are_audited_and_block_reopening(site: Site, auth: Auth) -> None:
    client = auth("fac@example.org")
    assert client.get(_paths(site)["report"]).status_code == 200
    r = client.post(f"/campaigns/{site.campaign_id}/reopen")
    assert r.status_code == 303
    with store_at(site.url) as store, store.engine.connect() as conn:
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
        status = conn.execute(
            sa.text("select status from campaigns where id = :c"), {"c": site.campaign_id}
        ).scalar()
    assert "report.view" in actions
    assert status == "closed"


@pytest.mark.parametrize("who", ["outsider@example.org", "p1@example.org", "p2@example.org"])
def test_others_get_404_or_403(site: Site, who: str, auth: Auth) -> None:
    client = auth(who)
    for name, path in _paths(site).items():
        r = client.get(path)
        assert r.status_code in (403, 404), (who, name, r.status_code)


def test_participant_sees_only_own_report_after_release(site: Site, auth: Auth) -> None:
    own = f"/campaigns/{site.campaign_id}/participants/{site.pids['P1']}/report"
    theirs = f"/campaigns/{site.campaign_id}/participants/{site.pids['P2']}/report"
    client = auth("p1@example.org")
    assert client.get(own).status_code == 404
    release(site.url, site.campaign_id)
    page = client.get(own)
    assert page.status_code == 200 and "Person P1" in page.text
    assert client.get(theirs).status_code == 404
    assert client.get(f"/campaigns/{site.campaign_id}/cohort").status_code == 403


def test_anonymous_visitor_is_sent_to_login(site: Site, client: TestClient) -> None:
    for path in _paths(site).values():
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_open_campaign_has_no_results_yet(site: Site, auth: Auth) -> None:
    with store_at(site.url) as store, store.engine.begin() as conn:
        conn.execute(
            sa.text("update campaigns set status = 'open' where id = :c"), {"c": site.campaign_id}
        )
    client = auth("admin@example.org")
    assert client.get(_paths(site)["cohort"]).status_code == 409
    assert client.get(_paths(site)["report"]).status_code == 404
    assert client.get(_paths(site)["progress.csv"]).status_code == 200


@pytest.mark.pdf
def test_pdfs(site: Site, pdf_engine: object, auth: Auth) -> None:
    client = auth("admin@example.org")
    for path in (_paths(site)["report"] + ".pdf", f"/campaigns/{site.campaign_id}/cohort.pdf"):
        r = client.get(path)
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert r.headers["content-type"] == "application/pdf"


def test_a_link_on_another_site_cannot_record_a_view(site: Site, auth: Auth) -> None:
    # A session cookie is SameSite=Lax: a link elsewhere would carry it. Browsers say so in
    # Sec-Fetch-Site; such a navigation gets a page asking to continue, and nothing is recorded.
    elsewhere = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    here = {"sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate"}
    client = auth("fac@example.org")
    for path in _paths(site).values():
        page = client.get(path, headers=elsewhere)
        assert page.status_code == 200 and "Open this page?" in page.text, path
        assert f'href="{path}"' in page.text
        assert "Person P1" not in page.text
    with store_at(site.url) as store, store.engine.connect() as conn:
        actions = set(conn.execute(sa.select(audit_log.c.action)).scalars())
    assert not actions & {"report.view", "cohort.view", "report.export", "cohort.export"}
    page = client.get(_paths(site)["report"], headers=here)
    assert page.status_code == 200 and "Person P1" in page.text
