"""Shared helpers for the web tests: an app over a real database, users, signing in, CSRF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from bifocals.store import Store, open_store
from bifocals.web import WebSettings, create_app
from bifocals.web.accounts import create_user

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


def post(client: TestClient, path: str, token: str, **data: object) -> object:
    """POST a form with the CSRF token."""
    return client.post(path, data={"csrf_token": token, **data})
