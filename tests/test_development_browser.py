"""Leadership development over time, in Chromium, as the participant lives it.

Two released waves of the demo cohort and an external norm table; the admin has chosen the
second wave's comparisons. P02 signs in, reads a report with "Since last time" and
percentiles, writes a development plan on two scales shared with the coach; then the clock is
moved to the plan's date, the schedule's tick starts the pulse check and its invitations reach
P02's raters at a real SMTP server, and a rater's link on a phone asks only the plan's items.
Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

from bifocals.instruments import get_instrument
from bifocals.services.baselines import set_baseline
from bifocals.services.norms import import_external_norm
from bifocals.services.schedule import tick
from bifocals.services.security import now
from bifocals.store.tables import campaigns, participants, raters
from bifocals.web import SmtpSettings, WebSettings, create_app
from support.mail import Inbox, body
from support.waves import NEW, OLD, two_waves
from support.web import PASSWORD, add_user, store_at

PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"http://[^/\s]+/survey/([A-Za-z0-9_-]{43})")
SCALES = ("focus_goals.leadership", "risk_taking.leadership")


def test_report_plan_and_pulse_in_the_browser(
    tmp_path: Path,
    live_server: Callable[[FastAPI | str], str],
    browser: Any,
    artifacts_dir: Path,
    inbox: tuple[Inbox, int],
) -> None:
    from playwright.sync_api import expect

    box, port = inbox
    shots = artifacts_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    db = str(tmp_path / "development.db")
    two_waves(db, tmp_path, released=True)
    url = f"sqlite:///{db}"
    add_user(url, "p02@example.org", "participant", campaign=NEW, participant="P02")
    inst = get_instrument("bifocals_open_360")
    scales = {(i.dimension, i.side) for i in inst.items}
    table = "scale,mean,sd,n,source\n" + "".join(
        f"{d}.{s},3.3,0.6,350,Sector study 2025\n" for d, s in sorted(scales)
    )
    with store_at(url) as store:
        import_external_norm(store, "Sector", inst.id, table.encode(), "sector.csv", None)
        set_baseline(store, NEW, None, previous=OLD, norms="Sector")
        with store.engine.begin() as conn:  # the demo's raters have no address: give P02's
            pid = conn.execute(
                sa.select(participants.c.id)
                .join(campaigns)
                .where(campaigns.c.name == NEW, participants.c.code == "P02")
            ).scalar_one()
            for rid, code in conn.execute(
                sa.select(raters.c.id, raters.c.code).where(raters.c.participant_id == pid)
            ).all():
                conn.execute(
                    sa.update(raters)
                    .where(raters.c.id == rid)
                    .values(email=f"{code.lower()}@example.org")
                )
    base = live_server(create_app(url))

    # The participant reads the report: since last time, and where they stand on the norm.
    laptop = browser.new_context(viewport={"width": 1200, "height": 900})
    page = laptop.new_page()
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill("p02@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(base + "/me")
    page.get_by_role("link", name="Read my report").click()
    page.wait_for_url(re.compile(r"/report$"))
    expect(page.get_by_role("heading", name="Since last time")).to_be_visible()
    expect(page.get_by_role("heading", name="Reliably higher than last time")).to_be_visible()
    norm = page.locator("section.norms")
    expect(norm.get_by_role("heading", name="Against the norm")).to_be_visible()
    cells = norm.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert cells and all(c.strip().isdigit() and 1 <= int(c) <= 99 for c in cells)
    page.locator("section.since").screenshot(path=str(shots / "report-since-last-time.png"))
    norm.screenshot(path=str(shots / "report-against-the-norm.png"))

    # The development plan: two scales, actions, a date, shared with the coach.
    page.goto(base + "/me")
    page.get_by_role("link", name="development plan").click()
    page.wait_for_url(re.compile(r"/me/plan$"))
    boxes = page.locator('input[name="scales"]')
    for i in range(boxes.count()):  # the report's development areas come ticked: start over
        boxes.nth(i).uncheck()
    for key in SCALES:
        page.locator(f'input[name="scales"][value="{key}"]').check()
    page.get_by_label("Actions I will take").fill(
        "Open each monthly meeting with where we are heading and why.\n"
        "Try one small experiment a quarter and tell the team how it went."
    )
    page.get_by_label("Support I would like (optional)").fill("A monthly talk with my coach.")
    pulse_day = now().date() + timedelta(days=45)
    page.get_by_label("Date of the pulse check").fill(pulse_day.isoformat())
    page.get_by_label("My coach (the facilitators of this programme)").check()
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_text("Your plan is saved.")).to_be_visible()
    page.screenshot(path=str(shots / "development-plan.png"), full_page=True)
    laptop.close()

    # The clock moves to the plan's date: the tick starts the pulse and mails its raters.
    settings = WebSettings(smtp=SmtpSettings(host="127.0.0.1", port=port, sender="hr@x.org"))
    at = datetime.combine(pulse_day, time(9), UTC)
    with store_at(url) as store:
        report = tick(store, settings, base, at=at)
    assert len(report.pulses) == 1 and report.pulses[0].startswith("Pulse: ")
    assert report.mail.sent == len(box.messages) > 0
    links = [LINK.search(body(m)) for m in box.messages]
    assert all(links)
    # the mail counts the time of the pulse (eight items), not of the whole questionnaire
    assert all("about 2 minutes" in body(m).lower() for m in box.messages)
    asked = sorted(i.id for i in inst.items if f"{i.dimension}.{i.side}" in SCALES)

    # A rater opens the pulse on a phone: only the plan's eight items.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    survey = phone.new_page()
    first = links[0]
    assert first is not None
    survey.goto(first.group(0))
    names = set(survey.eval_on_selector_all('input[type="radio"]', "els => els.map(e => e.name)"))
    assert names == {f"a_{i}" for i in asked}
    survey.screenshot(path=str(shots / "pulse-survey-phone.png"), full_page=True)
    phone.close()
