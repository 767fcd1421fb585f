"""Accounts: create, list and change the password of users; the audit log writer."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bifocals.addresses import EMAIL as ADDRESS
from bifocals.errors import BifocalsError
from bifocals.locale import N_, gettext_for
from bifocals.services.security import MIN_PASSWORD, User, hash_password, now, utc
from bifocals.store import Store
from bifocals.store.app_tables import ROLES, audit_log, users
from bifocals.store.tables import campaigns, participants

EMAIL = ADDRESS  # the one rule: bifocals.addresses


def check_email(email: str, where: str = "email") -> str:
    """A trimmed, lower-cased e-mail address, or a BifocalsError saying what is wrong."""
    e = email.strip().lower()
    if not EMAIL.match(e) or len(e) > 320:
        raise BifocalsError(f"{where}: {email!r} is not an e-mail address; write name@example.org")
    return e


# check_password's refusal, marked for the catalogues (password_message shows it translated).
SHORT_PASSWORD = N_("password has %(length)s characters; use at least %(least)s")
_SHORT = re.compile(r"password has (\d+) characters; use at least (\d+)")


def check_password(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD:
        values = {"length": len(password), "least": MIN_PASSWORD}
        raise BifocalsError(SHORT_PASSWORD % values)


def password_message(message: str, language: str | None) -> str:
    """check_password's refusal in `language`; any other message as it is."""
    short = _SHORT.fullmatch(message)
    if short is None:
        return message
    values = {"length": short.group(1), "least": short.group(2)}
    return gettext_for(language)(SHORT_PASSWORD) % values


@dataclass(frozen=True)
class UserInfo:
    """A user as listed."""

    id: int
    email: str
    role: str
    participant: str | None
    campaign: str | None
    created_at: datetime
    disabled: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: the fields in order, created_at in ISO 8601."""
        return {**asdict(self), "created_at": self.created_at.isoformat()}


def participant_id_of(conn: sa.Connection, campaign: str, code: str) -> int:
    """The participants.id of a participant code in a named campaign."""
    pid = conn.execute(
        sa.select(participants.c.id)
        .join(campaigns, campaigns.c.id == participants.c.campaign_id)
        .where(campaigns.c.name == campaign, participants.c.code == code)
    ).scalar()
    if pid is None:
        known = conn.execute(sa.select(campaigns.c.id).where(campaigns.c.name == campaign)).first()
        if known is None:
            raise BifocalsError(
                f"no campaign named {campaign!r}; see the names with `bifocals campaign list`"
            )
        raise BifocalsError(
            f"no participant {code!r} in campaign {campaign!r}; the codes are in the "
            f"`participant` column of `bifocals campaign export {campaign!r}`"
        )
    return int(pid)


def create_user(
    store: Store,
    email: str,
    role: str,
    password: str,
    *,
    campaign: str | None = None,
    participant: str | None = None,
    actor: User | None = None,
) -> int:
    """Create an account; a participant account names its campaign and participant code."""
    addr = check_email(email)
    if role not in ROLES:
        raise BifocalsError(f"role {role!r} is not one of {', '.join(ROLES)}")
    check_password(password)
    if role == "participant" and not (campaign and participant):
        raise BifocalsError(
            "a participant account needs a campaign and a participant code, the participant "
            "whose report it may read (on the command line: --campaign NAME --participant CODE)"
        )
    if role != "participant" and (campaign or participant):
        raise BifocalsError("--campaign and --participant go only with --role participant")
    with store.engine.begin() as conn:
        taken = conn.execute(sa.select(users.c.id).where(users.c.email == addr)).scalar()
        if taken is not None:
            raise BifocalsError(f"a user with e-mail {addr!r} already exists")
        pid = participant_id_of(conn, campaign, participant) if campaign and participant else None
        uid = int(
            conn.execute(
                sa.insert(users)
                .values(
                    email=addr,
                    password_hash=hash_password(password),
                    role=role,
                    participant_id=pid,
                    created_at=now(),
                )
                .returning(users.c.id)
            ).scalar_one()
        )
        write_audit(conn, actor, "user.create", f"user:{addr}", f"role={role}")
    return uid


def set_password(store: Store, user: User, password: str) -> None:
    """Change a user's password and end their other sessions."""
    check_password(password)
    from bifocals.store.app_tables import sessions

    with store.engine.begin() as conn:
        conn.execute(
            sa.update(users)
            .where(users.c.id == user.id)
            .values(password_hash=hash_password(password))
        )
        conn.execute(sa.delete(sessions).where(sessions.c.user_id == user.id))
        write_audit(conn, user, "user.password", f"user:{user.email}", "")


def list_users(store: Store) -> list[UserInfo]:
    """Every account, by e-mail."""
    q = (
        sa.select(users, participants.c.code, campaigns.c.name.label("campaign"))
        .outerjoin(participants, participants.c.id == users.c.participant_id)
        .outerjoin(campaigns, campaigns.c.id == participants.c.campaign_id)
        .order_by(users.c.email)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(q).all()
    out = []
    for r in rows:
        created = utc(r.created_at)
        assert created is not None
        out.append(
            UserInfo(
                int(r.id), r.email, r.role, r.code, r.campaign, created, r.disabled_at is not None
            )
        )
    return out


def write_audit(
    conn: sa.Connection,
    user: User | None,
    action: str,
    target: str,
    detail: str = "",
    campaign_id: int | None = None,
    *,
    actor: str | None = None,
) -> None:
    """Add one audit row in the caller's transaction (user None: the command line, unless
    `actor` names who else acted: "scheduler", or the address of a person without a session)."""
    conn.execute(
        sa.insert(audit_log).values(
            at=now(),
            user_id=None if user is None else user.id,
            actor=actor or ("cli" if user is None else user.email),
            action=action,
            target=target[:300],
            campaign_id=campaign_id,
            detail=detail,
        )
    )


def audit(
    store: Store,
    user: User | None,
    action: str,
    target: str,
    detail: str = "",
    campaign_id: int | None = None,
) -> None:
    """Add one audit row in its own transaction: who (user), what (action), on what (target)."""
    with store.engine.begin() as conn:
        write_audit(conn, user, action, target, detail, campaign_id)
