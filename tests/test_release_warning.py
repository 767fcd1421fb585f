"""Release warns about reports that would show no one's answers but the participant's own, and
such a report says why at the top (CLI, web page, report HTML; real SQLite)."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bifocals.instruments import get_instrument
from bifocals.store.tables import participants, raters, responses
from support.closed_campaign import Site, seeded_site
from support.programme import cli
from support.web import Auth, add_user, store_at


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Site:
    """The seeded closed campaign "Autumn" plus P3 (a peer invited, nobody answered) and P4
    (self and one peer answered: the peer group is under its threshold, nothing to pool)."""
    s = seeded_site(sqlite_url, tmp_path)
    items = [i.id for i in get_instrument(None).items]
    stamp = datetime.now(UTC)
    with store_at(sqlite_url) as store, store.engine.begin() as conn:
        for code, name in (("P3", "Quinn Quiet"), ("P4", "Rae Few")):
            s.pids[code] = conn.execute(
                sa.insert(participants)
                .values(campaign_id=s.campaign_id, code=code, name=name)
                .returning(participants.c.id)
            ).scalar_one()
        conn.execute(
            sa.insert(raters).values(
                campaign_id=s.campaign_id, participant_id=s.pids["P3"], code="Z1", group="peer"
            )
        )
        for code, group in (("S4", "self"), ("Y1", "peer")):
            rid = conn.execute(
                sa.insert(raters)
                .values(
                    campaign_id=s.campaign_id,
                    participant_id=s.pids["P4"],
                    code=code,
                    group=group,
                    submitted_at=stamp,
                )
                .returning(raters.c.id)
            ).scalar_one()
            conn.execute(
                sa.insert(responses), [{"rater_id": rid, "item_id": i, "value": 4} for i in items]
            )
    add_user(sqlite_url, "p3@example.org", "participant", campaign="Autumn", participant="P3")
    add_user(sqlite_url, "p4@example.org", "participant", campaign="Autumn", participant="P4")
    return s


@pytest.fixture
def site_url(site: Site) -> str:
    return site.url


def test_cli_release_names_the_reports_without_others(site: Site) -> None:
    code, out, _err = cli(site.url, "release", "Autumn", "--yes")
    assert code == 0, out
    assert "2 reports would show no one's answers but the participant's own" in out
    assert "P3 Quinn Quiet: no one but themself answered." in out
    assert "P4 Rae Few: 1 person answered, fewer than each group needs" in out
    assert "Person P1" not in out and "Person P2" not in out
    assert "is now released" in out


def test_cli_release_json_lists_them(site: Site) -> None:
    code, out, _err = cli(site.url, "release", "Autumn", "--yes", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["status"] == "released"
    assert data["no_others_view"] == [
        {"participant": "P3 Quinn Quiet", "answered": 0},
        {"participant": "P4 Rae Few", "answered": 1},
    ]


def test_web_release_form_names_them_and_nothing_is_marked_seen(site: Site, auth: Auth) -> None:
    client = auth("fac@example.org")
    page = html.unescape(client.get(f"/campaigns/{site.campaign_id}").text)
    assert 'id="no-others-view"' in page
    assert "2 reports would show no one's answers but the participant's own" in page
    assert "P3 Quinn Quiet: no one but themself answered." in page
    # The release button's confirmation names them too.
    form = page.split(f'action="/campaigns/{site.campaign_id}/release"', 1)[1].split(">", 1)[0]
    assert "no one's answers but the participant's own: P3 Quinn Quiet, P4 Rae Few." in form
    # Listing them read no result: the campaign can still be re-opened.
    assert f'action="/campaigns/{site.campaign_id}/reopen"' in page
    assert client.post(f"/campaigns/{site.campaign_id}/release").status_code == 303
    assert 'id="no-others-view"' not in client.get(f"/campaigns/{site.campaign_id}").text


def _report(auth: Auth, site: Site, who: str, code: str) -> str:
    fac = auth("fac@example.org")
    assert fac.post(f"/campaigns/{site.campaign_id}/release").status_code == 303
    page = auth(who).get(f"/campaigns/{site.campaign_id}/participants/{site.pids[code]}/report")
    assert page.status_code == 200
    return page.text


def test_report_without_answers_says_so(site: Site, auth: Auth) -> None:
    page = _report(auth, site, "p3@example.org", "P3")
    assert "No one answered about you in this campaign" in page


def test_report_under_threshold_says_so_in_german(site: Site, auth: Auth) -> None:
    with store_at(site.url) as store, store.engine.begin() as conn:
        conn.execute(
            sa.update(participants)
            .where(participants.c.id == site.pids["P4"])
            .values(language="de")
        )
    page = _report(auth, site, "p4@example.org", "P4")
    assert "Die Antworten anderer über Sie können nicht gezeigt werden" in page
    assert "(Kolleg:innen)" in page


def test_a_report_with_others_says_nothing(site: Site, auth: Auth) -> None:
    page = _report(auth, site, "p1@example.org", "P1")
    assert 'class="no-view"' not in page
