"""`bifocals campaign`: import (every problem on stderr), export, list, thresholds, delete."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.demo import demo_csv
from bifocals.instruments import get_instrument
from bifocals.store.csvformat import EXPORT_COLUMNS
from support.store import HEADER, write_csv


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.csv"
    path.write_text(demo_csv(get_instrument(None)), encoding="utf-8")
    return path


def exported(path: Path) -> str:
    """The export of an imported 5-column file: blank name and e-mail columns added."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    with path.open(encoding="utf-8", newline="") as fh:
        for p, r, g, i, v in list(csv.reader(fh))[1:]:
            writer.writerow([p, "", "", r, "", "", g, i, v])
    return out.getvalue()


def run(db: str, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(
        app, ["campaign", *args, "--db", db], terminal_width=160, env={"COLUMNS": "160"}
    )
    return res.exit_code, res.stdout, res.stderr


def test_import_export_list_thresholds_delete(db_url: str, demo_file: Path, tmp_path: Path) -> None:
    code, out, err = run(db_url, "import", str(demo_file), "--name", "demo")
    assert code == 0, err
    assert "Imported campaign demo" in out and "bifocals_open_360" in out
    code, out, err = run(db_url, "import", str(demo_file), "--name", "demo")
    assert code == 1 and "--replace" in err and "Traceback" not in err
    code, out, _ = run(db_url, "import", str(demo_file), "--name", "demo", "--replace", "--json")
    assert code == 0 and json.loads(out)["replaced"] is True

    code, out, _ = run(db_url, "list", "--json")
    (entry,) = json.loads(out)
    assert entry["name"] == "demo" and entry["status"] == "closed" and entry["participants"] > 10
    code, out, _ = run(db_url, "list")
    assert code == 0 and "demo" in out and "bifocals_open_360" in out

    code, out, _ = run(db_url, "thresholds", "demo", "--peer", "4", "--json")
    assert code == 0 and json.loads(out)["thresholds"]["peer"] == 4
    code, out, _ = run(db_url, "thresholds", "demo")
    assert "peer 4" in out
    code, _, err = run(db_url, "thresholds", "demo", "--peer", "0")
    assert code != 0

    code, out, _ = run(db_url, "export", "demo")
    assert code == 0 and out == exported(demo_file)
    target = tmp_path / "out.csv"
    code, out, _ = run(db_url, "export", "demo", "--out", str(target))
    assert code == 0 and target.read_text(encoding="utf-8") == exported(demo_file)

    # The export counted as results seen: thresholds are frozen now, refused and audited.
    code, _, err = run(db_url, "thresholds", "demo", "--peer", "5")
    assert code == 1 and "can no longer change" in err

    code, out, _ = run(db_url, "delete", "demo", "--yes")
    assert code == 0 and "Deleted" in out
    code, out, _ = run(db_url, "list", "--json")
    assert json.loads(out) == []
    code, _, err = run(db_url, "export", "demo")
    assert code == 1 and "no campaign named 'demo'" in err


def test_import_errors_are_listed_one_per_line(sqlite_url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        ["P1,S,self,FG-L1,4", "P1,S,self,NOPE,4", "P1,S,boss,FG-L2,3", "P1,S,self,FG-L1,7"],
    )
    code, out, err = run(sqlite_url, "import", str(path), "--name", "x")
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("error:") and "nothing imported" in lines[0]
    assert lines[1].startswith(f"{path}:3: item=NOPE: not an item")
    assert lines[2].startswith(f"{path}:4: group=boss: unknown group")
    assert lines[3].startswith(f"{path}:5: value=7: not on the scale 1-5")
    assert lines[4].startswith(f"{path}:5: item=FG-L1: duplicate")
    assert "Traceback" not in err
    code, out, _ = run(sqlite_url, "list", "--json")
    assert json.loads(out) == []


def test_unknown_instrument_is_a_clean_error(sqlite_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok.csv", ["P1,S,self,FG-L1,4"])
    code, _, err = run(sqlite_url, "import", str(path), "--name", "x", "--instrument", "nope")
    assert code == 1 and "unknown instrument" in err and "Traceback" not in err


def test_empty_list_hint(sqlite_url: str) -> None:
    code, out, _ = run(sqlite_url, "list")
    assert code == 0 and "bifocals campaign import" in out


@pytest.mark.parametrize("cmd", ["import", "export", "list", "delete", "thresholds"])
def test_help_has_an_example(cmd: str) -> None:
    res = CliRunner().invoke(app, ["campaign", cmd, "--help"], terminal_width=160)
    assert res.exit_code == 0
    assert any(line.strip().startswith("Example") for line in res.stdout.splitlines())


def test_header_constant_matches_the_docs() -> None:
    assert HEADER == "participant,rater,group,item,value"
