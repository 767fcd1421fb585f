"""The pages in a real browser (Debian Chromium): sign in, campaign pages, keyboard, phone size.

Screenshots land in the test output folder (test-output/web/) for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bifocals.services.accounts import create_user
from bifocals.services.campaigns import change_status
from bifocals.services.people import add_participant, add_rater, nominate
from bifocals.services.security import User
from bifocals.store.tables import raters
from support.web import PASSWORD, add_user, store_at

pytestmark = pytest.mark.browser


def _seed(url: str) -> None:
    add_user(url, "admin@example.org", "admin")
    with store_at(url) as store:
        coach_id = create_user(store, "coach@example.org", "facilitator", PASSWORD)
        coach = User(coach_id, "coach@example.org", "facilitator", None)
        from bifocals.instruments import get_instrument
        from bifocals.scoring.model import Thresholds
        from bifocals.services.campaigns import create_campaign

        cid = create_campaign(
            store, coach, "Spring leadership 2026", get_instrument().id, Thresholds(), None
        )
        with store.engine.begin() as conn:
            people = [("P01", "Amara Okafor"), ("P02", "Lukas Brandt"), ("P03", "Sofia Marques")]
            pids = [
                add_participant(conn, coach, cid, code, name, f"{code.lower()}@example.org")
                for code, name in people
            ]
            for i, pid in enumerate(pids):
                add_rater(conn, coach, cid, pid, f"Manager {i}", f"m{i}@example.org", "manager")
                for j in range(4):
                    add_rater(
                        conn, coach, cid, pid, f"Peer {i}.{j}", f"peer{i}{j}@example.org", "peer"
                    )
            nominate(conn, pids[0], cid, "Noor Haddad", "noor@example.org", "direct_report")
            conn.execute(
                sa.update(raters)
                .where(raters.c.campaign_id == cid, raters.c.id % 3 == 0)
                .values(submitted_at=sa.func.now())
            )
        change_status(store, coach, cid, "open")


@pytest.fixture
def server(tmp_path: Path, live_server: Callable[[str], str]) -> str:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    _seed(url)
    return live_server(url)


def test_pages_in_a_browser(server: str, browser: Any, artifacts_dir: Path) -> None:
    out = artifacts_dir / "web"
    out.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server + "/")
    assert page.url.endswith("/login")
    # The first Tab reaches the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.screenshot(path=str(out / "login.png"), full_page=True)
    page.get_by_label("E-mail").fill("coach@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/campaigns$"))
    page.screenshot(path=str(out / "campaigns.png"), full_page=True)
    page.get_by_role("link", name="Spring leadership 2026").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+$"))
    assert page.get_by_role("heading", name="Participants", exact=True).is_visible()
    page.screenshot(path=str(out / "campaign.png"), full_page=True)
    page.get_by_role("link", name="P01", exact=True).click()
    page.wait_for_url(re.compile(r"/participants/\d+$"))
    assert page.get_by_text("Noor Haddad").is_visible()
    page.screenshot(path=str(out / "participant.png"), full_page=True)
    page.get_by_role("button", name="Approve Noor Haddad").click()
    assert page.get_by_text("Nomination approved").is_visible()
    page.get_by_role("button", name="Show links for everyone without one").click()
    assert page.get_by_text("shown only this once").is_visible()
    links = page.locator("input.secret")
    assert links.count() >= 3
    assert "/survey/" in (links.first.input_value() or "")
    page.screenshot(path=str(out / "links.png"), full_page=True)
    page.get_by_role("link", name="Done").click()
    page.goto(server + page.url.split(server)[1].split("/participants")[0] + "/progress")
    assert page.get_by_role("heading", name=re.compile("Not answered yet")).is_visible()
    page.screenshot(path=str(out / "progress.png"), full_page=True)
    # Phone-sized screen: nothing wider than the viewport except scrollable tables.
    phone = browser.new_page(viewport={"width": 375, "height": 740})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(page.url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    phone.screenshot(path=str(out / "progress-phone.png"), full_page=True)
    page.goto(server + "/campaigns/new")
    page.screenshot(path=str(out / "new-campaign.png"), full_page=True)
    assert (out / "campaign.png").stat().st_size > 5000
