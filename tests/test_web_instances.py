"""Two real `bifocals serve` processes on one PostgreSQL database, behind a round-robin client.

Each request goes to the next instance in turn (a transport that rewrites the port), with one
cookie jar, as a load balancer without sticky sessions would do. Nothing here is mocked: the
servers are subprocesses, the database is a fresh PostgreSQL database, the mail goes to a real
SMTP server (aiosmtpd), and both servers run their schedulers every 0.3 s.

- A session made on one instance works on the other, a form token of one is accepted by the
  other, a logout on one ends the session on both; failed sign-ins count across both, per
  account and per visitor address (X-Forwarded-For from the trusted balancer); links issued on
  one are shown once, by the other.
- A reminder that falls due while both schedulers run goes out exactly once per rater; the rater
  opens the link from that mail on one instance, saves a draft on the other, sees it on the
  first, and submits on the other: every answer is stored.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bifocals.instruments import get_instrument
from bifocals.services.token_links import LinkKind, lookup
from bifocals.store.programme_tables import campaign_events, mail_outbox
from bifocals.store.tables import participants, raters, responses
from support.programme import cli, roster_file
from support.web import PASSWORD, add_user, free_port, store_at

pytestmark = pytest.mark.postgres

BIN = Path(sys.executable).parent
PUBLIC = "http://bifocals.test"
NAME = "Cohort on two servers"
META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
VERSION = re.compile(r'data-version="(\d+)"')
CHECKED = re.compile(r'name="a_([^"]+)" value="([^"]+)"\s+checked')
LINK = re.compile(re.escape(PUBLIC) + r"/survey/([A-Za-z0-9_-]{43})")
NOMINATION = re.compile(r"/nominate/[A-Za-z0-9_-]{43}")
INSTRUMENT = get_instrument("bifocals_open_360")


class Inbox:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class RoundRobin(httpx.BaseTransport):
    """Sends each request to the next port in turn and notes which port answered it."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.served: list[tuple[str, str, int]] = []
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        port = self.ports[len(self.served) % len(self.ports)]
        request.url = request.url.copy_with(port=port)
        request.headers["host"] = f"127.0.0.1:{port}"
        self.served.append((request.method, request.url.path, port))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass
class Site:
    """Two running instances, their logs, the client in front of them and the mail server."""

    url: str
    ports: list[int]
    logs: list[Path]
    client: httpx.Client
    balancer: RoundRobin
    inbox: Inbox

    def port_of_last(self) -> int:
        return self.balancer.served[-1][2]

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs)


