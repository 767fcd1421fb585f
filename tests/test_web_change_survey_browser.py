"""The initiative dashboard's "Readiness survey" card at a desktop width, in a real browser
(Debian Chromium): its counts table fits the card, so the Answers column is not cut off.
The screenshot lands in test-output/change/ for people to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.web import PASSWORD, demo_initiative_db

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path, live_server: Callable[[str], str]) -> str:
    return live_server(demo_initiative_db(tmp_path / "change.db"))


@pytest.mark.parametrize("width", [1280, 900, 375])
def test_the_survey_counts_fit_their_card(
    server: str, browser: Any, artifacts_dir: Path, width: int
) -> None:
    out = artifacts_dir / "change"
    out.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server + "/initiatives")
    page.get_by_label("E-mail").fill("coach@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/initiatives$"))
    page.get_by_role("link", name="Move the order system to the cloud").click()
    page.wait_for_url(re.compile(r"/initiatives/Move%20the"))
    card = page.locator("#collect-card")
    box = card.locator(".table-scroll")
    sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert sizes[0] <= sizes[1], f"the counts table is {sizes[0]} px in a {sizes[1]} px box"
    answers = card.get_by_role("columnheader", name="Answers")
    head, frame = answers.bounding_box(), box.bounding_box()
    assert head is not None and frame is not None
    assert head["x"] + head["width"] <= frame["x"] + frame["width"] + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    card.screenshot(path=str(out / f"survey-card-{width}.png"))
