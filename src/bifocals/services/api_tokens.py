"""API tokens: issue (raw token shown once, stored as its sha256), list and revoke.

`bifocals user token EMAIL --name N` and the page /account/tokens call these; tokens act as
their user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from bifocals.errors import BifocalsError
from bifocals.services.accounts import write_audit
from bifocals.services.security import User, create_api_token, now, utc
from bifocals.store import Store
from bifocals.store.app_tables import api_tokens, users

TOKEN_ROLES: tuple[str, ...] = ("admin", "facilitator")


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed (never the token itself)."""

    id: int
    email: str
    name: str
    created_at: datetime | None
    revoked_at: datetime | None


def issue_token(store: Store, email: str, name: str, actor: User | None = None) -> str:
    """A new token for the admin or facilitator account `email`; returns the raw token once."""
    name = name.strip()
    if not name:
        raise BifocalsError("name: the name is empty; give the token a name such as 'hr-sync'")
    if len(name) > 200:
        raise BifocalsError(
            f"name: {name[:40]!r}... is {len(name)} characters long; use at most 200"
        )
    with store.engine.begin() as conn:
        row = conn.execute(
            sa.select(users.c.id, users.c.role, users.c.disabled_at).where(
                users.c.email == email.strip().lower()
            )
        ).first()
        if row is None or row.disabled_at is not None:
            raise BifocalsError(f"email: no active account {email!r}; create the user first")
        if row.role not in TOKEN_ROLES:
            raise BifocalsError(
                f"email: {email!r} is a {row.role}; API tokens are for admins and facilitators"
            )
        raw = create_api_token(conn, int(row.id), name)
        write_audit(conn, actor, "api_token.create", f"user:{email}", f"name={name}")
    return raw


def list_tokens(conn: sa.Connection, user: User) -> list[TokenInfo]:
    """Tokens the user may see: all for an admin, their own for anyone else."""
    q = (
        sa.select(api_tokens, users.c.email)
        .join(users, users.c.id == api_tokens.c.user_id)
        .order_by(api_tokens.c.id)
    )
    if user.role != "admin":
        q = q.where(api_tokens.c.user_id == user.id)
    return [
        TokenInfo(r.id, r.email, r.name, utc(r.created_at), utc(r.revoked_at))
        for r in conn.execute(q)
    ]


def revoke_token(store: Store, user: User, token_id: int) -> None:
    """Revoke a token: an admin any, anyone else only their own."""
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).first()
        if row is None or (user.role != "admin" and row.user_id != user.id):
            raise BifocalsError(f"token: no token {token_id} of yours")
        if row.revoked_at is None:
            conn.execute(
                sa.update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now())
            )
            write_audit(conn, user, "api_token.revoke", f"token:{token_id}", row.name)
