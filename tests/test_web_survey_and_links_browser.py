"""The reviewer's findings in a real browser (Debian Chromium): the rater survey on a 390 px
phone, keyboard use of its compact scale, confirmations before irreversible steps, Copy
buttons on the links page, reloading that page, and campaign pages without sideways overflow.

Screenshots land in test-output/web-ux/ for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bifocals.instruments import get_instrument
from bifocals.store.app_tables import invitations
from bifocals.store.tables import campaigns
from support.survey import INSTRUMENT, seed
from support.web import PASSWORD, add_user, store_at

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(tmp_path: Path, live_server: Callable[[str], str]) -> tuple[str, str, int, int, str]:
    """(base address, database URL, campaign id, participant id, a rater's survey token)."""
    url = f"sqlite:///{tmp_path / 'ux.db'}"
    s = seed(url)
    uid = add_user(url, "coach@example.org", "facilitator")
    with store_at(url) as store, store.engine.begin() as conn:
        conn.execute(
            sa.text("insert into campaign_facilitators (campaign_id, user_id) values (:c, :u)"),
            {"c": s.campaign_id, "u": uid},
        )
    return live_server(url), url, s.campaign_id, s.participant_id, s.tokens["R1"]


def _sign_in(page: object, base: str) -> None:
    page.goto(base + "/login")  # type: ignore[attr-defined]
    page.get_by_label("E-mail").fill("coach@example.org")  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/campaigns$"))  # type: ignore[attr-defined]


def test_survey_on_a_phone(
    site: tuple[str, str, int, int, str], browser: Any, artifacts_dir: Path
) -> None:
    from playwright.sync_api import expect

    base, _url, _cid, _pid, token = site
    out = artifacts_dir / "web-ux"
    out.mkdir(parents=True, exist_ok=True)
    items = len(get_instrument(INSTRUMENT).item_ids)
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{base}/survey/{token}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    # Was about 24,000 px with six full-width options per statement.
    assert height < 260 * items, height
    first = page.locator("fieldset.survey-item").first
    one, five = first.get_by_label("1 · Never"), first.get_by_label("5 · Almost always")
    box1, box5 = one.bounding_box(), five.bounding_box()
    assert box1 and box5 and abs(box1["y"] - box5["y"]) < 2  # one row
    na = first.get_by_label("Not observed").bounding_box()
    assert na and na["y"] > box1["y"] + box1["height"]  # its own line
    page.screenshot(path=str(out / "survey-phone.png"))
    # Keyboard: focus the first point, arrows move the choice along the row.
    one.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(first.get_by_label("3 · Sometimes")).to_be_checked()
    expect(page.locator("#progress-count")).to_have_text("1")
    chosen = first.locator("label.point:has(input:checked)")
    color = chosen.evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(26, 86, 219)", color
    # Sending too few answers: the summary links to the first open statement.
    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator("#survey-errors")
    expect(summary).to_contain_text("fine for the others.")
    summary.get_by_role("link", name=re.compile("first statement")).click()
    assert page.url.endswith("#item-" + get_instrument(INSTRUMENT).item_ids[1])
    page.screenshot(path=str(out / "survey-errors-phone.png"))
    ctx.close()


def test_confirmations_copy_and_reload(
    site: tuple[str, str, int, int, str], browser: Any, artifacts_dir: Path
) -> None:
    from playwright.sync_api import expect

    base, url, cid, pid, _token = site
    out = artifacts_dir / "web-ux"
    out.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = ctx.new_page()
    _sign_in(page, base)
    # Say no to "Close campaign": nothing happens. Say yes: it closes.
    asked: list[str] = []

    def answer(dialog: object, accept: bool) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        (dialog.accept if accept else dialog.dismiss)()  # type: ignore[attr-defined]

    page.goto(f"{base}/campaigns/{cid}/participants/{pid}")
    # Everyone seeded holds a live link, so nobody lacks one; replacing them shows new ones.
    page.get_by_role("button", name="Show links for everyone without one").click()
    expect(page.get_by_text("No new link needed.")).to_be_visible()
    page.once("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name="Replace all their links").click()
    page.wait_for_url(re.compile(r"/links\?"))
    expect(page.get_by_text("shown only this once")).to_be_visible()
    page.screenshot(path=str(out / "links.png"), full_page=True)
    expect(page.get_by_role("button", name="Copy").first).to_be_visible()
    copy = page.locator("button[data-copy]").first
    copy.click()
    expect(copy).to_have_text(re.compile("Copied|Ctrl"))
    first = page.locator("input.secret").first.input_value()
    if "Copied" in copy.inner_text():
        assert page.evaluate("navigator.clipboard.readText()") == first
    with store_at(url) as store, store.engine.connect() as conn:
        issued = conn.execute(sa.select(sa.func.count()).select_from(invitations)).scalar()
    page.reload()
    expect(page.get_by_role("heading", name="Links already shown")).to_be_visible()
    assert page.locator("input.secret").count() == 0
    page.go_back()
    page.go_forward()
    with store_at(url) as store, store.engine.connect() as conn:
        again = conn.execute(sa.select(sa.func.count()).select_from(invitations)).scalar()
    assert again == issued

    page.goto(f"{base}/campaigns/{cid}")
    page.once("dialog", lambda d: answer(d, False))
    page.get_by_role("button", name="Close campaign").click()
    page.wait_for_timeout(300)
    assert asked and "can no longer answer" in asked[-1]
    with store_at(url) as store, store.engine.connect() as conn:
        status = conn.execute(sa.select(campaigns.c.status).where(campaigns.c.id == cid)).scalar()
    assert status == "open"
    page.once("dialog", lambda d: answer(d, True))
    page.get_by_role("button", name="Close campaign").click()
    expect(page.get_by_role("button", name="Release reports")).to_be_visible()
    expect(page.get_by_role("link", name="Cohort report")).to_be_visible()
    page.screenshot(path=str(out / "campaign-closed.png"), full_page=True)
    ctx.close()

    # A phone: the campaign page does not scroll sideways; its table scrolls inside.
    phone = browser.new_context(viewport=PHONE)
    ppage = phone.new_page()
    _sign_in(ppage, base)
    ppage.goto(f"{base}/campaigns/{cid}")
    assert ppage.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ppage.screenshot(path=str(out / "campaign-phone.png"), full_page=True)
    phone.close()
