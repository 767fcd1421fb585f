"""The change initiative dashboard in a real browser (Debian Chromium); screenshots land in
test-output/change/ for people to look at."""

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


def test_dashboard_in_a_browser(server: str, browser: Any, artifacts_dir: Path) -> None:
    out = artifacts_dir / "change"
    out.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server + "/initiatives")
    assert "/login" in page.url
    page.get_by_label("E-mail").fill("coach@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/initiatives$"))
    page.screenshot(path=str(out / "initiatives.png"), full_page=True)
    page.get_by_role("link", name="Move the order system to the cloud").click()
    page.wait_for_url(re.compile(r"/initiatives/Move%20the"))
    heading = page.get_by_role("heading", name="Move the order system to the cloud")
    assert heading.is_visible()
    for name in ("Findings", "Duty coverage", "Readiness (ADKAR)"):
        assert page.get_by_role("heading", name=name, exact=True).is_visible()
    # The angle chart and the heat map are drawn, with some size on screen.
    charts = page.locator(".change-report svg")
    assert charts.count() >= 2
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)
    page.screenshot(path=str(out / "dashboard-top.png"))
    page.get_by_role("link", name="Alignment", exact=True).click()
    assert page.url.endswith("#alignment")
    # Phone-sized screen: the page itself does not scroll sideways.
    phone = browser.new_page(viewport={"width": 375, "height": 740})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(page.url.split("#")[0])
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    phone.screenshot(path=str(out / "dashboard-phone.png"), full_page=True)
    assert (out / "dashboard.png").stat().st_size > 20000
