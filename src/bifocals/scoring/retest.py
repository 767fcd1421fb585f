"""Change since the last campaign: the same participant rated again on the same instrument.

For each participant of the new campaign found in the old one (by participant code, or an
explicit code mapping), and for each (group, dimension, side) cell shown in BOTH waves, the
before and after means, their difference with a 95% interval, and a reliable-change flag.

Only cells that scoring let through are used, so a group below its threshold in either wave
gives no difference (nothing here looks at raw answers). The formulas are in docs/scoring.md:

- difference d = after - before; its interval is Welch's: d ± t(0.975, df) * sqrt(s_b²/n_b +
  s_a²/n_a), df by Welch-Satterthwaite. A cell with one rater (self, a single manager) has no
  spread, hence no interval.
- reliable change index (Jacobson and Truax, for means of raters): S_E = SD * sqrt(1 - alpha),
  where SD is the spread of single raters' scale scores across the old campaign (all raters
  except self, shown cells only) and alpha the scale's Cronbach's alpha in the old campaign
  (the new one's when the old has none); S_diff = S_E * sqrt(1/n_b + 1/n_a); RCI = d / S_diff.
- `reliable` is True when |RCI| >= 1.96 AND the interval of d excludes 0: a change larger than
  the scale's measurement error and than the spread between raters. Without an interval (one
  rater) a change is never called reliable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bifocals.errors import Invalid
from bifocals.framework.model import Side
from bifocals.profile import Stat
from bifocals.scoring.model import ALL_OTHERS, CampaignScores, ParticipantScores
from bifocals.scoring.stats import t975

# How the change output names the view of all raters except self.
OTHERS = "others"
RCI_CRITICAL = 1.96

Cell = tuple[str, str, Side]


@dataclass(frozen=True)
class ScaleChange:
    """One participant's change on one scale in one group's view."""

    group: str
    dimension: str
    side: Side
    before: float
    after: float
    difference: float
    ci_low: float | None
    ci_high: float | None
    n_before: int
    n_after: int
    rci: float | None
    reliable: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the shape of `score --compare`)."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "group": self.group,
            "dimension": self.dimension,
            "side": self.side,
            "before": r(self.before),
            "after": r(self.after),
            "difference": r(self.difference),
            "ci_low": r(self.ci_low),
            "ci_high": r(self.ci_high),
            "n_before": self.n_before,
            "n_after": self.n_after,
            "rci": r(self.rci),
            "reliable": self.reliable,
        }


@dataclass(frozen=True)
class ScaleError:
    """What the reliable change index needs for one scale: rater SD and alpha."""

    sd: float
    alpha: float

    @property
    def standard_error(self) -> float:
        """S_E = SD * sqrt(1 - alpha): the measurement error of one rater's scale score."""
        return self.sd * math.sqrt(max(0.0, 1.0 - self.alpha))


def rater_sd(stats: Sequence[Stat]) -> float | None:
    """The SD of single raters' scores pooled over cells (within-cell spread plus the spread
    of the cell means), from each cell's n, mean and sd; None with fewer than two raters."""
    n = np.array([s.n for s in stats], dtype=np.float64)
    total = float(n.sum())
    if total < 2:
        return None
    means = np.array([s.mean for s in stats], dtype=np.float64)
    sds = np.array([0.0 if s.sd is None else s.sd for s in stats], dtype=np.float64)
    grand = float((n * means).sum() / total)
    ss = float(((n - 1.0) * sds**2).sum() + (n * (means - grand) ** 2).sum())
    return math.sqrt(ss / (total - 1.0))


def scale_errors(old: CampaignScores, new: CampaignScores) -> dict[tuple[str, Side], ScaleError]:
    """Per scale, the rater SD of the old campaign and the scale's alpha (old, else new)."""
    alpha: dict[tuple[str, Side], float] = {}
    for rel in (*new.reliability, *old.reliability):  # old last: it wins where it has one
        if rel.alpha is not None and math.isfinite(rel.alpha):
            alpha[(rel.dimension, rel.side)] = rel.alpha
    cells: dict[tuple[str, Side], list[Stat]] = {}
    for p in old.participants:
        for (g, d, s), st in p.cells.items():
            if g == ALL_OTHERS:
                cells.setdefault((d, s), []).append(st)
    out: dict[tuple[str, Side], ScaleError] = {}
    for key, stats in cells.items():
        sd = rater_sd(stats)
        if sd is not None and key in alpha:
            out[key] = ScaleError(sd, alpha[key])
    return out


def difference_interval(before: Stat, after: Stat) -> tuple[float | None, float | None]:
    """Welch's 95% interval of after - before; (None, None) when either cell has one rater."""
    if before.sd is None or after.sd is None or before.n < 2 or after.n < 2:
        return None, None
    vb, va = before.sd**2 / before.n, after.sd**2 / after.n
    se = math.sqrt(vb + va)
    d = after.mean - before.mean
    if se == 0.0:
        return d, d
    df = (vb + va) ** 2 / (vb**2 / (before.n - 1) + va**2 / (after.n - 1))
    half = float(t975(df)) * se
    return d - half, d + half


def scale_change(cell: Cell, before: Stat, after: Stat, error: ScaleError | None) -> ScaleChange:
    """The change in one cell shown in both waves."""
    group, dimension, side = cell
    d = after.mean - before.mean
    lo, hi = difference_interval(before, after)
    rci: float | None = None
    if error is not None:
        s_diff = error.standard_error * math.sqrt(1.0 / before.n + 1.0 / after.n)
        rci = d / s_diff if s_diff > 0 else None
    excludes_zero = lo is not None and hi is not None and (lo > 0 or hi < 0)
    reliable = bool(excludes_zero and rci is not None and abs(rci) >= RCI_CRITICAL)
    return ScaleChange(
        OTHERS if group == ALL_OTHERS else group,
        dimension,
        side,
        before.mean,
        after.mean,
        d,
        lo,
        hi,
        before.n,
        after.n,
        rci,
        reliable,
    )


def participant_change(
    before: ParticipantScores,
    after: ParticipantScores,
    errors: Mapping[tuple[str, Side], ScaleError],
) -> tuple[ScaleChange, ...]:
    """Every cell shown in both waves, in the new report's order (others first)."""
    keys = [k for k in after.cells if k in before.cells]
    keys.sort(key=lambda k: (k[0] != ALL_OTHERS, k[0] != "self"))
    return tuple(
        scale_change(k, before.cells[k], after.cells[k], errors.get((k[1], k[2]))) for k in keys
    )


def compare_campaigns(
    new: CampaignScores, old: CampaignScores, mapping: Mapping[str, str] | None = None
) -> dict[str, tuple[ScaleChange, ...]]:
    """Per participant code of the new campaign found in the old one, its changes.

    mapping: new participant code -> old code, for people whose code changed between waves;
    a code not in it is looked up as itself."""
    if new.instrument != old.instrument:
        raise Invalid(
            f"campaign {old.campaign!r} used instrument {old.instrument!r} and "
            f"{new.campaign!r} used {new.instrument!r}; change is compared only on the same "
            "instrument",
            "compare",
        )
    by_code = {p.participant: p for p in old.participants}
    errors = scale_errors(old, new)
    out: dict[str, tuple[ScaleChange, ...]] = {}
    for p in new.participants:
        was = by_code.get((mapping or {}).get(p.participant, p.participant))
        if was is not None:
            out[p.participant] = participant_change(was, p, errors)
    return out
