"""Languages: the language a participant reads the report in and a rater answers in.

NULL means not chosen: a rater's survey then opens in the participant's language, else English.

Revision ID: 0009_languages
Revises: 0007_effort_imports
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.migrations import ddl

revision = "0009_languages"
down_revision = "0007_effort_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add participants.language and raters.language (en, de, fr, es or NULL)."""
    for table in ("participants", "raters"):
        ddl.add_columns(table, sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    """Drop the two columns."""
    for table in ("raters", "participants"):
        ddl.drop_columns(table, "language")
