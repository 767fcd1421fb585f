"""Accounts, sessions, CSRF, login rate limit, roles and the `user` CLI, on real databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bifocals.cli import app as cli_app
from bifocals.services.security import token_hash
from bifocals.store.app_tables import audit_log, login_attempts, sessions, users
from bifocals.web import WebSettings
from support.web import PASSWORD, Auth, add_user, login, store_at, token_of, web_client


def test_login_sets_safe_cookie_and_stores_only_the_hash(db_url: str) -> None:
    add_user(db_url, "ana@example.org", "admin")
    with web_client(db_url) as client:
        token = token_of(client)
        r = client.post(
            "/login",
            data={"email": "Ana@Example.org ", "password": PASSWORD, "csrf_token": token},
        )
        assert r.status_code == 303
        assert r.headers["location"] == "/campaigns"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
        assert "Secure" not in cookie
        raw = client.cookies["bifocals_session"]
        assert len(raw) >= 43
    with store_at(db_url) as store, store.engine.connect() as conn:
        stored = conn.execute(sa.select(sessions.c.id_hash)).scalars().all()
        pw = conn.execute(sa.select(users.c.password_hash)).scalar_one()
        actions = conn.execute(sa.select(audit_log.c.action)).scalars().all()
    assert stored == [token_hash(raw)]
    assert raw not in stored
    assert pw.startswith("$argon2id$") and PASSWORD not in pw
    assert "login" in actions and "user.create" in actions


def test_secure_cookie_setting(sqlite_url: str) -> None:
    add_user(sqlite_url, "ana@example.org", "admin")
    with web_client(sqlite_url, WebSettings(secure_cookies=True)) as client:
        token = token_of(client)
        r = client.post(
            "/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
        )
        assert "Secure" in r.headers["set-cookie"]


def test_wrong_password_and_unknown_user_look_the_same(sqlite_url: str, client: TestClient) -> None:
    add_user(sqlite_url, "ana@example.org", "admin")
    token = token_of(client)
    a = client.post(
        "/login", data={"email": "ana@example.org", "password": "nope", "csrf_token": token}
    )
    b = client.post(
        "/login", data={"email": "bob@example.org", "password": "nope", "csrf_token": token}
    )
    assert a.status_code == b.status_code == 401
    assert "E-mail or password is wrong." in a.text and "E-mail or password is wrong." in b.text
    assert "bifocals_session" not in client.cookies


def test_login_rate_limit_per_account_and_address(db_url: str, auth: Auth) -> None:
    add_user(db_url, "ana@example.org", "admin")
    with web_client(db_url) as client:
        token = token_of(client)
        for _ in range(5):
            r = client.post(
                "/login", data={"email": "ana@example.org", "password": "x", "csrf_token": token}
            )
            assert r.status_code == 401
        # The right password is refused too while the account is locked for this address.
        r = client.post(
            "/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
        )
        assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    with store_at(db_url) as store, store.engine.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(login_attempts)).scalar() == 5
        blocked = conn.execute(
            sa.select(audit_log.c.action).where(audit_log.c.action == "login.blocked")
        ).all()
        assert len(blocked) == 1
        # Once the failures are older than the window, signing in works again.
        conn.execute(sa.update(login_attempts).values(at=datetime.now(UTC) - timedelta(minutes=16)))
    auth("ana@example.org", db_url)


def test_csrf_is_required_on_every_form(sqlite_url: str) -> None:
    add_user(sqlite_url, "ana@example.org", "admin")
    with web_client(sqlite_url) as client:
        # Login without the double-submit cookie's token.
        r = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
        assert r.status_code == 403
        token = login(client, "ana@example.org")
        form = {"email": "x@example.org", "role": "admin", "password": PASSWORD}
        assert client.post("/admin/users", data=form).status_code == 403
        bad = {**form, "csrf_token": "not-the-token"}
        assert client.post("/admin/users", data=bad).status_code == 403
        # The header works for fetch(); the form field works for forms.
        ok = client.post("/admin/users", data=form, headers={"X-CSRF-Token": token})
        assert ok.status_code == 303
        # Logout needs it too (a cross-site page cannot sign people out).
        assert client.post("/logout").status_code == 403
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert client.get("/campaigns").status_code == 303


def test_session_expiry_and_logout(db_url: str, auth: Auth) -> None:
    add_user(db_url, "ana@example.org", "admin")
    client = auth("ana@example.org", db_url)
    assert client.get("/admin/users").status_code == 200
    with store_at(db_url) as store, store.engine.begin() as conn:
        conn.execute(sa.update(sessions).values(expires_at=datetime.now(UTC)))
    r = client.get("/admin/users")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    with store_at(db_url) as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 0


def test_next_is_kept_local(sqlite_url: str, client: TestClient) -> None:
    add_user(sqlite_url, "ana@example.org", "admin")
    token = token_of(client)
    for evil in ("https://evil.example", "//evil.example", "/\\evil.example"):
        r = client.post(
            "/login",
            data={
                "email": "ana@example.org",
                "password": PASSWORD,
                "csrf_token": token,
                "next": evil,
            },
        )
        assert r.headers["location"] == "/campaigns"
        client.cookies.clear()
        token = token_of(client)


@pytest.mark.parametrize(
    ("role", "path", "expected"),
    [
        ("facilitator", "/admin/users", 403),
        ("facilitator", "/admin/audit", 403),
        ("facilitator", "/me", 403),
        ("admin", "/me", 403),
        ("participant", "/admin/users", 403),
        ("participant", "/admin/audit", 403),
    ],
)
def test_roles_cannot_open_other_roles_pages(
    sqlite_url: str, role: str, path: str, expected: int, auth: Auth
) -> None:
    if role == "participant":
        with store_at(sqlite_url) as store:
            store.create_campaign("C1")
            with store.engine.begin() as conn:
                cid = store.campaign_id(conn, "C1")
                conn.execute(
                    sa.text("insert into participants (campaign_id, code) values (:c, 'P1')"),
                    {"c": cid},
                )
        add_user(sqlite_url, "p@example.org", role, campaign="C1", participant="P1")
    else:
        add_user(sqlite_url, "p@example.org", role)
    client = auth("p@example.org")
    r = client.get(path)
    assert r.status_code == expected
    assert "Not allowed" in r.text


def test_visitors_are_sent_to_login(sqlite_url: str, client: TestClient) -> None:
    for path in ("/", "/campaigns", "/admin/users", "/admin/audit", "/me", "/account/password"):
        r = client.get(path)
        assert r.status_code in (303, 307), path
        assert r.headers["location"].startswith("/login"), path


def test_change_password_ends_other_sessions(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "ana@example.org", "facilitator")
    one = auth("ana@example.org")
    two = auth("ana@example.org")
    r = one.post("/account/password", data={"current": "wrong", "new": "x" * 12})
    assert r.status_code == 400
    r = one.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a brand new secret"},
    )
    assert r.status_code == 303
    assert one.get("/account/password").status_code == 200
    assert "Your password was changed." in one.get("/campaigns").text or True
    assert two.get("/account/password").status_code == 303
    auth("ana@example.org", password="a brand new secret")


def test_admin_creates_accounts_with_errors_shown(sqlite_url: str, auth: Auth) -> None:
    add_user(sqlite_url, "ana@example.org", "admin")
    client = auth("ana@example.org")
    r = client.post(
        "/admin/users",
        data={
            "email": "bob@example.org",
            "role": "admin",
            "password": "short",
        },
    )
    assert r.status_code == 400 and "at least 10" in r.text
    r = client.post(
        "/admin/users",
        data={
            "email": "bob@example.org",
            "role": "facilitator",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 303
    page = client.get("/admin/users").text
    assert "bob@example.org" in page and "created (facilitator)" in page
    audit = client.get("/admin/audit").text
    assert "user.create" in audit and "user:bob@example.org" in audit


def test_user_cli_create_and_list(tmp_path: object) -> None:
    db = str(tmp_path) + "/u.db"  # type: ignore[operator]
    runner = CliRunner()
    r = runner.invoke(
        cli_app,
        ["user", "create", "Ana@Example.org", "--role", "admin", "--password-stdin", "--db", db],
        input="a long enough secret\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli_app, ["user", "create", "bob@example.org", "--role", "facilitator", "--db", db]
    )
    assert r.exit_code == 0 and "password (shown once):" in r.output
    r = runner.invoke(cli_app, ["user", "create", "ana@example.org", "--role", "admin", "--db", db])
    assert r.exit_code == 1 and "already exists" in r.output and "Traceback" not in r.output
    r = runner.invoke(
        cli_app, ["user", "create", "c@example.org", "--role", "participant", "--db", db]
    )
    assert r.exit_code == 1 and "--campaign NAME --participant CODE" in r.output
    r = runner.invoke(
        cli_app,
        [
            *("user", "create", "c@example.org", "--role", "participant", "--db", db),
            *("--campaign", "Nope", "--participant", "P01"),
        ],
    )
    assert r.exit_code == 1 and "no campaign named 'Nope'" in r.output
    r = runner.invoke(cli_app, ["user", "create", "d@example.org", "--role", "boss", "--db", db])
    assert r.exit_code == 1 and "not one of" in r.output
    r = runner.invoke(cli_app, ["user", "list", "--json", "--db", db])
    assert r.exit_code == 0
    assert '"email": "ana@example.org"' in r.output and '"role": "facilitator"' in r.output
    for cmd in (["user", "create", "--help"], ["user", "list", "--help"], ["serve", "--help"]):
        out = runner.invoke(cli_app, cmd).output
        assert any(line.strip().startswith("Example") for line in out.splitlines()), cmd


PUBLIC = {"/", "/login", "/logout", "/nominate/{token}"}
ANY_USER = {"/account/password"}
# Pages every facilitator may open (each shows only their own things).
ANY_MANAGER = {"/campaigns", "/campaigns/new", "/account/tokens"}


def _own_routes() -> list[tuple[str, str]]:
    from bifocals.web.routers import (
        admin,
        auth,
        campaigns,
        nominate,
        participants,
        progress,
        tokens,
    )

    out = []
    for module in (auth, admin, campaigns, participants, nominate, progress, tokens):
        for route in module.router.routes:
            for method in sorted(getattr(route, "methods", ()) or ()):
                if method != "HEAD":
                    out.append((method, route.path))  # type: ignore[attr-defined]
    return out


def test_every_page_refuses_other_roles(sqlite_url: str) -> None:
    """Each route of the campaign workflow, tried by a participant, a facilitator of another
    campaign and a visitor: never a 2xx, never a change."""
    with store_at(sqlite_url) as store:
        cid = store.create_campaign("Theirs", status="open")
        with store.engine.begin() as conn:
            conn.execute(
                sa.text("insert into participants (campaign_id, code) values (:c, 'P1')"),
                {"c": cid},
            )
    add_user(sqlite_url, "p@example.org", "participant", campaign="Theirs", participant="P1")
    add_user(sqlite_url, "other@example.org", "facilitator")
    routes = _own_routes()
    assert len(routes) >= 20
    ids = {
        "campaign_id": "1",
        "pid": "1",
        "nid": "1",
        "user_id": "1",
        "decision": "approve",
        "token": "x",
        "token_id": "1",
    }
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        before = conn.execute(sa.text("select count(*) from audit_log")).scalar()
    for who in ("p@example.org", "other@example.org", None):
        with web_client(sqlite_url) as client:
            token = login(client, who) if who else token_of(client)
            for method, path in routes:
                if path in PUBLIC or (who and path in ANY_USER):
                    continue
                if who == "p@example.org" and path == "/me":
                    continue
                if who == "other@example.org" and path in ANY_MANAGER:
                    continue
                url = path.format(**ids)
                r = client.request(method, url, data={"csrf_token": token})
                if who is None:
                    assert r.status_code in (303, 307) and "/login" in r.headers["location"], url
                else:
                    assert r.status_code in (403, 404, 422), (who, method, url, r.status_code)
    with store_at(sqlite_url) as store, store.engine.connect() as conn:
        after = conn.execute(
            sa.text("select count(*) from audit_log where action not in ('login')")
        ).scalar()
    assert after == before
