"""open_store: schema by Alembic on SQLite and PostgreSQL, every branch head applied, pragmas."""

from __future__ import annotations

import importlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bifocals.errors import BifocalsError
from bifocals.store import open_store
from bifocals.store.engine import alembic_config
from bifocals.store.meta import metadata
from bifocals.store.tables import campaigns, participants, raters, responses

CORE = {"campaigns", "participants", "raters", "responses"}


def test_migrations_create_schema_and_apply_every_head(db_url: str) -> None:
    store = open_store(db_url)
    try:
        insp = sa.inspect(store.engine)
        tables = set(insp.get_table_names())
        assert tables >= CORE
        heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
        with store.engine.connect() as conn:
            applied = {
                r[0] for r in conn.execute(sa.text("select version_num from alembic_version"))
            }
        assert applied == heads
        # Columns of the migrated tables are those declared in tables.py.
        for table in (campaigns, participants, raters, responses):
            cols = {c["name"] for c in insp.get_columns(table.name)}
            assert cols == {c.name for c in table.columns}, table.name
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("responses")}
        assert ("rater_id", "item_id") in uniques
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("raters")}
        assert ("participant_id", "code") in uniques
    finally:
        store.close()


def test_open_store_twice_is_a_no_op(db_url: str) -> None:
    open_store(db_url).close()
    store = open_store(db_url)
    try:
        assert store.list_campaigns() == []
        assert store.url.startswith(("sqlite", "postgresql+psycopg"))
    finally:
        store.close()


def test_every_declared_table_has_a_migration(sqlite_url: str) -> None:
    import bifocals.store.tables  # noqa: F401

    store = open_store(sqlite_url)
    try:
        tables = set(sa.inspect(store.engine).get_table_names())
        assert set(metadata.tables) <= tables
    finally:
        store.close()


def test_declared_tables_are_what_the_migrations_make(db_url: str) -> None:
    # The table modules (built with store/columns.py) and the migrations (store/migrations/ddl.py)
    # spell the schema separately: autogenerate finds nothing to change between them. SQLite
    # reflects a '' server default so that Alembic always sees a change: defaults on PostgreSQL.
    for module in ("app_tables", "change_tables", "norm_tables", "plan_tables", "programme_tables"):
        importlib.import_module(f"bifocals.store.{module}")
    store = open_store(db_url)
    try:
        with store.engine.connect() as conn:
            opts = {"compare_type": True, "compare_server_default": conn.dialect.name != "sqlite"}
            assert compare_metadata(MigrationContext.configure(conn, opts=opts), metadata) == []
    finally:
        store.close()


def test_sqlite_pragmas(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000
    finally:
        store.close()


def test_bad_urls_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(BifocalsError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    with pytest.raises(BifocalsError, match="unsupported database"):
        open_store("mysql://root@localhost/x")


def test_unreadable_databases_are_user_errors_that_hide_passwords(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all\n" * 100)
    with pytest.raises(BifocalsError, match=r"junk\.db: file is not a database; give the path"):
        open_store(f"sqlite:///{junk}")
    with pytest.raises(BifocalsError, match="unable to open database file"):
        open_store(f"sqlite:///{tmp_path}")  # a folder
    with pytest.raises(BifocalsError, match="server is running") as caught:
        open_store("postgresql+psycopg://someone:hunter2@127.0.0.1:1/x")  # nothing listens
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)


def test_threads_starting_together_all_get_a_migrated_store(db_url: str) -> None:
    def opened(_: int) -> int:
        store = open_store(db_url)
        try:
            return len(store.list_campaigns())
        finally:
            store.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(opened, range(4))) == [0, 0, 0, 0]


def test_processes_starting_together_all_get_a_migrated_store(db_url: str) -> None:
    code = "import sys; from bifocals.store import open_store; open_store(sys.argv[1]).close()"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    store = open_store(db_url)
    try:
        assert store.list_campaigns() == []
    finally:
        store.close()
