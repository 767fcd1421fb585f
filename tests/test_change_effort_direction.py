"""`bifocals change direction`: memos and transcripts coded into the themes by the real text
analyzer, beside the stated weights; the accuracy it prints is the one measured on the check
set; unreadable files code nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.change.direction import CHECK, FLOOR, code_direction, run_check
from bifocals.change.loader import demo_initiative_text, load_initiative_text
from bifocals.change.model import Initiative
from bifocals.change.proposals import Embedder, analyzer_embedder
from bifocals.cli import app
from bifocals.services.change_records import load_demo_initiative
from bifocals.store import open_store
from bifocals.store.app_tables import audit_log
from support.effort_exports import DEMO

TOWN_HALL = """\
Good morning everyone, and thank you for joining so early.

Last peak season the order system was down for nine hours. When one zone fails, the orders
must move to the other one on their own, without anybody restarting anything by hand.

Our customers keep asking where their parcels are. Every customer should be able to follow
an order from our shelf to their door, in real time.

Service agents need live order status on their screens when the phone rings.

Next slide, please.
"""


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return analyzer_embedder()


@pytest.fixture(scope="module")
def demo() -> Initiative:
    ini, _ = load_initiative_text(demo_initiative_text(), "demo")
    return ini


def test_the_printed_accuracy_is_the_measured_one(demo: Initiative, embedder: Embedder) -> None:
    assert run_check(demo, embedder) == CHECK
    lo, hi = CHECK.interval()
    assert lo < CHECK.theme_agreement < hi
    # FLOOR keeps every housekeeping sentence of the tuning set off the themes.
    tune = run_check(demo, embedder, "direction_tune.csv")
    assert tune.off_theme_right == tune.sentences - tune.on_theme
    assert 0 < FLOOR < 1


def test_sentences_go_to_their_themes(demo: Initiative, embedder: Embedder) -> None:
    found = code_direction(demo, [("townhall.txt", TOWN_HALL)], embedder)
    assert found.documents == (("townhall.txt", 7),)
    by_line = {s.line: s for s in found.sentences}
    assert by_line[1].theme is None  # the greeting is about no theme
    assert by_line[11].theme is None  # "Next slide, please."
    assert found.count("customer_speed") >= 2
    assert found.said.sum() == pytest.approx(1.0) and found.stated.sum() == pytest.approx(1.0)
    assert found.angle(found.stated) is not None
    data = found.to_dict()
    speed = next(t for t in data["themes"] if t["id"] == "customer_speed")
    assert speed["examples"][0]["source"] == "townhall.txt"
    assert data["accuracy"]["check_sentences"] == CHECK.on_theme


def test_direction_command(tmp_path: Path, db_url: str) -> None:
    with open_store(db_url) as store:
        load_demo_initiative(store)
    memo = tmp_path / "townhall.txt"
    memo.write_text(TOWN_HALL, encoding="utf-8")
    code, out, err = run("change", "direction", DEMO, str(memo), "--db", db_url)
    assert code == 0, err
    assert "what leaders say and what they wrote down" in out
    assert "Stated weight" in out and "How far to trust this" in out and "95% CI" in out
    code, out, _ = run("change", "direction", DEMO, str(memo), "--db", db_url, "--json")
    data = json.loads(out)
    assert code == 0 and [t["stated"] for t in data["themes"]] == [0.25, 0.2, 0.15, 0.15, 0.15, 0.1]
    assert sum(t["said"] for t in data["themes"]) == pytest.approx(1.0, abs=1e-3)
    assert data["angle_said_vs_stated"] is not None and data["on_theme"] >= 4
    with open_store(db_url) as store, store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar() == 0


def test_files_that_cannot_be_read_code_nothing(tmp_path: Path, sqlite_url: str) -> None:
    with open_store(sqlite_url) as store:
        load_demo_initiative(store)
    binary = tmp_path / "memo.docx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    code, _, err = run(
        "change", "direction", DEMO, str(tmp_path / "gone.txt"), str(binary), "--db", sqlite_url
    )
    assert code == 1 and "Traceback" not in err
    assert f"{tmp_path / 'gone.txt'}: file=" in err and "file not found" in err
    assert "memo.docx: file=" in err and "save it as plain text" in err
    code, _, err = run("change", "direction", "Nope", str(binary), "--db", sqlite_url)
    assert code == 1 and "no initiative named 'Nope'" in err
    code, out, _ = run("change", "direction", "--help")
    assert code == 0 and "Example" in out
