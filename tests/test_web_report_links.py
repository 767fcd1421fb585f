"""Reports and exports are reachable from the pages, for the roles that may open them only.

Every href the campaign, participant and "My feedback" pages show for a report or export is
followed over real HTTP and must answer 200 for the signed-in user; the pages of roles that
may not open a report do not show its link.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from support.closed_campaign import Site, release, seeded_site
from support.web import Auth, store_at

HREF = re.compile(r'href="(/campaigns/[^"]+)"')
REPORTISH = re.compile(r"/(report|report\.pdf|cohort|cohort\.pdf|export/[a-z.]+)$")


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Site:
    return seeded_site(sqlite_url, tmp_path)


def report_links(html: str) -> set[str]:
    """The report and export addresses a page links to."""
    return {h for h in HREF.findall(html) if REPORTISH.search(h)}


def assert_all_open(client: TestClient, hrefs: set[str]) -> None:
    for href in sorted(hrefs):
        r = client.get(href)
        assert r.status_code == 200, (href, r.status_code)


def test_campaign_page_links_every_report_and_export(
    site: Site, pdf_engine: object, auth: Auth
) -> None:
    c = site.campaign_id
    client = auth("fac@example.org", site.url)
    page = client.get(f"/campaigns/{c}")
    assert page.status_code == 200
    links = report_links(page.text)
    expected = {
        f"/campaigns/{c}/cohort",
        f"/campaigns/{c}/cohort.pdf",
        f"/campaigns/{c}/export/scores.csv",
        f"/campaigns/{c}/export/scores.json",
        f"/campaigns/{c}/export/progress.csv",
    }
    for pid in site.pids.values():
        expected |= {
            f"/campaigns/{c}/participants/{pid}/report",
            f"/campaigns/{c}/participants/{pid}/report.pdf",
        }
    assert links == expected
    assert_all_open(client, links)
    # The cohort page itself offers its PDF.
    assert f'href="/campaigns/{c}/cohort.pdf"' in client.get(f"/campaigns/{c}/cohort").text


def test_participant_page_links_that_persons_report(
    site: Site, pdf_engine: object, auth: Auth
) -> None:
    c, pid = site.campaign_id, site.pids["P1"]
    client = auth("fac@example.org", site.url)
    page = client.get(f"/campaigns/{c}/participants/{pid}")
    links = report_links(page.text)
    assert links == {
        f"/campaigns/{c}/participants/{pid}/report",
        f"/campaigns/{c}/participants/{pid}/report.pdf",
    }
    assert_all_open(client, links)
    report = client.get(f"/campaigns/{c}/participants/{pid}/report").text
    assert f'href="/campaigns/{c}/participants/{pid}/report.pdf"' in report


def test_open_campaign_shows_only_the_progress_export(site: Site, auth: Auth) -> None:
    c = site.campaign_id
    with store_at(site.url) as store, store.engine.begin() as conn:
        conn.execute(sa.text("update campaigns set status = 'open' where id = :c"), {"c": c})
    client = auth("fac@example.org", site.url)
    page = client.get(f"/campaigns/{c}").text
    assert report_links(page) == {f"/campaigns/{c}/export/progress.csv"}
    assert "once the campaign is closed" in page
    person = client.get(f"/campaigns/{c}/participants/{site.pids['P1']}").text
    assert report_links(person) == set()
    progress = client.get(f"/campaigns/{c}/progress").text
    assert report_links(progress) == {f"/campaigns/{c}/export/progress.csv"}
    assert_all_open(client, report_links(page))


def test_participant_gets_pdf_link_only_after_release(
    site: Site, pdf_engine: object, auth: Auth
) -> None:
    c, own = site.campaign_id, site.pids["P1"]
    client = auth("p1@example.org", site.url)
    assert report_links(client.get("/me").text) == set()
    release(site.url, c)
    me = client.get("/me").text
    links = report_links(me)
    assert links == {
        f"/campaigns/{c}/participants/{own}/report",
        f"/campaigns/{c}/participants/{own}/report.pdf",
    }
    assert_all_open(client, links)
    report = client.get(f"/campaigns/{c}/participants/{own}/report").text
    assert "Download PDF" in report
    assert report_links(report) == {f"/campaigns/{c}/participants/{own}/report.pdf"}
    # Nothing on their pages points at the cohort or the exports, which they may not open.
    assert "/cohort" not in me and "/export/" not in me and "/cohort" not in report


def test_outsider_sees_no_links_and_gets_no_reports(site: Site, auth: Auth) -> None:
    c = site.campaign_id
    client = auth("outsider@example.org", site.url)
    assert client.get(f"/campaigns/{c}").status_code == 404
    assert client.get(f"/campaigns/{c}/cohort.pdf").status_code == 404
    pid = site.pids["P1"]
    assert client.get(f"/campaigns/{c}/participants/{pid}/report.pdf").status_code == 404
