"""The one SQLAlchemy MetaData every table of bifocals is declared on (core, web, change).

Alembic migrations live in bifocals/store/migrations; each feature adds its tables on its own
branch that starts at the core revision, and `upgrade heads` applies them all.
"""

from __future__ import annotations

import sqlalchemy as sa

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)
