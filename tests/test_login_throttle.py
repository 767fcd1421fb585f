"""The sign-in throttle, attacked: many wrong passwords at once, address hopping, the
change-password form, and the way back in for the real user (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import sqlalchemy as sa

from bifocals.services.security import LoginLimits, authenticate, login_wait, now, record_attempt
from bifocals.store.app_tables import audit_log, login_attempts
from support.web import (
    META,
    PASSWORD,
    Auth,
    add_user,
    serve,
    store_at,
    web_client,
)

LIMITS = LoginLimits()
EMAIL = "ana@example.org"


def _try(url: str, email: str, password: str, ip: str) -> bool | None:
    """One sign-in through the service as the login route does it: None when throttled."""
    with store_at(url) as store, store.engine.begin() as conn:
        if login_wait(conn, email, ip, LIMITS):
            return None
        ok = authenticate(conn, email, password) is not None
        record_attempt(conn, email, ip, success=ok)
        return ok


def _age(url: str, seconds: float) -> None:
    """Move every recorded attempt `seconds` into the past (instead of sleeping)."""
    with store_at(url) as store, store.engine.begin() as conn:
        conn.execute(sa.update(login_attempts).values(at=now() - timedelta(seconds=seconds)))


def test_forty_wrong_passwords_at_once_get_only_the_limit(db_url: str) -> None:
    """40 concurrent wrong passwords over HTTP: at most max_failures are checked."""
    add_user(db_url, EMAIL, "admin")
    with serve(db_url) as base:
        with httpx.Client(base_url=base) as first:
            page = first.get("/login")
            found = META.search(page.text)
            assert found
            token, cookies = found.group(1), dict(first.cookies)
        codes: list[int] = []
        start = threading.Barrier(40)

        def attempt() -> None:
            with httpx.Client(base_url=base, cookies=cookies, timeout=60) as h:
                start.wait()
                form = {"email": EMAIL, "password": "wrong guess", "csrf_token": token}
                codes.append(h.post("/login", data=form).status_code)

        threads = [threading.Thread(target=attempt) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(codes) == 40 and set(codes) <= {401, 429}
    assert codes.count(401) == LIMITS.max_failures, codes
    with store_at(db_url) as store, store.engine.connect() as conn:
        checked = conn.execute(sa.select(sa.func.count()).select_from(login_attempts)).scalar()
        blocked = conn.execute(
            sa.select(sa.func.count()).where(audit_log.c.action == "login.blocked")
        ).scalar()
    assert checked == LIMITS.max_failures and blocked == 40 - LIMITS.max_failures


def test_a_new_address_gets_no_fresh_allowance(db_url: str) -> None:
    add_user(db_url, EMAIL, "admin")
    for i in range(LIMITS.max_failures):
        assert _try(db_url, EMAIL, "wrong", f"10.0.0.{i}") is False
    # A sixth address, even with the right password: throttled, the account is what counts.
    assert _try(db_url, EMAIL, PASSWORD, "10.0.0.99") is None
    # The X-Forwarded-For header is not trusted: the web's throttle holds with it too.
    with web_client(db_url) as c:
        token = META.search(c.get("/login").text)
        assert token
        r = c.post(
            "/login",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)},
            headers={"X-Forwarded-For": "192.0.2.77"},
        )
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text


def test_backoff_lets_the_real_user_back_in_soon(db_url: str) -> None:
    add_user(db_url, EMAIL, "admin")
    for _ in range(LIMITS.max_failures):
        assert _try(db_url, EMAIL, "wrong", "10.0.0.1") is False
    assert _try(db_url, EMAIL, PASSWORD, "10.0.0.2") is None
    # After the first delay (30 s), one more check; a wrong one doubles the next delay.
    _age(db_url, LIMITS.backoff_seconds)
    assert _try(db_url, EMAIL, "wrong", "10.0.0.1") is False
    with store_at(db_url) as store, store.engine.begin() as conn:
        wait = login_wait(conn, EMAIL, "10.0.0.2", LIMITS)
    assert LIMITS.backoff_seconds < wait <= 2 * LIMITS.backoff_seconds
    # The delay never grows past the cap: at most five minutes after the last failure.
    _age(db_url, LIMITS.backoff_cap_seconds)
    assert _try(db_url, EMAIL, PASSWORD, "10.0.0.2") is True
    # A success clears the account's failures from every address.
    assert _try(db_url, EMAIL, "wrong", "10.0.0.1") is False
    with store_at(db_url) as store, store.engine.begin() as conn:
        assert login_wait(conn, EMAIL, "10.0.0.1", LIMITS) == 0


def test_one_address_spraying_many_accounts_is_stopped(sqlite_url: str) -> None:
    for i in range(LIMITS.address_max_failures):
        assert _try(sqlite_url, f"user{i}@example.org", "wrong", "198.51.100.9") is False
    assert _try(sqlite_url, "another@example.org", "wrong", "198.51.100.9") is None
    assert _try(sqlite_url, "another@example.org", "wrong", "198.51.100.10") is False


def test_wrong_current_passwords_are_throttled_too(db_url: str, auth: Auth) -> None:
    add_user(db_url, EMAIL, "admin")
    c = auth(EMAIL, db_url)
    token = c.token
    form = {"csrf_token": token, "new": "a brand new long secret"}
    for _ in range(LIMITS.max_failures):
        r = c.post("/account/password", data={**form, "current": "wrong"})
        assert r.status_code == 400 and "current password is wrong" in r.text
    r = c.post("/account/password", data={**form, "current": PASSWORD})
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    # The password did not change.
    assert _try(db_url, EMAIL, "a brand new long secret", "10.0.0.1") is None
    _age(db_url, LIMITS.backoff_cap_seconds)
    assert _try(db_url, EMAIL, PASSWORD, "10.0.0.1") is True
