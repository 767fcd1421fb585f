"""Two waves of the demo cohort: the demo campaign and a copy in which P02's raters (all but
self) rate every focus_goals leadership item one point higher (at most 5)."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from bifocals.cli import app

OLD = "Northwind leadership programme 2026"
NEW = "Northwind 2027"


def cli(*args: str) -> None:
    """Run a bifocals command that must succeed."""
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.stderr


def two_waves(db: str, tmp_path: Path, *, released: bool = False) -> None:
    """Load the demo into `db` and import its second wave as NEW (both released if asked)."""
    cli("demo", "load", "--db", db)
    old_csv, new_csv = tmp_path / "wave-1.csv", tmp_path / "wave-2.csv"
    cli("campaign", "export", OLD, "--db", db, "--out", str(old_csv))
    with old_csv.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        planted = r["participant"] == "P02" and r["group"] != "self"
        if planted and r["item"].startswith("FG-L") and r["value"] not in ("", "NA"):
            r["value"] = str(min(5, int(r["value"]) + 1))
    with new_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    cli("campaign", "import", str(new_csv), "--name", NEW, "--db", db)
    if released:
        for name in (OLD, NEW):
            cli("campaign", "release", name, "--db", db, "--yes")
