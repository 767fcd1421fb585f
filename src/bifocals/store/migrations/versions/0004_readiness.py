"""Change workbench: initiative facilitators and the web readiness survey (links, answers).

Revision ID: 0004_readiness
Revises: 0003_change, 0002_web (a merge: facilitators are user accounts of the web branch)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_readiness"
down_revision = ("0003_change", "0002_web")
branch_labels = None
depends_on = None

ADKAR = ("awareness", "desire", "knowledge", "ability", "reinforcement")


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _initiative_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["initiative_id"],
        ["change_initiatives.id"],
        name=op.f(f"fk_{table}_initiative_id_change_initiatives"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Add readiness_closed_at; create change_facilitators and the readiness survey tables."""
    with op.batch_alter_table("change_initiatives") as batch:
        batch.add_column(_ts("readiness_closed_at"))
    op.create_table(
        "change_facilitators",
        sa.Column("initiative_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("initiative_id", "user_id", name=op.f("pk_change_facilitators")),
        _initiative_fk("change_facilitators"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_change_facilitators_user_id_users"),
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "change_readiness_links",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("initiative_id", sa.Integer, nullable=False),
        sa.Column("group_key", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        _ts("created_at", nullable=False),
        _ts("sent_at"),
        _ts("used_at"),
        sa.Column("used_key_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_readiness_links")),
        _initiative_fk("change_readiness_links"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_change_readiness_links_token_hash")),
    )
    op.create_index(
        op.f("ix_change_readiness_links_initiative_id"),
        "change_readiness_links",
        ["initiative_id"],
    )
    op.create_table(
        "change_readiness_responses",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("initiative_id", sa.Integer, nullable=False),
        sa.Column("group_key", sa.String(100), nullable=False),
        *(sa.Column(e, sa.SmallInteger, nullable=True) for e in ADKAR),
        sa.Column("comment", sa.Text, nullable=True),
        _ts("submitted_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_readiness_responses")),
        _initiative_fk("change_readiness_responses"),
        *(
            sa.CheckConstraint(
                f"{e} between 1 and 5", name=op.f(f"ck_change_readiness_responses_{e}_scale")
            )
            for e in ADKAR
        ),
    )
    op.create_index(
        op.f("ix_change_readiness_responses_initiative_id"),
        "change_readiness_responses",
        ["initiative_id"],
    )


def downgrade() -> None:
    """Drop the readiness survey tables, change_facilitators and readiness_closed_at."""
    op.drop_table("change_readiness_responses")
    op.drop_table("change_readiness_links")
    op.drop_table("change_facilitators")
    with op.batch_alter_table("change_initiatives") as batch:
        batch.drop_column("readiness_closed_at")
