"""The app factory: pages render, security headers, static CSS, error pages, migrations."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bifocals.store.app_tables import WEB_TABLES
from bifocals.web.app import ROUTERS, create_app
from support.web import Auth, add_user, free_port, login, store_at, web_client


def test_web_tables_exist_after_migration(db_url: str) -> None:
    with store_at(db_url) as store:
        names = set(sa.inspect(store.engine).get_table_names())
    assert {t.name for t in WEB_TABLES} <= names


def test_schema_matches_the_tables(sqlite_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import bifocals.store.app_tables  # noqa: F401
    from bifocals.store.meta import metadata

    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    web = {t.name for t in WEB_TABLES}
    ours = [d for d in diff if any(getattr(x, "name", None) in web for x in d[1:2])]
    assert ours == []


def test_security_headers_and_login_page(sqlite_url: str, client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200
    for h in ("content-security-policy", "x-frame-options", "x-content-type-options"):
        assert h in r.headers
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    # Accessible shell: language, skip link, main landmark, labelled inputs.
    assert '<html lang="en">' in r.text
    assert 'href="#main"' in r.text and '<main id="main"' in r.text
    assert '<label for="email">' in r.text and '<label for="password">' in r.text
    assert "bifocals_csrf" in r.headers["set-cookie"]
    assert "SameSite=strict" in r.headers["set-cookie"]


def test_static_css_served(sqlite_url: str, client: TestClient) -> None:
    r = client.get("/static/app.css")
    assert r.status_code == 200 and ":focus-visible" in r.text
    assert "no-store" not in r.headers.get("cache-control", "")


def test_unknown_page_is_a_404_page(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "ana@example.org", "admin")
    client = auth("ana@example.org")
    r = client.get("/campaigns/999999")
    assert r.status_code == 404 and "Not found" in r.text
    r = client.get("/campaigns/999999", headers={"accept": "application/json"})
    assert r.json() == {"detail": "no such campaign"}
    r = client.get("/campaigns/not-a-number")
    assert r.status_code in (404, 422)


def _included(app: FastAPI) -> list[object]:
    """The routers an app includes (FastAPI keeps each included router as one route)."""
    return [getattr(r, "original_router", None) for r in app.routes]


def test_every_router_is_included(sqlite_url: str) -> None:
    app = create_app(sqlite_url)
    try:
        included = _included(app)
        # Every router module of the package is wired in, explicitly (app.ROUTERS).
        folder = Path(importlib.import_module("bifocals.web.routers").__path__[0])
        names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
        assert {m.__name__.rsplit(".", 1)[1] for m in ROUTERS} == names
        for module in ROUTERS:
            assert module.router in included, module.__name__
    finally:
        app.state.store.close()


def test_demo_accounts_sign_in(tmp_path: Path) -> None:
    from bifocals.demo import DEMO_CAMPAIGN, demo_csv
    from bifocals.instruments import get_instrument
    from bifocals.services.demo_accounts import create_demo_accounts

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    csv_path = tmp_path / "demo.csv"
    csv_path.write_text(demo_csv(get_instrument()), encoding="utf-8")
    with store_at(url) as store:
        store.import_campaign_csv(csv_path, DEMO_CAMPAIGN)
        made = create_demo_accounts(store, DEMO_CAMPAIGN)
        again = create_demo_accounts(store, DEMO_CAMPAIGN)  # `demo load --replace` runs it twice
    assert made == again
    assert [m[0] for m in made] == ["admin", "facilitator", "participant"]
    with web_client(url) as client:
        for role, email, password in made:
            login(client, email, password)
            page = client.get("/me" if role == "participant" else "/campaigns").text
            assert DEMO_CAMPAIGN in page, role
            client.cookies.clear()


def test_serve_command_prints_the_url_and_serves(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "serve.db"
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "bifocals"),
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 90
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and "Sign in" in r.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
