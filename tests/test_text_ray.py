"""`bifocals analyze --engine ray` gives the same results as the local engine."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

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
