"""The dates each period of an initiative covers, so that a dated piece of work finds its period.

Period names that say their dates are read as such: `2026-Q3` (also `2026 Q3`, `Q3 2026`,
`2026Q3`), `2026-07` (a month), `2026-H2` (a half), `2026` (a year) and `2026-W28` (an ISO
week). Any other name (a sprint, "Phase 2") gets its first and last day from the mapping file
(`periods: {Sprint 14: [2026-07-01, 2026-07-14]}`), which also overrides a name's own dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
from dataclasses import dataclass

_QUARTER = re.compile(r"^(?:(\d{4})\s*[- ]?\s*Q([1-4])|Q([1-4])\s*[- ]?\s*(\d{4}))$", re.I)
_HALF = re.compile(r"^(\d{4})\s*[- ]?\s*H([12])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.I)

NAMED_FORMS = "2026-Q3, 2026-07, 2026-H2, 2026 or 2026-W28"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_range(name: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a period whose name says its dates; None for any other name."""
    text = name.strip()
    try:
        if m := _QUARTER.match(text):
            year = int(m.group(1) or m.group(4))
            q = int(m.group(2) or m.group(3))
            return dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
        if m := _HALF.match(text):
            year, h = int(m.group(1)), int(m.group(2))
            return dt.date(year, 6 * h - 5, 1), _month_end(year, 6 * h)
        if m := _MONTH.match(text):
            year, month = int(m.group(1)), int(m.group(2))
            return dt.date(year, month, 1), _month_end(year, month)
        if m := _YEAR.match(text):
            year = int(m.group(1))
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if m := _WEEK.match(text):
            monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            return monday, monday + dt.timedelta(days=6)
    except ValueError:  # month 13, week 54
        return None
    return None


@dataclass(frozen=True)
class PeriodCalendar:
    """The dated periods of an initiative, in the initiative's order; `undated` are those
    whose dates are unknown (no dated work can fall in them)."""

    ranges: tuple[tuple[str, dt.date, dt.date], ...]
    undated: tuple[str, ...] = ()

    def period_of(self, day: dt.date) -> str | None:
        """The period that holds `day`, or None."""
        for name, start, end in self.ranges:
            if start <= day <= end:
                return name
        return None

    def describe_outside(self, day: dt.date) -> str:
        """Why `day` is in no period, in words: before the first, after the last, or between."""
        if not self.ranges:
            return "no period of the initiative has dates"
        first = min(self.ranges, key=lambda r: r[1])
        last = max(self.ranges, key=lambda r: r[2])
        if day < first[1]:
            return f"before the initiative's first period ({first[0]} starts {first[1]})"
        if day > last[2]:
            return f"after the initiative's last period ({last[0]} ends {last[2]})"
        return "between the initiative's periods"


def period_calendar(
    periods: tuple[str, ...], explicit: dict[str, tuple[dt.date, dt.date]]
) -> tuple[PeriodCalendar, list[tuple[str, str]]]:
    """The calendar of `periods` (explicit dates first), and (period, message) for each pair
    of periods whose dates overlap (a day would belong to both)."""
    ranges: list[tuple[str, dt.date, dt.date]] = []
    undated: list[str] = []
    for name in periods:
        span = explicit.get(name) or period_range(name)
        if span is None:
            undated.append(name)
        else:
            ranges.append((name, *span))
    clashes: list[tuple[str, str]] = []
    ordered = sorted(ranges, key=lambda r: r[1])
    for a, b in itertools.pairwise(ordered):
        if b[1] <= a[2]:
            clashes.append(
                (
                    b[0],
                    f"its dates ({b[1]} to {b[2]}) overlap those of {a[0]} ({a[1]} to {a[2]}); "
                    "give each period its own days under `periods:` in the mapping file",
                )
            )
    return PeriodCalendar(tuple(ranges), tuple(undated)), clashes
