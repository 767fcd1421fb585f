"""Languages: the language a participant reads the report in and a rater answers in.

NULL means not chosen: a rater's survey then opens in the participant's language, else English.

Revision ID: 0009_languages
Revises: 0007_effort_imports
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_languages"
down_revision = "0007_effort_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add participants.language and raters.language (en, de, fr, es or NULL)."""
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
    with op.batch_alter_table("raters") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    with op.batch_alter_table("raters") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("language")
