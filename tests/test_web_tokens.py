"""The API tokens page (/account/tokens) over HTTP: every role, CSRF, shown once, revoke."""

from __future__ import annotations

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.services.api_tokens import issue_token
from bifocals.store.app_tables import api_tokens, audit_log
from support.web import Auth, add_user, login, store_at, web_client

RAW = re.compile(r'id="raw-token" class="secret" readonly value="([^"]+)"')


def _site(url: str) -> None:
    add_user(url, "admin@example.org", "admin")
    add_user(url, "fac@example.org", "facilitator")
    add_user(url, "fac2@example.org", "facilitator")
    with store_at(url) as store:
        cid = store.create_campaign("Spring", status="open")
        with store.engine.begin() as conn:
            conn.execute(
                sa.text("insert into participants (campaign_id, code) values (:c, 'P1')"),
                {"c": cid},
            )
    add_user(url, "p1@example.org", "participant", campaign="Spring", participant="P1")


def _create(client: TestClient, csrf: str, name: str) -> str:
    r = client.post("/account/tokens", data={"csrf_token": csrf, "name": name})
    assert r.status_code == 201, r.text
    found = RAW.search(r.text)
    assert found, "the new token is not on the page"
    raw = found.group(1)
    assert f"TOKEN='{raw}'" in r.text and "/api/v1/campaigns" in r.text  # curl example
    assert "shown only this once" in r.text
    return raw


def _actions(url: str) -> list[tuple[str, str | None, str]]:
    with store_at(url) as store, store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.actor, audit_log.c.detail)
            .where(audit_log.c.action.like("api_token.%"))
            .order_by(audit_log.c.id)
        ).all()
    return [(r.action, r.actor, r.detail) for r in rows]


def test_facilitator_creates_uses_and_revokes_a_token(db_url: str, auth: Auth) -> None:
    _site(db_url)
    client = auth("fac@example.org", db_url)
    csrf = client.token
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "No tokens yet." in page.text
    assert 'href="/account/tokens"' in page.text  # nav link
    raw = _create(client, csrf, "  hr-sync ")
    # Shown once: the next page lists the token by name only.
    again = client.get("/account/tokens")
    assert raw not in again.text
    assert "hr-sync" in again.text and "active" in again.text
    with store_at(db_url) as store, store.engine.connect() as conn:
        hashes = list(conn.execute(sa.select(api_tokens.c.token_hash)).scalars())
        tid = conn.execute(sa.select(api_tokens.c.id)).scalar_one()
    assert raw not in hashes and len(hashes[0]) == 64

    api = TestClient(client.app)  # a separate client: no cookies, bearer only
    head = {"Authorization": f"Bearer {raw}"}
    assert api.get("/api/v1/campaigns", headers=head).status_code == 200

    r = client.post(f"/account/tokens/{tid}/revoke")
    assert r.status_code == 303 and r.headers["location"] == "/account/tokens"
    listed = client.get("/account/tokens").text
    assert f"Token {tid} revoked" in listed and "revoked 20" in listed
    assert f"/account/tokens/{tid}/revoke" not in listed  # no button for a revoked one
    gone = api.get("/api/v1/campaigns", headers=head)
    assert gone.status_code == 401
    assert _actions(db_url) == [
        ("api_token.create", "fac@example.org", "name=hr-sync"),
        ("api_token.revoke", "fac@example.org", "hr-sync"),
    ]


