"""Tables of the web app (migration 0002_web), on the shared MetaData next to the core tables.

Every secret (session id, invitation, nomination and API token) is stored only as its sha256
hex digest: a copy of the database does not let anyone log in or answer a survey.
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.columns import (
    address,
    assignment_table,
    reference,
    table_with_id,
    timestamp,
    token_hash,
    token_link_table,
)
from bifocals.store.meta import metadata
from bifocals.store.tables import campaigns, participants, raters

ROLES: tuple[str, ...] = ("admin", "facilitator", "participant")
NOMINATION_STATUSES: tuple[str, ...] = ("pending", "approved", "rejected")


users = table_with_id(
    "users",
    address("email", unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    reference("participant_id", participants.c.id, ondelete="SET NULL", nullable=True),
    timestamp("created_at", nullable=False),
    timestamp("disabled_at"),
    sa.CheckConstraint("role in ('admin', 'facilitator', 'participant')", name="role"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    reference("user_id", users.c.id),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    timestamp("created_at", nullable=False),
    timestamp("expires_at", nullable=False),
    sa.Column("flash", sa.Text, nullable=True),
)

login_attempts = table_with_id(
    "login_attempts",
    address("email"),
    sa.Column("ip", sa.String(64), nullable=False),
    timestamp("at", nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_email_ip_at", "email", "ip", "at"),
)

audit_log = table_with_id(
    "audit_log",
    timestamp("at", nullable=False),
    reference("user_id", users.c.id, ondelete="SET NULL", nullable=True),
    address("actor"),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("target", sa.String(300), nullable=False),
    reference("campaign_id", campaigns.c.id, ondelete="SET NULL", nullable=True, index=True),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
)

campaign_facilitators = assignment_table("campaign_facilitators", "campaign_id", campaigns.c.id)

nomination_links = token_link_table("nomination_links", "participant_id", participants.c.id)

nominations = table_with_id(
    "nominations",
    reference("participant_id", participants.c.id, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    address("email"),
    sa.Column("group", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    timestamp("created_at", nullable=False),
    timestamp("decided_at"),
    reference("decided_by", users.c.id, ondelete="SET NULL", nullable=True),
    reference("rater_id", raters.c.id, ondelete="SET NULL", nullable=True),
    sa.CheckConstraint("status in ('pending', 'approved', 'rejected')", name="status"),
    sa.CheckConstraint("\"group\" in ('manager', 'peer', 'direct_report', 'other')", name="group"),
)

invitations = token_link_table(
    "invitations",
    "rater_id",
    raters.c.id,
    timestamp("opened_at"),
    timestamp("sent_at"),
)

drafts = table_with_id(
    "drafts",
    reference("rater_id", raters.c.id, unique=True),
    sa.Column("answers", sa.Text, nullable=False),
    timestamp("updated_at", nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
)

submissions = table_with_id(
    "submissions",
    reference("rater_id", raters.c.id, unique=True),
    timestamp("submitted_at", nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
)

api_tokens = table_with_id(
    "api_tokens",
    reference("user_id", users.c.id),
    token_hash(),
    sa.Column("name", sa.String(200), nullable=False),
    timestamp("created_at", nullable=False),
    timestamp("revoked_at"),
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
