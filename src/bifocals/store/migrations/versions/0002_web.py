"""Web app: users, sessions, login attempts, audit log, facilitators, nominations, invitations,
survey drafts and submissions, API tokens.

Revision ID: 0002_web
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_web"
down_revision = "0001_core"
branch_labels = ("web",)
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, col: str, ref: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def _token_table(name: str, owner: str, ref: str, *extra: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column(owner, sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _ts("created_at", nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        _fk(name, owner, ref, "CASCADE"),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{name}_token_hash")),
    )


def upgrade() -> None:
    """Create the web tables."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("participant_id", sa.Integer, nullable=True),
        _ts("created_at", nullable=False),
        _ts("disabled_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        _fk("users", "participant_id", "participants", "SET NULL"),
        sa.CheckConstraint(
            "role in ('admin', 'facilitator', 'participant')", name=op.f("ck_users_role")
        ),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64)),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        sa.Column("flash", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_sessions")),
        _fk("sessions", "user_id", "users", "CASCADE"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        _ts("at", nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_email_ip_at", "login_attempts", ["email", "ip", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, autoincrement=True),
        _ts("at", nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        _fk("audit_log", "user_id", "users", "SET NULL"),
        _fk("audit_log", "campaign_id", "campaigns", "SET NULL"),
    )
    op.create_index(op.f("ix_audit_log_campaign_id"), "audit_log", ["campaign_id"])
    op.create_table(
        "campaign_facilitators",
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "user_id", name=op.f("pk_campaign_facilitators")),
        _fk("campaign_facilitators", "campaign_id", "campaigns", "CASCADE"),
        _fk("campaign_facilitators", "user_id", "users", "CASCADE"),
    )
    _token_table(
        "nomination_links",
        "participant_id",
        "participants",
        _ts("expires_at", nullable=False),
        _ts("revoked_at"),
    )
    op.create_index(
        op.f("ix_nomination_links_participant_id"), "nomination_links", ["participant_id"]
    )
    op.create_table(
        "nominations",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("group", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
        _ts("created_at", nullable=False),
        _ts("decided_at"),
        sa.Column("decided_by", sa.Integer, nullable=True),
        sa.Column("rater_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations")),
        _fk("nominations", "participant_id", "participants", "CASCADE"),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_nominations_decided_by_users"),
            ondelete="SET NULL",
        ),
        _fk("nominations", "rater_id", "raters", "SET NULL"),
        sa.CheckConstraint(
            "status in ('pending', 'approved', 'rejected')", name=op.f("ck_nominations_status")
        ),
        sa.CheckConstraint(
            "\"group\" in ('manager', 'peer', 'direct_report', 'other')",
            name=op.f("ck_nominations_group"),
        ),
    )
    op.create_index(op.f("ix_nominations_participant_id"), "nominations", ["participant_id"])
    _token_table(
        "invitations",
        "rater_id",
        "raters",
        _ts("expires_at", nullable=False),
        _ts("revoked_at"),
        _ts("opened_at"),
        _ts("sent_at"),
    )
    op.create_index(op.f("ix_invitations_rater_id"), "invitations", ["rater_id"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("rater_id", sa.Integer, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        _ts("updated_at", nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        _fk("drafts", "rater_id", "raters", "CASCADE"),
        sa.UniqueConstraint("rater_id", name=op.f("uq_drafts_rater_id")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("rater_id", sa.Integer, nullable=False),
        _ts("submitted_at", nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        _fk("submissions", "rater_id", "raters", "CASCADE"),
        sa.UniqueConstraint("rater_id", name=op.f("uq_submissions_rater_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_submissions_idempotency_key")),
    )
    _token_table(
        "api_tokens",
        "user_id",
        "users",
        sa.Column("name", sa.String(200), nullable=False),
        _ts("revoked_at"),
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
