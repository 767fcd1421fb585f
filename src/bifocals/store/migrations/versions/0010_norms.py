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

revision = "0010_norms"
down_revision = "0001_core"
branch_labels = ("norms",)
depends_on = None


def upgrade() -> None:
    """Create norm_groups, norm_group_campaigns, norm_scales and campaign_baselines."""
    op.create_table(
        "norm_groups",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("instrument_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_norm_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_norm_groups_name")),
    )
    op.create_table(
        "norm_group_campaigns",
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("group_id", "campaign_id", name=op.f("pk_norm_group_campaigns")),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["norm_groups.id"],
            name=op.f("fk_norm_group_campaigns_group_id_norm_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_norm_group_campaigns_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "norm_scales",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("dimension", sa.String(100), nullable=False),
        sa.Column("side", sa.String(20), nullable=False),
        sa.Column("mean", sa.Float, nullable=False),
        sa.Column("sd", sa.Float, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_norm_scales")),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["norm_groups.id"],
            name=op.f("fk_norm_scales_group_id_norm_groups"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("group_id", "dimension", "side", name="uq_norm_scales_scale"),
    )
    op.create_index(op.f("ix_norm_scales_group_id"), "norm_scales", ["group_id"])
    op.create_table(
        "campaign_baselines",
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("previous_id", sa.Integer, nullable=True),
        sa.Column("code_map", sa.JSON, nullable=False),
        sa.Column("norm_group_id", sa.Integer, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_baselines")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_baselines_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_baselines_previous_id_campaigns"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["norm_group_id"],
            ["norm_groups.id"],
            name=op.f("fk_campaign_baselines_norm_group_id_norm_groups"),
            ondelete="SET NULL",
        ),
    )


def downgrade() -> None:
    """Drop the norm and baseline tables."""
    op.drop_table("campaign_baselines")
    op.drop_index(op.f("ix_norm_scales_group_id"), table_name="norm_scales")
    op.drop_table("norm_scales")
    op.drop_table("norm_group_campaigns")
    op.drop_table("norm_groups")