def test_admin_sees_every_token_with_owner_and_revokes_any(sqlite_url: str, auth: Auth) -> None:
    _site(sqlite_url)
    with store_at(sqlite_url) as store:
        issue_token(store, "fac@example.org", "fac-sync")
        issue_token(store, "fac2@example.org", "fac2-sync")
        with store.engine.connect() as conn:
            ids = dict(conn.execute(sa.select(api_tokens.c.name, api_tokens.c.id)).all())
    client = auth("fac@example.org")
    csrf = client.token
    own = client.get("/account/tokens").text
    assert "fac-sync" in own and "fac2-sync" not in own and "Owner" not in own
    # Another facilitator's token: not listed, and cannot be revoked (no such token of yours).
    r = client.post(f"/account/tokens/{ids['fac2-sync']}/revoke")
    assert r.status_code == 404
    assert f"token: no token {ids['fac2-sync']} of yours" in r.text
    client = auth("admin@example.org")
    csrf = client.token
    page = client.get("/account/tokens").text
    assert "All tokens" in page and "Owner" in page
    assert "fac@example.org" in page and "fac2@example.org" in page
    r = client.post(f"/account/tokens/{ids['fac2-sync']}/revoke")
    assert r.status_code == 303
    assert "revoked 20" in client.get("/account/tokens").text
    raw = _create(client, csrf, "admin-script")
    assert (
        TestClient(client.app)
        .get("/api/v1/campaigns", headers={"Authorization": f"Bearer {raw}"})
        .status_code
        == 200
    )
    assert [a[:2] for a in _actions(sqlite_url)][-2:] == [
        ("api_token.revoke", "admin@example.org"),
        ("api_token.create", "admin@example.org"),
    ]


def test_participants_visitors_and_api_tokens_are_refused(sqlite_url: str) -> None:
    _site(sqlite_url)
    with store_at(sqlite_url) as store:
        raw = issue_token(store, "fac@example.org", "sync")
    with web_client(sqlite_url) as client:
        assert client.get("/account/tokens").status_code == 303  # visitor: to the login page
        assert "/login" in client.get("/account/tokens").headers["location"]
        csrf = login(client, "p1@example.org")
        assert client.get("/account/tokens").status_code == 403
        assert 'href="/account/tokens"' not in client.get("/me").text
        r = client.post("/account/tokens", data={"csrf_token": csrf, "name": "mine"})
        assert r.status_code == 403
        assert client.post("/account/tokens/1/revoke", data={"csrf_token": csrf}).status_code == 403
    # An API token cannot mint more tokens (they would outlive its own revocation).
    with web_client(sqlite_url) as client:
        head = {"Authorization": f"Bearer {raw}"}
        assert client.get("/account/tokens", headers=head).status_code == 403
        r = client.post("/account/tokens", data={"name": "more"}, headers=head)
        assert r.status_code == 403
        r = client.post("/account/tokens/1/revoke", headers=head)
        assert r.status_code == 403
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(api_tokens.c.name, api_tokens.c.revoked_at)).all()
    assert [(r.name, r.revoked_at) for r in rows] == [("sync", None)]


def test_csrf_is_required_to_create_and_revoke(sqlite_url: str) -> None:
    _site(sqlite_url)
    with store_at(sqlite_url) as store:
        issue_token(store, "fac@example.org", "sync")
    with web_client(sqlite_url) as client:
        login(client, "fac@example.org")
        for data in ({"name": "x"}, {"name": "x", "csrf_token": "forged"}):
            assert client.post("/account/tokens", data=data).status_code == 403
            r = client.post("/account/tokens/1/revoke", data=data)
            assert r.status_code == 403 and "did not come from this site" in r.text
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(api_tokens.c.name, api_tokens.c.revoked_at)).all()
    assert [(r.name, r.revoked_at) for r in rows] == [("sync", None)]
    assert _actions(sqlite_url) == [("api_token.create", "cli", "name=sync")]


def test_bad_names_are_explained(sqlite_url: str, auth: Auth) -> None:
    _site(sqlite_url)
    client = auth("fac@example.org")
    r = client.post("/account/tokens", data={"name": "   "})
    assert r.status_code == 400 and "name: the name is empty" in r.text
    long = "n" * 250
    r = client.post("/account/tokens", data={"name": long})
    assert r.status_code == 400
    expected = "name: &#39;" + "n" * 40 + "&#39;... is 250 characters long; use at most 200"
    assert expected in r.text
    r = client.post("/account/tokens/0/revoke")
    assert r.status_code == 422 and "path.token_id" in r.text
    assert _actions(sqlite_url) == []
