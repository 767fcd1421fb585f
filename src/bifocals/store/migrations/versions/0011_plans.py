"""Development plans, the private links that share one with a manager, and pulse campaigns
(store/plan_tables.py).

Revision ID: 0011_plans
Revises: 0010_norms
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_plans"
down_revision = "0010_norms"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create development_plans, plan_links and pulse_campaigns."""
    op.create_table(
        "development_plans",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("scales", sa.JSON, nullable=False),
        sa.Column("actions", sa.Text, nullable=False),
        sa.Column("support", sa.Text, nullable=False, server_default=""),
        sa.Column("pulse_on", sa.Date, nullable=False),
        sa.Column("share_coach", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("share_manager", sa.Boolean, nullable=False, server_default=sa.false()),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.Column("pulse_campaign_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_plans")),
        _fk("development_plans", "participant_id", "participants"),
        _fk("development_plans", "pulse_campaign_id", "campaigns", "SET NULL"),
        sa.UniqueConstraint("participant_id", name=op.f("uq_development_plans_participant_id")),
    )
    op.create_table(
        "plan_links",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _ts("created_at", nullable=False),
        _ts("expires_at", nullable=False),
        _ts("revoked_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_links")),
        _fk("plan_links", "plan_id", "development_plans"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_plan_links_token_hash")),
    )
    op.create_index(op.f("ix_plan_links_plan_id"), "plan_links", ["plan_id"])
    op.create_table(
        "pulse_campaigns",
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("full_campaign_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_pulse_campaigns")),
        _fk("pulse_campaigns", "campaign_id", "campaigns"),
        _fk("pulse_campaigns", "plan_id", "development_plans"),
        _fk("pulse_campaigns", "full_campaign_id", "campaigns"),
    )


def downgrade() -> None:
    """Drop the plan tables."""
    op.drop_table("pulse_campaigns")
    op.drop_index(op.f("ix_plan_links_plan_id"), table_name="plan_links")
    op.drop_table("plan_links")
    op.drop_table("development_plans")
