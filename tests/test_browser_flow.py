"""The whole 360 in a real browser (Debian Chromium): a facilitator sets up a campaign, raters
answer on their phones (one saves, comes back on another device and finishes), the facilitator
closes and releases, the participant reads the report and downloads the PDF.

Screenshots land in test-output/screenshots/ for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from bifocals.services.accounts import create_user
from bifocals.web import create_app
from support.web import PASSWORD, add_user, store_at

pytestmark = [pytest.mark.browser, pytest.mark.pdf]
PHONE = {"width": 390, "height": 844}
CAMPAIGN = "Autumn leadership 2026"


@pytest.fixture
def server(tmp_path: Path, live_server: Callable[[FastAPI | str], str]) -> str:
    url = f"sqlite:///{tmp_path / 'flow.db'}"
    add_user(url, "coach@example.org", "facilitator")
    app = create_app(url)
    app.state.test_db_url = url
    return f"{live_server(app)}|{url}"


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _answer_all(page: Any, value: str, skip: int = 0) -> None:
    """Tick `value` for every statement after the first `skip` (clicking each label)."""
    radios = page.locator(f'input[type="radio"][value="{value}"]')
    for i in range(skip, radios.count()):
        radios.nth(i).check()


def test_full_campaign_in_a_browser(
    server: str, browser: Any, pdf_engine: None, artifacts_dir: Path
) -> None:
    from playwright.sync_api import expect

    base, db_url = server.split("|")
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    coach = browser.new_page(viewport={"width": 1200, "height": 900})
    coach.on("dialog", lambda d: d.accept())  # "are you sure?" before irreversible steps
    coach.goto(base + "/login")
    coach.screenshot(path=str(shots / "login.png"), full_page=True)
    _sign_in(coach, base, "coach@example.org")
    coach.goto(base + "/campaigns/new")
    coach.get_by_label("Name").fill(CAMPAIGN)
    coach.get_by_role("button", name="Create campaign").click()
    coach.wait_for_url(re.compile(r"/campaigns/\d+$"))
    campaign_url = coach.url
    coach.get_by_label("Code").fill("P01")
    coach.locator("#p-name").fill("Amara Okafor")
    coach.get_by_role("button", name="Add participant").click()
    coach.get_by_role("button", name="Open campaign").click()
    coach.wait_for_load_state()
    coach.get_by_role("link", name="P01", exact=True).click()
    coach.wait_for_url(re.compile(r"/participants/\d+$"))
    participant_url = coach.url
    for name, group in [
        ("Mina Sato", "manager"),
        ("Peer Ana", "peer"),
        ("Peer Ben", "peer"),
        ("Peer Cai", "peer"),
    ]:
        coach.locator("#r-name").fill(name)
        coach.locator("#r-group").select_option(group)
        coach.get_by_role("button", name="Add rater").click()
        coach.wait_for_load_state()
    coach.get_by_role("button", name="Show links for everyone without one").click()
    expect(coach.get_by_text("shown only this once")).to_be_visible()
    links: dict[str, str] = {}
    for card in coach.locator("ul.link-list li").all():
        label = card.locator("strong").inner_text()
        links[label] = card.locator("input.secret").input_value()
    assert len(links) == 5, links
    coach.goto(base + "/campaigns")
    coach.screenshot(path=str(shots / "dashboard.png"), full_page=True)

    by_name = {next(k for k in links if n in k): n for n in ("Ana", "Ben", "Cai", "Mina")}
    self_link = next(v for k, v in links.items() if k not in by_name)

    # Peer Ana starts on her phone, saves, and finishes later on another device.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    ana_link = links[next(k for k, v in by_name.items() if v == "Ana")]
    page = phone.new_page()
    page.goto(ana_link)
    expect(page.get_by_role("heading", name="About Amara Okafor")).to_be_visible()
    page.screenshot(path=str(shots / "survey-phone.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first = page.locator("fieldset.survey-item").first
    first.get_by_label(re.compile("Often")).check()
    page.locator("fieldset.survey-item").nth(1).get_by_label("Not observed").check()
    expect(page.locator("#progress-count")).to_have_text("2")
    expect(page.locator("#autosave-status")).to_have_text("Saved")
    page.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_text("Your answers are saved. You")).to_be_visible()
    page.screenshot(path=str(shots / "survey-progress.png"))
    phone.close()

    laptop = browser.new_context(viewport={"width": 1100, "height": 900})
    page = laptop.new_page()
    page.goto(ana_link)
    first = page.locator("fieldset.survey-item").first
    expect(first.get_by_label(re.compile("Often"))).to_be_checked()
    expect(page.locator("#progress-count")).to_have_text("2")
    _answer_all(page, "4", skip=2)
    page.locator("textarea").first.fill("She keeps the plan visible every week.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name=re.compile("your answers are in"))).to_be_visible()
    laptop.close()

    for label, who in by_name.items():
        if who == "Ana":
            continue
        ctx = browser.new_context(viewport=PHONE)
        page = ctx.new_page()
        page.goto(links[label])
        _answer_all(page, "3" if who == "Ben" else "5")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_text("your answers are in")).to_be_visible()
        ctx.close()
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    page.goto(self_link)
    expect(page.get_by_role("heading", name="About yourself")).to_be_visible()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Please rate at least")).to_be_visible()
    page.screenshot(path=str(shots / "survey-errors.png"))
    _answer_all(page, "2")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("your answers are in")).to_be_visible()
    page.goto(self_link)
    expect(page.get_by_text("already been sent")).to_be_visible()
    ctx.close()

    coach.goto(campaign_url + "/progress")
    coach.screenshot(path=str(shots / "progress.png"), full_page=True)
    coach.goto(campaign_url)
    coach.get_by_role("button", name="Close campaign").click()
    coach.wait_for_load_state()
    coach.get_by_role("button", name="Release reports").click()
    coach.wait_for_load_state()
    assert participant_url.startswith(campaign_url)

    with store_at(db_url) as store:
        create_user(
            store,
            "amara@example.org",
            "participant",
            PASSWORD,
            campaign=CAMPAIGN,
            participant="P01",
        )
    reader = browser.new_context(viewport={"width": 1200, "height": 900})
    page = reader.new_page()
    _sign_in(page, base, "amara@example.org")
    page.goto(base + "/me")
    page.get_by_role("link", name="Read my report").click()
    page.wait_for_url(re.compile(r"/report$"))
    expect(page.get_by_role("heading", name="Amara Okafor", level=1)).to_be_visible()
    page.screenshot(path=str(shots / "report.png"), full_page=True)
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    reader.close()
    assert (shots / "survey-phone.png").stat().st_size > 5000
