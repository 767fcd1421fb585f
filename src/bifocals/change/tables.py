"""Tables of the change workbench, on the one shared MetaData (migration 0003_change)."""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.store.meta import metadata

# One row per initiative: the validated document as JSON (re-validated on every read), the
# text analyzer's theme proposals for `themes: auto` tasks, and when it was imported.
change_initiatives = sa.Table(
    "change_initiatives",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("source", sa.String(500), nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("proposals", sa.JSON, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
)
