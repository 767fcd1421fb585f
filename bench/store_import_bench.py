"""Benchmark: import 1,000,000 CSV rows into SQLite, load 10,000 x 12 x 56 answers for scoring.

Issue 2 asks: importing 1,000,000 rows in under 60 s, and the whole `score` command including
the database read in under 20 s on SQLite. Baseline named by the brief, measured in the same run:
a plain `csv.reader` pass over the same file (reading only, no checks, no database).
Run: .venv/bin/python bench/store_import_bench.py [--rows N] [--participants N]
"""

from __future__ import annotations

import argparse
import csv
import io
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import numpy as np

from baseline import pingouin_seconds
from baseline import version as pingouin_version
from bifocals.framework import default_framework
from bifocals.instruments import get_instrument
from bifocals.instruments.model import Instrument
from bifocals.store import open_store
from bifocals.store.bulk import insert_parsed
from bifocals.store.csvformat import COLUMNS, ParsedCampaign, parse_campaign_csv

T = TypeVar("T")
# 12 raters per participant: self, manager, 4 peers, 4 direct reports, 2 others.
RATERS: tuple[tuple[str, str], ...] = (
    ("S", "self"),
    ("M", "manager"),
    *((f"PE{k}", "peer") for k in range(1, 5)),
    *((f"DR{k}", "direct_report") for k in range(1, 5)),
    ("OT1", "other"),
    ("OT2", "other"),
)
COMMENTS = ("Keeps the team pointed at the goal.", "Could explain the why, not only the what.")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def write_file(path: Path, rows: int, inst: Instrument, seed: int = 2) -> None:
    """rows answer rows: every rater answers every item (about 8% NA), then a few comments."""
    rng = np.random.default_rng(seed)
    items = inst.item_ids
    per_participant = len(RATERS) * len(items)
    n_part = rows // per_participant
    values = rng.integers(
        inst.scale.min, inst.scale.max + 1, size=(n_part, len(RATERS), len(items))
    )
    na = rng.random(values.shape) < 0.08
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for p in range(n_part):
            code = f"P{p:05d}"
            for r, (rater, group) in enumerate(RATERS):
                w.writerows(
                    (code, rater, group, item, "NA" if na[p, r, k] else str(values[p, r, k]))
                    for k, item in enumerate(items)
                )
        q = inst.question_ids
        for k in range(rows - n_part * per_participant):
            p, r = divmod(k, len(RATERS))
            rater, group = RATERS[r]
            w.writerow((f"P{p:05d}", rater, group, q[0], COMMENTS[k % 2]))


def baseline_csv_reader(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh))


def synthetic_parsed(n_part: int, inst: Instrument, seed: int = 3) -> ParsedCampaign:
    """n_part participants x 12 raters x every item, as the parser would hand it to the insert."""
    rng = np.random.default_rng(seed)
    items = list(inst.item_ids)
    n_raters = n_part * len(RATERS)
    values = rng.integers(inst.scale.min, inst.scale.max + 1, size=n_raters * len(items))
    vals: list[float | None] = values.astype(float).tolist()
    for k in np.nonzero(rng.random(len(vals)) < 0.08)[0].tolist():
        vals[k] = None
    return ParsedCampaign(
        participants=[f"P{p:05d}" for p in range(n_part)],
        raters=[(p, rater, group) for p in range(n_part) for rater, group in RATERS],
        resp_rater=np.repeat(np.arange(n_raters), len(items)).tolist(),
        resp_item=items * n_raters,
        resp_value=vals,
        resp_text=[None] * len(vals),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--participants", type=int, default=10_000)
    args = ap.parse_args()
    inst = get_instrument(None)
    fw = default_framework()
    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        path = d / "answers.csv"
        write_file(path, args.rows, inst)
        mib = path.stat().st_size / 2**20

        t_base, n = timed(lambda: baseline_csv_reader(path))
        assert n == args.rows + 1
        results.append(("csv.reader pass over the file (baseline)", t_base, "1.0x"))
        t_parse, parsed = timed(lambda: parse_campaign_csv(path, inst))
        assert parsed.rows == args.rows
        results.append(
            ("parse and check every row (no database)", t_parse, f"{t_parse / t_base:.1f}x")
        )
        store = open_store(f"sqlite:///{d / 'bench.db'}")
        t_imp, _ = timed(lambda: store.import_campaign_csv(path, "big"))
        results.append(
            (
                f"**import {args.rows:,} rows into SQLite** (one transaction)",
                t_imp,
                f"{t_imp / t_base:.1f}x; goal < 60 s",
            )
        )
        t_exp, _ = timed(lambda: store.export_campaign_csv("big", io.StringIO()))
        results.append((f"export {args.rows:,} rows to CSV", t_exp, f"{t_exp / t_base:.1f}x"))

        def insert() -> tuple[float, int]:
            parsed = synthetic_parsed(args.participants, inst)
            cid = store.create_campaign("cohort", inst.id, status="closed")
            with store.engine.begin() as conn:
                t, _ = timed(lambda: insert_parsed(conn, cid, parsed, datetime.now(UTC)))
            return t, parsed.rows

        t_ins, n_ans = insert()
        results.append((f"bulk insert {n_ans:,} answers (setup, no CSV)", t_ins, ""))
        t_load, (data, _) = timed(lambda: store.load_campaign_data("cohort"))
        assert data.ratings.shape == (args.participants * len(RATERS), len(inst.items))
        results.append(
            (
                f"load_campaign_data {args.participants:,} x 12 x {len(inst.items)} (one read)",
                t_load,
                "",
            )
        )
        try:
            from bifocals.scoring import score_campaign
        except ImportError:
            score_campaign = None  # type: ignore[assignment]
        if score_campaign is not None:
            t_score, scores = timed(lambda: score_campaign(data, inst, fw))
            assert len(scores.participants) == args.participants
            results.append(("score_campaign on the loaded arrays", t_score, ""))
            results.append(
                ("**database read + scoring**", t_load + t_score, "goal < 20 s for `score`")
            )
        t_alpha = pingouin_seconds(data)
        store.close()
    print(
        f"{args.rows:,}-row file: {mib:.1f} MiB; Python {platform.python_version()}, "
        f"numpy {np.__version__}, pingouin {pingouin_version()}; pingouin alpha on the "
        f"{args.participants:,}-participant data took {t_alpha:.2f} s\n"
    )
    print("| step | seconds | vs csv.reader baseline | vs pingouin alpha |")
    print("|---|---:|---:|---:|")
    for name, secs, ratio in results:
        print(f"| {name} | {secs:.2f} | {ratio} | {secs / t_alpha:.1f}x |")


if __name__ == "__main__":
    main()
