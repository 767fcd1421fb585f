"""Page details a reviewer found: confirmations before irreversible actions, the least
privileged role preselected, breadcrumbs, the audit log's dates, the rater survey's scale and
error summary. Real database, real HTTP; the browser side is in
test_web_survey_and_links_browser.py."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.instruments import get_instrument
from bifocals.web.routers.change import initiative_path
from support.closed_campaign import Site, seeded_site
from support.readiness import NAME, seed
from support.survey import INSTRUMENT, full_answers
from support.survey import seed as seed_survey
from support.web import Auth, add_user, store_at


class Forms(HTMLParser):
    """(action, data-confirm or None) of every form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            a = dict(attrs)
            self.found.append((a.get("action") or "", a.get("data-confirm")))


def confirms(html: str) -> dict[str, str | None]:
    parser = Forms()
    parser.feed(html)
    return dict(parser.found)


@pytest.fixture
def site(sqlite_url: str, tmp_path: Path) -> Site:
    return seeded_site(sqlite_url, tmp_path)


def test_release_and_close_ask_first(site: Site, auth: Auth) -> None:
    c = site.campaign_id
    client = auth("admin@example.org", site.url)
    forms = confirms(client.get(f"/campaigns/{c}").text)
    release = forms[f"/campaigns/{c}/release"]
    assert release and "cannot be undone" in release and "Autumn" in release
    assert forms[f"/campaigns/{c}/reopen"] is None  # undoable: no question
    with store_at(site.url) as store, store.engine.begin() as conn:
        conn.execute(sa.text("update campaigns set status = 'open' where id = :c"), {"c": c})
    forms = confirms(client.get(f"/campaigns/{c}").text)
    close = forms[f"/campaigns/{c}/close"]
    assert close and "can no longer answer" in close
    # The page loads the script that asks; without it the forms post as before.
    page = client.get(f"/campaigns/{c}").text
    assert "/static/ui.js" in page
    assert client.get("/static/ui.js").status_code == 200


