"""Table rows in, units out: every row is accounted for and can be joined back (local engine)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.errors import BifocalsError
from bifocals.text.rayengine import in_order


def run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, args, input=stdin)
    return res.exit_code, res.stdout, res.stderr


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_every_cell_is_one_unit_and_blank_cells_are_counted(tmp_path: Path) -> None:
    body = [
        ["a1", "Track spending against the budget every month."],
        ["a2", ""],
        ["a3", "   "],
        ["a4", "She explains why the change matters.\nThen she asks the team what they think."],
        ["a5", "Il faut réduire les coûts avec une équipe pour le client."],
        ["a6", "Every change to production needs two reviews."],
    ]
    src = write_csv(tmp_path / "c.csv", [["key", "text"], *body])
    args = ["analyze", str(src), "--column", "text", "--lines", "--fast", "--json"]
    code, out, err = run([*args, "--id-column", "key"])
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    # 6 rows in: 3 units out, 2 blank cells and 1 French cell reported, nothing vanishes.
    assert [(r["id"], r["line"]) for r in rows] == [("a1", 1), ("a4", 4), ("a6", 6)]
    assert "2 unit(s) skipped: empty" in err and "1 unit(s) skipped: not English" in err
    assert rows[1]["text"] == (
        "She explains why the change matters. Then she asks the team what they think."
    )
    assert all(r["sentence"] is None for r in rows)
    assert list(rows[0])[:4] == ["source", "id", "line", "sentence"]
    # Without --id-column there is no id column at all.
    code, out, _ = run(args)
    assert code == 0 and "id" not in json.loads(out.splitlines()[0])


def test_sentence_mode_numbers_sentences_within_each_cell(tmp_path: Path) -> None:
    src = write_csv(
        tmp_path / "c.csv",
        [
            ["key", "text"],
            ["x", "She explains why the change matters. Then she asks what we think."],
            ["y", ""],
            ["z", "Track the budget every month."],
        ],
    )
    code, out, err = run(["analyze", str(src), "--column", "text", "--id-column", "key", "--csv"])
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["line"], r["sentence"]) for r in rows] == [
        ("x", "1", "1"),
        ("x", "1", "2"),
        ("z", "3", "1"),
    ]
    assert "1 unit(s) skipped: empty" in err
    # Text files: the sentence's position among those starting on its line.
    doc = tmp_path / "plan.txt"
    doc.write_text("Track the budget. Explain why it matters.\nBook the room.\n", "utf-8")
    code, out, _ = run(["analyze", str(doc), "--json", "--fast"])
    got = [(r["line"], r["sentence"]) for r in map(json.loads, out.splitlines())]
    assert code == 0 and got == [(1, 1), (1, 2), (2, 1)]


def test_parquet_in_and_out_carries_ids_and_row_numbers(tmp_path: Path) -> None:
    src = tmp_path / "in.parquet"
    table = pa.table(
        {
            "n": [10, 11, None, 13],
            "text": ["Track the budget weekly.", None, "Book room 3.", "Explain why it matters."],
        }
    )
    pq.write_table(table, src, row_group_size=2)
    out = tmp_path / "out.parquet"
    args = ["analyze", str(src), "-c", "text", "--id-column", "n", "--lines", "--fast"]
    code, _, err = run([*args, "--parquet", str(out)])
    assert code == 0, err
    got = pq.read_table(out)
    assert got.schema.field("line").type == pa.int64()
    assert got.schema.field("sentence").type == pa.int64()
    assert got.schema.field("id").type == pa.string()
    assert got.column("id").to_pylist() == ["10", None, "13"]
    assert got.column("line").to_pylist() == [1, 3, 4]
    assert "1 unit(s) skipped: empty" in err
    # An existing output is refused, and replaced with --force.
    code, _, err = run([*args, "--parquet", str(out)])
    assert code == 1 and "already exists" in err and "--force" in err
    code, _, err = run([*args, "--parquet", str(out), "--force"])
    assert code == 0, err


def test_column_options_are_refused_where_they_cannot_apply(tmp_path: Path) -> None:
    code, out, err = run(["analyze", "--column", "text"], stdin="id,text\n1,Plan the budget.\n")
    assert code == 1 and out == ""
    assert "--column applies to .csv/.parquet files" in err and "stdin" in err
    txt = tmp_path / "notes.txt"
    txt.write_text("Plan the budget.\n", "utf-8")
    code, _, err = run(["analyze", str(txt), "--column", "text"])
    assert code == 1 and "--column applies to .csv/.parquet files" in err and "notes.txt" in err
    src = write_csv(tmp_path / "c.csv", [["key", "text"], ["1", "Plan the budget."]])
    code, _, err = run(["analyze", str(src), "--column", "text", "--id-column", "nope"])
    assert code == 1 and "--id-column" in err and "the file has: key, text" in err
    code, _, err = run(["analyze", str(src), "--id-column", "key"])
    assert code == 1 and "--id-column needs --column" in err


def test_ray_results_are_put_back_in_input_order_whatever_order_they_arrive_in() -> None:
    """The driver's reorder buffer: shuffled result batches, including a row whose units were
    split across two batches, come out in input order; a missing batch is an error."""
    # Rows 0..599; every third row has two units (two sentences), the rest one.
    keys = [(seq, sub) for seq in range(600) for sub in range(2 if seq % 3 == 0 else 1)]
    table = pa.table({"_seq": [k[0] for k in keys], "_sub": [k[1] for k in keys]})
    cuts = sorted({0, table.num_rows, *random.Random(7).sample(range(1, table.num_rows), 40)})
    batches = [table.slice(a, b - a) for a, b in itertools.pairwise(cuts)]
    assert any(b["_sub"][0].as_py() == 1 for b in batches)  # a row split between two batches
    shuffled = batches[:]
    random.Random(11).shuffle(shuffled)
    got = pa.concat_tables(list(in_order(shuffled, rows=600)))
    assert got.equals(table)
    with pytest.raises(BifocalsError, match="do not follow on"):
        list(in_order(shuffled[:3] + shuffled[4:], rows=600))
    with pytest.raises(BifocalsError, match="do not follow on"):  # the last batch lost
        list(in_order(batches[:-1], rows=600))
