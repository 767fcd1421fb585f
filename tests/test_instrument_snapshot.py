"""A campaign keeps a copy of an instrument that is not built in, so that it can still be
scored, exported and answered after the instrument's file is gone.

Real SQLite and PostgreSQL (the `db_url` fixture), the real CLI and the real web app.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlalchemy as sa
import yaml
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.instruments import get_instrument, instrument_to_data
from bifocals.store.tables import campaigns
from support.survey import seed
from support.web import store_at, web_client


def _instrument_file(folder: Path) -> Path:
    data = instrument_to_data(get_instrument())
    data["id"] = "team_pulse"
    data["name"] = "Team pulse"
    data["items"][0]["text"] = "Tells the team, in a sentence, where the work is heading."
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "team_pulse.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _answers(path: Path) -> Path:
    items = get_instrument().item_ids
    raters = [("SELF", "self"), ("M1", "manager")] + [(f"P{i}", "peer") for i in range(3)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["participant", "rater", "group", "item", "value"])
        for code, group in raters:
            for k, item in enumerate(items):
                w.writerow(["P01", code, group, item, str(2 + (k + len(code)) % 4)])
    return path


def _cli(args: list[str], db_url: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, [*args, "--db", db_url])
    return res.exit_code, res.stdout + res.stderr


def _stored(db_url: str, name: str) -> str | None:
    with store_at(db_url) as store, store.engine.connect() as conn:
        return conn.execute(
            sa.select(campaigns.c.instrument_yaml).where(campaigns.c.name == name)
        ).scalar_one()


def test_a_campaign_imported_with_a_file_outlives_the_file(db_url: str, tmp_path: Path) -> None:
    inst = _instrument_file(tmp_path / "mine")
    answers = _answers(tmp_path / "answers.csv")
    code, out = _cli(
        ["campaign", "import", str(answers), "--name", "Pulse", "--instrument", str(inst)], db_url
    )
    assert code == 0, out
    inst.unlink()  # the file moves away after the import
    code, out = _cli(["score", "Pulse", "--json"], db_url)
    assert code == 0, out
    assert "team_pulse" in str(json.loads(out)["instrument"])
    code, out = _cli(["campaign", "export", "Pulse"], db_url)
    assert code == 0 and out.count("\n") == 1 + 5 * len(get_instrument().item_ids)
    # A built-in instrument is found by its id: no copy is kept.
    code, out = _cli(["campaign", "import", str(answers), "--name", "Plain"], db_url)
    assert code == 0, out
    assert _stored(db_url, "Plain") is None
    assert "Tells the team, in a sentence" in (_stored(db_url, "Pulse") or "")


def test_the_survey_uses_the_stored_copy(db_url: str, tmp_path: Path) -> None:
    inst = _instrument_file(tmp_path / "mine")
    seeded = seed(db_url, instrument=str(inst))
    inst.unlink()
    with web_client(db_url) as client:
        page = client.get(f"/survey/{seeded.tokens['R1']}")
    assert page.status_code == 200
    assert "Tells the team, in a sentence, where the work is heading." in page.text
