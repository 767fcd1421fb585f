"""Benchmark: a large cohort's roster (import, re-import, correction with sync) and its links
sheet, on SQLite.

Issue 12 asks that HR can run a real cohort from a spreadsheet; a big organisation's cohort is
a few thousand participants. Baseline, measured in the same run: a plain `csv.reader` pass
over the same file (reading only, no checks, no database), as in the store benchmark.
Run: .venv/bin/python bench/roster_bench.py [--participants N] [--raters N]
"""

from __future__ import annotations

import argparse
import csv
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bifocals.scoring.model import Thresholds
from bifocals.services.campaigns import change_status, create_campaign
from bifocals.services.link_sheet import issue_link_sheet
from bifocals.services.roster import ROSTER_COLUMNS, import_roster
from bifocals.store import open_store

T = TypeVar("T")
GROUPS = ("manager", "peer", "peer", "peer", "direct_report", "direct_report", "other")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def write_roster(path: Path, participants: int, raters: int, moved: bool = False) -> int:
    """A roster of `participants` x `raters`; `moved`: every 10th rater has a new e-mail and
    every participant's last rater is gone (a correction with --sync)."""
    lines = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(ROSTER_COLUMNS)
        for p in range(participants):
            for r in range(raters - (1 if moved else 0)):
                mail = f"r{p}-{r}@example.org"
                if moved and r % 10 == 0:
                    mail = f"new{p}-{r}@example.org"
                group = GROUPS[r % len(GROUPS)]
                w.writerow(
                    (f"P{p:05d}", f"Person {p}", f"p{p}@example.org", f"Rater {p}-{r}", mail, group)
                )
                lines += 1
    return lines


def baseline(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--raters", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "roster.csv", Path(tmp) / "roster2.csv"
        n = write_roster(first, args.participants, args.raters)
        write_roster(second, args.participants, args.raters, moved=True)
        store = open_store(f"sqlite:///{tmp}/bench.db")
        cid = create_campaign(store, None, "Bench", "bifocals_open_360", Thresholds(), None)
        data, data2 = first.read_bytes(), second.read_bytes()
        t_base, _ = timed(lambda: baseline(first))
        t_add, res = timed(lambda: import_roster(store, None, cid, data, "roster.csv"))
        t_same, same = timed(lambda: import_roster(store, None, cid, data, "roster.csv"))
        t_sync, moved = timed(
            lambda: import_roster(store, None, cid, data2, "roster2.csv", sync=True)
        )
        change_status(store, None, cid, "open")
        t_links, sheet = timed(
            lambda: issue_link_sheet(store, None, cid, "https://360.example.org", days=30)
        )
        store.close()
    assert res.raters_added == n and not same.changes
    print(
        f"{args.participants:,} participants x {args.raters} raters = {n:,} roster lines; "
        f"Python {platform.python_version()}, {platform.machine()}\n"
    )
    print("| step | seconds | vs csv.reader baseline |")
    print("|---|---:|---:|")
    rows = [
        ("csv.reader pass over the file (baseline)", t_base),
        (f"import: {res.participants_added:,} participants, {res.raters_added:,} raters", t_add),
        ("import the same file again (nothing to change)", t_same),
        (
            f"corrected file with --sync: {moved.raters_updated:,} e-mails changed, "
            f"{moved.raters_removed:,} raters removed",
            t_sync,
        ),
        (f"links sheet: {len(sheet.rows):,} links issued", t_links),
    ]
    for name, secs in rows:
        print(f"| {name} | {secs:.2f} | {secs / t_base:.0f}x |")


if __name__ == "__main__":
    main()
