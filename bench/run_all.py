"""Run every benchmark in turn with its default sizes (what `make bench` does).

Each script prints a Markdown table with its in-run baseline; copy what you keep into
bench/results/<area>.md, then rebuild docs/benchmarks.md with bench/collect.py. The web load
benchmark starts servers and takes about ten minutes; the whole set takes about 40 minutes
on 2 cores.
Run: .venv/bin/python bench/run_all.py [--only NAME ...] [--skip NAME ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS: dict[str, list[str]] = {
    "scoring": ["scoring_bench.py"],
    "store": ["store_import_bench.py"],
    "score_command": ["score_command_bench.py"],
    "reports": ["reports_bench.py", "--pdf", "8"],
    "text": ["text_bench.py"],
    "analyze_stream": ["analyze_stream_bench.py"],
    "segment": ["segment_bench.py"],
    "change": ["change_bench.py"],
    "web_load": ["web_load.py", "--raters", "500"],
    "web_open_loop": ["web_open_loop.py"],
    "ray_scaling": ["ray_scaling.py", "--actor-rows", "2000"],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", nargs="*", choices=sorted(SCRIPTS), default=None)
    ap.add_argument("--skip", nargs="*", choices=sorted(SCRIPTS), default=[])
    args = ap.parse_args()
    names = [n for n in (args.only or SCRIPTS) if n not in args.skip]
    failed = []
    for name in names:
        script, *extra = SCRIPTS[name]
        print(f"\n## {name}: python bench/{script} {' '.join(extra)}\n", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(HERE / script), *extra])
        print(f"\n({name}: exit {rc}, {time.perf_counter() - t0:.0f} s)", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
