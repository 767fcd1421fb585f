"""`bifocals analyze --engine ray` gives the same results as the local engine."""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bifocals.cli import app

ROWS = [
    "She explains why the migration matters. Then she asks what we think.",
    "Track spending against the budget every month.",
    "The printer on the second floor is jammed again.",
    "Five years from now we will sell through partners.",
    "Il faut réduire les coûts avec une équipe pour le client.",
    "Every change to production needs two reviews.",
] * 5


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    # configure_logging=False: Ray would otherwise keep a handler on a stderr CliRunner closed.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("tier", [[], ["--fast"]])
def test_ray_equals_local(tmp_path: Path, local_ray: None, tier: list[str]) -> None:
    src = tmp_path / "comments.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "comment"])
        w.writerows([[i, t] for i, t in enumerate(ROWS)])
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(src), "--column", "comment", "--json", *tier])
    assert res.exit_code == 0, res.output
    local = [json.loads(x) for x in res.stdout.splitlines()]
    out = tmp_path / "ray_out"
    args = ["analyze", str(src), "--column", "comment", "--engine", "ray", "--workers", "2"]
    res = runner.invoke(app, [*args, "--parquet", str(out), *tier])
    assert res.exit_code == 0, res.output
    remote = pq.read_table(str(out)).to_pylist()
    keys = ("text", "function", "dimension", "confidence", "evidence")
    assert [tuple(r[k] for k in keys) for r in remote] == [tuple(r[k] for k in keys) for r in local]


@pytest.mark.slow
def test_ray_missing_column_is_clear(tmp_path: Path, local_ray: None) -> None:
    src = tmp_path / "c.csv"
    src.write_text("id,comment\n1,Plan the budget.\n", encoding="utf-8")
    res = CliRunner().invoke(
        app,
        [
            "analyze",
            str(src),
            "--column",
            "text",
            "--engine",
            "ray",
            "--parquet",
            str(tmp_path / "o"),
        ],
    )
    # No exception escaped (exit through fail()); the message names file and columns. Ray Data's
    # own logger may print a "Logging error" about CliRunner's swapped stderr, which is not ours.
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    assert "c.csv" in res.stderr and "the file has: id, comment" in res.stderr


def _mixed_rows(n: int) -> list[str | None]:
    """Cells of every kind: one and several sentences, line breaks, blank, null, not English."""
    kinds: list[str | None] = [
        "Track spending against the budget every month, item {i}.",
        "She explains why change {i} matters. Then she asks what the team thinks.",
        "",
        "Book room {i} for the review.\nSend the agenda two days ahead.",
        None,
        "Il faut réduire les coûts {i} avec une équipe pour le client.",
        "   ",
        "Five years from now we will sell through partners in market {i}.",
    ]
    return [None if (k := kinds[i % len(kinds)]) is None else k.format(i=i) for i in range(n)]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [["--lines"], []])
