"""A whole small programme as HR runs it, in a real browser (Debian Chromium), from an empty
database: roster upload, invitations by e-mail received by a real SMTP server (aiosmtpd), the
links sheet for the rater without an address, raters answering on a phone, a reminder sent by
the schedule with the clock moved (not by waiting), the warning naming the group under its
threshold, the automatic close at the deadline, a participant invited to set a password who
reads the released report.

Screenshots land in test-output/programme/ (docs/web.md shows them).
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from bifocals.services.schedule import tick
from bifocals.services.security import utc
from bifocals.store.tables import campaigns
from bifocals.web import SmtpSettings, WebSettings, create_app
from support.mail import SURVEY, Inbox, body
from support.programme import HEADER
from support.web import PASSWORD, add_user, serve, store_at

pytestmark = [pytest.mark.browser, pytest.mark.pdf]
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/(?:survey|account/setup)/[A-Za-z0-9_-]{43})")

ROSTER = [
    "P1,Ana Lima,ana@ex.org,Bo Chen,bo@ex.org,manager",
    "P1,Ana Lima,ana@ex.org,Cy Diaz,cy@ex.org,peer",
    "P1,Ana Lima,ana@ex.org,Di Evans,di@ex.org,peer",
    "P1,Ana Lima,ana@ex.org,Ed Fox,,peer",  # no address: his link goes by the sheet
]


def _wait_for(box: Inbox, n: int, seconds: float = 30) -> None:
    """Wait until the background sender has handed n messages to the SMTP server."""
    end = time.monotonic() + seconds
    while len(box.messages) < n:
        assert time.monotonic() < end, f"{len(box.messages)} messages, expected {n}"
        time.sleep(0.1)


def _answer_all(page: Any, value: str) -> None:
    radios = page.locator(f'input[type="radio"][value="{value}"]')
    for i in range(radios.count()):
        radios.nth(i).check()


def test_hr_runs_a_small_programme(
    tmp_path: Path,
    browser: Any,
    pdf_engine: None,
    artifacts_dir: Path,
    inbox: tuple[Inbox, int],
) -> None:
    from playwright.sync_api import expect

    box, port = inbox
    url = f"sqlite:///{tmp_path / 'programme.db'}"
    add_user(url, "hr@example.org", "admin")
    smtp = SmtpSettings(host="127.0.0.1", port=port, sender="hr@example.org", timeout=5)
    settings = WebSettings(smtp=smtp)
    shots = artifacts_dir / "programme"
    shots.mkdir(parents=True, exist_ok=True)
    roster = tmp_path / "cohort.csv"
    roster.write_text(HEADER + "\n" + "\n".join(ROSTER) + "\n", encoding="utf-8")
    deadline = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%d")

    with serve(create_app(url, settings=settings)) as base:
        hr = browser.new_page(viewport={"width": 1280, "height": 900})
        hr.on("dialog", lambda d: d.accept())
        hr.goto(base + "/login")
        hr.get_by_label("E-mail").fill("hr@example.org")
        hr.get_by_label("Password").fill(PASSWORD)
        hr.get_by_role("button", name="Sign in").click()
        hr.wait_for_load_state()

        # 1. A campaign with a deadline, and its roster from a spreadsheet.
        hr.goto(base + "/campaigns/new")
        hr.get_by_label("Name").fill("Leaders 2027")
        hr.locator("#deadline").fill(deadline)
        hr.get_by_role("button", name="Create campaign").click()
        hr.wait_for_url(re.compile(r"/campaigns/\d+$"))
        campaign = hr.url
        cid = int(campaign.rsplit("/", 1)[1])
        hr.get_by_role("link", name="Upload a roster spreadsheet").click()
        hr.get_by_label("Roster file").set_input_files(str(roster))
        hr.get_by_role("button", name="Preview changes").click()
        expect(hr.get_by_text("Preview only: nothing has changed yet")).to_be_visible()
        hr.screenshot(path=str(shots / "roster-preview.png"), full_page=True)
        hr.get_by_label("Choose cohort.csv again to apply it").set_input_files(str(roster))
        hr.get_by_role("button", name="Import").click()
        expect(hr.get_by_text("1 participant added; 4 raters added")).to_be_visible()

        # 2. The schedule: reminders 7 and 2 days before; close at the deadline.
        hr.goto(campaign + "/schedule")
        hr.get_by_label("Reminders, in days before the deadline").fill("7, 2")
        hr.screenshot(path=str(shots / "schedule.png"), full_page=True)
        hr.get_by_role("button", name="Save").click()
        expect(hr.get_by_text("Saved: reminders 7, 2 days before the deadline")).to_be_visible()
        hr.get_by_role("button", name="Open campaign").click()
        expect(hr.get_by_text("The campaign is open")).to_be_visible()

        # 3. Invitations by e-mail to everyone with an address; the links sheet for the rest.
        hr.goto(campaign + "/progress")
        hr.get_by_role("button", name="E-mail invitations to everyone without a link").click()
        expect(hr.get_by_text("4 invitations queued")).to_be_visible()
        _wait_for(box, 4)
        assert sorted(m["To"] for m in box.messages) == [
            "ana@ex.org",
            "bo@ex.org",
            "cy@ex.org",
            "di@ex.org",
        ]
        to_ana = next(m for m in box.messages if m["To"] == "ana@ex.org")
        assert to_ana["Subject"] == "Your self-assessment in Leaders 2027"
        assert "minutes" in body(to_ana)
        hr.goto(campaign + "/roster")
        hr.screenshot(path=str(shots / "roster-links.png"), full_page=True)
        with hr.expect_download() as got:
            hr.get_by_role("button", name="Download new links (Excel)").click()
        sheet = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).worksheets[0]
        rows = [[c.value for c in r] for r in sheet.iter_rows()][1:]
        assert [(r[2], r[4]) for r in rows] == [("Ed Fox", "peer")]  # the only one without a link
        links = {m["To"]: LINK.search(body(m)).group(1) for m in box.messages}  # type: ignore[union-attr]
        links["ed"] = str(rows[0][5])

        # 4. Raters answer on their phones: the self rating, the manager, one peer of three.
        for who in ("ana@ex.org", "bo@ex.org", "cy@ex.org"):
            ctx = browser.new_context(viewport=PHONE)
            page = ctx.new_page()
            page.goto(links[who])
            expect(page.get_by_text("About 11 minutes.")).to_be_visible()
            expect(page.get_by_text("Please answer by")).to_be_visible()
            if who == "cy@ex.org":
                page.screenshot(path=str(shots / "survey-phone.png"))
            _answer_all(page, "4")
            page.get_by_role("button", name="Send my answers").click()
            expect(page.get_by_text("your answers are in")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            ctx.close()

        # 5. The clock moves to seven days before the deadline: the schedule reminds Di and
        #    Ed's link-sheet colleague stays unmailed (no address).
        with store_at(url) as store, store.engine.connect() as conn:
            end = utc(conn.execute(sa.select(campaigns.c.deadline)).scalar())
        assert end is not None
        with store_at(url) as store:
            report = tick(store, settings, base, at=end - timedelta(days=7) + timedelta(hours=1))
        assert report.reminders == [("Leaders 2027", 1)] and report.mail.sent == 1
        reminder = box.messages[-1]
        assert reminder["To"] == "di@ex.org" and reminder["Subject"].startswith("Reminder:")
        assert SURVEY.pattern  # the reminder carries a fresh link, the old one is replaced
        assert LINK.search(body(reminder))

        # 6. Before the deadline the campaign page warns: the peers are under their threshold.
        hr.goto(campaign)
        warning = hr.locator("#at-risk")
        expect(warning).to_contain_text("P1 Ana Lima: 1 of 3 peers counted")
        expect(warning).to_contain_text("2 more answers would show it on its own")
        hr.screenshot(path=str(shots / "close-warning.png"), full_page=True)
        hr.goto(campaign + "/progress")
        expect(hr.get_by_text("Peer 1/3 (under threshold)")).to_be_visible()
        hr.screenshot(path=str(shots / "progress.png"), full_page=True)

        # 7. The deadline passes: the campaign closes itself.
        with store_at(url) as store:
            report = tick(store, settings, base, at=end + timedelta(minutes=1))
        assert report.closed == ["Leaders 2027"]
        hr.goto(campaign)
        expect(hr.locator(".badge.status-closed")).to_be_visible()

        # 8. The participant is invited to an account, sets a password, reads the report.
        hr.get_by_role("button", name="Invite participants to their accounts").click()
        expect(hr.get_by_text("1 participant invited to set a password")).to_be_visible()
        _wait_for(box, 6)
        setup = LINK.search(body(box.messages[-1]))
        assert setup and "/account/setup/" in setup.group(1)
        hr.get_by_role("button", name="Release reports").click()
        expect(hr.get_by_text("1 participant is told by e-mail")).to_be_visible()
        _wait_for(box, 7)
        assert box.messages[-1]["Subject"] == "Your feedback report is ready"

        ctx = browser.new_context(viewport=PHONE)
        ana = ctx.new_page()
        ana.goto(setup.group(1))
        ana.get_by_label("Password", exact=False).first.fill("ana's own secret 2027")
        ana.get_by_label("The same password again").fill("ana's own secret 2027")
        ana.screenshot(path=str(shots / "set-password.png"))
        ana.get_by_role("button", name="Set password").click()
        expect(ana.get_by_text("Password set: you are signed in as ana@ex.org")).to_be_visible()
        ana.goto(base + "/me")
        ana.get_by_role("link", name=re.compile("report", re.I)).first.click()
        ana.wait_for_load_state()
        expect(ana.get_by_text(re.compile("here: your manager", re.I)).first).to_be_visible()
        ana.screenshot(path=str(shots / "report-phone.png"), full_page=True)
        assert ana.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        ctx.close()
        hr.close()
    with store_at(url) as store, store.engine.connect() as conn:
        status = conn.execute(sa.select(campaigns.c.status).where(campaigns.c.id == cid)).scalar()
    assert status == "released"
