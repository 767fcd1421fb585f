"""Deciding on a nomination stays inside the campaign in the URL.

The attack: a facilitator (or an admin working in one campaign) posts approve or reject with
the id of a nomination that belongs to another campaign. Before the fix the answer was a
redirect to the other campaign's participant page, which told the participant's id (and that
the nomination exists). Now such an id answers 404 exactly like an id that does not exist, and
nothing is decided.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.services.people import nominate
from bifocals.store.app_tables import nominations
from support.campaign_pages import add_person, make_campaign
from support.web import add_user, login, store_at, web_client

UNKNOWN_ID = 987_654
TOKENS = re.compile(r'(name="csrf_token" value=|name="csrf-token" content=)"[^"]+"')


def _nomination(url: str, cid: int, pid: int) -> int:
    with store_at(url) as store, store.engine.begin() as conn:
        return nominate(conn, pid, cid, "Lee Other", "lee.other@example.org", "peer")


def _status(url: str, nid: int) -> str:
    with store_at(url) as store, store.engine.connect() as conn:
        return str(
            conn.execute(sa.select(nominations.c.status).where(nominations.c.id == nid)).scalar()
        )


def _decide(client: TestClient, token: str, cid: int, nid: int, decision: str) -> tuple[int, str]:
    r = client.post(f"/campaigns/{cid}/nominations/{nid}/{decision}", data={"csrf_token": token})
    assert "location" not in r.headers, r.headers.get("location")
    return r.status_code, TOKENS.sub("", r.text)


def test_a_nomination_of_another_campaign_answers_like_an_unknown_one(sqlite_url: str) -> None:
    url = sqlite_url
    add_user(url, "admin@example.org", "admin")
    add_user(url, "fa@example.org", "facilitator")
    add_user(url, "fb@example.org", "facilitator")
    with web_client(url) as a, web_client(url) as b, web_client(url) as admin:
        ta, tb = login(a, "fa@example.org"), login(b, "fb@example.org")
        tadm = login(admin, "admin@example.org")
        ca = make_campaign(a, ta, "Hidden Campaign A")
        cb = make_campaign(b, tb, "Campaign B")
        pa = add_person(a, ta, ca, "SECRET-P", name="Pat Hidden", email="pat@example.org")
        nid = _nomination(url, ca, pa)
        for client, token in ((b, tb), (admin, tadm)):
            client.get("/campaigns")  # shows (and so clears) the messages left from setting up
            for decision in ("approve", "reject", "neither"):
                foreign = _decide(client, token, cb, nid, decision)
                unknown = _decide(client, token, cb, UNKNOWN_ID, decision)
                assert foreign[0] == 404
                assert foreign == unknown
                for secret in (
                    f"/campaigns/{ca}",
                    "/participants/",
                    "SECRET-P",
                    "Pat Hidden",
                    "Lee",
                ):
                    assert secret not in foreign[1]
                assert "Hidden Campaign A" not in foreign[1]
        assert _status(url, nid) == "pending"
        # In its own campaign the same id works as before.
        r = a.post(f"/campaigns/{ca}/nominations/{nid}/reject", data={"csrf_token": ta})
        assert r.status_code == 303
        assert r.headers["location"] == f"/campaigns/{ca}/participants/{pa}"
        assert _status(url, nid) == "rejected"
