"""`bifocals score NEW --compare OLD`: change since the last campaign, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.store import open_store
from bifocals.store.app_tables import audit_log
from support.waves import NEW, OLD
from support.waves import two_waves as make_waves


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def two_waves(tmp_path: Path) -> str:
    """The demo campaign and its second wave (support.waves: P02's others one point higher
    on focus_goals leadership)."""
    db = str(tmp_path / "waves.db")
    make_waves(db, tmp_path)
    return db


def test_compare_adds_change_to_each_participant(two_waves: str) -> None:
    code, out, err = run("score", NEW, "--compare", OLD, "--db", two_waves, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["compared_with"] == OLD and data["not_in_earlier"] == []
    by = {p["participant"]: p["change"] for p in data["participants"]}
    keys = {"group", "dimension", "side", "before", "after", "difference", "ci_low", "ci_high"}
    assert all(keys | {"reliable"} <= set(c) for cs in by.values() for c in cs)
    planted = [
        c
        for c in by["P02"]
        if (c["group"], c["dimension"], c["side"]) == ("others", "focus_goals", "leadership")
    ]
    assert len(planted) == 1 and planted[0]["reliable"] and planted[0]["difference"] > 0.3
    unchanged = [c for p, cs in by.items() for c in cs if p != "P02" and c["group"] == "others"]
    assert unchanged and all(c["difference"] == 0 and not c["reliable"] for c in unchanged)
    # groups suppressed in a wave are never compared
    for p in data["participants"]:
        shown = {g["key"] for g in p["groups"]}
        assert {c["group"] for c in p["change"]} <= shown | {"others"}
    # both reads are audited and mark results seen, as any other read
    with open_store(f"sqlite:///{two_waves}") as store, store.engine.connect() as conn:
        targets = conn.execute(
            sa.select(audit_log.c.target).where(audit_log.c.detail == "cli score --compare")
        ).scalars()
        assert set(targets) == {f"campaign:{OLD}", f"campaign:{NEW}"}


def test_compare_table_lists_the_reliable_changes(two_waves: str) -> None:
    code, out, _ = run("score", NEW, "--compare", OLD, "--db", two_waves)
    assert code == 0
    assert "1 of 196 scales" in " ".join(out.split())


def test_mapping_and_errors(two_waves: str, tmp_path: Path) -> None:
    bad = tmp_path / "map.csv"
    bad.write_text("new_code,old_code\nP01,P01\nP01,P02\n,P3\n", encoding="utf-8")
    code, _, err = run("score", NEW, "--compare", OLD, "--map", str(bad), "--db", two_waves)
    assert code == 1
    assert f"{bad}:3: new_code=P01: this code is already mapped on line 2" in err
    assert f"{bad}:4: new_code=: both codes are needed" in err
    swap = tmp_path / "swap.csv"
    swap.write_text("new_code,old_code\nP01,P02\nP02,P01\n", encoding="utf-8")
    code, out, err = run(
        "score", NEW, "--compare", OLD, "--map", str(swap), "--db", two_waves, "--json"
    )
    assert code == 0, err
    by = {p["participant"]: p["change"] for p in json.loads(out)["participants"]}
    assert any(c["difference"] != 0 for c in by["P01"])  # compared with P02's old scores
    code, _, err = run("score", NEW, "--compare", "No such", "--db", two_waves)
    assert code == 1 and "no campaign named 'No such'" in err
    # The user's words in a message are printed as written, not read as terminal markup.
    code, _, err = run("score", NEW, "--compare", "Cohort [maria]", "--db", two_waves)
    assert code == 1 and "no campaign named 'Cohort [maria]'" in err
    code, _, err = run("score", NEW, "--compare", NEW, "--db", two_waves)
    assert code == 1 and "compare with another campaign" in err
    code, _, err = run("score", NEW, "--map", str(swap), "--db", two_waves)
    assert code == 1 and "--map needs --compare" in err


def test_report_has_a_since_last_time_section(two_waves: str, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    code, _, err = run("report", NEW, "--compare", OLD, "--db", two_waves, "--out", str(out))
    assert code == 0, err
    pages = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    people = [t for n, t in pages.items() if n not in ("index.html", "cohort.html")]
    assert len(people) == 14 and all("Since last time" in t for t in people)
    planted = [t for t in people if "<dd>P02</dd>" in t]
    assert len(planted) == 1
    section = planted[0].split("Since last time", 1)[1].split("</section>", 1)[0]
    assert "Reliably higher than last time" in section and "Sets direction" in section
    assert "Change since the last campaign per scale" in section  # the chart's title
    others = [t for t in people if "<dd>P02</dd>" not in t]
    assert all("No scale changed reliably" in t for t in others)
    cohort = pages["cohort.html"]
    assert (
        f"The cohort&#39;s change since {OLD}" in cohort
        or f"The cohort's change since {OLD}" in cohort
    )
    assert "14 participants were compared" in cohort
    # without --compare there is no such section
    plain = tmp_path / "plain"
    assert run("report", NEW, "--db", two_waves, "--out", str(plain))[0] == 0
    assert not any("Since last time" in p.read_text(encoding="utf-8") for p in plain.glob("*.html"))
