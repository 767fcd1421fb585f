"""The campaign store: SQLite or PostgreSQL through SQLAlchemy Core, schema by Alembic.

`open_store(url)` opens the database, brings the schema up to date, and returns a Store.
"""

from __future__ import annotations

import sqlalchemy as sa

from bifocals.errors import BifocalsError
from bifocals.store.campaigns import CampaignInfo, ImportResult, Store
from bifocals.store.engine import make_engine, upgrade


def open_store(url: str) -> Store:
    """Open (and migrate to the newest schema) the database at an SQLAlchemy URL.

    A database that cannot be reached or read is a user error (BifocalsError) saying which one
    and what to check, not a driver traceback.
    """
    engine = make_engine(url)
    try:
        upgrade(engine)
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise BifocalsError(_cannot_open(engine, exc)) from exc
    except Exception:
        engine.dispose()
        raise
    return Store(engine)


def _cannot_open(engine: sa.Engine, exc: sa.exc.DBAPIError) -> str:
    where = engine.url.render_as_string(hide_password=True)
    said = (str(exc.orig).strip().splitlines() or ["no reason given"])[0]
    if engine.dialect.name == "sqlite":
        hint = (
            "give the path of a bifocals SQLite file (it is created if missing) in a folder "
            "you can write to, not a folder or another kind of file"
        )
    else:
        hint = "check that the server is running, and the host, port, user and database name"
    return f"cannot open the database {where}: {said}; {hint}"


__all__ = ["CampaignInfo", "ImportResult", "Store", "open_store"]
