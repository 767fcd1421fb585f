"""Core tables: campaigns, participants, raters, responses.

Revision ID: 0001_core
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    """Create the four core tables."""
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("instrument_id", sa.String(100), nullable=False),
        sa.Column("instrument_version", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="draft"),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("threshold_manager", sa.Integer, nullable=False, server_default="1"),
        sa.Column("threshold_peer", sa.Integer, nullable=False, server_default="3"),
        sa.Column("threshold_direct_report", sa.Integer, nullable=False, server_default="3"),
        sa.Column("threshold_other", sa.Integer, nullable=False, server_default="3"),
        sa.Column("threshold_pooled", sa.Integer, nullable=False, server_default="3"),
        sa.Column("comment_salt", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("name", name=op.f("uq_campaigns_name")),
        sa.CheckConstraint(
            "status in ('draft', 'open', 'closed', 'released')",
            name=op.f("ck_campaigns_status"),
        ),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_participants_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("campaign_id", "code", name=op.f("uq_participants_campaign_id")),
    )
    op.create_table(
        "raters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("group", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raters")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_raters_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_raters_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("participant_id", "code", name=op.f("uq_raters_participant_id")),
        sa.CheckConstraint(
            "\"group\" in ('self', 'manager', 'peer', 'direct_report', 'other')",
            name=op.f("ck_raters_group"),
        ),
    )
    op.create_index(op.f("ix_raters_campaign_id"), "raters", ["campaign_id"])
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rater_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["raters.id"],
            name=op.f("fk_responses_rater_id_raters"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("rater_id", "item_id", name=op.f("uq_responses_rater_id")),
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
