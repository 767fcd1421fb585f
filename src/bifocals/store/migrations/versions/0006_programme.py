"""A running programme: reminder schedule, close mode and e-mail texts of a campaign; the
events done, the outgoing mail and the participants' set-password links.

Revision ID: 0006_programme
Revises: 0005_instrument_snapshot
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_programme"
down_revision = "0005_instrument_snapshot"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Add the campaign columns and create campaign_events, mail_outbox, account_links."""
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("reminder_days", sa.String(100), nullable=True))
        batch.add_column(
            sa.Column("close_mode", sa.String(10), nullable=False, server_default="auto")
        )
        batch.add_column(sa.Column("invite_subject", sa.String(300), nullable=True))
        batch.add_column(sa.Column("invite_body", sa.Text, nullable=True))
        batch.add_column(sa.Column("remind_subject", sa.String(300), nullable=True))
        batch.add_column(sa.Column("remind_body", sa.Text, nullable=True))
    op.create_table(
        "campaign_events",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _ts("due_at", nullable=False),
        _ts("done_at", nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_events")),
        _fk("campaign_events", "campaign_id", "campaigns"),
        sa.UniqueConstraint("campaign_id", "kind", "due_at", name="uq_campaign_events_once"),
    )
    op.create_index(op.f("ix_campaign_events_campaign_id"), "campaign_events", ["campaign_id"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("rater_id", sa.Integer, nullable=True),
        sa.Column("participant_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("to_addr", sa.String(320), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        _ts("created_at", nullable=False),
        _ts("next_attempt_at", nullable=False),
        _ts("sent_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        _fk("mail_outbox", "campaign_id", "campaigns"),
        _fk("mail_outbox", "rater_id", "raters"),
        _fk("mail_outbox", "participant_id", "participants"),
    )
    op.create_index(op.f("ix_mail_outbox_campaign_id"), "mail_outbox", ["campaign_id"])
    op.create_index("ix_mail_outbox_status_next", "mail_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("revoked_at"),
        _ts("used_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        _fk("account_links", "user_id", "users"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_links_token_hash")),
    )
    op.create_index(op.f("ix_account_links_user_id"), "account_links", ["user_id"])


def downgrade() -> None:
    """Drop the programme tables and campaign columns."""
    op.drop_table("account_links")
    op.drop_table("mail_outbox")
    op.drop_table("campaign_events")
    with op.batch_alter_table("campaigns") as batch:
        for name in (
            "remind_body",
            "remind_subject",
            "invite_body",
            "invite_subject",
            "close_mode",
            "reminder_days",
        ):
            batch.drop_column(name)
