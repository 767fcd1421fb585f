"""A running programme: reminder schedule, close mode and e-mail texts of a campaign; the
events done, the outgoing mail and the participants' set-password links.

Revision ID: 0006_programme
Revises: 0005_instrument_snapshot
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0006_programme"
down_revision = "0005_instrument_snapshot"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the campaign columns and create campaign_events, mail_outbox, account_links."""
    ddl.add_columns(
        "campaigns",
        sa.Column("reminder_days", sa.String(100), nullable=True),
        sa.Column("close_mode", sa.String(10), nullable=False, server_default="auto"),
        sa.Column("invite_subject", sa.String(300), nullable=True),
        sa.Column("invite_body", sa.Text, nullable=True),
        sa.Column("remind_subject", sa.String(300), nullable=True),
        sa.Column("remind_body", sa.Text, nullable=True),
    )
    op.create_table(
        "campaign_events",
        ddl.id_column(),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        ddl.ts("due_at", nullable=False),
        ddl.ts("done_at", nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        ddl.pk("campaign_events"),
        ddl.fk("campaign_events", "campaign_id", "campaigns"),
        sa.UniqueConstraint("campaign_id", "kind", "due_at", name="uq_campaign_events_once"),
    )
    ddl.create_index("campaign_events", "campaign_id")
    op.create_table(
        "mail_outbox",
        ddl.id_column(),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("rater_id", sa.Integer, nullable=True),
        sa.Column("participant_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("to_addr", sa.String(320), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        ddl.ts("created_at", nullable=False),
        ddl.ts("next_attempt_at", nullable=False),
        ddl.ts("sent_at"),
        ddl.pk("mail_outbox"),
        ddl.fk("mail_outbox", "campaign_id", "campaigns"),
        ddl.fk("mail_outbox", "rater_id", "raters"),
        ddl.fk("mail_outbox", "participant_id", "participants"),
    )
    ddl.create_index("mail_outbox", "campaign_id")
    op.create_index("ix_mail_outbox_status_next", "mail_outbox", ["status", "next_attempt_at"])
    ddl.create_link_table("account_links", "user_id", "users", ddl.ts("used_at"))


def downgrade() -> None:
    """Drop the programme tables and campaign columns."""
    op.drop_table("account_links")
    op.drop_table("mail_outbox")
    op.drop_table("campaign_events")
    ddl.drop_columns(
        "campaigns",
        "remind_body",
        "remind_subject",
        "invite_body",
        "invite_subject",
        "close_mode",
        "reminder_days",
    )
