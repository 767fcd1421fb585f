"""Opening a database: engine settings per dialect and `alembic upgrade heads` in-process."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bifocals.errors import BifocalsError

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: serialises concurrent migrations of one PostgreSQL database.
_PG_MIGRATION_LOCK = 0x6269666F
# Alembic's migration context is global to the process: one migration at a time per process.
_MIGRATING = threading.Lock()


def _set_wal(cur: Any) -> None:
    """Switch the file to WAL once (the mode is stored in the file).

    Changing the journal mode needs the file to itself, and SQLite answers "database is locked" at
    once, without its busy handler, while another connection is busy: so try again for up to 10 s.
    """
    deadline = time.monotonic() + 10.0
    while True:
        try:
            if str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=10000")
    _set_wal(cur)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> sa.Engine:
    """An engine for SQLite (WAL, busy timeout, foreign keys) or PostgreSQL (psycopg 3)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise BifocalsError(
            f"not a database URL: {url!r}; give a SQLite file path or "
            "postgresql+psycopg://user@host/db"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        db = parsed.database or ""
        if db and db != ":memory:" and not db.startswith("file:"):
            parent = Path(db).expanduser().resolve().parent
            if not parent.is_dir():
                raise BifocalsError(
                    f"database folder {parent} does not exist; create it or choose another --db"
                )
        engine = sa.create_engine(parsed, connect_args={"timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise BifocalsError(f"unsupported database {backend!r} in {url!r}; use SQLite or PostgreSQL")


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config pointing at the package's migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(conn: sa.Connection) -> set[str]:
    """The revisions the database is at (empty for a new database)."""
    return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: sa.Engine) -> None:
    """Apply every migration on every branch (core, web, change): `alembic upgrade heads`.

    A database already at every head is left alone. Processes that start together take turns:
    an advisory lock on PostgreSQL, the write lock (BEGIN IMMEDIATE) on SQLite.
    """
    heads = _heads()
    with engine.connect() as conn:
        if current_revisions(conn) == heads:
            return
    with _MIGRATING:
        _upgrade_locked(engine, heads)


def _upgrade_locked(engine: sa.Engine, heads: set[str]) -> None:
    with engine.begin() as conn:
        # Take the database's write lock first, then look again: another process may have
        # migrated while this one waited.
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        if current_revisions(conn) != heads:
            command.upgrade(alembic_config(conn), "heads")
