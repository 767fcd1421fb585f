"""The readiness survey in a real browser (Debian Chromium): the facilitator creates links on
the dashboard, three people answer on a phone-sized screen (one with the keyboard only); while
the survey takes answers the dashboard shows counts only, and once the facilitator closes it and
chooses to see the results, the heat map shows their group. Screenshots land in
test-output/change/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bifocals.change.loader import load_initiative_text
from bifocals.services.change_records import save_initiative
from bifocals.services.initiatives import assign_by_email
from support.readiness import NAME, TEXT
from support.web import PASSWORD, add_user, store_at

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path, live_server: Callable[[str], str]) -> str:
    url = f"sqlite:///{tmp_path / 'readiness.db'}"
    add_user(url, "coach@example.org", "facilitator")
    with store_at(url) as store:
        ini, data = load_initiative_text(TEXT, "payroll.yaml")
        save_initiative(store, ini, data, "payroll.yaml")
        assign_by_email(store, NAME, "coach@example.org")
    return live_server(url)


def test_answer_a_link_and_see_the_heat_map_after_closing(
    server: str, browser: Any, artifacts_dir: Path
) -> None:
    out = artifacts_dir / "change"
    out.mkdir(parents=True, exist_ok=True)
    coach = browser.new_page(viewport={"width": 1200, "height": 900})
    coach.on("dialog", lambda d: d.accept())  # "are you sure?" before irreversible steps
    coach.goto(server + "/login")
    coach.get_by_label("E-mail").fill("coach@example.org")
    coach.get_by_label("Password").fill(PASSWORD)
    coach.get_by_role("button", name="Sign in").click()
    coach.wait_for_url(re.compile(r"/$|/campaigns|/initiatives"))
    coach.goto(server + "/initiatives")
    coach.get_by_role("link", name=NAME).click()
    coach.wait_for_url(re.compile(r"/initiatives/Move%20payroll"))
    dashboard = coach.url
    heat = coach.locator(".change-report svg.heat-map")
    assert "Payroll team" not in (heat.text_content() or "")
    coach.get_by_label("Stakeholder group", exact=True).select_option(label="Payroll team")
    coach.get_by_label("Number of links (1-200)").fill("3")
    coach.get_by_role("button", name="Create links").click()
    coach.wait_for_selector("text=shown only this once")
    links = [coach.get_by_label(f"Link {k}").input_value() for k in (1, 2, 3)]
    assert all("/readiness/" in u for u in links)

    # Respondents: a phone-sized screen, no sign-in.
    for k, link in enumerate(links):
        context = browser.new_context(viewport={"width": 375, "height": 740})
        page = context.new_page()
        page.goto(link)
        assert page.get_by_role("heading", name="How ready do you feel?").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        if k == 0:
            page.screenshot(path=str(out / "readiness-form-phone.png"), full_page=True)
            # Keyboard only: Tab to the first option of each group, arrows to choose.
            page.get_by_role("group", name=re.compile("Why")).get_by_label(
                "1 · Strongly disagree"
            ).focus()
            page.keyboard.press("ArrowRight")  # -> 2 · Disagree
            for _ in range(4):
                page.keyboard.press("Tab")
                page.keyboard.press("ArrowRight")
                page.keyboard.press("ArrowRight")  # -> 3 in each later group
            checked = page.locator("input[type=radio]:checked")
            assert checked.count() == 5
            page.get_by_label(re.compile("Anything you would like")).fill(
                "We need the new pay rules in writing."
            )
        else:
            for group in ("Why", "Wanting it", "Knowing how", "Being able to"):
                page.get_by_role("group", name=re.compile(group)).get_by_label("4 · Agree").check()
            page.get_by_role("group", name=re.compile("Making it last")).get_by_label(
                "Not sure"
            ).check()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_selector("text=your answers are in")
        if k == 0:
            page.screenshot(path=str(out / "readiness-done-phone.png"))
        context.close()

    # Taking answers: counts only, and a plain note; no results anywhere.
    coach.goto(dashboard + "#collect")
    heat = coach.locator(".change-report svg.heat-map")
    assert "Payroll team" not in (heat.text_content() or "")
    assert coach.get_by_text("Results appear when collection is closed").is_visible()
    row = coach.locator("#collect-card").get_by_role("row", name=re.compile("Payroll team"))
    assert row.get_by_role("cell").all_inner_texts() == ["Payroll team", "3", "3"]
    assert not coach.get_by_text("We need the new pay rules in writing.").count()
    coach.locator("#collect-card").screenshot(path=str(out / "readiness-collecting.png"))
    note = coach.locator(".change-report .web-survey")
    note.scroll_into_view_if_needed()
    note.screenshot(path=str(out / "readiness-held-back-note.png"))

    # Closed: still nothing shown until the facilitator chooses to see the results.
    coach.get_by_role("button", name="Close the survey").click()
    coach.wait_for_selector("text=Closed: links do not take answers.")
    heat = coach.locator(".change-report svg.heat-map")
    assert "Payroll team" not in (heat.text_content() or "")
    coach.locator("#collect-card").screenshot(path=str(out / "readiness-closed.png"))
    coach.get_by_role("button", name="Show the results").click()
    coach.wait_for_url(re.compile(r"#readiness$"))
    heat = coach.locator(".change-report svg.heat-map")
    assert "Payroll team (n=3)" in (heat.text_content() or "")
    assert not coach.get_by_role("button", name="Take answers again").count()
    assert coach.get_by_text("We need the new pay rules in writing.").is_visible()
    heat.scroll_into_view_if_needed()
    heat.screenshot(path=str(out / "readiness-heat-map.png"))
    coach.screenshot(path=str(out / "readiness-dashboard.png"), full_page=True)
    assert (out / "readiness-heat-map.png").stat().st_size > 5000
