"""Two labellings of one set: Cohen's kappa by hand, the agreed rows, and bad label files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.errors import ValidationError
from bifocals.framework import default_framework
from bifocals.text.agreement import agree
from bifocals.text.metrics import cohen_kappa


def invoke(args: list[str]) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, args)
    return res.exit_code, res.stdout, res.stderr


DIMS = default_framework().dimension_ids


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_kappa_matches_a_hand_computation() -> None:
    # 10 items; a: 5 x class0, 5 x class1; b agrees on 8 (4 + 4).
    a = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    b = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0])
    # p_o = 0.8; p_e = 0.5*0.5 + 0.5*0.5 = 0.5; kappa = 0.3 / 0.5 = 0.6
    assert cohen_kappa(a, b, 3) == pytest.approx(0.6)
    assert cohen_kappa(a, a, 3) == pytest.approx(1.0)


def _three(tmp_path: Path) -> tuple[Path, Path, Path]:
    texts = _write(
        tmp_path / "texts.csv",
        ["id", "text"],
        [["x1", "Explains why."], ["x2", "Tracks the budget."], ["x3", "Nice person."],
         ["x4", "Checks every detail of my work."]],
    )  # fmt: skip
    a = _write(
        tmp_path / "a.csv",
        ["id", "function", "dimension", "genre"],
        [["x1", "leadership", "focus_goals", "360"], ["x2", "management", "focus_goals", "360"],
         ["x3", "neither", "", "360"], ["x4", "management", "relationship_people", "360"]],
    )  # fmt: skip
    b = _write(
        tmp_path / "b.csv",
        ["id", "function", "dimension"],
        [["x1", "leadership", "focus_goals"], ["x2", "management", "time_horizon"],
         ["x3", "neither", ""], ["x4", "leadership", "relationship_people"]],
    )  # fmt: skip
    return texts, a, b


def test_agreed_rows_are_kept_and_counted(tmp_path: Path) -> None:
    texts, a, b = _three(tmp_path)
    res = agree(texts, a, b, DIMS)
    assert (res.written, res.kept) == (4, 2)
    assert [r["id"] for r in res.rows] == ["x1", "x3"]
    assert res.rows[0] == {
        "id": "x1", "text": "Explains why.", "function": "leadership",
        "dimension": "focus_goals", "genre": "360",
    }  # fmt: skip
    assert res.function_agreement == pytest.approx(0.75)
    assert res.dimension_agreement == pytest.approx(0.5)  # x1 alike, x2 not


def test_cli_writes_the_agreed_set_and_refuses_to_overwrite(tmp_path: Path) -> None:
    texts, a, b = _three(tmp_path)
    out = tmp_path / "agreed.csv"
    code, stdout, _ = invoke(["text", "agree", str(texts), str(a), str(b),
                                   "--out", str(out), "--json"])  # fmt: skip
    assert code == 0, stdout
    assert json.loads(stdout)["kept"] == 2
    assert out.read_text(encoding="utf-8").splitlines()[0] == "id,text,function,dimension,genre"
    code, _, err = invoke(["text", "agree", str(texts), str(a), str(b), "--out", str(out)])
    assert code != 0 and "already exists" in err


def test_bad_label_files_name_file_line_and_field(tmp_path: Path) -> None:
    texts, a, _ = _three(tmp_path)
    bad = _write(
        tmp_path / "bad.csv",
        ["id", "function", "dimension"],
        [["x1", "leading", ""], ["x2", "neither", "focus_goals"], ["x3", "neither", ""]],
    )
    with pytest.raises(ValidationError) as info:
        agree(texts, a, bad, DIMS)
    msg = str(info.value) + " ".join(str(p) for p in info.value.problems)
    assert "bad.csv" in msg
    with pytest.raises(ValidationError) as missing:
        agree(texts, a, _write(tmp_path / "short.csv", ["id", "function", "dimension"],
                               [["x1", "neither", ""]]), DIMS)  # fmt: skip
    assert "x2" in " ".join(str(p) for p in missing.value.problems)
