"""An effort import in a real browser (Debian Chromium): upload a Jira export on the initiative's
page, look at the preview, apply it, see the third quarter change. Screenshots land in
test-output/change/ for people to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.effort_exports import cost_quarter_export
from support.web import PASSWORD, demo_initiative_db

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path, live_server: Callable[[str], str]) -> str:
    return live_server(demo_initiative_db(tmp_path / "change.db"))


def test_preview_and_apply_an_upload(
    server: str, browser: Any, artifacts_dir: Path, tmp_path: Path
) -> None:
    out = artifacts_dir / "change"
    out.mkdir(parents=True, exist_ok=True)
    export = tmp_path / "jira-q3.csv"
    export.write_bytes(cost_quarter_export())
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server + "/login")
    page.get_by_label("E-mail").fill("coach@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$|/initiatives|/campaigns"))
    page.goto(server + "/initiatives/Move%20the%20order%20system%20to%20the%20cloud")
    page.get_by_role("link", name="Effort imports").click()
    card = page.locator("#effort-card")
    # First a file with a mistake: every problem is listed, nothing is applied.
    bad = tmp_path / "jira-typo.csv"
    bad.write_bytes(cost_quarter_export().replace(b",cost,", b",theme:costs,", 2))
    card.get_by_label("Format").select_option("jira")
    card.get_by_label("Export file").set_input_files(str(bad))
    card.get_by_role("button", name="Preview").click()
    page.wait_for_url(re.compile(r"/effort$"))
    assert page.get_by_role("heading", name="Nothing was applied from jira-typo.csv").is_visible()
    problems = page.get_by_role("region", name="Problems")
    assert problems.get_by_role("row").count() == 3  # a header and two problems
    assert "did you mean 'cost'?" in problems.inner_text()
    page.screenshot(path=str(out / "effort-problems.png"), full_page=True)
    page.get_by_role("link", name="Back to the initiative").click()
    card = page.locator("#effort-card")
    card.get_by_label("Format").select_option("jira")
    card.get_by_label("Export file").set_input_files(str(export))
    card.screenshot(path=str(out / "effort-upload.png"))
    card.get_by_role("button", name="Preview").click()
    page.wait_for_url(re.compile(r"/effort/\d+$"))
    assert page.get_by_role("heading", name="Effort from jira-q3.csv").is_visible()
    state = page.locator("#effort-state")
    assert "Preview only: nothing has changed yet." in state.inner_text()
    periods = page.get_by_role(
        "table", name="Effort and alignment per period, now and after applying"
    )
    q3 = periods.get_by_role("row").filter(has_text="2026-Q3")
    assert "120" in q3.inner_text() and "69.3°" in q3.inner_text()
    themes = page.get_by_role("table", name="Items and effort per theme")
    cost = themes.get_by_role("row").filter(has_text="Pay for what we use")
    assert re.search(r"\b12\b", cost.inner_text()) and "100%" in cost.inner_text()
    assert "0 items, 0% of the effort" in page.locator("#effort-untagged").inner_text()
    page.screenshot(path=str(out / "effort-preview.png"), full_page=True)
    page.get_by_role("button", name="Apply to 2026-Q3").click()
    page.wait_for_url(re.compile(r"/initiatives/Move%20the[^/]*#alignment$"))
    flash = page.get_by_role("status").first
    assert "The effort of 2026-Q3 now comes from jira-q3.csv (12 items, 120 hours)." in (
        flash.inner_text()
    )
    row = page.locator(".change-report table.periods tr").filter(has_text="2026-Q3")
    assert "69.3°" in row.inner_text() and "Jira export jira-q3.csv" in row.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out / "effort-result-top.png"))
    page.locator("#alignment").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "effort-result.png"))
    page.locator("#effort-card").screenshot(path=str(out / "effort-applied-card.png"))
    # The preview page fits a phone's width.
    phone = browser.new_page(viewport={"width": 375, "height": 740})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(server + "/initiatives/Move%20the%20order%20system%20to%20the%20cloud")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    assert (out / "effort-preview.png").stat().st_size > 20000
