"""Campaigns keep a copy of an instrument that is not built in.

A campaign imported or created with an instrument from a file (a path, or a folder on
BIFOCALS_INSTRUMENT_PATH) stores that instrument's YAML, so that it can still be scored, reported
and answered after the file moves or the variable changes. Built-in instruments are not copied.

Revision ID: 0005_instrument_snapshot
Revises: 0004_readiness
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.migrations import ddl

revision = "0005_instrument_snapshot"
down_revision = "0004_readiness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add campaigns.instrument_yaml (NULL: a built-in instrument, found by its id)."""
    ddl.add_columns("campaigns", sa.Column("instrument_yaml", sa.Text, nullable=True))


def downgrade() -> None:
    """Drop campaigns.instrument_yaml."""
    ddl.drop_columns("campaigns", "instrument_yaml")
