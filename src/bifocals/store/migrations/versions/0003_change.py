"""Change workbench: stored initiatives.

Revision ID: 0003_change
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_change"
down_revision = "0001_core"
branch_labels = ("change",)
depends_on = None


def upgrade() -> None:
    """Create change_initiatives."""
    op.create_table(
        "change_initiatives",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("proposals", sa.JSON, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_initiatives")),
        sa.UniqueConstraint("name", name=op.f("uq_change_initiatives_name")),
    )


def downgrade() -> None:
    """Drop change_initiatives."""
    op.drop_table("change_initiatives")
