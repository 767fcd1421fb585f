"""Builders for the DDL that the migrations spell again and again: columns, constraints named
by the naming convention of bifocals.store.meta, and batch column changes.

FROZEN. The migrations are history: the schema each one makes on SQLite and PostgreSQL, and
the way an existing database is upgraded, must never change. So never change what these
return or do, not even a default; when a new migration needs something else, add a new helper.
They are not the table declarations of bifocals.store (store/columns.py): those describe the
schema as it is now and change with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def ts(name: str, nullable: bool = True) -> sa.Column[object]:
    """A timezone-aware moment (NULL allowed unless `nullable` is False)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def id_column() -> sa.Column[object]:
    """The surrogate key `id` (pk() makes it the primary key)."""
    return sa.Column("id", sa.Integer, autoincrement=True)


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key pk_<table> on `columns` (default: id)."""
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    """The foreign key fk_<table>_<column>_<target> from `column` to <target>.id."""
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def unique(table: str, *columns: str) -> sa.UniqueConstraint:
    """The unique constraint uq_<table>_<first column> on `columns`."""
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{columns[0]}"))


def create_index(table: str, column: str) -> None:
    """Create the index ix_<table>_<column> on one column."""
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def create_pair_table(name: str, first: tuple[str, str], second: tuple[str, str]) -> None:
    """Create a table that pairs two rows: two keys, each (column, target table) and deleted
    with the row it names, and the pair the primary key pk_<name>."""
    (a, a_target), (b, b_target) = first, second
    op.create_table(
        name,
        sa.Column(a, sa.Integer, nullable=False),
        sa.Column(b, sa.Integer, nullable=False),
        pk(name, a, b),
        fk(name, a, a_target),
        fk(name, b, b_target),
    )


def create_token_table(name: str, owner: str, target: str, *extra: sa.Column[object]) -> None:
    """Create a table of private links kept as the sha256 of their token: id, `owner` (a key to
    <target>.id, deleted with it), token_hash (unique), created_at, then `extra` columns."""
    op.create_table(
        name,
        id_column(),
        sa.Column(owner, sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        ts("created_at", nullable=False),
        *extra,
        pk(name),
        fk(name, owner, target),
        unique(name, "token_hash"),
    )


def create_link_table(name: str, owner: str, target: str, *extra: sa.Column[object]) -> None:
    """Create a table of private links that expire and can be revoked (create_token_table with
    expires_at and revoked_at, then `extra`), and the index ix_<name>_<owner>."""
    create_token_table(
        name, owner, target, ts("expires_at", nullable=False), ts("revoked_at"), *extra
    )
    create_index(name, owner)


def add_columns(table: str, *columns: sa.Column[object]) -> None:
    """Add `columns` to `table`, in order, in one batch (a table copy on SQLite)."""
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.add_column(column)


def drop_columns(table: str, *names: str) -> None:
    """Drop the columns `names` of `table`, in order, in one batch (a table copy on SQLite)."""
    with op.batch_alter_table(table) as batch:
        for name in names:
            batch.drop_column(name)
