"""Development plans on the web: the participant's page, the manager's link, the coach's list,
and the doors a stranger must find shut (another role, another campaign, a dead link)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bifocals.cli import app as cli
from bifocals.services.security import now
from support.web import Auth, add_user

DEMO = "Northwind leadership programme 2026"


@pytest.fixture
def site_url(tmp_path: Path) -> str:
    """The demo campaign, released, with accounts for P02, P03, an admin and a facilitator
    who is not assigned to it."""
    db = tmp_path / "plans-web.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "load", "--db", str(db)]).exit_code == 0
    assert (
        runner.invoke(cli, ["campaign", "release", DEMO, "--db", str(db), "--yes"]).exit_code == 0
    )
    url = f"sqlite:///{db}"
    add_user(url, "p02@example.org", "participant", campaign=DEMO, participant="P02")
    add_user(url, "p03@example.org", "participant", campaign=DEMO, participant="P03")
    add_user(url, "boss@example.org", "admin")
    add_user(url, "other@example.org", "facilitator")
    return url


def _day(days: int) -> str:
    return (now().date() + timedelta(days=days)).isoformat()


def test_participant_writes_shares_and_hands_a_link(auth: Auth, client: TestClient) -> None:
    p02 = auth("p02@example.org")
    page = p02.get("/me/plan")
    assert page.status_code == 200 and "My development plan" in page.text
    assert "a development area in your report" in page.text  # suggestions from the report
    # a bad form keeps what was typed and names each field
    bad = p02.post(
        "/me/plan",
        data={
            "scales": ["focus_goals.leadership"],
            "actions": "",
            "pulse_on": _day(1),
            "support": "Mentoring",
        },
    )
    assert bad.status_code == 400
    assert "write at least one action" in bad.text and "at least 7 days" in bad.text
    assert "Mentoring" in bad.text
    ok = p02.post(
        "/me/plan",
        data={
            "scales": ["focus_goals.leadership", "risk_taking.leadership"],
            "actions": "Tell the <b>story</b> of where we go, every month.",
            "support": "",
            "pulse_on": _day(60),
            "share_coach": "1",
            "share_manager": "1",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/me/plan"
    shown = p02.get("/me/plan").text
    assert "Your plan is saved." in shown and "&lt;b&gt;story&lt;/b&gt;" in shown
    made = p02.post("/me/plan/link")
    assert made.status_code == 200
    found = re.search(r'id="manager-link">([^<]+)<', made.text)
    assert found is not None
    path = found.group(1).split("://", 1)[1].split("/", 1)[1]
    manager = client.get("/" + path)
    assert manager.status_code == 200 and "&lt;b&gt;story&lt;/b&gt;" in manager.text
    assert manager.headers["cache-control"] == "no-store"
    # the coach's list: the admin sees it, an unassigned facilitator gets 404
    boss = auth("boss@example.org")
    listing = boss.get("/campaigns/1/plans")
    assert listing.status_code == 200 and "&lt;b&gt;story&lt;/b&gt;" in listing.text
    assert auth("other@example.org").get("/campaigns/1/plans").status_code == 404
    # another participant sees only their own (empty) plan; nobody else may post one
    assert "story" not in auth("p03@example.org").get("/me/plan").text
    assert boss.post("/me/plan", data={"actions": "x"}).status_code == 403
    # unsharing: the manager's link closes and the coach's list empties
    p02.post(
        "/me/plan",
        data={
            "scales": ["focus_goals.leadership", "risk_taking.leadership"],
            "actions": "Tell the story.",
            "pulse_on": _day(60),
        },
    )
    assert client.get("/" + path).status_code == 410
    assert "story" not in boss.get("/campaigns/1/plans").text
    assert client.get("/plan/" + "x" * 43).status_code == 404


def test_plan_page_needs_a_participant_account(client: TestClient) -> None:
    r = client.get("/me/plan")
    assert r.status_code in (303, 401, 403)


def test_the_pulse_survey_asks_only_the_plans_items(
    auth: Auth, client: TestClient, site_url: str
) -> None:
    """At the plan's date the tick opens the pulse; a rater's link shows only the plan's
    items, and a submission stores exactly those."""
    import sqlalchemy as sa

    from bifocals.instruments import get_instrument
    from bifocals.services.schedule import tick
    from bifocals.services.settings import WebSettings
    from bifocals.services.token_links import LinkKind, issue
    from bifocals.store import open_store
    from bifocals.store.tables import campaigns, raters, responses

    p02 = auth("p02@example.org")
    saved = p02.post(
        "/me/plan",
        data={
            "scales": ["focus_goals.leadership"],
            "actions": "Say where we are going, monthly.",
            "pulse_on": _day(30),
        },
    )
    assert saved.status_code == 303
    inst = get_instrument("bifocals_open_360")
    asked = sorted(
        i.id for i in inst.items if (i.dimension, i.side) == ("focus_goals", "leadership")
    )
    with open_store(site_url) as store:
        (name,) = tick(store, WebSettings(), at=now() + timedelta(days=30, hours=1)).pulses
        with store.engine.begin() as conn:
            cid = conn.execute(
                sa.select(campaigns.c.id).where(campaigns.c.name == name)
            ).scalar_one()
            rid = (
                conn.execute(
                    sa.select(raters.c.id).where(
                        raters.c.campaign_id == cid, raters.c.group == "peer"
                    )
                )
                .scalars()
                .first()
            )
            assert rid is not None
            token = issue(conn, LinkKind.INVITATION, int(rid), 30)
    page = client.get(f"/survey/{token}")
    assert page.status_code == 200
    shown = set(re.findall(r'name="a_([A-Z0-9-]+)"', page.text))
    assert shown == set(asked)
    form = {f"a_{i}": "4" for i in asked} | {"action": "submit", "idempotency_key": "k-1"}
    done = client.post(f"/survey/{token}", data=form)
    assert done.status_code == 200
    with open_store(site_url) as store, store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(responses.c.item_id).where(responses.c.rater_id == rid)
        ).scalars()
        assert sorted(stored) == asked
    # after its deadline the tick closes and releases the pulse; the plan page says what it
    # can: one peer is below the threshold of 3, so no change is shown for others' view
    with open_store(site_url) as store:
        later = tick(store, WebSettings(), at=now() + timedelta(days=46))
        assert later.released == [name]
    plan_page = p02.get("/me/plan").text
    assert "Pulse check" in plan_page and "Not enough raters answered" in plan_page
