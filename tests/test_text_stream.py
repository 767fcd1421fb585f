"""`bifocals analyze` streams: chunks in, records out, nothing half-written when it fails."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bifocals.cli import app
from bifocals.text.analyzer import Analyzer, mean_confidence
from bifocals.text.sinks import RowWriter, record
from bifocals.text.sources import Unit, check_utf8, count_rows, read_units
from bifocals.text.tally import Tally

SENTENCES = [
    "Explain to the team why the move to the cloud matters for our customers.",
    "Check the budget every Friday and report any variance over five percent.",
    "The car park is closed for repairs next week.",
    "Give people room to try new ideas even when some of them fail.",
]


def run(args: list[str]) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, args)
    return res.exit_code, res.stdout, res.stderr


def big_csv(path: Path, rows: int, tail: bytes = b"") -> Path:
    with path.open("wb") as fh:
        fh.write(b"id,comment\n")
        for i in range(rows):
            fh.write(f'{i},"{SENTENCES[i % len(SENTENCES)]}"\n'.encode())
        fh.write(tail)
    return path


def test_many_chunks_come_out_whole_and_in_order(tmp_path: Path) -> None:
    """2,000 rows go through the analyzer in 4 chunks; every row comes out once, in order,
    and the same as when the rows are classified in one call."""
    src = big_csv(tmp_path / "in.csv", 2000)
    out = tmp_path / "out.parquet"
    args = ["analyze", str(src), "-c", "comment", "--id-column", "id", "--lines", "--fast"]
    code, _, err = run([*args, "--parquet", str(out)])
    assert code == 0, err
    table = pq.read_table(out).to_pylist()
    assert [r["id"] for r in table] == [str(i) for i in range(2000)]
    assert [r["line"] for r in table] == list(range(1, 2001))
    one_call = Analyzer(fast=True).classify([r["text"] for r in table])
    assert [r["function"] for r in table] == [c.function for c in one_call]
    assert [r["confidence"] for r in table] == [round(c.confidence, 4) for c in one_call]
    code, out_json, _ = run([*args, "--json"])
    assert [json.loads(line)["id"] for line in out_json.splitlines()] == [r["id"] for r in table]


def test_a_bad_byte_at_the_end_changes_nothing(tmp_path: Path) -> None:
    """A CSV whose last row is not UTF-8 is refused before anything is classified: an
    existing output file keeps its content and no temporary file is left behind."""
    src = big_csv(tmp_path / "in.csv", 30_000, tail=b'99999,"caf\xe9 budget"\n')
    assert src.stat().st_size > 1 << 20  # the bad byte is past the first block read
    out = tmp_path / "coded.jsonl"
    out.write_text("earlier results\n", "utf-8")
    code, _, err = run(["analyze", str(src), "-c", "comment", "--lines", "--json", "-o", str(out)])
    said = " ".join(err.split())
    assert code == 1 and "in.csv:30002: not UTF-8" in said, err
    assert out.read_text("utf-8") == "earlier results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coded.jsonl", "in.csv"]
    with pytest.raises(Exception, match="not UTF-8"):
        check_utf8(src)


def test_output_file_replaced_only_when_done(tmp_path: Path) -> None:
    src = big_csv(tmp_path / "in.csv", 10)
    out = tmp_path / "coded.csv"
    out.write_text("old\n", "utf-8")
    code, _, err = run(["analyze", str(src), "-c", "comment", "--lines", "--csv", "-o", str(out)])
    assert code == 0, err
    lines = out.read_text("utf-8").splitlines()
    assert lines[0].startswith("source,line,sentence,text,function") and len(lines) == 11
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coded.csv", "in.csv"]


def test_row_writer_groups_and_discards(tmp_path: Path) -> None:
    results = Analyzer(fast=True).classify(SENTENCES)
    rows = [
        record(Unit("s", i + 1, t), c)
        for i, (t, c) in enumerate(zip(SENTENCES, results, strict=True))
    ]

    class Small(RowWriter):
        GROUP_ROWS = 3

    path = tmp_path / "o.parquet"
    w = Small("parquet", path)
    for r in rows * 2:
        w.write([r])
    assert not path.exists()  # nothing at the path until the writer is done
    w.commit()
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 8 and meta.num_row_groups == 3
    assert [r["line"] for r in pq.read_table(path).to_pylist()] == [1, 2, 3, 4] * 2
    gone = tmp_path / "gone.csv"
    w = RowWriter("csv", gone)
    w.write(rows)
    w.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.parquet"]


def test_lines_of_a_text_file_keep_their_numbers(tmp_path: Path) -> None:
    p = tmp_path / "crlf.txt"
    p.write_bytes(b"\xef\xbb\xbfFirst line.\r\n\r\nThird line.\rFourth line.\n")
    units = list(read_units([str(p)], None, True))
    assert [(u.line, u.text) for u in units] == [
        (1, "First line."),
        (3, "Third line."),
        (4, "Fourth line."),
    ]
    assert count_rows(str(p)) == 3  # line feeds only: a progress estimate, not a count
    assert count_rows("-") is None


def test_tally_matches_one_pass(tmp_path: Path) -> None:
    """Adding results chunk by chunk gives the profile and confidences of one pass."""
    analyzer = Analyzer(fast=True)
    texts = SENTENCES * 5 + ["", "Das Budget wird jeden Monat geprüft und gemeldet."]
    results = analyzer.classify(texts)
    tally = Tally()
    for k in range(0, len(results), 4):
        tally.add(results[k : k + 4])
    whole = analyzer.profile(results, "s")
    parts = tally.profile(analyzer.model.dimension.classes, whole.source, "s")
    assert parts == whole
    assert tally.units == sum(1 for c in results if c.skipped is None)
    assert tally.skipped["empty"] == 1
    assert tally.mean_confidence() == pytest.approx(mean_confidence(results))


def test_record_dict_has_every_field_in_order() -> None:
    """Classification.to_dict is written out by hand for speed; it must not drift from the
    dataclass (every field, in field order, confidences rounded to 4 places)."""
    for c in Analyzer(fast=True).classify([*SENTENCES, ""]):
        expected = dataclasses.asdict(c)
        expected["confidence"] = round(c.confidence, 4)
        if c.dimension_confidence is not None:
            expected["dimension_confidence"] = round(c.dimension_confidence, 4)
        assert c.to_dict() == expected
        assert list(c.to_dict()) == [f.name for f in dataclasses.fields(c)]


def test_a_later_file_without_the_column_stops_the_run_before_any_output(tmp_path: Path) -> None:
    good = big_csv(tmp_path / "good.csv", 5)
    other = tmp_path / "other.csv"
    other.write_text("id,body\n1,Set the budget.\n", "utf-8")
    code, out, err = run(["analyze", str(good), str(other), "-c", "comment", "--json"])
    said = " ".join(err.split())
    assert code == 1 and out == "" and "no such column" in said and "other.csv" in said, err


def test_output_keeps_permissions_links_and_writes_through_pipes(tmp_path: Path) -> None:
    src = big_csv(tmp_path / "in.csv", 3)
    args = ["analyze", str(src), "-c", "comment", "--lines", "--fast", "--json", "-o"]
    old = tmp_path / "old.jsonl"
    old.write_text("x\n", "utf-8")
    old.chmod(0o640)
    assert run([*args, str(old)])[0] == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o640 and len(old.read_text().splitlines()) == 3
    new = tmp_path / "new.jsonl"
    assert run([*args, str(new)])[0] == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600
    link = tmp_path / "link.jsonl"
    link.symlink_to(new)
    new.write_text("", "utf-8")
    assert run([*args, str(link)])[0] == 0
    assert link.is_symlink() and len(new.read_text().splitlines()) == 3
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text("utf-8")))
    reader.start()
    code, _, err = run([*args, str(fifo)])
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and len(got[0].splitlines()) == 3
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_paths_that_cannot_be_used_are_refused_before_any_work(tmp_path: Path) -> None:
    src = big_csv(tmp_path / "in.csv", 3)
    base = ["analyze", str(src), "-c", "comment", "--lines", "--fast"]
    cases = [
        ([*base, "--json", "-o", str(tmp_path / "no" / "x.jsonl")], "does not exist"),
        ([*base, "--parquet", str(tmp_path / "no" / "x.parquet")], "does not exist"),
        ([*base, "--json", "-o", str(tmp_path)], "is a folder"),
        (["analyze", str(tmp_path), "--lines", "--fast"], "a folder; give the files"),
        (["analyze", str(src), "--lines", "--fast"], "in.csv is a table: give --column"),
    ]
    for args, said in cases:
        code, out, err = run(args)
        assert code == 1 and out == "" and said in " ".join(err.split()), (args, err)
        assert "Traceback" not in err


def test_mixed_text_and_table_inputs_and_a_huge_cell(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text('id,comment\n1,"' + "Plan the budget. " * 20_000 + '"\n', "utf-8")
    text = tmp_path / "n.txt"
    text.write_text("Explain why the change matters.\n", "utf-8")
    code, out, err = run(["analyze", str(text), str(table), "-c", "comment", "--lines", "--fast"])
    assert code == 0, err
    code, out, err = run([*["analyze", str(table), "-c", "comment", "--lines"], "--json"])
    assert code == 0 and "truncated" in err, err  # 340,000 characters in one cell
    assert json.loads(out)["truncated"] is True


def test_line_numbers_agree_between_files_stdin_and_sentence_mode(tmp_path: Path) -> None:
    """Lines end where str.splitlines ends them, in files and on stdin, with --lines and
    without: old Mac CR endings, form feeds and U+2028 included."""
    raw = "Plan the budget.\fTrack the costs.\u2028Explain the vision.\rShare the goal.\n"
    path = tmp_path / "odd.txt"
    path.write_bytes(raw.encode())
    from_file = [(u.line, u.text) for u in read_units([str(path)], None, True)]
    expected = [(n, t) for n, t in enumerate(raw.splitlines(), start=1) if t.strip()]
    assert from_file == expected and len(expected) == 4
    sentences = [(u.line, u.text) for u in read_units([str(path)], None, False)]
    assert sentences == expected
    res = CliRunner().invoke(app, ["analyze", "-", "--lines", "--fast", "--json"], input=raw)
    assert res.exit_code == 0
    assert [(r["line"], r["text"]) for r in map(json.loads, res.stdout.splitlines())] == expected


def test_sigterm_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    src = big_csv(tmp_path / "in.csv", 200_000)
    out = tmp_path / "old.parquet"
    out.write_bytes(b"the earlier results")
    cmd = [sys.executable, "-c", "from bifocals.cli import main; main()", "analyze", str(src)]
    cmd += ["-c", "comment", "--lines", "--fast", "--parquet", str(out), "--force"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # until the temporary file exists, i.e. the run is writing
            if any(p.name.endswith(".partial") for p in tmp_path.iterdir()):
                break
            if proc.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert proc.poll() is None, "the run ended before it could be stopped"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 128 + signal.SIGTERM, err.decode()
    assert b"Traceback" not in err
    assert out.read_bytes() == b"the earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "old.parquet"]


def test_stdin_lines_are_spooled_and_checked_first(tmp_path: Path) -> None:
    """--lines on stdin goes through a temporary file: numbered like a file, a bad byte named
    as <stdin> with its line, and nothing left in the temporary folder afterwards."""
    before = set(Path(tempfile.gettempdir()).glob("bifocals-stdin-*"))
    ok = CliRunner().invoke(
        app, ["analyze", "--lines", "--fast", "--json"], input="Plan the budget.\n\nWhy now.\n"
    )
    assert ok.exit_code == 0
    assert [json.loads(x)["line"] for x in ok.stdout.splitlines()] == [1, 3]
    bad = CliRunner().invoke(
        app, ["analyze", "--lines", "--fast", "--json"], input=b"Plan it.\nCaf\xe9 time.\n"
    )
    said = " ".join(bad.stderr.split())
    assert bad.exit_code == 1 and bad.stdout == "" and "<stdin>:2: not UTF-8" in said
    assert set(Path(tempfile.gettempdir()).glob("bifocals-stdin-*")) == before


def test_unreadable_files_are_named_at_the_end_or_stop_the_run_with_strict(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Plan the budget.\n", "utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 review.\n".encode("latin-1"))
    out = tmp_path / "out.jsonl"
    args = ["analyze", str(good), str(latin), "--lines", "--fast", "--json", "-o", str(out)]
    code, _, err = run(args)
    said = " ".join(err.split())
    assert code == 0 and "1 file(s) skipped, unreadable:" in said and "latin.txt" in said
    assert len(out.read_text("utf-8").splitlines()) == 1
    out.unlink()
    code, stdout, err = run([*args, "--strict"])
    said = " ".join(err.split())
    assert code == 1 and "not UTF-8" in said and "--strict: nothing was analyzed" in said
    assert not out.exists() and stdout == ""