def _start(url: str, port: int, smtp_port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BIFOCALS_TICK_SECONDS": "0.3"}
    cmd = [
        str(BIN / "bifocals"),
        "serve",
        "--db",
        url,
        "--port",
        str(port),
        "--base-url",
        PUBLIC,
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(smtp_port),
        "--smtp-from",
        "hr@example.org",
        "--scheduler",
        # The round-robin client stands for the load balancer, on 127.0.0.1.
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)


def _wait_up(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not start: " + log.read_text()
        time.sleep(0.2)


@pytest.fixture
def site(pg_url: str, tmp_path: Path) -> Iterator[Site]:
    """Two instances started at the same moment on a fresh database (they migrate it
    together: one waits for the other's migration lock)."""
    box, smtp_port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"serve-{p}.log" for p in ports]
    procs = [_start(pg_url, p, smtp_port, log) for p, log in zip(ports, logs, strict=True)]
    balancer = RoundRobin(ports)
    client = httpx.Client(
        transport=balancer, base_url="http://127.0.0.1", timeout=60, follow_redirects=False
    )
    try:
        for port, proc, log in zip(ports, procs, logs, strict=True):
            _wait_up(port, proc, log)
        yield Site(pg_url, ports, logs, client, balancer, box)
    finally:
        client.close()
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        controller.stop()


def _form_token(site: Site, path: str) -> str:
    page = site.client.get(path)
    found = META.search(page.text)
    assert page.status_code == 200 and found, (path, page.status_code)
    return found.group(1)


def _sign_in(site: Site, email: str, password: str, address: str = "") -> httpx.Response:
    token = _form_token(site, "/login")
    form = {"email": email, "password": password, "csrf_token": token, "next": "/"}
    headers = {"x-forwarded-for": address} if address else {}
    return site.client.post("/login", data=form, headers=headers)


def test_sessions_form_tokens_throttle_and_issued_links_hold_across_instances(
    site: Site, tmp_path: Path
) -> None:
    add_user(site.url, "ana@example.org", "admin")
    add_user(site.url, "bo@example.org", "facilitator")
    # The login form comes from one instance, the sign-in goes to the other.
    assert _sign_in(site, "ana@example.org", PASSWORD).status_code == 303
    signed_on = site.port_of_last()
    page = site.client.get("/account/password")
    assert page.status_code == 200 and site.port_of_last() != signed_on
    assert "ana@example.org" in page.text

    # Links issued on one instance wait in the session and are shown once, by the other.
    assert cli(site.url, "create", "Links", "--deadline", "2030-01-31")[0] == 0
    assert cli(site.url, "roster", "Links", str(roster_file(tmp_path / "roster.csv")))[0] == 0
    with store_at(site.url) as store, store.engine.connect() as conn:
        cid, pid = conn.execute(sa.select(participants.c.campaign_id, participants.c.id)).first()
    token = _form_token(site, f"/campaigns/{cid}/participants/{pid}")
    r = site.client.post(
        f"/campaigns/{cid}/participants/{pid}/nomination-link",
        data={"csrf_token": token, "mode": "show"},
    )
    issued_on = site.port_of_last()
    assert r.status_code == 303, r.text[:300]
    shown = site.client.get(r.headers["location"])
    assert site.port_of_last() != issued_on
    assert shown.status_code == 200 and NOMINATION.search(shown.text), shown.text[:500]
    again = site.client.get(r.headers["location"])
    assert again.status_code == 200 and not NOMINATION.search(again.text)

    # A form token handed out by one instance is accepted by the other: sign out there, and
    # the session is over on both.
    token = _form_token(site, "/account/password")
    assert site.client.post("/logout", data={"csrf_token": token}).status_code == 303
    for _ in site.ports:
        r = site.client.get("/account/password")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")

    # Wrong passwords count on both instances together: five, then the account waits.
    codes = [_sign_in(site, "bo@example.org", "not the password").status_code for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2
    # Behind the balancer (trusted with --forwarded-allow-ips) the throttle counts each
    # visitor's own address: twenty failures from one address, whatever the accounts, stop
    # that address on both instances, not the others behind the same balancer.
    guesses = [
        _sign_in(site, f"guess{n}@example.org", "not the password", "203.0.113.7").status_code
        for n in range(21)
    ]
    assert guesses == [401] * 20 + [429]
    other = _sign_in(site, "guess0@example.org", "not the password", "198.51.100.2")
    assert other.status_code == 401
    assert _sign_in(site, "ana@example.org", PASSWORD, "198.51.100.3").status_code == 303
    assert {port for _, path, port in site.balancer.served if path == "/login"} == set(site.ports)


def _due_reminder_campaign(site: Site, tmp_path: Path) -> int:
    """An open campaign whose one reminder round (7 days before a deadline 3 days away) is due
    now; set up with the CLI while both servers run."""
    deadline = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    assert cli(site.url, "create", NAME, "--deadline", deadline)[0] == 0
    assert cli(site.url, "roster", NAME, str(roster_file(tmp_path / "roster.csv")))[0] == 0
    code, _, err = cli(site.url, "schedule", NAME, "--remind", "7", "--close", "auto")
    assert code == 0, err
    assert cli(site.url, "open", NAME)[0] == 0  # from now on both schedulers see it due
    with store_at(site.url) as store:
        return store.get_campaign(NAME).id


def test_a_due_reminder_goes_out_once_and_a_rater_moves_between_instances(
    site: Site, tmp_path: Path
) -> None:
    cid = _due_reminder_campaign(site, tmp_path)
    with store_at(site.url) as store, store.engine.connect() as conn:
        addresses = Counter(
            str(a)
            for a in conn.execute(
                sa.select(raters.c.email).where(raters.c.campaign_id == cid)
            ).scalars()
        )
    expected = sum(addresses.values())
    deadline = time.monotonic() + 60
    while len(site.inbox.messages) < expected:
        assert time.monotonic() < deadline, (len(site.inbox.messages), site.log_text())
        time.sleep(0.1)
    time.sleep(2.0)  # about six more ticks of each scheduler: nothing more may come
    messages = list(site.inbox.messages)
    assert len(messages) == expected
    assert Counter(str(m["To"]) for m in messages) == addresses
    assert all(str(m["Subject"]).startswith("Reminder:") for m in messages)
    with store_at(site.url) as store, store.engine.connect() as conn:
        events = conn.execute(
            sa.select(campaign_events.c.kind).where(campaign_events.c.campaign_id == cid)
        ).all()
        outbox = Counter(
            (int(r), str(s))
            for r, s in conn.execute(sa.select(mail_outbox.c.rater_id, mail_outbox.c.status))
        )
    assert [e.kind for e in events] == ["reminder"]
    assert len(outbox) == expected and set(outbox.values()) == {1}
    assert {s for _, s in outbox} == {"sent"}
    # One scheduler queued the round; the sending may be shared (each logs what it did).
    logs = site.log_text()
    assert logs.count(f"reminders for {NAME}: {expected} queued") == 1
    assert sum(int(n) for n in re.findall(r"mail: (\d+) sent", logs)) == expected

    # The rater follows the link in their reminder.
    payload = messages[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    token = LINK.findall(payload.decode())[0]
    path = f"/survey/{token}"
    first = site.client.get(path)
    opened_on = site.port_of_last()
    assert first.status_code == 200 and VERSION.search(first.text)
    items = list(INSTRUMENT.item_ids)
    draft = {item: str(1 + n % 5) for n, item in enumerate(items[:30])}
    saved = site.client.post(f"{path}/draft", json={"answers": draft, "version": 0})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    assert site.port_of_last() != opened_on
    # Back on the first instance the page shows the draft the other one saved.
    again = site.client.get(path)
    assert site.port_of_last() == opened_on
    version = VERSION.search(again.text)
    assert version and version.group(1) == "1"
    assert dict(CHECKED.findall(again.text)) == draft
    key = KEY.search(again.text)
    assert key
    # The browser sends what the page holds plus the rest; the other instance takes it.
    form = {f"a_{i}": v for i, v in CHECKED.findall(again.text)}
    form.update({f"a_{i}": "NA" for i in items[30:]})
    form.update({"a_Q1": "Clear plans, shared early.", "action": "submit"})
    form["idempotency_key"] = key.group(1)
    done = site.client.post(path, data=form)
    assert site.port_of_last() != opened_on
    assert done.status_code == 200 and "your answers are in" in done.text
    with store_at(site.url) as store, store.engine.connect() as conn:
        look = lookup(conn, LinkKind.INVITATION, token)
        assert look.row is not None
        rid = int(look.row.rater_id)
        stored = {
            str(r.item_id): (r.value, r.text)
            for r in conn.execute(sa.select(responses).where(responses.c.rater_id == rid))
        }
    assert {k: int(v) for k, (v, _) in stored.items() if v is not None} == {
        k: int(v) for k, v in draft.items()
    }
    assert all(stored[i] == (None, None) for i in items[30:])
    assert stored["Q1"] == (None, "Clear plans, shared early.")
