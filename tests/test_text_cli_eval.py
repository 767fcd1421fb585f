"""`bifocals text evaluate --head/--file` and the safer `bifocals text train` defaults, through
the CLI with the real model and real files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.text.model import default_head_path

ROWS = [
    ("Explain to the team why the new system matters for patients.", "leadership", "focus_goals"),
    ("Ask the quietest engineer what she would change first.", "leadership", "relationship_people"),
    ("Book the rooms and send the agenda two days ahead.", "management", "roles_responsibilities"),
    ("Compare spending with the budget each month and report gaps.", "management", "focus_goals"),
    ("The car park closes at ten in the evening.", "neither", ""),
    ("Our printers take A4 and A3 paper.", "neither", ""),
]


def run(args: list[str]) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, args)
    return res.exit_code, res.stdout, res.stderr


def write_csv(path: Path, rows: list[tuple[str, str, str]], bom: bool = False) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "function", "dimension"])
        w.writerows(rows)
    return path


def test_evaluate_uses_the_head_given(tmp_path: Path) -> None:
    """--head loads that file: a head whose function scores are turned upside down (every
    function array negated) must score far worse than the shipped head on the same file."""
    labelled = write_csv(tmp_path / "mine.csv", ROWS)
    upside_down = tmp_path / "upside_down.npz"
    with np.load(default_head_path()) as z:
        arrays = {k: z[k] for k in z.files}
    for key in ("function_coef", "function_intercept", "fast_function_table"):
        arrays[key] = -arrays[key]
    arrays["fast_function_intercept"] = -arrays["fast_function_intercept"]
    np.savez_compressed(upside_down, **arrays)

    code, out, err = run(["text", "evaluate", "--file", str(labelled), "--json"])
    assert code == 0, err
    shipped = json.loads(out)
    assert shipped["head"] == str(default_head_path()) and shipped["file"] == str(labelled)
    code, out, err = run(
        ["text", "evaluate", "--file", str(labelled), "--head", str(upside_down), "--json"]
    )
    assert code == 0, err
    other = json.loads(out)
    assert other["head"] == str(upside_down)
    for tier in (0, 1):
        good = shipped["results"][tier]["function_macro_f1"]
        bad = other["results"][tier]["function_macro_f1"]
        assert good >= 0.8 and bad < good - 0.3, (tier, good, bad)


def test_evaluate_refuses_a_missing_or_foreign_head(tmp_path: Path) -> None:
    labelled = write_csv(tmp_path / "mine.csv", ROWS)
    code, _, err = run(["text", "evaluate", "--file", str(labelled), "--head", "nope.npz"])
    assert code == 1 and "nope.npz" in err and "not found" in err
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.zeros(3))
    code, _, err = run(["text", "evaluate", "--file", str(labelled), "--head", str(foreign)])
    assert code == 1 and "not a head written by" in err and "Traceback" not in err


def test_bad_labelled_file_names_line_and_field(tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        [
            ROWS[0],
            ("Plan the rota.", "managment", "roles_responsibilities"),
            ("Plan the budget.", "management", ""),
            ("The lift is out of order.", "neither", "focus_goals"),
        ],
    )
    code, _, err = run(["text", "evaluate", "--file", str(bad)])
    assert code == 1
    flat = " ".join(err.split())
    assert "bad.csv:3: field 'function' = 'managment'" in flat
    assert "leadership, management, neither" in flat
    assert "bad.csv:4: field 'dimension' = ''" in flat and "focus_goals" in flat
    assert "bad.csv:5: field 'dimension' = 'focus_goals': must be empty for 'neither'" in flat

    no_header = tmp_path / "no_header.csv"
    no_header.write_text("Plan the budget.,management,focus_goals\n", encoding="utf-8")
    code, _, err = run(["text", "evaluate", "--file", str(no_header)])
    assert code == 1 and "no_header.csv:1: field 'header'" in " ".join(err.split())
    assert "text,function,dimension" in err

    only_header = write_csv(tmp_path / "only_header.csv", [])
    code, _, err = run(["text", "evaluate", "--file", str(only_header)])
    assert code == 1 and "no labelled rows" in err

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"text,function,dimension\nThe caf\xe9 opens at eight.,neither,\n")
    code, _, err = run(["text", "evaluate", "--file", str(latin1)])
    assert code == 1 and "latin1.csv:2: not UTF-8" in " ".join(err.split())


def test_spreadsheet_csv_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    labelled = write_csv(tmp_path / "excel.csv", ROWS, bom=True)
    code, out, err = run(["text", "evaluate", "--file", str(labelled), "--json"])
    assert code == 0, err
    assert json.loads(out)["results"][0]["n"] == len(ROWS)


def test_help_documents_the_csv_format_and_head() -> None:
    code, out, _ = run(["text", "evaluate", "--help"])
    flat = " ".join(out.split())
    assert code == 0 and "text,function,dimension" in flat and "empty for neither" in flat
    assert "--head" in flat
    code, out, _ = run(["text", "train", "--help"])
    assert code == 0 and "--replace-shipped" in out


def test_train_refuses_to_touch_the_shipped_head_without_replace_shipped(tmp_path: Path) -> None:
    """All of these are refused before any training starts (they return at once)."""
    shipped = default_head_path()
    before = shipped.stat().st_mtime_ns
    cases = [
        (["--out", str(shipped)], "--replace-shipped"),
        (["--out", str(tmp_path / "h.npz"), "--replace-shipped"], "not both"),
        (["--out", str(tmp_path)], "is a folder"),
        (["--out", str(tmp_path / "missing" / "h.npz")], "does not exist"),
    ]
    for extra, message in cases:
        code, _, err = run(["text", "train", *extra])
        assert code == 1 and message in " ".join(err.split()), (extra, err)
    assert shipped.stat().st_mtime_ns == before
