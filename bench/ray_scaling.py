"""How `bifocals analyze --engine ray` scales: rows per second for 1, 2 and 4 actors against
the local engine on the same input, where the workers' time goes, and the driver's share.

Run: .venv/bin/python bench/ray_scaling.py [--actors 1 2 4] [--actor-rows 3000]
     [--rows 5000 20000 80000] [--driver-actors 2]

Two tables, one Ray instance (`address="local"`, all CPUs), all inputs Parquet files of
comment-like rows (one to three training sentences each, so a row is 1-3 units):

1. Actors: the accurate tier on `--actor-rows` rows with each actor count, and the local
   engine (`bifocals analyze ... --parquet`, a process of its own, model load included) on the
   same file. Ray's wall time includes starting the actors (one model load each), not
   starting Ray itself (printed separately).
2. Rows: the fast tier on each size in `--rows` with `--driver-actors` actors and locally,
   with the CPU time of the driver process (the one that runs `run_ray`): it plans, polls
   progress and reports, so its share of the CPU the run used should not grow with the rows.

Worker time by stage is summed over all actors and read tasks: load (the model, once per
actor), read (the files, parsed into numbered rows), segment (cells into sentences), tokenize,
infer (the transformer; the fast tier has none) and classify (the rest of Analyzer.classify:
English check, calibration, evidence). What the table calls "other" is the actors' wall time
not accounted for by those: writing Parquet, Ray's scheduling and waiting for work. "Rows per
busy actor-s" is the rows divided by the actors' segment-to-classify seconds: what one actor
on one core does once its model is loaded and input is waiting, the rate that sizes a cluster.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bifocals.framework import default_framework
from bifocals.text.corpus import training_examples
from bifocals.text.embed import cpu_count
from bifocals.text.rayengine import RayResult, run_ray

STAGES = ("load", "read", "segment", "tokenize", "infer", "classify (rest)")
BUSY = ("segment", "tokenize", "infer", "classify (rest)")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def make_input(path: Path, rows: int, seed: int = 11) -> None:
    """`rows` comments of one to three training sentences each, as a Parquet file."""
    pool = [e.text for e in training_examples(default_framework())]
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 4, rows)
    picks = rng.integers(0, len(pool), int(sizes.sum()))
    texts, at = [], 0
    for n in sizes:
        texts.append(" ".join(pool[i] for i in picks[at : at + n]))
        at += n
    pq.write_table(pa.table({"key": [f"r{i}" for i in range(rows)], "text": texts}), path)


def local_run(src: Path, out: Path, fast: bool) -> float:
    """Seconds for the local engine, as a user runs it (a new process)."""
    cmd = [str(Path(sys.executable).parent / "bifocals"), "analyze", str(src), "--column", "text"]
    cmd += ["--parquet", str(out), *(["--fast"] if fast else [])]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def ray_run(src: Path, out: Path, fast: bool, actors: int) -> RayResult:
    return run_ray([str(src)], "text", out, fast=fast, workers=actors)


def breakdown(res: RayResult, actors: int) -> dict[str, float]:
    """Worker seconds per stage, the unaccounted rest of the actors' wall time, the driver."""
    s = {k: res.seconds.get(k, 0.0) for k in STAGES}
    busy = sum(v for k, v in s.items() if k != "read")  # the actors' stages
    s["other"] = max(0.0, res.seconds["wall"] * actors - busy)
    s["driver"] = res.seconds["driver_cpu"]
    return s


def per_busy_second(rows: int, s: dict[str, float]) -> float:
    """Rows one actor classifies in a second of work (its model loaded, input waiting): the
    rate that sizes a cluster."""
    return rows / max(1e-9, sum(s[k] for k in BUSY))


def shares(s: dict[str, float]) -> str:
    total = sum(s.values())
    return " | ".join(f"{100 * s[k] / total:.0f}%" for k in (*STAGES, "other", "driver"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--actors", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--actor-rows", type=int, default=3000)
    ap.add_argument("--rows", type=int, nargs="+", default=[5000, 20000, 80000])
    ap.add_argument("--driver-actors", type=int, default=2)
    args = ap.parse_args()

    import ray

    start = time.perf_counter()
    ray.init(
        address="local", num_cpus=cpu_count(), include_dashboard=False, log_to_driver=False,
        configure_logging=False,
    )  # fmt: skip
    ray_start = time.perf_counter() - start
    head = ["stage shares:", *STAGES, "other", "driver CPU"]
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores; load average at the start: "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"Ray {ray.__version__}; starting the local Ray instance took {ray_start:.1f} s\n")
    with tempfile.TemporaryDirectory(prefix="bifocals-ray-bench-") as d:
        tmp = Path(d)
        src = tmp / f"in{args.actor_rows}.parquet"
        make_input(src, args.actor_rows)
        local = local_run(src, tmp / "local.parquet", fast=False)
        units = pq.read_metadata(tmp / "local.parquet").num_rows
        print(f"## Actors: accurate tier, {args.actor_rows:,} rows ({units:,} units coded)\n")
        print(
            "| engine | wall s | rows/s | vs local | rows per busy actor-s | "
            + " | ".join(head[1:])
            + " |"
        )
        print("|---|---:|---:|---:|---:|" + "---:|" * (len(head) - 1))
        print(f"| local | {local:.1f} | {args.actor_rows / local:,.0f} | 1.00 |" + " |" * len(head))
        for n in args.actors:
            res = ray_run(src, tmp / f"ray{n}", fast=False, actors=n)
            assert res.written == units, (res.written, units)
            wall = res.seconds["wall"]
            s = breakdown(res, n)
            row = f"| Ray, {n} actor(s) | {wall:.1f} | {args.actor_rows / wall:,.0f} "
            row += f"| {local / wall:.2f} | {per_busy_second(args.actor_rows, s):,.0f} | "
            print(row + shares(s) + " |")
        print(f"\nload average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"\n## Rows: fast tier, {args.driver_actors} actors\n")
        print(
            "| rows | local s | local rows/s | Ray s | Ray rows/s | vs local "
            "| rows per busy actor-s | driver CPU s | driver CPU per 1k rows "
            "| driver share of CPU used |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n_rows in args.rows:
            src = tmp / f"rows{n_rows}.parquet"
            make_input(src, n_rows, seed=n_rows)
            local = local_run(src, tmp / f"local{n_rows}.parquet", fast=True)
            res = ray_run(src, tmp / f"rays{n_rows}", fast=True, actors=args.driver_actors)
            s = breakdown(res, args.driver_actors)
            wall = res.seconds["wall"]
            driver = s["driver"]
            used = sum(v for k, v in s.items() if k != "other") or 1.0
            print(
                f"| {n_rows:,} | {local:.1f} | {n_rows / local:,.0f} | {wall:.1f} "
                f"| {n_rows / wall:,.0f} | {local / wall:.2f} "
                f"| {per_busy_second(n_rows, s):,.0f} | {driver:.1f} "
                f"| {1000 * driver / n_rows:.3f} | {100 * driver / used:.0f}% |"
            )
            _print_stages(n_rows, s)
    ray.shutdown()


def _print_stages(n_rows: int, s: dict[str, Any]) -> None:
    cells = ", ".join(f"{k} {v:.1f}" for k, v in s.items())
    print(f"<!-- {n_rows:,} rows, seconds: {cells} -->")


if __name__ == "__main__":
    main()
