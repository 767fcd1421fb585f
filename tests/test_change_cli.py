"""`bifocals change` on real SQLite and PostgreSQL: import (all-or-nothing), list, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bifocals.change.loader import demo_initiative_text
from bifocals.cli import app
from bifocals.services.change_records import get_initiative, list_initiatives, load_demo_initiative
from bifocals.store import open_store

DEMO = "Move the order system to the cloud"


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "cloud.yaml"
    path.write_text(demo_initiative_text(), encoding="utf-8")
    return path


def test_import_list_report(db_url: str, demo_file: Path, tmp_path: Path) -> None:
    code, out, err = run("change", "import", str(demo_file), "--db", db_url)
    assert code == 0, err
    assert "Imported initiative" in out and "44 tasks" in out
    code, out, _ = run("change", "list", "--db", db_url, "--json")
    assert code == 0 and [r["name"] for r in json.loads(out)] == [DEMO]
    code, out, _ = run("change", "report", DEMO, "--db", db_url, "--json")
    data = json.loads(out)
    assert code == 0 and data["alignment"]["periods"][1]["band"] == "misaligned"
    code, out, _ = run("change", "report", DEMO, "--db", db_url)
    assert code == 0 and "2026-Q2" in out and "Findings" in out
    html = tmp_path / "r.html"
    code, _, _ = run("change", "report", DEMO, "--db", db_url, "--html", str(html))
    assert code == 0 and "<svg" in html.read_text(encoding="utf-8")


def test_import_again_needs_replace(db_url: str, demo_file: Path) -> None:
    assert run("change", "import", str(demo_file), "--db", db_url)[0] == 0
    code, _, err = run("change", "import", str(demo_file), "--db", db_url)
    assert code == 1 and "already exists" in err and "--replace" in err
    assert "Traceback" not in err
    code, out, _ = run("change", "import", str(demo_file), "--db", db_url, "--replace")
    assert code == 0 and "Replaced" in out


def test_invalid_file_imports_nothing(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = demo_initiative_text().replace("weight: 25", "weight: -25")
    bad.write_text(text.replace("owner: daniel", "owner: nobody_here"), encoding="utf-8")
    code, _, err = run("change", "import", str(bad), "--db", db_url)
    assert code == 1 and "Traceback" not in err
    assert "bad.yaml:" in err and "themes.0.weight" in err and "resistance.0.owner" in err
    with open_store(db_url) as store:
        assert list_initiatives(store) == []


def test_unknown_name_and_conflicting_options(db_url: str) -> None:
    code, _, err = run("change", "report", "Nope", "--db", db_url)
    assert code == 1 and "no initiative named 'Nope'" in err
    with open_store(db_url) as store:
        load_demo_initiative(store)
    code, _, err = run("change", "report", DEMO, "--db", db_url, "--json", "--pdf", "x.pdf")
    assert code == 1 and "choose one" in err


def test_demo_loader_replaces_and_round_trips(db_url: str) -> None:
    with open_store(db_url) as store:
        assert load_demo_initiative(store) == DEMO
        assert load_demo_initiative(store) == DEMO  # idempotent
        ini = get_initiative(store, DEMO)
        assert len(ini.tasks) == 44 and ini.periods == ("2026-Q1", "2026-Q2", "2026-Q3")
        assert len(list_initiatives(store)) == 1


@pytest.mark.pdf
def test_report_pdf(sqlite_url: str, pdf_engine: None, tmp_path: Path) -> None:
    with open_store(sqlite_url) as store:
        load_demo_initiative(store)
    out = tmp_path / "r.pdf"
    code, _, err = run("change", "report", DEMO, "--db", sqlite_url, "--pdf", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")


def test_every_command_has_an_example() -> None:
    for cmd in ("import", "list", "report"):
        code, out, _ = run("change", cmd, "--help")
        assert code == 0 and "Example" in out


@pytest.mark.parametrize(
    "url_fixture", ["sqlite_url", pytest.param("pg_url", marks=pytest.mark.postgres)]
)
def test_migration_matches_the_table(url_fixture: str, request: pytest.FixtureRequest) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import bifocals.store.app_tables  # noqa: F401  (users, referred to by change_facilitators)
    from bifocals.store.change_tables import CHANGE_TABLES
    from bifocals.store.meta import metadata

    ours = {t.name for t in CHANGE_TABLES}
    with open_store(request.getfixturevalue(url_fixture)) as store, store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, metadata) if any(n in str(d) for n in ours)]
    assert diff == []
