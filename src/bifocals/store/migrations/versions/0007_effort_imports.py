"""Change workbench: effort imported from Jira, GitHub and timesheet exports (previews and
applied imports).

Revision ID: 0007_effort_imports
Revises: 0006_programme
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0007_effort_imports"
down_revision = "0006_programme"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create change_effort_imports."""
    op.create_table(
        "change_effort_imports",
        ddl.id_column(),
        sa.Column("initiative_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("mapping_source", sa.String(500), nullable=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("mapping", sa.LargeBinary, nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("plan", sa.JSON, nullable=False),
        ddl.ts("created_at", nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        ddl.ts("applied_at"),
        ddl.pk("change_effort_imports"),
        ddl.fk("change_effort_imports", "initiative_id", "change_initiatives"),
    )
    ddl.create_index("change_effort_imports", "initiative_id")


def downgrade() -> None:
    """Drop change_effort_imports."""
    op.drop_table("change_effort_imports")
