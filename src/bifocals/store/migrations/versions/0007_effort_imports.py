"""Change workbench: effort imported from Jira, GitHub and timesheet exports (previews and
applied imports).

Revision ID: 0007_effort_imports
Revises: 0006_programme
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_effort_imports"
down_revision = "0006_programme"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create change_effort_imports."""
    op.create_table(
        "change_effort_imports",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("initiative_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("mapping_source", sa.String(500), nullable=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("mapping", sa.LargeBinary, nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_effort_imports")),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["change_initiatives.id"],
            name=op.f("fk_change_effort_imports_initiative_id_change_initiatives"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f("ix_change_effort_imports_initiative_id"),
        "change_effort_imports",
        ["initiative_id"],
    )


def downgrade() -> None:
    """Drop change_effort_imports."""
    op.drop_table("change_effort_imports")
