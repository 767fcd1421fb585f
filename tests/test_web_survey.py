"""The rater survey over HTTP on SQLite and PostgreSQL: links in every state, drafts, autosave,
validation, submitting exactly once, and privacy between raters."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bifocals.instruments import get_instrument
from bifocals.services.security import now, token_hash
from bifocals.services.token_links import LinkKind, issue
from bifocals.store.app_tables import drafts, invitations, submissions
from bifocals.store.tables import raters, responses
from support.survey import INSTRUMENT, KEY, VERSION, full_answers, seed, set_status
from support.web import store_at, web_client

ITEMS = get_instrument(INSTRUMENT).item_ids
QUESTIONS = get_instrument(INSTRUMENT).question_ids


@pytest.fixture
def site_url(db_url: str) -> str:
    """The `client` fixture serves the test's database on both engines."""
    return db_url


def count(url: str, table: sa.Table, *where: object) -> int:
    with store_at(url) as store, store.engine.connect() as conn:
        q = sa.select(sa.func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
        return int(conn.execute(q).scalar_one())


def key_of(client: TestClient, token: str) -> str:
    page = client.get(f"/survey/{token}")
    assert page.status_code == 200, page.text
    found = KEY.search(page.text)
    assert found
    return found.group(1)


def test_page_shows_the_questionnaire(db_url: str, client: TestClient) -> None:
    s = seed(db_url)
    page = client.get(f"/survey/{s.tokens['R1']}")
    assert page.status_code == 200
    assert "About Ana Lima" in page.text
    assert page.text.count('type="radio"') == len(ITEMS) * 6
    assert 'value="NA"' in page.text and "Not observed" in page.text
    assert f'max="{len(ITEMS)}" value="0"' in page.text
    assert page.text.count("<textarea") == len(QUESTIONS)
    assert "<legend>" in page.text and "Spring" in page.text
    mine = client.get(f"/survey/{s.tokens['SELF']}")
    assert "About yourself" in mine.text and "describes <strong>you</strong>" in mine.text
    assert page.headers["referrer-policy"] == "no-referrer"
    with store_at(db_url) as store, store.engine.connect() as conn:
        opened = conn.execute(
            sa.select(invitations.c.opened_at).where(
                invitations.c.token_hash == token_hash(s.tokens["R1"])
            )
        ).scalar_one()
    assert opened is not None


def test_links_that_cannot_be_used(db_url: str, client: TestClient) -> None:
    s = seed(db_url)
    unknown = client.get("/survey/not-a-real-token")
    assert unknown.status_code == 404
    assert "Ana Lima" not in unknown.text and "Spring" not in unknown.text
    assert client.post("/survey/nope", data=full_answers()).status_code == 404
    assert client.post("/survey/nope/draft", json={"answers": {}}).status_code == 404

    with store_at(db_url) as store, store.engine.begin() as conn:
        issue(conn, LinkKind.INVITATION, s.rater_ids["R1"], 30)  # revokes the first link
        conn.execute(
            sa.update(invitations)
            .where(invitations.c.token_hash == token_hash(s.tokens["R2"]))
            .values(expires_at=now() - timedelta(minutes=1))
        )
    revoked = client.get(f"/survey/{s.tokens['R1']}")
    assert revoked.status_code == 410 and "replaced" in revoked.text
    assert "Ana Lima" not in revoked.text
    expired = client.get(f"/survey/{s.tokens['R2']}")
    assert expired.status_code == 410 and "expired" in expired.text
    r = client.post(f"/survey/{s.tokens['R2']}", data={**full_answers(), "action": "save"})
    assert r.status_code == 410

    set_status(db_url, s.campaign_id, "closed")
    closed = client.get(f"/survey/{s.tokens['SELF']}")
    assert closed.status_code == 410 and "not taking answers" in closed.text
    auto = client.post(f"/survey/{s.tokens['SELF']}/draft", json={"answers": {}})
    assert auto.status_code == 410
    assert count(db_url, drafts) == 0


def test_save_and_resume_on_another_device(db_url: str) -> None:
    s = seed(db_url)
    token = s.tokens["R1"]
    first = {f"a_{ITEMS[0]}": "2", f"a_{ITEMS[1]}": "NA", f"a_{QUESTIONS[0]}": "Plans ahead."}
    with web_client(db_url) as phone:
        r = phone.post(f"/survey/{token}", data={**first, "action": "save"})
        assert r.status_code == 303 and r.headers["location"] == f"/survey/{token}?saved=1"
        assert "Your answers are saved" in phone.get(r.headers["location"]).text
    with web_client(db_url) as laptop:
        page = laptop.get(f"/survey/{token}")
        assert f'name="a_{ITEMS[0]}" value="2"\n          checked' in page.text
        assert f'name="a_{ITEMS[1]}" value="NA"\n          checked' in page.text
        assert "Plans ahead.</textarea>" in page.text
        assert f'max="{len(ITEMS)}" value="2"' in page.text
        assert VERSION.search(page.text).group(1) == "1"  # type: ignore[union-attr]
    assert count(db_url, responses) == 0


def test_autosave_keeps_versions(db_url: str, client: TestClient) -> None:
    s = seed(db_url)
    url = f"/survey/{s.tokens['R1']}/draft"
    r = client.post(url, json={"answers": {ITEMS[0]: "5"}, "version": 0})
    assert r.status_code == 200 and r.json() == {"version": 1, "answered": 1, "total": 56}
    stale = client.post(url, json={"answers": {ITEMS[0]: "1"}, "version": 0})
    assert stale.status_code == 409
    assert stale.json() == {"error": "conflict", "version": 1, "answers": {ITEMS[0]: "5"}}
    r = client.post(url, json={"answers": {ITEMS[0]: "1", ITEMS[2]: "3"}, "version": 1})
    assert r.status_code == 200 and r.json()["version"] == 2
    bad = client.post(url, json={"answers": {ITEMS[0]: "9", "ZZ": "1"}, "version": 2})
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {ITEMS[0], "ZZ"}
    assert (
        client.post(url, content=b"{", headers={"content-type": "application/json"}).status_code
        == 400
    )
    assert client.post(url, json={"answers": [], "version": 2}).status_code == 400
    page = client.get(f"/survey/{s.tokens['R1']}")
    assert f'name="a_{ITEMS[2]}" value="3"\n          checked' in page.text


def test_submit_exactly_once(db_url: str, client: TestClient) -> None:
    s = seed(db_url)
    token = s.tokens["R1"]
    client.post(f"/survey/{token}/draft", json={"answers": {ITEMS[0]: "1"}, "version": 0})
    key = key_of(client, token)
    form = {
        **full_answers("4"),
        f"a_{ITEMS[3]}": "NA",
        "idempotency_key": key,
        "action": "submit",
    }
    done = client.post(f"/survey/{token}", data=form)
    assert done.status_code == 200 and "your answers are in" in done.text
    again = client.post(f"/survey/{token}", data=form)  # double click or a retry
    assert again.status_code == 200 and "already received" in again.text
    other = client.post(f"/survey/{token}", data={**form, "idempotency_key": "another"})
    assert other.status_code == 409
    assert client.get(f"/survey/{token}").status_code == 409
    set_status(db_url, s.campaign_id, "closed")
    late_retry = client.post(f"/survey/{token}", data=form)
    assert late_retry.status_code == 200 and "already received" in late_retry.text
    rid = s.rater_ids["R1"]
    assert count(db_url, submissions) == 1
    assert count(db_url, drafts) == 0
    assert count(db_url, responses, responses.c.rater_id == rid) == len(ITEMS) + len(QUESTIONS)
    assert count(db_url, responses, responses.c.value.is_(None), responses.c.text.is_(None)) == 1
    assert count(db_url, responses, responses.c.value == 4.0) == len(ITEMS) - 1
    assert count(db_url, raters, raters.c.submitted_at.is_not(None)) == 1


def test_the_thank_you_page_says_how_the_answers_are_shown(db_url: str, client: TestClient) -> None:
    """What the questionnaire told each rater holds after sending: a manager's ratings are the
    manager's view, a self-assessment stands beside the others', a peer's are combined."""
    s = seed(db_url)
    with store_at(db_url) as store, store.engine.begin() as conn:
        where = raters.c.id == s.rater_ids["R2"]
        conn.execute(sa.update(raters).where(where).values(group="manager"))
    said = {}
    for code in ("SELF", "R1", "R2"):
        token = s.tokens[code]
        form = {**full_answers("3"), "idempotency_key": key_of(client, token), "action": "submit"}
        done = client.post(f"/survey/{token}", data=form)
        assert done.status_code == 200 and "your answers are in" in done.text
        said[code] = done.text
    assert "as the manager's view" in said["R2"] and "combined" not in said["R2"]
    assert "Your self-assessment is shown in your report" in said["SELF"]
    assert "combined with other people's answers" in said["R1"].replace("&#39;", "'")


def test_simultaneous_submits_make_one_submission(db_url: str, client: TestClient) -> None:
    s = seed(db_url)
    token = s.tokens["R2"]
    codes: list[int] = []
    key = key_of(client, token)
    form = {**full_answers("3"), "idempotency_key": key, "action": "submit"}

    def go() -> None:
        codes.append(client.post(f"/survey/{token}", data=form).status_code)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 6
    assert count(db_url, submissions) == 1
    assert count(db_url, responses) == len(ITEMS) + len(QUESTIONS)


def test_validation_shows_errors_next_to_fields(db_url: str, client: TestClient) -> None:
    s = seed(db_url)
    token = s.tokens["R1"]
    key = key_of(client, token)
    form = {
        **full_answers(),
        f"a_{ITEMS[0]}": "7",
        f"a_{QUESTIONS[0]}": "x" * 4001,
        "a_NOPE": "3",
        "idempotency_key": key,
        "action": "submit",
    }
    r = client.post(f"/survey/{token}", data=form)
    assert r.status_code == 422
    assert f'id="err-{ITEMS[0]}">choose one of 1, 2, 3, 4, 5' in r.text
    assert f'id="err-{QUESTIONS[0]}">keep this answer under 4000' in r.text
    assert 'class="survey-item has-error" id="item-' + ITEMS[0] in r.text
    assert count(db_url, submissions) == 0

    few = {f"a_{i}": "NA" for i in ITEMS}
    few.update({f"a_{i}": "2" for i in ITEMS[:27]})
    r = client.post(f"/survey/{token}", data={**few, "idempotency_key": key, "action": "submit"})
    assert r.status_code == 422 and "rate at least 28 of the 56" in r.text
    assert "you have rated 27" in r.text
    assert count(db_url, submissions) == 0 and count(db_url, drafts) == 1
    few[f"a_{ITEMS[30]}"] = "5"
    r = client.post(f"/survey/{token}", data={**few, "idempotency_key": key, "action": "submit"})
    assert r.status_code == 200
    assert count(db_url, submissions) == 1


def test_a_rater_never_sees_anyone_elses_answers(db_url: str, client: TestClient) -> None:
    s = seed(db_url)
    secret = "Only R1 should ever see this sentence."
    r = client.post(
        f"/survey/{s.tokens['R1']}/draft",
        json={"answers": {QUESTIONS[0]: secret, ITEMS[0]: "5"}, "version": 0},
    )
    assert r.status_code == 200
    other = client.get(f"/survey/{s.tokens['R2']}")
    assert secret not in other.text
    assert f'max="{len(ITEMS)}" value="0"' in other.text
    stale = client.post(f"/survey/{s.tokens['R2']}/draft", json={"answers": {}, "version": 5})
    assert stale.status_code == 409 and stale.json()["answers"] == {}
    key = key_of(client, s.tokens["R1"])
    form = {**full_answers(text=secret), "idempotency_key": key, "action": "submit"}
    done = client.post(f"/survey/{s.tokens['R1']}", data=form)
    assert done.status_code == 200 and secret not in done.text
    # Another rater reusing R1's idempotency key gets nothing of R1's.
    stolen = client.post(f"/survey/{s.tokens['R2']}", data=form)
    assert secret not in stolen.text and stolen.status_code == 409
    assert secret not in client.get(f"/survey/{s.tokens['R1']}").text
    assert count(db_url, submissions) == 1


@pytest.mark.parametrize("action", ["save", "submit"])
def test_survey_posts_need_no_session_or_csrf(sqlite_url: str, action: str) -> None:
    s = seed(sqlite_url)
    with web_client(sqlite_url) as client:
        r = client.post(
            f"/survey/{s.tokens['R1']}",
            data={**full_answers(), "action": action, "idempotency_key": "k-" + action},
        )
        assert r.status_code in (200, 303)
