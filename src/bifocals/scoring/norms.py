"""Norms: a participant's scale score as a percentile of a norm group.

A norm group is either the organisation's own history (the shown "all raters except self" cells
of every participant of a set of campaigns on one instrument) or an external table of
mean, sd and n per scale. Pure: the services read the campaigns and the tables.

Percentiles (docs/scoring.md, section "Norms"):

- history: the mid-rank percentile, 100 * (below + equal / 2) / n, where `below` and `equal`
  count the norm group's scores under and equal to the participant's score;
- external: 100 * Phi((score - mean) / sd), the normal distribution the table describes.

No percentile is given for a scale whose norm group has fewer than NORM_MINIMUM participants;
the reason says how many it has. Only cells a report may show enter a norm, so a group below
its threshold never contributes.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from bifocals.framework.model import Side
from bifocals.scoring.model import ALL_OTHERS, CampaignScores, ParticipantScores

NORM_MINIMUM = 30
NormKind = Literal["all", "campaigns", "external"]


@dataclass(frozen=True)
class ScaleNorm:
    """One scale's norm: its size, mean and sd, and (history only) the sorted scores."""

    dimension: str
    side: Side
    n: int
    mean: float
    sd: float
    scores: tuple[float, ...] = ()  # sorted; empty for an external table
    source: str = ""

    def percentile(self, score: float) -> float:
        """Where `score` falls in this norm, 0-100 (see the module docstring)."""
        if self.scores:
            below = bisect_left(self.scores, score)
            equal = bisect_right(self.scores, score) - below
            return 100.0 * (below + equal / 2) / len(self.scores)
        if self.sd <= 0:
            return 50.0 if score == self.mean else (100.0 if score > self.mean else 0.0)
        z = (score - self.mean) / self.sd
        return 50.0 * (1.0 + math.erf(z / math.sqrt(2.0)))


@dataclass(frozen=True)
class NormTable:
    """A norm group's scales, keyed by (dimension, side)."""

    name: str
    kind: NormKind
    scales: dict[tuple[str, Side], ScaleNorm]
    campaigns: tuple[str, ...] = ()  # history: the campaigns read
    participants: int = 0  # history: participants with at least one shown cell

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (sizes, means and sds; never a single participant's score)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "campaigns": list(self.campaigns),
            "participants": self.participants,
            "minimum": NORM_MINIMUM,
            "scales": [
                {
                    "dimension": s.dimension,
                    "side": s.side,
                    "n": s.n,
                    "mean": round(s.mean, 4),
                    "sd": round(s.sd, 4),
                    "source": s.source,
                }
                for s in self.scales.values()
            ],
        }


@dataclass(frozen=True)
class Percentile:
    """A participant's standing on one scale, or why none is given."""

    dimension: str
    side: Side
    score: float
    percentile: int | None
    norm_n: int
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "dimension": self.dimension,
            "side": self.side,
            "score": round(self.score, 4),
            "percentile": self.percentile,
            "norm_n": self.norm_n,
            "reason": self.reason,
        }


def history_norm(
    name: str, kind: NormKind, waves: Iterable[tuple[str, CampaignScores]]
) -> NormTable:
    """The norm of a set of scored campaigns: every participant's shown others' cell per scale.

    Each participant of each campaign counts once per scale (a person rated in two campaigns
    counts twice, once per occasion)."""
    values: dict[tuple[str, Side], list[float]] = {}
    campaigns: list[str] = []
    people = 0
    for campaign, scores in waves:
        campaigns.append(campaign)
        for ps in scores.participants:
            shown = False
            for (group, dim, side), stat in ps.cells.items():
                if group == ALL_OTHERS:
                    values.setdefault((dim, side), []).append(float(stat.mean))
                    shown = True
            people += shown
    scales = {key: _scale_from_scores(key, vals) for key, vals in sorted(values.items())}
    return NormTable(name, kind, scales, tuple(campaigns), people)


def _scale_from_scores(key: tuple[str, Side], values: list[float]) -> ScaleNorm:
    ordered = tuple(sorted(values))
    n = len(ordered)
    mean = sum(ordered) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in ordered) / (n - 1)) if n > 1 else 0.0
    return ScaleNorm(key[0], key[1], n, mean, sd, ordered)


def participant_percentiles(ps: ParticipantScores, norm: NormTable) -> tuple[Percentile, ...]:
    """The percentile of each of the participant's shown others' cells against `norm`."""
    out: list[Percentile] = []
    for (group, dim, side), stat in ps.cells.items():
        if group != ALL_OTHERS:
            continue
        score = float(stat.mean)
        scale = norm.scales.get((dim, side))
        if scale is None:
            out.append(Percentile(dim, side, score, None, 0, "the norm group has no scores here"))
        elif scale.n < NORM_MINIMUM:
            reason = (
                f"the norm group has {scale.n} participant{'s' if scale.n != 1 else ''} on "
                f"this scale; a percentile needs at least {NORM_MINIMUM}"
            )
            out.append(Percentile(dim, side, score, None, scale.n, reason))
        else:
            value = math.floor(scale.percentile(score) + 0.5)
            out.append(Percentile(dim, side, score, min(99, max(1, value)), scale.n))
    return tuple(out)
