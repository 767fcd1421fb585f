"""The change initiative dashboard in a real browser (Debian Chromium); screenshots land in
test-output/change/ for people to look at."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from bifocals.change.importer import load_demo_initiative
from bifocals.web import create_app
from conftest import CHROMIUM_ARGS
from test_web_app_support import PASSWORD, add_user, store_at

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'change.db'}"
    add_user(url, "coach@example.org", "facilitator")
    with store_at(url) as store:
        load_demo_initiative(store)
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_dashboard_in_a_browser(server: str, chromium_path: str, artifacts_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    out = artifacts_dir / "change"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
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
        finally:
            browser.close()
    assert (out / "dashboard.png").stat().st_size > 20000
