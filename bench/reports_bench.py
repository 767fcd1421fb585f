"""Benchmark: individual 360 reports per second, HTML and PDF, for a 200-participant campaign.

Issue 2 asks for HTML reports at 20 per second or more. Measured in one run on a synthetic
campaign (12 raters per participant, demo comments added): the JSON of each participant
(`ParticipantScores.to_dict` + json.dumps, the cheapest export, as the in-run baseline), the
HTML individual reports, the cohort report, write_reports for every file, and PDF reports for a
sample (WeasyPrint is much slower, so it runs on fewer participants), one by one and through
in worker processes (html_to_pdfs, as write_reports(workers=N) makes them).
Run: .venv/bin/python bench/reports_bench.py [--participants N] [--pdf N] [--repeat N] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from baseline import pingouin_seconds
from bifocals.demo import DO_LESS, LEAD_GROWTH, LEAD_PRAISE, MANAGE_GROWTH, MANAGE_PRAISE
from bifocals.framework import default_framework
from bifocals.instruments import get_instrument
from bifocals.reports import (
    cohort_report_html,
    html_to_pdf,
    html_to_pdfs,
    individual_report_html,
    write_reports,
)
from bifocals.scoring import Comment, score_campaign
from bifocals.scoring.synthetic import DEFAULT_MIX, synthetic_campaign

GOAL_PER_SECOND = 20.0


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of `repeat` runs, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def with_comments(n: int, seed: int = 11) -> Any:
    """A synthetic campaign of n participants with three demo comments per rater group."""
    inst = get_instrument()
    data = synthetic_campaign(inst, n)
    rng = np.random.default_rng(seed)
    per = sum(DEFAULT_MIX.values())
    pools = (LEAD_PRAISE + MANAGE_PRAISE, LEAD_GROWTH + MANAGE_GROWTH, DO_LESS)
    comments = []
    for p in range(n):
        for r in range(p * per, p * per + per):
            for q, pool in zip(inst.question_ids, pools, strict=False):
                if rng.random() < 0.5:
                    comments.append(Comment(p, r, q, str(pool[rng.integers(len(pool))])))
    data.comments = tuple(comments)
    return data, inst


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--participants", type=int, default=200)
    ap.add_argument("--pdf", type=int, default=6, help="PDF reports to time")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2, help="processes for write_reports PDFs")
    args = ap.parse_args()
    fw = default_framework()
    data, inst = with_comments(args.participants)
    scores = score_campaign(data, inst, fw)
    people = list(scores.participants)  # build the objects outside the timed steps
    n = len(people)

    def json_all() -> int:
        return sum(len(json.dumps(p.to_dict())) for p in people)

    def html_all() -> int:
        return sum(
            len(individual_report_html(scores, p, fw, inst, generated="2026-01-01")) for p in people
        )

    t_json, _ = best_of(args.repeat, json_all)
    t_html, size = best_of(args.repeat, html_all)
    t_cohort, _ = best_of(args.repeat, lambda: cohort_report_html(scores, fw, inst))
    with tempfile.TemporaryDirectory() as tmp:
        t_write, paths = best_of(1, lambda: write_reports(scores, fw, inst, Path(tmp)))
    sample = people[: args.pdf]
    pages = [individual_report_html(scores, p, fw, inst) for p in sample]
    html_to_pdf(pages[0])  # warm-up: fonts and WeasyPrint's first-use setup
    t0 = time.perf_counter()
    for html in pages:
        html_to_pdf(html)
    t_pdf = time.perf_counter() - t0

    # The same PDFs in worker processes (as write_reports(workers=...) makes them).
    t0 = time.perf_counter()
    html_to_pdfs(pages, workers=args.workers)
    t_pool = time.perf_counter() - t0
    cohort_page = cohort_report_html(scores, fw, inst)
    t0 = time.perf_counter()
    html_to_pdf(cohort_page)
    t_cohort_pdf = time.perf_counter() - t0

    t_alpha = pingouin_seconds(data)
    html_rate = n / t_html
    pdf_rate = len(sample) / t_pdf
    print(
        f"{n} participants x {sum(DEFAULT_MIX.values())} raters, {len(data.comments)} comments;"
        f" best of {args.repeat}; Python {platform.python_version()}"
    )
    print(f"mean individual HTML size {size / n / 1024:.0f} KiB\n")
    rows: list[tuple[str, float, int | None]] = [
        ("pingouin alpha, 14 scales, same data (the issue's baseline)", t_alpha, None),
        ("JSON per participant (to_dict + json.dumps, in-run baseline)", t_json, n),
        ("**individual HTML reports** (`individual_report_html`)", t_html, n),
        (f"cohort HTML report (one, {n} participants)", t_cohort, None),
        (f"`write_reports`, HTML only ({len(paths)} files)", t_write, n),
        (f"individual PDF reports ({len(sample)}, WeasyPrint, one process)", t_pdf, len(sample)),
        (
            f"individual PDF reports ({len(sample)}), {args.workers} worker processes "
            "(`html_to_pdfs`, incl. start)",
            t_pool,
            len(sample),
        ),
        (f"cohort PDF report (one, {n} participants)", t_cohort_pdf, None),
    ]
    print("| step | seconds | reports per second | vs goal (20/s) | vs pingouin alpha |")
    print("|---|---:|---:|---:|---:|")
    for label, secs, count in rows:
        rate = f"{count / secs:.2f}" if count else ""
        goal = f"{count / secs / GOAL_PER_SECOND:.2f}x" if count else ""
        print(f"| {label} | {secs:.3f} | {rate} | {goal} | {secs / t_alpha:.1f}x |")
    print(
        f"\nHTML vs JSON baseline: {t_html / t_json:.1f}x the time; "
        f"PDF vs HTML: {html_rate / pdf_rate:.0f}x slower per report"
    )


if __name__ == "__main__":
    main()
