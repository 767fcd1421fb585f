"""Participant logins survive `campaign import --replace` by code, and are disabled when
their participant or campaign is gone (on SQLite and PostgreSQL, through the CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.demo import demo_csv
from bifocals.instruments import get_instrument
from bifocals.services.accounts import list_users
from bifocals.store.app_tables import audit_log
from support.web import Auth, add_user, store_at


def cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout + res.stderr


def answers(tmp_path: Path, rename: dict[str, str] | None = None) -> Path:
    text = demo_csv(get_instrument())
    for old, new in (rename or {}).items():
        text = text.replace(f"\n{old},", f"\n{new},")
    path = tmp_path / f"answers-{len(rename or {})}.csv"
    path.write_text(text, "utf-8")
    return path


def accounts(url: str) -> dict[str, tuple[str | None, bool]]:
    with store_at(url) as store:
        return {u.email: (u.participant, u.disabled) for u in list_users(store)}


def actions(url: str) -> list[str]:
    with store_at(url) as store, store.engine.connect() as conn:
        return [r.action for r in conn.execute(sa.select(audit_log.c.action))]


def test_replace_keeps_logins_by_code_and_disables_the_rest(
    db_url: str, tmp_path: Path, auth: Auth
) -> None:
    code, out = cli("campaign", "import", str(answers(tmp_path)), "--name", "S", "--db", db_url)
    assert code == 0, out
    with store_at(db_url) as store:
        store.set_participant_names("S", {"P01": "Amara Okafor", "P02": "Ben Ode"})
    add_user(db_url, "p01@example.org", "participant", campaign="S", participant="P01")
    add_user(db_url, "p02@example.org", "participant", campaign="S", participant="P02")
    gone = auth("p02@example.org", db_url)
    assert gone.get("/me").status_code == 200
    # The corrected file has no P02 (renamed P99): P01 keeps its login, P02's is disabled.
    fixed = answers(tmp_path, {"P02": "P99"})
    args = ["campaign", "import", str(fixed), "--name", "S", "--replace", "--db", db_url]
    code, out = cli(*args, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["participant_logins_kept"] == ["p01@example.org"]
    assert data["participant_logins_disabled"] == ["p02@example.org"]
    assert gone.get("/me").status_code in (303, 401)  # signed out
    assert accounts(db_url) == {
        "p01@example.org": ("P01", False),
        "p02@example.org": (None, True),
    }
    assert "user.disable" in actions(db_url) and "user.relink" in actions(db_url)
    with store_at(db_url) as store:  # display names follow their code too
        assert store.participant_names("S") == {"P01": "Amara Okafor"}
    code, out = cli("campaign", "delete", "S", "--yes", "--db", db_url)
    assert code == 0 and "1 disabled, their participant is gone: p01@example.org" in out, out
    assert accounts(db_url) == {
        "p01@example.org": (None, True),
        "p02@example.org": (None, True),
    }


def test_replace_without_logins_says_nothing_more(sqlite_url: str, tmp_path: Path) -> None:
    path = str(answers(tmp_path))
    assert cli("campaign", "import", path, "--name", "S", "--db", sqlite_url)[0] == 0
    code, out = cli("campaign", "import", path, "--name", "S", "--replace", "--db", sqlite_url)
    assert code == 0 and "Replaced campaign" in out and "login" not in out
