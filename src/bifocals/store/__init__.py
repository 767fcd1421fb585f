"""The campaign store: SQLite or PostgreSQL through SQLAlchemy Core, schema by Alembic.

`open_store(url)` opens the database, brings the schema up to date, and returns a Store.
"""

from __future__ import annotations

from bifocals.store.campaigns import CampaignInfo, ImportResult, Store
from bifocals.store.engine import make_engine, upgrade


def open_store(url: str) -> Store:
    """Open (and migrate to the newest schema) the database at an SQLAlchemy URL."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    except Exception:
        engine.dispose()
        raise
    return Store(engine)


__all__ = ["CampaignInfo", "ImportResult", "Store", "open_store"]
