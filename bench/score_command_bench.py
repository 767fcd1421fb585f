"""Benchmark: the whole `bifocals score NAME --json` command on SQLite, database read included.

Issue 2 asks for under 20 s for 10,000 participants x 12 raters x all items, reported beside
pingouin's Cronbach alpha on the same data in the same run (a ratio).
Run: .venv/bin/python bench/score_command_bench.py [--participants N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin

sys.path.insert(0, str(Path(__file__).parent))
from bifocals.instruments import get_instrument
from bifocals.store import open_store
from bifocals.store.bulk import insert_parsed
from store_import_bench import RATERS, synthetic_parsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--participants", type=int, default=10_000)
    args = ap.parse_args()
    inst = get_instrument(None)
    bifocals = Path(sys.executable).with_name("bifocals")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        store = open_store(f"sqlite:///{db}")
        parsed = synthetic_parsed(args.participants, inst)
        cid = store.create_campaign("cohort", inst.id, status="closed")
        with store.engine.begin() as conn:
            insert_parsed(conn, cid, parsed, datetime.now(UTC))
        data, _ = store.load_campaign_data("cohort")
        store.close()

        load_before = os.getloadavg()[0]
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            subprocess.run(
                [str(bifocals), "score", "cohort", "--db", str(db), "--json"],
                stdout=sink,
                check=True,
            )
        t_cmd = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_cmd = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        load_after = os.getloadavg()[0]

        t0 = time.perf_counter()
        for dim in dict.fromkeys(i.dimension for i in inst.items):
            for side in ("leadership", "management"):
                cols = [k for k, i in enumerate(inst.items) if (i.dimension, i.side) == (dim, side)]
                pingouin.cronbach_alpha(pd.DataFrame(data.ratings[:, cols]))
        t_alpha = time.perf_counter() - t0
    n_raters = args.participants * len(RATERS)
    print(
        f"{args.participants:,} participants x {len(RATERS)} raters ({n_raters:,}) x "
        f"{len(inst.items)} items; numpy {np.__version__}, pingouin {pingouin.__version__}; "
        f"{os.cpu_count()} cores, load average {load_before:.1f} before and {load_after:.1f} "
        "after the command\n"
    )
    print("| step | seconds | vs pingouin alpha |")
    print("|---|---:|---:|")
    print(f"| pingouin.cronbach_alpha, 14 scales (baseline) | {t_alpha:.2f} | 1.0x |")
    print(
        f"| **`bifocals score cohort --json`** (process start, SQLite read, scoring, JSON) "
        f"| {t_cmd:.2f} | {t_cmd / t_alpha:.1f}x; goal < 20 s |"
    )
    print(
        f"| CPU time of that command (user + system; less sensitive to other load) "
        f"| {cpu_cmd:.2f} | {cpu_cmd / t_alpha:.1f}x |"
    )


if __name__ == "__main__":
    main()
