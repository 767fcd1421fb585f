"""Shared helpers for the web tests: an app over a real database, users, signing in, CSRF,
a live server for the browser tests."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bifocals.services.accounts import create_user
from bifocals.store import Store, open_store
from bifocals.web import WebSettings, create_app

PASSWORD = "correct horse battery"
META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def web_client(url: str, settings: WebSettings | None = None) -> Iterator[TestClient]:
    """A TestClient over a fresh app on the database at url (closed afterwards)."""
    app = create_app(url, settings=settings)
    with TestClient(app, follow_redirects=False) as client:
        yield client


@contextmanager
def store_at(url: str) -> Iterator[Store]:
    """A Store on the same database (for setting up and for looking at rows)."""
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


def add_user(url: str, email: str, role: str, **kw: str) -> int:
    """Create an account with the shared test password."""
    with store_at(url) as store:
        return create_user(store, email, role, PASSWORD, **kw)  # type: ignore[arg-type]


def bearer(url: str, email: str) -> dict[str, str]:
    """An Authorization header with a fresh API token of the account."""
    from bifocals.services.api_tokens import issue_token

    with store_at(url) as store:
        return {"Authorization": f"Bearer {issue_token(store, email, 'tests')}"}


def token_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page hands out (meta tag of base.html)."""
    page = client.get(path)
    found = META.search(page.text)
    assert found, f"no csrf meta tag on {path}: {page.status_code}"
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in; returns the session's CSRF token."""
    token = token_of(client, "/login")
    r = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )
    assert r.status_code == 303, r.text
    return token_of(client, "/account/password")


class SignedIn(TestClient):
    """A TestClient signed in as one account (`email`, CSRF `token`). Its `post` puts the
    session's CSRF token into the form, unless the form brings its own (a test of a wrong or
    missing token says so) or the body is JSON or raw content."""

    email: str = ""
    token: str = ""

    def post(self, url: Any, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        data = kwargs.get("data")
        if (
            "json" not in kwargs
            and "content" not in kwargs
            and (data is None or isinstance(data, Mapping))
        ):
            kwargs["data"] = {"csrf_token": self.token, **(data or {})}
        return super().post(url, **kwargs)


@contextmanager
def signed_in(
    url: str, email: str, password: str = PASSWORD, settings: WebSettings | None = None
) -> Iterator[SignedIn]:
    """A SignedIn client over a fresh app on the database at url (closed afterwards)."""
    app = create_app(url, settings=settings)
    with SignedIn(app, follow_redirects=False) as client:
        client.email = email
        client.token = login(client, email, password)
        yield client


class Auth:
    """What the `auth` fixture gives: auth(email) is a fresh app on the test's database (or on
    `url`) and a client signed in as email, its `post` adding the CSRF token; every client is
    closed when the test ends."""

    def __init__(self, stack: ExitStack, site_url: Callable[[], str]) -> None:
        self._stack, self._site_url = stack, site_url

    def __call__(
        self,
        email: str,
        url: str | None = None,
        *,
        password: str = PASSWORD,
        settings: WebSettings | None = None,
    ) -> SignedIn:
        where = url or self._site_url()
        return self._stack.enter_context(signed_in(where, email, password, settings))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI | str) -> Iterator[str]:
    """Serve an app (or a fresh app on the database URL) with uvicorn in a thread; yields
    its base URL and stops the server afterwards. For the real-browser tests."""
    port = free_port()
    asgi = create_app(app) if isinstance(app, str) else app
    srv = uvicorn.Server(uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def demo_initiative_db(db: Path) -> str:
    """A fresh SQLite file holding the demo initiative, managed by coach@example.org
    (password PASSWORD); returns its URL (serve it with the `live_server` fixture)."""
    from bifocals.services.change_records import load_demo_initiative
    from bifocals.services.initiatives import assign_by_email

    url = f"sqlite:///{db}"
    add_user(url, "coach@example.org", "facilitator")
    with store_at(url) as store:
        name = load_demo_initiative(store)
        assign_by_email(store, name, "coach@example.org")
    return url
