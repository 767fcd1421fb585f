"""Web app: users, sessions, login attempts, audit log, facilitators, nominations, invitations,
survey drafts and submissions, API tokens.

Revision ID: 0002_web
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0002_web"
down_revision = "0001_core"
branch_labels = ("web",)
depends_on = None


def upgrade() -> None:
    """Create the web tables."""
    op.create_table(
        "users",
        ddl.id_column(),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("participant_id", sa.Integer, nullable=True),
        ddl.ts("created_at", nullable=False),
        ddl.ts("disabled_at"),
        ddl.pk("users"),
        ddl.unique("users", "email"),
        ddl.fk("users", "participant_id", "participants", "SET NULL"),
        sa.CheckConstraint(
            "role in ('admin', 'facilitator', 'participant')", name=op.f("ck_users_role")
        ),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64)),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        ddl.ts("created_at", nullable=False),
        ddl.ts("expires_at", nullable=False),
        sa.Column("flash", sa.Text, nullable=True),
        ddl.pk("sessions", "id_hash"),
        ddl.fk("sessions", "user_id", "users"),
    )
    op.create_table(
        "login_attempts",
        ddl.id_column(),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        ddl.ts("at", nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        ddl.pk("login_attempts"),
    )
    op.create_index("ix_login_attempts_email_ip_at", "login_attempts", ["email", "ip", "at"])
    op.create_table(
        "audit_log",
        ddl.id_column(),
        ddl.ts("at", nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        ddl.pk("audit_log"),
        ddl.fk("audit_log", "user_id", "users", "SET NULL"),
        ddl.fk("audit_log", "campaign_id", "campaigns", "SET NULL"),
    )
    ddl.create_index("audit_log", "campaign_id")
    ddl.create_pair_table(
        "campaign_facilitators", ("campaign_id", "campaigns"), ("user_id", "users")
    )
    ddl.create_link_table("nomination_links", "participant_id", "participants")
    op.create_table(
        "nominations",
        ddl.id_column(),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("group", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        ddl.ts("created_at", nullable=False),
        ddl.ts("decided_at"),
        sa.Column("decided_by", sa.Integer, nullable=True),
        sa.Column("rater_id", sa.Integer, nullable=True),
        ddl.pk("nominations"),
        ddl.fk("nominations", "participant_id", "participants"),
        ddl.fk("nominations", "decided_by", "users", "SET NULL"),
        ddl.fk("nominations", "rater_id", "raters", "SET NULL"),
        sa.CheckConstraint(
            "status in ('pending', 'approved', 'rejected')", name=op.f("ck_nominations_status")
        ),
        sa.CheckConstraint(
            "\"group\" in ('manager', 'peer', 'direct_report', 'other')",
            name=op.f("ck_nominations_group"),
        ),
    )
    ddl.create_index("nominations", "participant_id")
    ddl.create_link_table(
        "invitations", "rater_id", "raters", ddl.ts("opened_at"), ddl.ts("sent_at")
    )
    op.create_table(
        "drafts",
        ddl.id_column(),
        sa.Column("rater_id", sa.Integer, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        ddl.ts("updated_at", nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        ddl.pk("drafts"),
        ddl.fk("drafts", "rater_id", "raters"),
        ddl.unique("drafts", "rater_id"),
    )
    op.create_table(
        "submissions",
        ddl.id_column(),
        sa.Column("rater_id", sa.Integer, nullable=False),
        ddl.ts("submitted_at", nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        ddl.pk("submissions"),
        ddl.fk("submissions", "rater_id", "raters"),
        ddl.unique("submissions", "rater_id"),
        ddl.unique("submissions", "idempotency_key"),
    )
    ddl.create_token_table(
        "api_tokens",
        "user_id",
        "users",
        sa.Column("name", sa.String(200), nullable=False),
        ddl.ts("revoked_at"),
    )


def downgrade() -> None:
    """Drop the web tables (dependents first)."""
    for name in (
        "api_tokens",
        "submissions",
        "drafts",
        "invitations",
        "nominations",
        "nomination_links",
        "campaign_facilitators",
        "audit_log",
        "login_attempts",
        "sessions",
        "users",
    ):
        op.drop_table(name)
