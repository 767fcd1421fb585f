"""Benchmark: score_campaign on 10,000 participants x 12 raters x all 56 items.

Issue 2 asks for under 2 s on 2 cores for the scoring core, with pingouin's Cronbach's alpha on
the same data as the side-by-side baseline. Measured in one run: pingouin.cronbach_alpha on the
reverse-keyed complete-case matrix of every scale (the baseline, one statistic only), then
score_campaign (every statistic, anonymity, reliability incl. omega), then building every
ParticipantScores object and the JSON-ready dict. The script checks that both alphas agree.
Run: .venv/bin/python bench/scoring_bench.py [--participants N] [--repeat N]
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pingouin

from baseline import pingouin_alphas
from bifocals.framework import default_framework
from bifocals.instruments import get_instrument
from bifocals.scoring import CampaignData, score_campaign
from bifocals.scoring.engine import compute_arrays
from bifocals.scoring.synthetic import synthetic_campaign


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of `repeat` runs, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    inst, fw = get_instrument(), default_framework()
    data = synthetic_campaign(inst, args.participants)
    n_raters, n_items = data.ratings.shape

    t_ping, alphas = best_of(args.repeat, lambda: pingouin_alphas(data))
    t_arrays, _ = best_of(args.repeat, lambda: compute_arrays(data, inst, fw))
    t_score, scores = best_of(args.repeat, lambda: score_campaign(data, inst, fw))

    def materialize() -> int:
        s = score_campaign(data, inst, fw)
        return sum(len(p.cells) for p in s.participants)

    t_full, n_cells = best_of(max(1, args.repeat // 2), materialize)
    t_dict, _ = best_of(max(1, args.repeat // 2), lambda: score_campaign(data, inst, fw).to_dict())

    # Suppressed 'other' raters are left out of reliability by design; compare on shown raters.
    shown = CampaignData(
        campaign=data.campaign,
        participants=data.participants,
        rater_participant=data.rater_participant[data.rater_group != 4],
        rater_group=data.rater_group[data.rater_group != 4],
        ratings=data.ratings[data.rater_group != 4],
        thresholds=data.thresholds,
    )
    ours = [r.alpha for r in scores.reliability]
    ref = pingouin_alphas(shown)
    worst = max(abs(a - b) for a, b in zip(ours, ref, strict=True) if a is not None)
    assert worst < 1e-9, f"alpha differs from pingouin by {worst}"

    print(
        f"{args.participants:,} participants x 12 raters ({n_raters:,}) x {n_items} items; "
        f"best of {args.repeat}"
    )
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"pingouin {pingouin.__version__}; alpha agrees with pingouin to {worst:.1e}"
    )
    print(f"{n_cells:,} cells shown\n")
    print("| step | seconds | vs pingouin alpha |")
    print("|---|---:|---:|")
    print(f"| pingouin.cronbach_alpha, 14 scales (baseline, alpha only) | {t_ping:.3f} | 1.0x |")
    rows = [
        ("compute_arrays: every statistic, anonymity, alpha + omega", t_arrays),
        ("**score_campaign** (arrays + lazy participants)", t_score),
        ("score_campaign + build every ParticipantScores", t_full),
        ("score_campaign + to_dict() of everything", t_dict),
    ]
    for name, t in rows:
        print(f"| {name} | {t:.3f} | {t / t_ping:.2f}x |")
    print(
        f"\nscore_campaign {'meets' if t_score < 2 else 'misses'} the 2 s goal "
        f"({t_score:.2f} s); {alphas[0]:.3f} = first scale's alpha"
    )


if __name__ == "__main__":
    main()
