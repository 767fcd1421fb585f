"""Text analyzer throughput: accurate tier vs a bare onnxruntime loop, fast vs accurate, Ray.

Run: .venv/bin/python bench/text_bench.py [--n 640] [--no-ray]
Prints a markdown table. All ratios are measured in the same run on the same sentences.
"""

from __future__ import annotations

import argparse
import csv
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from bifocals.framework import default_framework
from bifocals.text import Analyzer
from bifocals.text.corpus import training_examples
from bifocals.text.embed import cpu_count, load_tokenizer, model_files, pool


def bare_loop(texts: list[str], batch: int = 64) -> float:
    """Seconds for the plain recipe: tokenize with padding, run, mean-pool; input order."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = cpu_count()
    sess = ort.InferenceSession(str(model_files().model), opts, providers=["CPUExecutionProvider"])
    tok = load_tokenizer()
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch):
        enc = tok.encode_batch(texts[i : i + batch])
        width = max(len(e.ids) for e in enc)
        ids = np.zeros((len(enc), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for r, e in enumerate(enc):
            ids[r, : len(e.ids)] = e.ids
            mask[r, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        pool(sess.run(None, feeds)[0], mask)
    return time.perf_counter() - t0


def timed(analyzer: Analyzer, texts: list[str]) -> float:
    analyzer.classify(texts[:32])  # warm-up
    t0 = time.perf_counter()
    analyzer.classify(texts)
    return time.perf_counter() - t0


def ray_rate(texts: list[str], workers: int, tmp: Path) -> float:
    from bifocals.text.rayengine import run_ray

    src = tmp / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text"])
        w.writerows([[t] for t in texts])
    t0 = time.perf_counter()
    run_ray([str(src)], "text", tmp / f"out{workers}", lines=True, workers=workers)
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=640)
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    fw = default_framework()
    pool_texts = [e.text for e in training_examples(fw)]
    rng = np.random.default_rng(7)
    texts = [pool_texts[i] for i in rng.choice(len(pool_texts), args.n)]
    bare = bare_loop(texts)
    acc = timed(Analyzer(), texts)
    fast_texts = texts * 50
    fast = timed(Analyzer(fast=True), fast_texts)
    rows = [
        ("bare onnxruntime loop (baseline)", len(texts) / bare, "1.00"),
        ("accurate tier, Analyzer.classify", len(texts) / acc, f"{bare / acc:.2f} vs bare"),
        (
            "fast tier, Analyzer(fast=True)",
            len(fast_texts) / fast,
            f"{(len(fast_texts) / fast) / (len(texts) / acc):.0f}x accurate",
        ),
    ]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not args.no_ray:
        import ray

        ray.init(
            address="local", num_cpus=cpu_count(), include_dashboard=False, log_to_driver=False
        )
        with tempfile.TemporaryDirectory() as d:
            for w in (1, 2):
                rate = ray_rate(texts, w, Path(d))
                rows.append((f"Ray Data, accurate tier, {w} worker(s)", rate, "incl. actor start"))
        ray.shutdown()
    print(f"machine: {platform.machine()}, {cpu_count()} cores; sentences: {len(texts)}\n")
    print("| pipeline | sentences/s | ratio |\n|---|---:|---|")
    for name, rate, ratio in rows:
        print(f"| {name} | {rate:,.0f} | {ratio} |")
    print(f"\npeak RSS of the benchmark process (both tiers loaded): {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
