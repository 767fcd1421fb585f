"""Builders for the columns and tables that the table modules declare again and again.

Each call returns new Column objects (a Column belongs to one table only). The builders only
spell the declarations once: the schema is still the one the migrations create, column for
column, in the same order and with the same constraint and index names.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.schema import SchemaItem

from bifocals.store.meta import metadata


def id_column() -> sa.Column[int]:
    """The surrogate primary key every row table starts with."""
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def timestamp(name: str, nullable: bool = True) -> sa.Column[Any]:
    """A timezone-aware moment (NULL allowed unless `nullable` is False)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def reference(
    name: str,
    target: str | sa.Column[Any],
    *,
    ondelete: str = "CASCADE",
    nullable: bool = False,
    **options: Any,
) -> sa.Column[int]:
    """An integer foreign key to `target` ("table.column" or the Column itself); further
    column options (index, unique, primary_key) pass through."""
    return sa.Column(
        name,
        sa.Integer,
        sa.ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        **options,
    )


def address(name: str, *, nullable: bool = False, **options: Any) -> sa.Column[str]:
    """An e-mail address (320 characters, the most an address can have), or who did something:
    an account's address or "cli"; further column options (unique) pass through."""
    return sa.Column(name, sa.String(320), nullable=nullable, **options)


def token_hash() -> sa.Column[str]:
    """The sha256 hex digest of a secret token, the only form in which a token is kept."""
    return sa.Column("token_hash", sa.String(64), nullable=False, unique=True)


def table_with_id(name: str, *columns: SchemaItem) -> sa.Table:
    """A table on the shared MetaData whose rows are keyed by id_column(), then `columns`
    (and constraints) in the order given."""
    return sa.Table(name, metadata, id_column(), *columns)


def assignment_table(name: str, owner: str, owner_target: str | sa.Column[Any]) -> sa.Table:
    """Which facilitator accounts are assigned to which owner row (a campaign, an
    initiative): the pair is the primary key, and deleting either side drops the row."""
    return sa.Table(
        name,
        metadata,
        reference(owner, owner_target, primary_key=True),
        reference("user_id", "users.id", primary_key=True),
    )


def token_link_table(
    name: str, owner: str, owner_target: str | sa.Column[Any], *more: sa.Column[Any]
) -> sa.Table:
    """A table of private links that expire and can be revoked, one row per link, for the
    row `owner` names; `more` columns follow the common ones."""
    return table_with_id(
        name,
        reference(owner, owner_target, index=True),
        token_hash(),
        timestamp("created_at", nullable=False),
        timestamp("expires_at", nullable=False),
        timestamp("revoked_at"),
        *more,
    )
