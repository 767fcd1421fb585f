"""The JSON API over HTTP: tokens, scope by role, every endpoint, problem bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.errors import BifocalsError
from bifocals.services.api_tokens import issue_token, list_tokens, revoke_token
from bifocals.services.security import User
from bifocals.store.app_tables import api_tokens
from support.closed_campaign import LONE_COMMENT, Site, release, seeded_site
from support.web import bearer, store_at


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Site:
    return seeded_site(db_url, tmp_path)


@pytest.fixture
def site_url(site: Site) -> str:
    """The `client` and `auth` fixtures serve the seeded site."""
    return site.url


def test_tokens_are_hashed_scoped_and_revocable(site: Site, client: TestClient) -> None:
    with store_at(site.url) as store:
        raw = issue_token(store, "fac@example.org", "sync")
        with store.engine.connect() as conn:
            stored = list(conn.execute(sa.select(api_tokens.c.token_hash)).scalars())
            fac = User(2, "fac@example.org", "facilitator", None)
            listed = list_tokens(conn, fac)
        assert raw not in stored and len(stored[0]) == 64
        assert [t.name for t in listed] == ["sync"]
        with pytest.raises(BifocalsError, match="email:"):
            issue_token(store, "p1@example.org", "x")
        with pytest.raises(BifocalsError, match="name:"):
            issue_token(store, "fac@example.org", " ")
    head = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/campaigns", headers=head).status_code == 200
    with store_at(site.url) as store:
        revoke_token(store, fac, listed[0].id)
    assert client.get("/api/v1/campaigns", headers=head).status_code == 401


def test_without_or_with_wrong_token_401(site: Site, client: TestClient) -> None:
    assert client.get("/api/v1/campaigns").status_code == 401
    r = client.get("/api/v1/campaigns", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/json")


def test_facilitator_scope_and_reads(site: Site, client: TestClient) -> None:
    head = bearer(site.url, "fac@example.org")
    c = site.campaign_id
    listed = client.get("/api/v1/campaigns", headers=head).json()
    assert [x["id"] for x in listed] == [c]
    assert client.get(f"/api/v1/campaigns/{c}", headers=head).json()["status"] == "closed"
    other = client.get(f"/api/v1/campaigns/{site.other_campaign_id}", headers=head)
    assert other.status_code == 404
    assert other.json()["detail"]["field"] == "campaign_id"
    prog = client.get(f"/api/v1/campaigns/{c}/progress", headers=head).json()
    assert prog["answered"] == prog["invited"] == 11
    people = client.get(f"/api/v1/campaigns/{c}/participants", headers=head).json()
    assert [p["code"] for p in people] == ["P1", "P2"]
    scores = client.get(f"/api/v1/campaigns/{c}/scores", headers=head)
    assert scores.status_code == 200 and LONE_COMMENT not in scores.text
    rep = client.get(f"/api/v1/campaigns/{c}/participants/{site.pids['P1']}/report", headers=head)
    assert rep.status_code == 200 and rep.json()["participant"] == "P1"


def test_admin_writes(site: Site, client: TestClient) -> None:
    head = bearer(site.url, "admin@example.org")
    r = client.post("/api/v1/campaigns", headers=head, json={"name": "Winter"})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    dup = client.post("/api/v1/campaigns", headers=head, json={"name": "Winter"})
    assert dup.status_code == 409 and dup.json()["detail"]["message"]
    bad = client.post("/api/v1/campaigns", headers=head, json={"name": ""})
    assert bad.status_code == 422
    r = client.post(
        f"/api/v1/campaigns/{cid}/participants",
        headers=head,
        json=[{"code": "Z1", "name": "Zoe"}, {"code": "Z2"}],
    )
    assert r.status_code == 201, r.text
    pid = r.json()["ids"][0]
    again = client.post(
        f"/api/v1/campaigns/{cid}/participants", headers=head, json=[{"code": "Z1"}]
    )
    assert again.status_code == 409 and again.json()["detail"]["field"] == "code"
    r = client.post(
        f"/api/v1/campaigns/{cid}/participants/{pid}/raters",
        headers=head,
        json=[{"name": "Ann", "email": "ann@example.org", "group": "peer"}],
    )
    assert r.status_code == 201, r.text
    missing = client.post(
        f"/api/v1/campaigns/{cid}/participants/99999/raters",
        headers=head,
        json=[{"group": "peer"}],
    )
    assert missing.status_code == 404
    shut = client.post(f"/api/v1/campaigns/{cid}/close", headers=head)
    assert shut.status_code == 409 and shut.json()["detail"]["field"] == "status"
    assert client.get(f"/api/v1/campaigns/{cid}/scores", headers=head).status_code == 409
    done = client.post(f"/api/v1/campaigns/{site.campaign_id}/release", headers=head)
    assert done.json() == {"id": site.campaign_id, "status": "released"}


def test_participant_reads_only_own_released_report(site: Site, client: TestClient) -> None:
    head = bearer_participant(site)
    c = site.campaign_id
    own = f"/api/v1/campaigns/{c}/participants/{site.pids['P1']}/report"
    assert client.get("/api/v1/campaigns", headers=head).json() == []
    assert client.get(own, headers=head).status_code == 404
    release(site.url, c)
    assert client.get(own, headers=head).status_code == 200
    theirs = f"/api/v1/campaigns/{c}/participants/{site.pids['P2']}/report"
    assert client.get(theirs, headers=head).status_code == 404
    for path in (f"/api/v1/campaigns/{c}", f"/api/v1/campaigns/{c}/scores"):
        assert client.get(path, headers=head).status_code == 403
    assert client.post(f"/api/v1/campaigns/{c}/close", headers=head).status_code == 403


def bearer_participant(site: Site) -> dict[str, str]:
    """Participants get no tokens from issue_token; the session cookie works for the API too."""
    from bifocals.services.security import create_api_token
    from bifocals.store.app_tables import users

    with store_at(site.url) as store, store.engine.begin() as conn:
        uid = conn.execute(
            sa.select(users.c.id).where(users.c.email == "p1@example.org")
        ).scalar_one()
        return {"Authorization": f"Bearer {create_api_token(conn, uid, 'p')}"}


def test_openapi_lists_the_api(site: Site, client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = [p for p in spec["paths"] if p.startswith("/api/v1/")]
    assert "/api/v1/campaigns/{campaign_id}/scores" in paths and len(paths) >= 9
