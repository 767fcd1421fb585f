"""`bifocals analyze` and `bifocals text`: output contracts and bad input, through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bifocals.cli import app

DOC = (
    "Our job is to explain why the migration matters for customers.\n"
    "- Track the budget every month and flag variances.\n"
    "- The canteen is closed on Friday.\n"
    "Wir werden die Kosten im nächsten Quartal mit dem Team senken.\n"
)


def run(args: list[str], stdin: str | bytes | None = None) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, args, input=stdin)
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    p = tmp_path / "plan.txt"
    p.write_text(DOC, encoding="utf-8")
    return p


@pytest.mark.parametrize("tier", [[], ["--fast"]])
def test_json_lines_contract(doc: Path, tier: list[str]) -> None:
    code, out, err = run(["analyze", str(doc), "--json", *tier])
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]  # the German line is skipped, in order
    for r in rows:
        assert {"text", "function", "dimension", "confidence", "source", "line"} <= r.keys()
        assert r["function"] in ("leadership", "management", "neither")
        assert (r["dimension"] is None) == (r["function"] == "neither")
        assert 0.0 <= r["confidence"] <= 1.0
        assert r["source"] == str(doc)
    assert rows[0]["text"].startswith("Our job is")
    assert "1 unit(s) skipped: not English" in err


def test_stdin_csv_parquet_table_and_profile(doc: Path, tmp_path: Path) -> None:
    code, out, _ = run(["analyze", "--csv"], stdin=DOC)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3 and rows[0]["source"] == "-"
    pq_path = tmp_path / "out.parquet"
    code, _, _ = run(["analyze", str(doc), "--parquet", str(pq_path)])
    assert code == 0 and pq.read_table(pq_path).num_rows == 3
    code, out, _ = run(["analyze", str(doc)])
    assert code == 0 and "Function" in out
    code, out, _ = run(["analyze", str(doc), "--profile", "--json"])
    data = json.loads(out)
    assert code == 0 and data["units"] == 3 and "focus_goals" in data["dimensions"]


def test_csv_column_and_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "comments.csv"
    p.write_text("id,comment\n1,She sets a clear direction for us.\n2,\n3,Books rooms.\n", "utf-8")
    code, out, err = run(["analyze", str(p), "--column", "comment", "--lines", "--json"])
    assert code == 0
    assert [json.loads(x)["line"] for x in out.splitlines()] == [1, 3]
    assert "1 unit(s) skipped: empty" in err  # the blank cell of row 2 is reported
    code, out, err = run(["analyze", str(p), "--column", "text"])
    assert code == 1 and "Traceback" not in out + err
    assert "comments.csv" in err and "id, comment" in err


def test_bad_inputs_are_clear(tmp_path: Path) -> None:
    code, out, err = run(["analyze"], stdin="")
    assert code == 1 and "empty" in err and "Traceback" not in out + err
    binary = tmp_path / "pic.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    code, _, err = run(["analyze", str(binary)])
    assert code == 1 and "binary" in err
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 budget review.".encode("latin-1"))
    code, _, err = run(["analyze", str(latin)])
    assert code == 1 and "not UTF-8" in err and "iconv" in err
    good = tmp_path / "ok.txt"
    good.write_text("Track the budget weekly.", "utf-8")
    code, out, err = run(["analyze", str(binary), str(good), "--json"])
    assert code == 0 and "skipped file" in err and len(out.splitlines()) == 1
    huge = tmp_path / "huge.txt"
    huge.write_text("budget " * 150_000 + "\n", "utf-8")  # about 1 MB on one line
    code, out, err = run(["analyze", str(huge), "--json"])
    assert code == 0 and "truncated" in err
    assert json.loads(out)["truncated"] is True
    code, _, err = run(["analyze", str(tmp_path / "nope.txt")])
    assert code == 1 and "no such file" in err


def test_every_text_command_has_an_example() -> None:
    for cmd in (["analyze"], ["text", "train"], ["text", "evaluate"]):
        code, out, _ = run([*cmd, "--help"])
        assert code == 0
        assert any(line.strip().startswith("Example") for line in out.splitlines()), cmd


def test_evaluate_on_a_labelled_file(tmp_path: Path) -> None:
    """`text evaluate --file`: both tiers and both baselines on the same sentences, with
    macro-F1, accuracy, a 3 x 3 confusion matrix and a calibration error for the tiers."""
    rows = [
        (
            "Explain to the team why the new system matters for patients.",
            "leadership",
            "focus_goals",
        ),
        (
            "Ask the quietest engineer what she would change first.",
            "leadership",
            "relationship_people",
        ),
        (
            "Book the rooms and send the agenda two days ahead.",
            "management",
            "roles_responsibilities",
        ),
        (
            "Compare spending with the budget each month and report gaps.",
            "management",
            "focus_goals",
        ),
        ("The car park closes at ten in the evening.", "neither", ""),
        ("Our printers take A4 and A3 paper.", "neither", ""),
    ]
    path = tmp_path / "labelled.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "function", "dimension", "source_note"])
        for text, func, dim in rows:
            w.writerow([text, func, dim, "test sentence"])
    code, out, err = run(["text", "evaluate", "--file", str(path), "--json"])
    assert code == 0, err
    report = json.loads(out)
    methods = [r["method"] for r in report["results"]]
    assert methods[:3] == ["accurate tier", "fast tier", "baseline: keyword lexicon"]
    assert methods[3].startswith("baseline: zero-shot cosine")
    for r in report["results"]:
        assert r["n"] == len(rows) and 0 <= r["function_macro_f1"] <= 1
        assert sum(map(sum, r["confusion"]["rows_true_cols_predicted"])) == len(rows)
        tier = not r["method"].startswith("baseline")
        assert (r["function_calibration_error"] is not None) == tier
    assert isinstance(report["goal_met"], bool) and report["primary"] == "accurate tier"
    code, table, err = run(["text", "evaluate", "--file", str(path)])
    assert code == 0 and "Calibration" in table and "goal macro-F1" in table


def test_options_that_would_be_ignored_are_refused_before_any_work(
    doc: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    cases = [
        (["--json", "--csv"], "choose one"),
        (["-o", str(out)], "--output needs --json or --csv"),
        (["--parquet", str(tmp_path / "p.parquet"), "--json"], "--parquet writes its own file"),
        (["--profile", "--parquet", str(tmp_path / "p.parquet")], "--profile prints"),
    ]
    for extra, message in cases:
        code, stdout, err = run(["analyze", str(doc), *extra])
        assert code == 1 and message in err, (extra, err)
        assert stdout == "" and not out.exists()
    # A missing file among good ones stops the run: a typo in a path is not a skipped unit.
    code, stdout, err = run(["analyze", str(doc), str(tmp_path / "nope.txt"), "--json"])
    assert code == 1 and "no such file" in err and "nope.txt" in err and stdout == ""


def test_engine_help_names_the_ray_extra() -> None:
    code, stdout, _ = run(["analyze", "--help"])
    assert code == 0 and "bifocals[ray]" in stdout.replace("\n", "").replace(" ", "")
