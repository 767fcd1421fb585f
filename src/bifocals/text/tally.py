"""Running totals of classified units, so that a profile never needs every result in memory.

`bifocals analyze` adds each chunk of results as it is written and reads the profile, the
skipped-unit counts and the mean confidences at the end; `Analyzer.profile` uses the same
totals, so both give the same numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bifocals.framework.model import SIDES
from bifocals.profile import Profile, Stat


class Coded(Protocol):
    """What a tally reads from one classified unit."""

    @property
    def function(self) -> str: ...
    @property
    def dimension(self) -> str | None: ...
    @property
    def confidence(self) -> float: ...
    @property
    def truncated(self) -> bool: ...
    @property
    def skipped(self) -> str | None: ...


@dataclass
class Tally:
    """Counts per (dimension, side), confidence sums, skipped reasons and truncations."""

    units: int = 0
    truncated: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    confidence: dict[tuple[str, str], float] = field(default_factory=dict)

    def add(self, results: Iterable[Coded]) -> None:
        """Count a batch of results; skipped units count only under their reason."""
        for c in results:
            if c.skipped is not None:
                why = "not English" if c.skipped.startswith("not English") else c.skipped
                self.skipped[why] += 1
                continue
            self.units += 1
            self.truncated += bool(c.truncated)
            if c.dimension is not None:
                key = (c.dimension, c.function)
                self.counts[key] += 1
                self.confidence[key] = self.confidence.get(key, 0.0) + c.confidence

    def profile(self, dimensions: Sequence[str], source: str, subject: str) -> Profile:
        """Per dimension and side, the share of classified units coded there (Stat.mean, 0..1),
        their number (Stat.n) and a 95% Wilson interval over all classified units."""
        scores: dict[tuple[str, Any], Stat] = {}
        if self.units:
            for d in dimensions:
                for s in SIDES:
                    n = self.counts[(d, s)]
                    lo, hi = wilson(n, self.units)
                    scores[(d, s)] = Stat(mean=n / self.units, n=n, ci_low=lo, ci_high=hi)
        return Profile(subject, source, tuple(dimensions), scores)

    def mean_confidence(self) -> dict[tuple[str, str], float]:
        """Mean confidence of the units coded to each (dimension, side)."""
        return {k: total / self.counts[k] for k, total in self.confidence.items()}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n."""
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)
