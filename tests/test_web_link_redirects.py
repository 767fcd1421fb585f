"""Issuing links answers with a redirect (Post/Redirect/Get): the links are shown once on the
page it leads to; reloading that page issues nothing and says the links were already shown.

Real database, real HTTP through the app; the raw tokens never reach the database or a URL.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from bifocals.store.app_tables import invitations, nomination_links
from bifocals.store.change_tables import readiness_links
from bifocals.web.routers.change import initiative_path
from support.campaign_pages import add_person, make_campaign
from support.readiness import NAME, seed
from support.web import Auth, add_user

SURVEY = re.compile(r'value="https?://[^"/]+/survey/([A-Za-z0-9_-]+)"')
NOMINATE = re.compile(r'value="https?://[^"/]+/nominate/([A-Za-z0-9_-]+)"')
READINESS = re.compile(r'value="https?://[^"/]+/readiness/([A-Za-z0-9_-]+)"')


def count(client: object, table: sa.Table) -> int:
    with client.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def database_text(client: object) -> str:
    """Every value of the sessions, invitations and audit tables, as one string."""
    with client.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
        return " ".join(
            str(v)
            for table in ("sessions", "invitations", "nomination_links", "audit_log")
            for row in conn.execute(sa.text(f"select * from {table}"))
            for v in row
        )


def test_invite_redirects_and_a_reload_issues_nothing(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "fa@example.org", "facilitator")
    a = auth("fa@example.org")
    ta = a.token
    cid = make_campaign(a, ta)
    pid = add_person(a, ta, cid, "P1", name="Pat", email="pat@example.org")
    a.post(
        f"/campaigns/{cid}/participants/{pid}/raters",
        data={"name": "Mo", "group": "peer"},
    )
    r = a.post(f"/campaigns/{cid}/participants/{pid}/invite", data={"mode": "show"})
    assert r.status_code == 303
    where = r.headers["location"]
    assert where.startswith(f"/campaigns/{cid}/links")
    issued = count(a, invitations)
    assert issued == 2  # Mo and Pat's self rating
    page = a.get(where)
    assert page.status_code == 200 and "shown only this once" in page.text
    tokens = SURVEY.findall(page.text)
    assert len(tokens) == 2
    assert not any(t in where for t in tokens)
    assert not any(t in str(a.cookies) for t in tokens)
    # The Done button leads back to the participant, and every link has a Copy button.
    assert f'href="/campaigns/{cid}/participants/{pid}"' in page.text
    assert page.text.count("data-copy=") == 2
    # Reloading (or Back, then forward) shows no link and issues none.
    again = a.get(where)
    assert again.status_code == 200
    assert "already shown" in again.text and not SURVEY.findall(again.text)
    assert count(a, invitations) == issued
    # The links stay valid: nothing was revoked by looking again.
    with a.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
        revoked = conn.execute(
            sa.select(sa.func.count()).where(invitations.c.revoked_at.isnot(None))
        ).scalar()
    assert revoked == 0
    # No raw token in the database at any point after issuing.
    assert not any(t in database_text(a) for t in tokens)


def test_links_wait_sealed_for_their_own_session_only(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "fa@example.org", "facilitator")
    a = auth("fa@example.org")
    other_tab = auth("fa@example.org")  # same person, another session
    ta = a.token
    cid = make_campaign(a, ta)
    pid = add_person(a, ta, cid, "P1", name="Pat", email="pat@example.org")
    r = a.post(
        f"/campaigns/{cid}/participants/{pid}/nomination-link",
        data={"mode": "show"},
    )
    assert r.status_code == 303
    # While the links wait, the database holds them only sealed.
    with a.app.state.store.engine.connect() as conn:  # type: ignore[attr-defined]
        stored = " ".join(
            str(v) for v in conn.execute(sa.text("select flash from sessions")).scalars()
        )
    assert '"kind": "links"' in stored and "/nominate/" not in stored
    # Another session of the same account cannot read them, nor does it use them up.
    elsewhere = other_tab.get(r.headers["location"])
    assert "already shown" in elsewhere.text and not NOMINATE.findall(elsewhere.text)
    page = a.get(r.headers["location"])
    assert len(NOMINATE.findall(page.text)) == 1
    assert count(a, nomination_links) == 1
    # Other pages rendered in between do not show the waiting links as a message.
    r = a.post(
        f"/campaigns/{cid}/participants/{pid}/nomination-link",
        data={"mode": "show"},
    )
    detail = a.get(f"/campaigns/{cid}").text
    assert "/nominate/" not in detail and "sealed" not in detail
    # ... nor use them up (say, a page opened in another tab of the same session).
    assert len(NOMINATE.findall(a.get(r.headers["location"]).text)) == 1


def test_readiness_links_redirect_and_reload(sqlite_url: str, auth: Auth) -> None:
    seed(sqlite_url)
    base = initiative_path(NAME)
    coach = auth("coach@example.org")
    r = coach.post(
        base + "/readiness/links",
        data={"group": "ops", "count": "3", "label": "Tuesday team"},
    )
    assert r.status_code == 303 and r.headers["location"] == base + "/readiness/links"
    page = coach.get(r.headers["location"])
    assert page.status_code == 200 and "shown only this once" in page.text
    tokens = READINESS.findall(page.text)
    assert len(tokens) == 3 and "Tuesday team" in page.text
    assert page.text.count("data-copy=") == 3
    assert count(coach, readiness_links) == 3
    again = coach.get(base + "/readiness/links")
    assert again.status_code == 200 and "already shown" in again.text
    assert not READINESS.findall(again.text)
    assert count(coach, readiness_links) == 3
    assert not any(t in database_text(coach) for t in tokens)


def test_links_page_refuses_outsiders(sqlite_url: str, auth: Auth) -> None:
    seed(sqlite_url)
    add_user(sqlite_url, "fa@example.org", "facilitator")
    a = auth("fa@example.org")
    b = auth("other@example.org")
    ta = a.token
    cid = make_campaign(a, ta)
    assert b.get(f"/campaigns/{cid}/links").status_code == 404
    assert b.get(initiative_path(NAME) + "/readiness/links").status_code == 404
    # A crafted "back" address cannot send the Done button off the campaign.
    page = a.get(f"/campaigns/{cid}/links?back=https://evil.example/")
    assert 'href="https://evil.example/"' not in page.text
    assert f'class="button primary" href="/campaigns/{cid}"' in page.text
