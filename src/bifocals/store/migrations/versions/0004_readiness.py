"""Change workbench: initiative facilitators and the web readiness survey (links, answers).

Revision ID: 0004_readiness
Revises: 0003_change, 0002_web (a merge: facilitators are user accounts of the web branch)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bifocals.store.migrations import ddl

revision = "0004_readiness"
down_revision = ("0003_change", "0002_web")
branch_labels = None
depends_on = None

ADKAR = ("awareness", "desire", "knowledge", "ability", "reinforcement")


def upgrade() -> None:
    """Add readiness_closed_at; create change_facilitators and the readiness survey tables."""
    ddl.add_columns("change_initiatives", ddl.ts("readiness_closed_at"))
    ddl.create_pair_table(
        "change_facilitators", ("initiative_id", "change_initiatives"), ("user_id", "users")
    )
    op.create_table(
        "change_readiness_links",
        ddl.id_column(),
        sa.Column("initiative_id", sa.Integer, nullable=False),
        sa.Column("group_key", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        ddl.ts("created_at", nullable=False),
        ddl.ts("sent_at"),
        ddl.ts("used_at"),
        sa.Column("used_key_hash", sa.String(64), nullable=True),
        ddl.pk("change_readiness_links"),
        ddl.fk("change_readiness_links", "initiative_id", "change_initiatives"),
        ddl.unique("change_readiness_links", "token_hash"),
    )
    ddl.create_index("change_readiness_links", "initiative_id")
    op.create_table(
        "change_readiness_responses",
        ddl.id_column(),
        sa.Column("initiative_id", sa.Integer, nullable=False),
        sa.Column("group_key", sa.String(100), nullable=False),
        *(sa.Column(e, sa.SmallInteger, nullable=True) for e in ADKAR),
        sa.Column("comment", sa.Text, nullable=True),
        ddl.ts("submitted_at", nullable=False),
        ddl.pk("change_readiness_responses"),
        ddl.fk("change_readiness_responses", "initiative_id", "change_initiatives"),
        *(
            sa.CheckConstraint(
                f"{e} between 1 and 5", name=op.f(f"ck_change_readiness_responses_{e}_scale")
            )
            for e in ADKAR
        ),
    )
    ddl.create_index("change_readiness_responses", "initiative_id")


def downgrade() -> None:
    """Drop the readiness survey tables, change_facilitators and readiness_closed_at."""
    op.drop_table("change_readiness_responses")
    op.drop_table("change_readiness_links")
    op.drop_table("change_facilitators")
    ddl.drop_columns("change_initiatives", "readiness_closed_at")
