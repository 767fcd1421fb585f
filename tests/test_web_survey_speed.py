"""The survey's cheaper paths give the same pages: cached item HTML, first-visit-only writes,
a statement budget per request, and `bifocals serve --workers N` sharing one database (rate
limit and submissions hold)."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bifocals.instruments import get_instrument
from bifocals.services.security import token_hash
from bifocals.services.survey_answers import NOT_OBSERVED
from bifocals.store.app_tables import invitations, submissions
from bifocals.web.survey_page import cached_sections, item_html, questionnaire
from support.survey import INSTRUMENT, KEY, full_answers, seed
from support.web import add_user, free_port, store_at

CHECKED = re.compile(r'name="a_([^"]+)" value="([^"]+)"\s+checked')


def test_cached_items_match_a_fresh_rendering() -> None:
    instrument = get_instrument(INSTRUMENT)
    sections = cached_sections(instrument)
    assert sum(len(s.items) for s in sections) == len(instrument.items)
    assert cached_sections(instrument) is sections  # rendered once
    choices = [None, NOT_OBSERVED, *map(str, range(instrument.scale.min, instrument.scale.max + 1))]
    for section in sections:
        for cached in section.items:
            for chosen in choices:
                assert cached.html(chosen) == item_html(instrument, cached.item, chosen, None)
            assert cached.html("not a scale value") == cached.html(None)
    first = instrument.items[0]
    answers = {first.id: "3", instrument.items[1].id: NOT_OBSERVED}
    page = "".join(html for _, html in questionnaire(instrument, answers, {first.id: "pick one"}))
    assert CHECKED.findall(page) == [(first.id, "3"), (instrument.items[1].id, NOT_OBSERVED)]
    assert page.count('class="field-error"') == 1 and "pick one" in page
    assert f'id="item-{first.id}"' in page and "has-error" in page


def test_page_after_a_refused_submit_marks_the_wrong_items(
    sqlite_url: str, client: TestClient
) -> None:
    s = seed(sqlite_url)
    token = s.tokens["R1"]
    answers = full_answers()
    missing = [f"a_{i}" for i in get_instrument(INSTRUMENT).item_ids[:2]]
    answers.update({missing[0]: "7", missing[1]: "9"})  # off the scale: refused, not kept
    key = KEY.search(client.get(f"/survey/{token}").text)
    assert key
    r = client.post(
        f"/survey/{token}",
        data={**answers, "action": "submit", "idempotency_key": key.group(1)},
    )
    assert r.status_code == 422
    assert r.text.count('class="field-error"') == 2
    for k in missing:  # the two wrong items carry their error
        assert f'aria-describedby="err-{k[2:]}"' in r.text
    checked = dict(CHECKED.findall(r.text))
    assert len(checked) == len(get_instrument(INSTRUMENT).items) - 2


def test_only_the_first_visit_writes(sqlite_url: str, client: TestClient) -> None:
    s = seed(sqlite_url)
    where = invitations.c.token_hash == token_hash(s.tokens["R1"])
    assert client.get(f"/survey/{s.tokens['R1']}").status_code == 200
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        first = conn.execute(sa.select(invitations.c.opened_at).where(where)).scalar_one()
    assert first is not None
    time.sleep(0.01)
    assert client.get(f"/survey/{s.tokens['R1']}").status_code == 200
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        again = conn.execute(sa.select(invitations.c.opened_at).where(where)).scalar_one()
    assert again == first


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """The SQL statements the app's engine sends to the database meanwhile."""
    sent: list[str] = []
    engine = app.state.store.engine

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        sent.append(statement.split(None, 1)[0].upper())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_each_survey_request_keeps_to_its_statements(
    sqlite_url: str, app: FastAPI, client: TestClient
) -> None:
    """One query finds the invitation with all its page needs (rater, participant, campaign,
    a pulse's scales); a regression to a query per detail shows here, not only in a benchmark."""
    s = seed(sqlite_url)
    token = s.tokens["R1"]
    with statements(app) as sent:  # first visit: lookup, record the visit, the draft
        page = client.get(f"/survey/{token}")
    assert page.status_code == 200 and sent == ["SELECT", "UPDATE", "SELECT"], sent
    with statements(app) as sent:  # a later visit writes nothing
        assert client.get(f"/survey/{token}").status_code == 200
    assert sent == ["SELECT", "SELECT"], sent
    answers = full_answers()
    draft = {k[2:]: v for k, v in list(answers.items())[:10]}
    with statements(app) as sent:  # lookup, then the draft's version and its first row
        r = client.post(f"/survey/{token}/draft", json={"answers": draft, "version": 0})
    assert r.status_code == 200 and sent == ["SELECT", "SELECT", "INSERT"], sent
    key = KEY.search(page.text)
    assert key
    with statements(app) as sent:
        r = client.post(
            f"/survey/{token}", data={**answers, "action": "submit", "idempotency_key": key[1]}
        )
    assert r.status_code == 200, r.text
    # outside the transaction the lookup; inside it the lookup again, the idempotency key,
    # the submission, the rater, the answers (cleared, then one multi-row insert), the draft
    assert sent == [
        "SELECT",
        "SELECT",
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "INSERT",
        "DELETE",
    ], sent


@contextmanager
def served(db: Path, workers: int) -> Iterator[str]:
    port = free_port()
    exe = Path(sys.executable).parent / "bifocals"
    proc = subprocess.Popen(
        [str(exe), "serve", "--db", str(db), "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def test_serve_with_two_workers_shares_the_database(tmp_path: Path) -> None:
    db = tmp_path / "workers.db"
    url = f"sqlite:///{db}"
    add_user(url, "ana@example.org", "admin")
    s = seed(url)
    with served(db, 2) as base:
        # New connections each time, so the requests spread over both workers.
        statuses = []
        for _ in range(7):
            with httpx.Client(base_url=base, timeout=60) as client:
                page = client.get("/login")
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
                assert token
                r = client.post(
                    "/login",
                    data={
                        "email": "ana@example.org",
                        "password": "wrong password!",
                        "csrf_token": token.group(1),
                        "next": "/",
                    },
                )
                statuses.append(r.status_code)
        # Five failures, then blocked, whichever worker answered.
        assert statuses == [401] * 5 + [429] * 2
        with httpx.Client(base_url=base, timeout=60) as client:
            page = client.get(f"/survey/{s.tokens['R1']}")
            key = KEY.search(page.text)
            assert key
            form = {**full_answers(), "action": "submit", "idempotency_key": key.group(1)}
            for _ in range(3):  # a retried submit, on any worker, is one submission
                with httpx.Client(base_url=base, timeout=60) as fresh:
                    assert fresh.post(f"/survey/{s.tokens['R1']}", data=form).status_code == 200
    with store_at(url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(submissions)).scalar_one()
    assert rows == 1