def test_ray_matches_local_row_by_row(tmp_path: Path, local_ray: None, mode: list[str]) -> None:
    """Thousands of rows in several row groups and many Ray blocks: the Ray folder holds the
    local engine's Parquet table exactly (same rows, order, line/sentence/id, dtypes)."""
    from bifocals.text.rayengine import run_ray

    n = 4000
    src = tmp_path / "in.parquet"
    table = pa.table({"key": [f"r{i}" for i in range(n)], "text": _mixed_rows(n)})
    pq.write_table(table, src, row_group_size=450)
    local = tmp_path / "local.parquet"
    args = ["analyze", str(src), "--column", "text", "--id-column", "key", "--fast", *mode]
    res = CliRunner().invoke(app, [*args, "--parquet", str(local)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "ray_out"
    seen: list[tuple[int, int | None]] = []
    got = run_ray(
        [str(src)], "text", out, fast=True, lines=bool(mode), workers=2, id_column="key",
        block_rows=300, progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert seen[-1] == (n, n) and all(t in (n, None) for _d, t in seen)  # footers: exact total
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    expected = pq.read_table(local)
    remote = pq.read_table(str(out))
    assert remote.schema == expected.schema
    assert remote.num_rows == expected.num_rows == got.written > n // 3
    assert remote.to_pylist() == expected.to_pylist()
    lines = remote.column("line").to_pylist()
    assert lines == sorted(lines)
    assert got.skipped["empty"] == 3 * n // 8 and got.skipped["not English"] == n // 8
    assert f"{got.skipped['empty']} unit(s) skipped: empty" in res.stderr


@pytest.mark.slow
def test_ray_cli_reports_and_refuses_clearly(tmp_path: Path, local_ray: None) -> None:
    src = tmp_path / "c.csv"
    src.write_text("id,comment\n1,Plan the budget.\n2,\n3,Explain why it matters.\n", "utf-8")
    out = tmp_path / "o"
    base = ["analyze", str(src), "--column", "comment", "--engine", "ray", "--fast", "--lines"]
    runner = CliRunner()
    res = runner.invoke(app, [*base, "--workers", "0", "--parquet", str(out)])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    assert "--workers 0" in res.stderr and not out.exists()
    res = runner.invoke(app, [*base, "--id-column", "id", "--parquet", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 unit(s) skipped: empty" in res.stderr and "wrote 2 units" in res.stderr
    rows = pq.read_table(str(out)).to_pylist()
    assert [(r["source"], r["id"], r["line"]) for r in rows] == [
        (str(src), "1", 1),
        (str(src), "3", 3),
    ]
    res = runner.invoke(app, [*base, "--parquet", str(out)])
    assert res.exit_code == 1 and "already exists" in res.stderr and "--force" in res.stderr
    res = runner.invoke(app, [*base, "--parquet", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert "id" not in pq.read_table(str(out)).column_names
    blank = tmp_path / "blank.csv"
    blank.write_text("id,comment\n1,\n2,  \n", "utf-8")
    res = runner.invoke(app, [*base[:1], str(blank), *base[2:], "--parquet", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert "2 unit(s) skipped: empty" in res.stderr and "wrote 0 units" in res.stderr
    empty = pq.read_table(str(tmp_path / "b"))
    assert empty.num_rows == 0 and empty.schema.field("line").type == pa.int64()


@pytest.mark.slow
def test_ray_skips_unreadable_files_like_local(tmp_path: Path, local_ray: None) -> None:
    """A file that is not UTF-8 is found by the worker that reads it: skipped with the local
    engine's notes, or with --strict the run stops, naming file and line, and writes nothing."""
    good = tmp_path / "good.csv"
    good.write_text("id,comment\n1,Plan the budget.\n2,Explain why it matters.\n", "utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,comment\n1,Plan the budget.\n2,caf\xe9 au lait\n")
    base = ["analyze", str(bad), str(good), "--column", "comment", "--fast", "--lines"]
    runner = CliRunner()
    local = runner.invoke(app, [*base, "--parquet", str(tmp_path / "local.parquet")])
    assert local.exit_code == 0, local.output
    out = tmp_path / "o"
    res = runner.invoke(app, [*base, "--engine", "ray", "--parquet", str(out)])
    assert res.exit_code == 0, res.output

    def notes(text: str) -> list[str]:
        flat = " ".join(text.split())
        return [p for p in flat.replace("note:", "|note:").split("|") if "skipped" in p]

    assert notes(res.stderr)[:1] == notes(local.stderr)[:1]
    assert f"skipped file: {bad}:3: not UTF-8 text (byte 0xe9" in " ".join(res.stderr.split())
    assert "1 file(s) skipped, unreadable:" in res.stderr
    want = pq.read_table(tmp_path / "local.parquet").to_pylist()
    assert pq.read_table(str(out)).to_pylist() == want and len(want) == 2
    strict = tmp_path / "s"
    res = runner.invoke(app, [*base, "--engine", "ray", "--strict", "--parquet", str(strict)])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    flat = " ".join(res.stderr.split())
    assert f"{bad}:3: not UTF-8 text (byte 0xe9 at offset 35)" in flat and "--strict" in flat
    assert not strict.exists() and [p.name for p in tmp_path.iterdir() if p.name[0] == "."] == []


@pytest.mark.slow
def test_ray_ignores_a_stale_local_cluster(tmp_path: Path) -> None:
    """/tmp/ray/ray_current_cluster (here under RAY_TMPDIR) names a cluster that is gone:
    without RAY_ADDRESS the engine starts its own instance instead of trying to join it."""
    pytest.importorskip("ray")
    folder = Path(tempfile.mkdtemp(prefix="bfstale", dir="/tmp"))  # short: socket paths
    try:
        (folder / "ray").mkdir()
        (folder / "ray" / "ray_current_cluster").write_text("127.0.0.1:9\n", "utf-8")
        src = tmp_path / "c.csv"
        src.write_text("id,comment\n1,Plan the budget.\n2,Explain why it matters.\n", "utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        env["RAY_TMPDIR"] = str(folder)
        cmd = [str(Path(sys.executable).parent / "bifocals"), "analyze", str(src)]
        cmd += ["--column", "comment", "--engine", "ray", "--fast", "--lines", "--workers", "1"]
        done = subprocess.run(
            [*cmd, "--parquet", str(tmp_path / "o")], env=env, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "wrote 2 units" in done.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [[], ["--lines"]])
def test_ray_reads_text_files_like_local(tmp_path: Path, local_ray: None, mode: list[str]) -> None:
    """Text files, alone or between tables, are read on the workers and split as the local
    engine splits them: sentences across line breaks, CRLF and CR lines, a BOM, blank lines."""
    plan = tmp_path / "plan.txt"
    body = (
        "Five years from now we will sell through partners.\r\nTrack spending against the\n"
        "budget every month. Every change needs two reviews.\r\n\r\nIl faut réduire les coûts."
        "\rShe explains why the migration matters.\n"
    )
    plan.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    table = tmp_path / "c.csv"
    table.write_text("id,comment\n1,Plan the budget. Then review it.\n2,\n", "utf-8")
    files = [str(plan), str(table), str(plan)]
    runner = CliRunner()
    base = ["analyze", *files, "--column", "comment", "--fast", *mode]
    local = runner.invoke(app, [*base, "--parquet", str(tmp_path / "local.parquet")])
    assert local.exit_code == 0, local.output
    out = tmp_path / "o"
    res = runner.invoke(app, [*base, "--engine", "ray", "--parquet", str(out)])
    assert res.exit_code == 0, res.output
    want = pq.read_table(tmp_path / "local.parquet").to_pylist()
    assert pq.read_table(str(out)).to_pylist() == want
    assert len({r["line"] for r in want if r["source"] == str(plan)}) >= 3
    only = tmp_path / "only"  # text alone: no --column needed, as locally
    args = ["analyze", str(plan), "--engine", "ray", "--fast", *mode, "--parquet", str(only)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    first = list(itertools.takewhile(lambda r: r["source"] == str(plan), want))
    assert pq.read_table(str(only)).to_pylist() == first
