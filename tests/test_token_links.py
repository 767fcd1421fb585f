"""The one token-link module for all three kinds (invitation, nomination, readiness), on real
databases: 256-bit tokens stored as sha256 only, replacing, expiry, used and closed links, and
the one problem page every kind shares."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.services.readiness_links import issue_links
from bifocals.services.security import now
from bifocals.services.token_links import (
    LinkKind,
    LinkStatus,
    issue,
    link_url,
    lookup,
    mark_opened,
    mark_sent,
)
from bifocals.store.app_tables import invitations, nomination_links
from bifocals.store.change_tables import change_initiatives, readiness_links
from bifocals.store.tables import campaigns, raters
from bifocals.web.link_pages import code, wording
from support.survey import seed, set_status
from support.web import store_at


def _initiative(url: str) -> int:
    with store_at(url) as store, store.engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(change_initiatives)
                .values(
                    name="Move to the new planning tool",
                    source="test",
                    document={"stakeholder_groups": [{"id": "ops", "name": "Operations"}]},
                    proposals={},
                    imported_at=now(),
                )
                .returning(change_initiatives.c.id)
            ).scalar_one()
        )


def test_every_kind_stores_only_the_hash_of_a_256_bit_token(db_url: str) -> None:
    s = seed(db_url, codes=("R1",))
    iid = _initiative(db_url)
    with store_at(db_url) as store, store.engine.begin() as conn:
        made = {
            invitations: issue(conn, LinkKind.INVITATION, s.rater_ids["R1"], 30),
            nomination_links: issue(conn, LinkKind.NOMINATION, s.participant_id, 30),
            readiness_links: issue_links(conn, iid, "ops", 1, "floor 2")[0],
        }
        for table, token in made.items():
            assert len(token) == 43  # token_urlsafe(32): 256 bits
            stored = conn.execute(sa.select(table)).all()[-1]
            assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
            assert token not in repr(stored)
        label = conn.execute(sa.select(readiness_links.c.label)).scalar_one()
        assert label == "floor 2"


def test_a_new_link_replaces_the_older_one_of_the_same_person(db_url: str) -> None:
    s = seed(db_url, codes=("R1", "R2"))
    with store_at(db_url) as store, store.engine.begin() as conn:
        old = s.tokens["R1"]
        new = issue(conn, LinkKind.INVITATION, s.rater_ids["R1"], 30)
        assert lookup(conn, LinkKind.INVITATION, old).status is LinkStatus.REPLACED
        assert lookup(conn, LinkKind.INVITATION, new).valid
        assert lookup(conn, LinkKind.INVITATION, s.tokens["R2"]).valid  # another rater's
        first = issue(conn, LinkKind.NOMINATION, s.participant_id, 30)
        second = issue(conn, LinkKind.NOMINATION, s.participant_id, 30)
        assert lookup(conn, LinkKind.NOMINATION, first).status is LinkStatus.REPLACED
        found = lookup(conn, LinkKind.NOMINATION, second)
        assert found.valid and found.row.code == "P01" and found.row.campaign == "Spring"


def test_expired_used_and_closed_links(db_url: str) -> None:
    s = seed(db_url, codes=("R1", "R2"))
    iid = _initiative(db_url)
    with store_at(db_url) as store, store.engine.begin() as conn:
        conn.execute(
            sa.update(invitations)
            .where(invitations.c.rater_id == s.rater_ids["R1"])
            .values(expires_at=now() - timedelta(seconds=1))
        )
        assert lookup(conn, LinkKind.INVITATION, s.tokens["R1"]).status is LinkStatus.EXPIRED
        conn.execute(
            sa.update(raters).where(raters.c.id == s.rater_ids["R2"]).values(submitted_at=now())
        )
        assert lookup(conn, LinkKind.INVITATION, s.tokens["R2"]).status is LinkStatus.USED
        nom = issue(conn, LinkKind.NOMINATION, s.participant_id, 30)
        conn.execute(
            sa.update(campaigns).where(campaigns.c.id == s.campaign_id).values(status="closed")
        )
        assert lookup(conn, LinkKind.NOMINATION, nom).status is LinkStatus.CLOSED
        one, two = issue_links(conn, iid, "ops", 2)
        conn.execute(
            sa.update(readiness_links)
            .where(readiness_links.c.token_hash == hashlib.sha256(one.encode()).hexdigest())
            .values(used_at=now())
        )
        assert lookup(conn, LinkKind.READINESS, one).status is LinkStatus.USED
        assert lookup(conn, LinkKind.READINESS, two).valid  # readiness links replace nothing
        conn.execute(sa.update(change_initiatives).values(readiness_closed_at=now()))
        assert lookup(conn, LinkKind.READINESS, two).status is LinkStatus.CLOSED
        for kind in LinkKind:
            unknown = lookup(conn, kind, "x" * 43)
            assert unknown.status is LinkStatus.UNKNOWN and unknown.row is None


def test_sent_and_opened_are_recorded_where_the_kind_keeps_them(sqlite_url: str) -> None:
    s = seed(sqlite_url, codes=("R1",))
    with store_at(sqlite_url) as store, store.engine.begin() as conn:
        token = s.tokens["R1"]
        mark_sent(conn, LinkKind.INVITATION, token)
        link = lookup(conn, LinkKind.INVITATION, token).row
        assert link.sent_at is not None and link.opened_at is None
        mark_opened(conn, LinkKind.INVITATION, int(link.id))
        first = lookup(conn, LinkKind.INVITATION, token).row.opened_at
        mark_opened(conn, LinkKind.INVITATION, int(link.id))
        assert first is not None and lookup(conn, LinkKind.INVITATION, token).row.opened_at == first
        with pytest.raises(ValueError, match="sent_at"):
            mark_sent(conn, LinkKind.NOMINATION, "x" * 43)
        with pytest.raises(ValueError, match="do not expire"):
            issue(conn, LinkKind.READINESS, 1, 30, group_key="ops")
        with pytest.raises(ValueError, match="lifetime"):
            issue(conn, LinkKind.INVITATION, s.rater_ids["R1"], None)
    assert (
        link_url(LinkKind.NOMINATION, "https://x.example/", "t") == "https://x.example/nominate/t"
    )


def test_one_problem_page_for_every_kind(sqlite_url: str, client: TestClient) -> None:
    assert code(LinkStatus.UNKNOWN) == 404 and code(LinkStatus.USED) == 409
    assert {code(s) for s in (LinkStatus.REPLACED, LinkStatus.EXPIRED, LinkStatus.CLOSED)} == {410}
    assert wording(LinkKind.INVITATION, LinkStatus.REPLACED)[0] == "Link replaced"
    assert "saved is still there" in wording(LinkKind.INVITATION, LinkStatus.EXPIRED)[1]
    assert "facilitator" in wording(LinkKind.NOMINATION, LinkStatus.UNKNOWN)[1]
    s = seed(sqlite_url, codes=("R1",))
    set_status(sqlite_url, s.campaign_id, "released")
    with store_at(sqlite_url) as store, store.engine.begin() as conn:
        nom = issue(conn, LinkKind.NOMINATION, s.participant_id, 30)
    for path in ("/survey/", "/nominate/", "/readiness/"):
        r = client.get(path + "not-a-real-token")
        assert r.status_code == 404 and "Link not recognised" in r.text
    closed = client.get(f"/nominate/{nom}")
    assert closed.status_code == 410 and "Suggestions closed" in closed.text
    assert "Ana Lima" not in closed.text