def test_remove_and_reject_ask_first(sqlite_url: str, auth: Auth, client: TestClient) -> None:
    add_user(sqlite_url, "admin@example.org", "admin")
    add_user(sqlite_url, "fa@example.org", "facilitator")
    from support.campaign_pages import add_person, make_campaign

    admin = auth("admin@example.org")
    t = admin.token
    visitor = client
    cid = make_campaign(admin, t)
    admin.post(f"/campaigns/{cid}/facilitators", data={"email": "fa@example.org"})
    forms = confirms(admin.get(f"/campaigns/{cid}").text)
    remove = [v for k, v in forms.items() if k.endswith("/remove")]
    assert remove and remove[0] and "fa@example.org" in remove[0]
    pid = add_person(admin, t, cid, "P1", name="Pat", email="pat@example.org")
    r = admin.post(
        f"/campaigns/{cid}/participants/{pid}/nomination-link",
        data={"mode": "show"},
        follow_redirects=True,
    )
    path = re.search(r'value="https?://[^"/]+(/nominate/[^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    page = visitor.get(path)
    vt = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    visitor.post(
        path,
        data={"csrf_token": vt, "name": "Lee", "email": "lee@example.org", "group": "peer"},
    )
    forms = confirms(admin.get(f"/campaigns/{cid}/participants/{pid}").text)
    reject = [v for k, v in forms.items() if k.endswith("/reject")]
    approve = [v for k, v in forms.items() if k.endswith("/approve")]
    assert reject and reject[0] and "Lee" in reject[0] and "cannot be undone" in reject[0]
    assert approve == [None]


def test_initiative_survey_actions_ask_first(sqlite_url: str, auth: Auth) -> None:
    seed(sqlite_url)
    base = initiative_path(NAME)
    admin = auth("admin@example.org")
    forms = confirms(admin.get(base).text)
    assert "stops taking answers" in (forms[base + "/readiness/close"] or "")
    removes = [v for k, v in forms.items() if k.endswith("/remove")]
    assert removes and all(v and "coach@example.org" in v for v in removes)
    admin.post(base + "/readiness/close")
    forms = confirms(admin.get(base).text)
    assert "never take answers again" in (forms[base + "/readiness/results"] or "")
    assert forms[base + "/readiness/open"] is None


def test_new_account_form_starts_on_the_least_privileged_role(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "admin@example.org", "admin")
    admin = auth("admin@example.org")
    page = admin.get("/admin/users").text
    selected = re.findall(r'<option value="(\w+)" selected>', page)
    assert selected == ["participant"]
    # A refused form keeps what was chosen.
    r = admin.post(
        "/admin/users",
        data={
            "email": "x@example.org",
            "role": "facilitator",
            "password": "short",
        },
    )
    assert r.status_code == 400
    assert re.findall(r'<option value="(\w+)" selected>', r.text) == ["facilitator"]
    assert 'value="x@example.org"' in r.text


def test_breadcrumbs_end_on_the_page_and_audit_dates_do_not_wrap(site: Site, auth: Auth) -> None:
    c, pid = site.campaign_id, site.pids["P1"]
    client = auth("admin@example.org", site.url)
    for path, last in (
        (f"/campaigns/{c}", "Autumn"),
        (f"/campaigns/{c}/participants/{pid}", "P1"),
        (f"/campaigns/{c}/progress", "Progress"),
    ):
        page = client.get(path).text
        crumbs = re.search(r'<nav aria-label="Breadcrumb"[^>]*>(.*?)</nav>', page, re.S)
        assert crumbs, path
        text = re.sub(r"<[^>]+>", "", crumbs.group(1)).strip()
        assert not text.endswith("/") and text.endswith(last), (path, text)
    client.get(f"/campaigns/{c}/cohort")  # something in the log
    audit = client.get("/admin/audit").text
    assert re.search(r'<td class="nowrap">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>', audit)


def test_stylesheet_fixes() -> None:
    css = (Path(__file__).parents[1] / "src/bifocals/web/static/app.css").read_text()
    assert ".grid > .card { margin: 0; }" in css
    assert "\ntbody tr:last-child td" not in css  # only inside a scroll box
    assert ".table-scroll tbody tr:last-child td" in css
    assert ".nowrap { white-space: nowrap; }" in css


def test_survey_scale_keeps_radios_and_labels(sqlite_url: str, client: TestClient) -> None:
    s = seed_survey(sqlite_url)
    inst = get_instrument(INSTRUMENT)
    first = inst.item_ids[0]
    page = client.get(f"/survey/{s.tokens['R1']}").text
    block = re.search(rf'<fieldset[^>]*id="item-{first}".*?</fieldset>', page, re.S)
    assert block
    item = block.group(0)
    radios = re.findall(r'<input type="radio" name="a_' + re.escape(first) + '"', item)
    assert len(radios) == len(inst.scale.labels) + 1
    # Every radio sits inside its label with the full words (read out, even when the phone
    # layout shows only the number); the end labels are shown once, under the row.
    for label in inst.scale.labels:
        assert f"· {label}</span></label>" in item
    assert inst.scale.not_observed_label in item
    assert f"= {inst.scale.labels[0]}" in item and f"= {inst.scale.labels[-1]}" in item
    assert "flex-direction: column" not in page


def test_survey_error_summary_links_items_and_ends_sentences(
    sqlite_url: str, client: TestClient
) -> None:
    s = seed_survey(sqlite_url)
    inst = get_instrument(INSTRUMENT)
    url = f"/survey/{s.tokens['R1']}"
    some = {f"a_{i}": "4" for i in inst.item_ids[:3]}
    r = client.post(url, data={**some, "action": "submit"})
    assert r.status_code == 422
    summary = re.search(r'<div class="flash flash-error".*?</div>', r.text, re.S)
    assert summary
    text = html.unescape(summary.group(0))
    assert re.search(r"'not observed' is fine for the others\.", text)
    assert f'href="#item-{inst.item_ids[3]}"' in text
    # A wrong value: the marked item is linked by its statement.
    bad = {**full_answers(), f"a_{inst.item_ids[5]}": "9", "action": "submit"}
    r = client.post(url, data=bad)
    assert r.status_code == 422
    summary = re.search(r'<div class="flash flash-error".*?</div>', r.text, re.S)
    assert summary
    item = inst.items[5]
    assert f'<a href="#item-{item.id}">{item.text}</a>' in html.unescape(summary.group(0))
    assert f'id="item-{item.id}"' in r.text and "has-error" in r.text
