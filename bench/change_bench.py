"""Benchmark: the change report of an initiative with 50 themes, 10,000 tasks and 24 periods.

Issue 5 asks that such an initiative reports in under 2 s. Measured in one run: the vectorized
alignment (numpy) against a plain-Python loop baseline that computes the same cosines, then the
whole report (every check, readiness, JSON) and the steps around it (validating the stored
document, rendering HTML). Run: .venv/bin/python bench/change_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bifocals.change.alignment import align_arrays, alignment, task_arrays
from bifocals.change.catalogue import catalogue
from bifocals.change.loader import initiative_from_data
from bifocals.change.model import ADKAR, Initiative
from bifocals.change.report import build_report
from bifocals.reports.change import render_html
from bifocals.services.change_records import get_initiative, save_initiative
from bifocals.store import open_store

THEMES, TASKS, PERIODS = 50, 10_000, 24


def synthetic_document(seed: int = 5) -> dict[str, Any]:
    """An initiative document (as stored JSON) of the benchmark's size."""
    rng = np.random.default_rng(seed)
    themes = [
        {"id": f"th{k}", "name": f"Theme {k}", "weight": float(rng.integers(1, 20))}
        for k in range(THEMES)
    ]
    periods = [f"P{p:02d}" for p in range(PERIODS)]
    people = [
        {"id": f"p{i}", "name": f"Person {i}", "position": "Role", "time_share": 0.5,
         "manager": bool(i % 2)}
        for i in range(40)
    ]  # fmt: skip
    duties = [
        {"duty": d.id, "owners": [f"p{i % 40}", f"p{(i + 7) % 40}"], "status": "in_progress"}
        for i, d in enumerate(catalogue().duties)
    ]
    workstreams = [
        {"id": f"w{i}", "name": f"Workstream {i}",
         "raci": {"accountable": [f"p{i}"], "responsible": [f"p{i + 1}"]}}
        for i in range(20)
    ]  # fmt: skip
    decisions = [
        {"id": f"d{i}", "name": f"Decision {i}", "rapid": {"decide": [f"p{i}"]}} for i in range(10)
    ]
    tasks = []
    for t in range(TASKS):
        k = int(rng.integers(1, 4))
        picked = rng.choice(THEMES, size=k, replace=False)
        effort = np.where(rng.random(PERIODS) < 0.4, 0.0, rng.integers(1, 40, PERIODS))
        task: dict[str, Any] = {
            "id": f"t{t}",
            "name": f"Task {t}",
            "workstream": f"w{t % 20}",
            "effort": [float(x) for x in effort],
        }
        if rng.random() > 0.05:  # 5% of tasks are tied to no theme
            task["themes"] = {f"th{int(c)}": float(rng.integers(1, 5)) for c in picked}
        tasks.append(task)
    groups = [{"id": f"g{i}", "name": f"Group {i}", "size": 50} for i in range(8)]
    responses = [
        {"group": f"g{i % 8}", "scores": [int(x) for x in rng.integers(1, 6, len(ADKAR))]}
        for i in range(500)
    ]
    return {
        "name": "Benchmark initiative",
        "vision": "v",
        "why_now": "w",
        "themes": themes,
        "periods": periods,
        "people": people,
        "stakeholder_groups": groups,
        "duties": duties,
        "workstreams": workstreams,
        "decisions": decisions,
        "tasks": tasks,
        "readiness": {"responses": responses},
    }


def loop_alignment(ini: Initiative) -> list[float]:
    """Baseline: the same per-period cosine with plain Python loops and dicts."""
    total_w = sum(t.weight for t in ini.themes)
    lead = {t.id: t.weight / total_w for t in ini.themes}
    out = []
    for p in range(len(ini.periods)):
        by_theme = dict.fromkeys(lead, 0.0)
        for task in ini.tasks:
            e = task.effort[p]
            if e:
                for theme, share in task.themes.items():
                    by_theme[theme] += e * share
        dot = sum(lead[k] * by_theme[k] for k in lead)
        norm = math.sqrt(sum(v * v for v in by_theme.values()))
        lnorm = math.sqrt(sum(v * v for v in lead.values()))
        out.append(dot / (norm * lnorm) if norm else float("nan"))
    return out


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5, help="runs per step; the best is reported")
    args = ap.parse_args()
    doc = json.loads(json.dumps(synthetic_document()))
    ini = initiative_from_data(doc, "bench")
    vec = np.asarray(alignment(ini).cosine)
    base = np.asarray(loop_alignment(ini))
    assert np.allclose(vec, base, equal_nan=True), "vectorized and loop results differ"
    t_loop = best_of(lambda: loop_alignment(ini), args.repeat)
    t_vec = best_of(lambda: alignment(ini), args.repeat)
    shares, effort = task_arrays(ini)
    weights = np.array([t.weight for t in ini.themes])
    ids = tuple(t.id for t in ini.themes)
    t_math = best_of(
        lambda: align_arrays(weights, shares, effort, ids, ids, ini.periods), args.repeat
    )
    t_report = best_of(lambda: build_report(ini).to_dict(), args.repeat)
    t_load = best_of(lambda: initiative_from_data(doc, "bench"), args.repeat)
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/bench.db") as store:
        t_save = best_of(lambda: save_initiative(store, ini, doc, "bench", True), args.repeat)
        t_stored = best_of(
            lambda: build_report(get_initiative(store, ini.name)).to_dict(), args.repeat
        )
    report = build_report(ini)
    t_html = best_of(lambda: render_html(report), args.repeat)
    print(f"Initiative: {THEMES} themes, {TASKS:,} tasks, {PERIODS} periods; best of {args.repeat}")
    print(f"Python {platform.python_version()}, numpy {np.__version__}\n")
    print("| step | seconds | vs loop baseline |")
    print("|---|---:|---:|")
    print(f"| alignment, plain-Python loop (baseline) | {t_loop:.3f} | 1.0x |")
    print(
        f"| alignment, vectorized, from task objects | {t_vec:.3f} | {t_loop / t_vec:.1f}x faster |"
    )
    print(
        f"| alignment, vectorized, arrays ready (math only) | {t_math:.4f} | "
        f"{t_loop / t_math:.0f}x faster |"
    )
    print(f"| whole report: checks, alignment, readiness, JSON | {t_report:.3f} | |")
    print(f"| validate the stored document (on every report) | {t_load:.3f} | |")
    print(f"| render HTML (inline SVG) | {t_html:.3f} | |")
    print(f"| store the initiative in SQLite (import, one transaction) | {t_save:.3f} | |")
    verdict = "under" if t_stored < 2 else "OVER"
    print(f"| **read from SQLite, validate, report, JSON** | **{t_stored:.3f}** | {verdict} 2 s |")


if __name__ == "__main__":
    main()
