"""`bifocals analyze --fast` on a large CSV: wall time and peak memory, against an older commit.

Writes a CSV of N rows (sentences of the training corpus, repeated in a fixed order), then runs
the whole command `bifocals analyze ROWS.csv --column text --lines --fast --parquet OUT` twice
per round: once from this checkout and once from BASE (a git commit, checked out in a
temporary worktree and put first on PYTHONPATH, same virtual environment, same input). The
peak resident memory of each run comes from the kernel (os.wait4), wall time from the clock.

Needs a git checkout (the base is checked out with `git worktree`).
Run: .venv/bin/python bench/analyze_stream_bench.py [--rows 1000000] [--base REF] [--rounds 1]
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE_STREAMING = "52d5997"  # the last commit whose analyze kept every result in memory


def write_rows(path: Path, rows: int) -> None:
    from bifocals.framework import default_framework
    from bifocals.text.corpus import training_examples

    texts = [e.text for e in training_examples(default_framework())]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        for i in range(rows):
            w.writerow([i, texts[i % len(texts)]])


def measure(src: Path, data: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one analyze run with `src` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", "from bifocals.cli import main; main()"]
    cmd += ["analyze", str(data), "--column", "text"]
    cmd += ["--lines", "--fast", "--parquet", str(out), "--force"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"analyze failed from {src}: {err}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument(
        "--base",
        default=BEFORE_STREAMING,
        help="the commit to compare with (default: the last one that held every result)",
    )
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "rows.csv"
        write_rows(data, args.rows)
        base = work / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(base), args.base],
            check=True,
        )
        try:
            print(f"{args.rows:,} rows, {data.stat().st_size / 1e6:.0f} MB CSV; base {args.base}")
            print("| round | this checkout s | MB | base s | MB | time ratio | memory ratio |")
            print("|---:|---:|---:|---:|---:|---:|---:|")
            for k in range(1, args.rounds + 1):
                now_s, now_mb = measure(ROOT / "src", data, work / "now.parquet")
                base_s, base_mb = measure(base / "src", data, work / "base.parquet")
                print(
                    f"| {k} | {now_s:.1f} | {now_mb:,.0f} | {base_s:.1f} | {base_mb:,.0f} "
                    f"| {now_s / base_s:.2f} | {now_mb / base_mb:.2f} |",
                    flush=True,
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False
            )


if __name__ == "__main__":
    main()
