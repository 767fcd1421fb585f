"""Norm groups (the organisation's own history or an external table) and each campaign's
baseline: the earlier campaign and the norm group its reports compare with
(store/norm_tables.py).

Its own branch from the core revision (it needs only campaigns), so that it does not depend on
the order in which other features add theirs; `upgrade heads` applies every branch.

Revision ID: 0010_norms
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0010_norms"
down_revision = "0001_core"
branch_labels = ("norms",)
depends_on = None


def upgrade() -> None:
    """Create norm_groups, norm_group_campaigns, norm_scales and campaign_baselines."""
    op.create_table(
        "norm_groups",
        ddl.id_column(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("instrument_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        ddl.ts("created_at", nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        ddl.pk("norm_groups"),
        ddl.unique("norm_groups", "name"),
    )
    ddl.create_pair_table(
        "norm_group_campaigns", ("group_id", "norm_groups"), ("campaign_id", "campaigns")
    )
    op.create_table(
        "norm_scales",
        ddl.id_column(),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("dimension", sa.String(100), nullable=False),
        sa.Column("side", sa.String(20), nullable=False),
        sa.Column("mean", sa.Float, nullable=False),
        sa.Column("sd", sa.Float, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        ddl.pk("norm_scales"),
        ddl.fk("norm_scales", "group_id", "norm_groups"),
        sa.UniqueConstraint("group_id", "dimension", "side", name="uq_norm_scales_scale"),
    )
    ddl.create_index("norm_scales", "group_id")
    op.create_table(
        "campaign_baselines",
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("previous_id", sa.Integer, nullable=True),
        sa.Column("code_map", sa.JSON, nullable=False),
        sa.Column("norm_group_id", sa.Integer, nullable=True),
        ddl.ts("updated_at", nullable=False),
        sa.Column("updated_by", sa.String(320), nullable=False),
        ddl.pk("campaign_baselines", "campaign_id"),
        ddl.fk("campaign_baselines", "campaign_id", "campaigns"),
        ddl.fk("campaign_baselines", "previous_id", "campaigns", "SET NULL"),
        ddl.fk("campaign_baselines", "norm_group_id", "norm_groups", "SET NULL"),
    )


def downgrade() -> None:
    """Drop the norm and baseline tables."""
    op.drop_table("campaign_baselines")
    op.drop_index(op.f("ix_norm_scales_group_id"), table_name="norm_scales")
    op.drop_table("norm_scales")
    op.drop_table("norm_group_campaigns")
    op.drop_table("norm_groups")
