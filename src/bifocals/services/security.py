"""Secrets and sessions: argon2 passwords, hashed tokens, database sessions, login throttle.

Functions take a SQLAlchemy connection so callers can group them in one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bifocals.store.app_tables import api_tokens, login_attempts, sessions, users

_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anybody")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash and verify passwords with `hasher` from now on (the test suite's cheap argon2
    parameters; the product always runs with argon2-cffi's defaults)."""
    global _HASHER, _DUMMY_HASH
    _HASHER = hasher
    _DUMMY_HASH = hasher.hash("not a password of anybody")


MIN_PASSWORD = 10


def now() -> datetime:
    """The current time in UTC (every time stored by the web app is UTC)."""
    return datetime.now(UTC)


def utc(d: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    return d.replace(tzinfo=UTC) if d is not None and d.tzinfo is None else d


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when password matches the stored argon2 hash (constant work when stored is None)."""
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """An unguessable URL-safe token (32 random bytes)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The sha256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(frozen=True)
class User:
    """A signed-in account."""

    id: int
    email: str
    role: str
    participant_id: int | None

    @property
    def is_admin(self) -> bool:
        """True for administrators."""
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    """A live session: its user, the CSRF token of its forms, and a pending flash message."""

    id_hash: str
    user: User
    csrf_token: str
    expires_at: datetime
    flash: str | None


def _user(row: Any) -> User:
    pid = row.participant_id
    return User(int(row.id), str(row.email), str(row.role), None if pid is None else int(pid))


def start_session(conn: sa.Connection, user_id: int, hours: float) -> tuple[str, Session]:
    """Create a session; returns the raw cookie value (shown only here) and the session."""
    raw = new_token()
    created = now()
    csrf = secrets.token_urlsafe(32)
    expires = created + timedelta(hours=hours)
    conn.execute(
        sa.insert(sessions).values(
            id_hash=token_hash(raw),
            user_id=user_id,
            csrf_token=csrf,
            created_at=created,
            expires_at=expires,
        )
    )
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).one()
    return raw, Session(token_hash(raw), _user(row), csrf, expires, None)


def load_session(conn: sa.Connection, raw: str) -> Session | None:
    """The live session of a cookie value, or None if unknown, expired or its user disabled."""
    q = (
        sa.select(sessions, users.c.email, users.c.role, users.c.participant_id)
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.id_hash == token_hash(raw), users.c.disabled_at.is_(None))
    )
    row = conn.execute(q).first()
    if row is None:
        return None
    expires = utc(row.expires_at)
    assert expires is not None
    if expires <= now():
        conn.execute(sa.delete(sessions).where(sessions.c.id_hash == row.id_hash))
        return None
    user = User(int(row.user_id), row.email, row.role, row.participant_id)
    return Session(row.id_hash, user, row.csrf_token, expires, row.flash)


def end_session(conn: sa.Connection, id_hash: str) -> None:
    """Delete a session (logout)."""
    conn.execute(sa.delete(sessions).where(sessions.c.id_hash == id_hash))


def user_for_api_token(conn: sa.Connection, raw: str) -> User | None:
    """The user of a live API token (Authorization: Bearer), or None."""
    q = (
        sa.select(users)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(
            api_tokens.c.token_hash == token_hash(raw),
            api_tokens.c.revoked_at.is_(None),
            users.c.disabled_at.is_(None),
        )
    )
    row = conn.execute(q).first()
    return None if row is None else _user(row)


def create_api_token(conn: sa.Connection, user_id: int, name: str) -> str:
    """A new API token for a user; the raw token is returned once and stored hashed."""
    raw = new_token()
    conn.execute(
        sa.insert(api_tokens).values(
            user_id=user_id, token_hash=token_hash(raw), name=name, created_at=now()
        )
    )
    return raw


@dataclass(frozen=True)
class LoginLimits:
    """The sign-in throttle (docs/security.md, "Password guessing").

    Per account, from any address: after `max_failures` wrong passwords within `window`
    minutes, each further check waits `backoff_seconds`, doubling with every further failure up
    to `backoff_cap_seconds`. Per address, across accounts: `address_max_failures` within the
    window, then no check until the window has passed.
    """

    max_failures: int = 5
    window_minutes: int = 15
    backoff_seconds: int = 30
    backoff_cap_seconds: int = 300
    address_max_failures: int = 20


def _lock_login(conn: sa.Connection, email: str, ip: str) -> None:
    """Serialise sign-in checks of one account and of one address, across worker processes.

    PostgreSQL: two transaction-scoped advisory locks, always account first, then address (one
    order for everyone, so no deadlock). SQLite: the first statement is a write (clearing rows
    older than a day), which takes the database's write lock for the transaction.
    """
    if conn.dialect.name == "postgresql":
        for key in (f"login-account:{email}", f"login-address:{ip}"):
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
    conn.execute(sa.delete(login_attempts).where(login_attempts.c.at < now() - timedelta(days=1)))


def login_wait(conn: sa.Connection, email: str, ip: str, limits: LoginLimits) -> int:
    """Take the sign-in locks of this account and address, then the seconds to wait before a
    password may be checked (0: check now). Call in the transaction that checks the password
    and records the attempt (`record_attempt`), so that concurrent tries are counted one by one.
    """
    _lock_login(conn, email, ip)
    stamp = now()
    since = stamp - timedelta(minutes=limits.window_minutes)
    failed = sa.and_(login_attempts.c.success.is_(False), login_attempts.c.at >= since)
    by_address = conn.execute(
        sa.select(sa.func.count()).where(failed, login_attempts.c.ip == ip[:64])
    ).scalar_one()
    if int(by_address) >= limits.address_max_failures:
        return limits.window_minutes * 60
    n, last = conn.execute(
        sa.select(sa.func.count(), sa.func.max(login_attempts.c.at)).where(
            failed, login_attempts.c.email == email
        )
    ).one()
    if int(n) < limits.max_failures or last is None:
        return 0
    delay = min(
        limits.backoff_seconds * 2 ** (int(n) - limits.max_failures), limits.backoff_cap_seconds
    )
    waited = (stamp - (utc(last) or stamp)).total_seconds()
    return max(0, int(delay - waited + 0.999))


def record_attempt(conn: sa.Connection, email: str, ip: str, success: bool) -> None:
    """Remember a checked sign-in; a success clears that account's failures (all addresses)."""
    if success:
        conn.execute(sa.delete(login_attempts).where(login_attempts.c.email == email))
    conn.execute(
        sa.insert(login_attempts).values(email=email, ip=ip[:64], at=now(), success=success)
    )


def authenticate(conn: sa.Connection, email: str, password: str) -> User | None:
    """The enabled user with this e-mail and password, or None."""
    row = conn.execute(
        sa.select(users).where(users.c.email == email, users.c.disabled_at.is_(None))
    ).first()
    if not verify_password(None if row is None else row.password_hash, password):
        return None
    assert row is not None
    return _user(row)
