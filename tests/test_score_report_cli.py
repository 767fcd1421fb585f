"""`bifocals score` and `bifocals report` on an imported campaign: one load-and-score path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.demo import demo_csv
from bifocals.instruments import get_instrument
from bifocals.store import open_store


@pytest.fixture
def db(sqlite_url: str, tmp_path: Path) -> str:
    path = tmp_path / "demo.csv"
    path.write_text(demo_csv(get_instrument(None)), encoding="utf-8")
    store = open_store(sqlite_url)
    try:
        store.import_campaign_csv(path, "demo")
    finally:
        store.close()
    return sqlite_url


def invoke(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args), terminal_width=160, env={"COLUMNS": "160"})
    return res.exit_code, res.stdout, res.stderr


def test_score_json_and_table_agree(db: str) -> None:
    code, out, err = invoke("score", "demo", "--db", db, "--json")
    assert code == 0, err
    scores = json.loads(out)
    assert scores["campaign"] == "demo" and len(scores["participants"]) > 10
    first = scores["participants"][0]
    code, table, err = invoke("score", "demo", "--db", db)
    assert code == 0, err
    assert first["participant"] in table and "Reliability per scale" in table


def test_report_writes_pages_with_display_names(db: str, tmp_path: Path) -> None:
    store = open_store(db)
    try:
        data, _ = store.load_campaign_data("demo")
        code = data.participants[0]
        store.set_participant_names("demo", {code: "Ada <Lovelace>"})
    finally:
        store.close()
    out = tmp_path / "reports"
    rc, stdout, err = invoke("report", "demo", "--db", db, "--out", str(out), "--json")
    assert rc == 0, err
    files = [Path(f) for f in json.loads(stdout)["files"]]
    assert (out / "index.html") in files and (out / "cohort.html") in files
    assert len(files) == len(data.participants) + 2
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Ada &lt;Lovelace&gt;" in index and "<Lovelace>" not in index


def test_unknown_campaign_is_a_clean_error(db: str, tmp_path: Path) -> None:
    for args in (("score", "nope"), ("report", "nope", "--out", str(tmp_path / "r"))):
        rc, _, err = invoke(*args, "--db", db)
        assert rc == 1 and "campaign list" in err and "Traceback" not in err
