"""Shared fixtures: real SQLite and PostgreSQL databases, a real browser, a real PDF engine.

On a developer's machine without PostgreSQL, Chromium or Pango, the tests that need them are
skipped with a reason. CI sets BIFOCALS_REQUIRE_PG / _BROWSER / _PDF so that they fail instead.

The web fixtures: `app` (the app over `site_url`, the test's SQLite file unless a module
overrides `site_url`), `client` (an anonymous TestClient of it), `auth` (auth(email) signs in a
fresh client whose `post` adds the CSRF token) and `live_server` (live_server(app or URL) serves
it with uvicorn for the browser, returning its base URL). Helpers live in tests/support/.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bifocals.services.security import use_password_hasher
from bifocals.web import create_app
from support.mail import inbox  # noqa: F401 (a fixture for every module)
from support.web import Auth, serve

# argon2id at its lowest cost: the suite hashes hundreds of passwords, and the cost parameters
# are not what the tests check (the product keeps argon2-cffi's defaults).
use_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

PG_URL = os.environ.get("BIFOCALS_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _required(name: str) -> bool:
    return os.environ.get(f"BIFOCALS_REQUIRE_{name}", "") not in ("", "0")


def _missing(name: str, reason: str) -> None:
    if _required(name):
        pytest.fail(f"{reason} (BIFOCALS_REQUIRE_{name} is set, so this is an error)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database for this test session (dropped afterwards)."""
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("select 1"))
    except Exception as exc:  # any connection failure means: no server here
        admin.dispose()
        _missing("PG", f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    name = f"bifocals_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "select pg_terminate_backend(pid) from pg_stat_activity where datname = :n"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A PostgreSQL URL whose database is emptied after each test."""
    yield pg_server_url
    eng = sa.create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file in the test's temp dir."""
    return f"sqlite:///{tmp_path / 'bifocals.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bifocals.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium, or skip/fail."""
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        _missing("BROWSER", f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the whole session (Playwright); each test opens its own
    pages, each page in a fresh context (no shared cookies)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def pdf_engine() -> None:
    """WeasyPrint with Pango available, and poppler's pdftotext to read PDFs back; or skip/fail."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        _missing("PDF", f"WeasyPrint cannot load Pango: {exc}")
    if shutil.which("pdftotext") is None:
        _missing("PDF", "pdftotext not installed (apt-get install poppler-utils)")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave screenshots and rendered pages for people to look at."""
    d = Path(os.environ.get("BIFOCALS_TEST_OUTPUT", "test-output"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture
def site_url(sqlite_url: str) -> str:
    """The database that `app`, `client` and `auth` serve: the test's SQLite file. A module
    overrides this fixture to serve a seeded database or both engines (`db_url`)."""
    return sqlite_url


@pytest.fixture
def app(site_url: str) -> Iterator[FastAPI]:
    """The web app over `site_url` (its store closed afterwards)."""
    application = create_app(site_url)
    yield application
    application.state.store.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous TestClient of `app` (redirects not followed)."""
    with TestClient(app, follow_redirects=False) as anonymous:
        yield anonymous


@pytest.fixture
def auth(request: pytest.FixtureRequest) -> Iterator[Auth]:
    """Signed-in clients: `auth("coach@example.org")` on `site_url`, `auth(email, db_url)`.
    `site_url` is only set up when a call leaves out the database."""
    with ExitStack() as stack:
        yield Auth(stack, lambda: str(request.getfixturevalue("site_url")))


@pytest.fixture
def live_server() -> Iterator[Callable[[FastAPI | str], str]]:
    """live_server(app or database URL): serve it with uvicorn in a thread for the browser
    tests; returns its base URL. Every server is stopped when the test ends."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(serve(app))
