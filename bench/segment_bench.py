"""Sentence segmentation of one long line: time per sentence should not grow with the line.

A document written as one line (scraped text, a CSV cell holding a whole speech) once took
time proportional to the square of its sentence count. This times `segment()` on one line of
N sentences for growing N, against a naive `re.split` on sentence punctuation over the same
text in the same run (a lower bound: it knows no abbreviations, bullets or offsets), and prints
the ratio and the microseconds per sentence.

Run: .venv/bin/python bench/segment_bench.py [--sizes 1000 4000 16000 64000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import re
import time

from bifocals.text.segment import segment

NAIVE = re.compile(r"(?<=[.!?])\s+")
SENTENCES = (
    "Explain why the move to the cloud matters for our customers.",
    "Dr. Okafor reviews the budget every Friday at 9 a.m. with the team.",
    "Track the costs, e.g. licences and travel, against the plan.",
    "Give people room to try new ideas!",
)


def best(fn: object, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(text)  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000, 64000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print("| sentences on one line | segment() s | µs per sentence | naive re.split s | ratio |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        text = " ".join(SENTENCES[i % len(SENTENCES)] for i in range(n))
        ours = best(segment, text, args.repeat)
        naive = best(NAIVE.split, text, args.repeat)
        found = len(segment(text))
        assert found == n, (found, n)  # abbreviations (Dr., a.m., e.g.) never split a sentence
        print(f"| {n:,} | {ours:.3f} | {ours / n * 1e6:.1f} | {naive:.4f} | {ours / naive:.0f}x |")


if __name__ == "__main__":
    main()
