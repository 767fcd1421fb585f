"""Core tables: campaigns, participants, raters, responses.

Revision ID: 0001_core
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0001_core"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    """Create the four core tables."""
    op.create_table(
        "campaigns",
        ddl.id_column(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("instrument_id", sa.String(100), nullable=False),
        sa.Column("instrument_version", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        ddl.ts("deadline"),
        sa.Column("threshold_manager", sa.Integer, nullable=False, server_default="1"),
        sa.Column("threshold_peer", sa.Integer, nullable=False, server_default="3"),
        sa.Column("threshold_direct_report", sa.Integer, nullable=False, server_default="3"),
        sa.Column("threshold_other", sa.Integer, nullable=False, server_default="3"),
        sa.Column("threshold_pooled", sa.Integer, nullable=False, server_default="3"),
        sa.Column("comment_salt", sa.String(64), nullable=False),
        ddl.ts("created_at", nullable=False),
        ddl.ts("closed_at"),
        ddl.ts("released_at"),
        ddl.pk("campaigns"),
        ddl.unique("campaigns", "name"),
        sa.CheckConstraint(
            "status in ('draft', 'open', 'closed', 'released')",
            name=op.f("ck_campaigns_status"),
        ),
    )
    op.create_table(
        "participants",
        ddl.id_column(),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        ddl.pk("participants"),
        ddl.fk("participants", "campaign_id", "campaigns"),
        ddl.unique("participants", "campaign_id", "code"),
    )
    op.create_table(
        "raters",
        ddl.id_column(),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("group", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        ddl.ts("submitted_at"),
        ddl.pk("raters"),
        ddl.fk("raters", "campaign_id", "campaigns"),
        ddl.fk("raters", "participant_id", "participants"),
        ddl.unique("raters", "participant_id", "code"),
        sa.CheckConstraint(
            "\"group\" in ('self', 'manager', 'peer', 'direct_report', 'other')",
            name=op.f("ck_raters_group"),
        ),
    )
    ddl.create_index("raters", "campaign_id")
    op.create_table(
        "responses",
        ddl.id_column(),
        sa.Column("rater_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        ddl.pk("responses"),
        ddl.fk("responses", "rater_id", "raters"),
        ddl.unique("responses", "rater_id", "item_id"),
        sa.CheckConstraint(
            "value IS NULL OR value = CAST(value AS INTEGER)",
            name=op.f("ck_responses_value_whole"),
        ),
    )
    op.create_index(
        op.f("ix_responses_text"),
        "responses",
        ["rater_id"],
        sqlite_where=sa.text("text IS NOT NULL"),
        postgresql_where=sa.text("text IS NOT NULL"),
    )


def downgrade() -> None:
    """Drop the core tables (children first)."""
    op.drop_index(op.f("ix_responses_text"), table_name="responses")
    op.drop_table("responses")
    op.drop_index(op.f("ix_raters_campaign_id"), table_name="raters")
    op.drop_table("raters")
    op.drop_table("participants")
    op.drop_table("campaigns")
