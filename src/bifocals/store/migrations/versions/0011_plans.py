"""Development plans, the private links that share one with a manager, and pulse campaigns
(store/plan_tables.py).

Revision ID: 0011_plans
Revises: 0010_norms
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0011_plans"
down_revision = "0010_norms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create development_plans, plan_links and pulse_campaigns."""
    op.create_table(
        "development_plans",
        ddl.id_column(),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("scales", sa.JSON, nullable=False),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("support", sa.Text, nullable=False, server_default=""),
        sa.Column("pulse_on", sa.Date, nullable=False),
        sa.Column("share_coach", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("share_manager", sa.Boolean, nullable=False, server_default=sa.false()),
        ddl.ts("created_at", nullable=False),
        ddl.ts("updated_at", nullable=False),
        sa.Column("pulse_campaign_id", sa.Integer, nullable=True),
        ddl.pk("development_plans"),
        ddl.fk("development_plans", "participant_id", "participants"),
        ddl.fk("development_plans", "pulse_campaign_id", "campaigns", "SET NULL"),
        ddl.unique("development_plans", "participant_id"),
    )
    ddl.create_link_table("plan_links", "plan_id", "development_plans")
    op.create_table(
        "pulse_campaigns",
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("full_campaign_id", sa.Integer, nullable=False),
        ddl.pk("pulse_campaigns", "campaign_id"),
        ddl.fk("pulse_campaigns", "campaign_id", "campaigns"),
        ddl.fk("pulse_campaigns", "plan_id", "development_plans"),
        ddl.fk("pulse_campaigns", "full_campaign_id", "campaigns"),
    )


def downgrade() -> None:
    """Drop the plan tables."""
    op.drop_table("pulse_campaigns")
    op.drop_index(op.f("ix_plan_links_plan_id"), table_name="plan_links")
    op.drop_table("plan_links")
    op.drop_table("development_plans")
