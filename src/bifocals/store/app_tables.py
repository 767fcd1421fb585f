"""Tables of the web app (migration 0002_web), on the shared MetaData next to the core tables.

Every secret (session id, invitation, nomination and API token) is stored only as its sha256
hex digest: a copy of the database does not let anyone log in or answer a survey.
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.meta import metadata
from bifocals.store.tables import campaigns, participants, raters

ROLES: tuple[str, ...] = ("admin", "facilitator", "participant")
NOMINATION_STATUSES: tuple[str, ...] = ("pending", "approved", "rejected")


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column(
        "participant_id",
        sa.Integer,
        sa.ForeignKey(participants.c.id, ondelete="SET NULL"),
        nullable=True,
    ),
    _ts("created_at", nullable=False),
    _ts("disabled_at"),
    sa.CheckConstraint("role in ('admin', 'facilitator', 'participant')", name="role"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    sa.Column("flash", sa.Text, nullable=True),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    _ts("at", nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_email_ip_at", "email", "ip", "at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _ts("at", nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey(users.c.id, ondelete="SET NULL")),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(300), nullable=False),
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey(campaigns.c.id, ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
)

campaign_facilitators = sa.Table(
    "campaign_facilitators",
    metadata,
    sa.Column(
        "campaign_id",
        sa.Integer,
        sa.ForeignKey(campaigns.c.id, ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey(users.c.id, ondelete="CASCADE"), primary_key=True
    ),
)

nomination_links = sa.Table(
    "nomination_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "participant_id",
        sa.Integer,
        sa.ForeignKey(participants.c.id, ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at"),
)

nominations = sa.Table(
    "nominations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "participant_id",
        sa.Integer,
        sa.ForeignKey(participants.c.id, ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("group", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    _ts("created_at", nullable=False),
    _ts("decided_at"),
    sa.Column("decided_by", sa.Integer, sa.ForeignKey(users.c.id, ondelete="SET NULL")),
    sa.Column("rater_id", sa.Integer, sa.ForeignKey(raters.c.id, ondelete="SET NULL")),
    sa.CheckConstraint("status in ('pending', 'approved', 'rejected')", name="status"),
    sa.CheckConstraint("\"group\" in ('manager', 'peer', 'direct_report', 'other')", name="group"),
)

invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "rater_id",
        sa.Integer,
        sa.ForeignKey(raters.c.id, ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _ts("created_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at"),
    _ts("opened_at"),
    _ts("sent_at"),
)

drafts = sa.Table(
    "drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "rater_id",
        sa.Integer,
        sa.ForeignKey(raters.c.id, ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("answers", sa.Text, nullable=False),
    _ts("updated_at", nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "rater_id",
        sa.Integer,
        sa.ForeignKey(raters.c.id, ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    _ts("submitted_at", nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey(users.c.id, ondelete="CASCADE"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    _ts("created_at", nullable=False),
    _ts("revoked_at"),
)

WEB_TABLES: tuple[sa.Table, ...] = (
    users,
    sessions,
    login_attempts,
    audit_log,
    campaign_facilitators,
    nomination_links,
    nominations,
    invitations,
    drafts,
    submissions,
    api_tokens,
)
