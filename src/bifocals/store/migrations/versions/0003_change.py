"""Change workbench: stored initiatives.

Revision ID: 0003_change
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0003_change"
down_revision = "0001_core"
branch_labels = ("change",)
depends_on = None


def upgrade() -> None:
    """Create change_initiatives."""
    op.create_table(
        "change_initiatives",
        ddl.id_column(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("proposals", sa.JSON, nullable=False),
        ddl.ts("imported_at", nullable=False),
        ddl.pk("change_initiatives"),
        ddl.unique("change_initiatives", "name"),
    )


def downgrade() -> None:
    """Drop change_initiatives."""
    op.drop_table("change_initiatives")
