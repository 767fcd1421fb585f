"""ParticipantScores built from ScoreArrays, lazily: one participant when first asked for.

All numbers are computed in bulk by engine.compute_arrays; what is deferred is only wrapping
them in Python objects, which for 10,000 participants costs more than the statistics do.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, overload

import numpy as np

from bifocals.framework.model import Side
from bifocals.profile import Stat
from bifocals.scoring.anonymity import ALL, N_KEYS, SELF, UNIT_KEYS
from bifocals.scoring.comments import shown_comments
from bifocals.scoring.engine import ScoreArrays
from bifocals.scoring.model import (
    DEVELOPING_BOTH,
    GROUP_LABELS,
    GROUPS,
    LEADS_AND_MANAGES,
    LEADS_MORE,
    MANAGES_MORE,
    POOLED,
    CampaignData,
    Comment,
    Gap,
    GapFlag,
    Highlight,
    ParticipantScores,
    ReportedGroup,
)
from bifocals.scoring.stats import FLAG_BLIND_SPOT, FLAG_HIDDEN_STRENGTH

MIDPOINT = 50.0
ITER_CHUNK = 256
FLAG_NAMES: dict[int, GapFlag | None] = {
    0: None,
    FLAG_BLIND_SPOT: "blind_spot",
    FLAG_HIDDEN_STRENGTH: "hidden_strength",
}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects, then restore it.

    The objects built hold no cycles, but CPython 3.11 runs a collection every 700 new
    containers, which makes building 700,000 of them up to twice as slow.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def quadrant(leadership: float | None, management: float | None) -> str | None:
    """The L x M map quadrant; an index at exactly the midpoint (50) counts as high."""
    if leadership is None or management is None:
        return None
    lead, manage = leadership >= MIDPOINT, management >= MIDPOINT
    if lead and manage:
        return LEADS_AND_MANAGES
    if lead:
        return LEADS_MORE
    if manage:
        return MANAGES_MORE
    return DEVELOPING_BOTH


def _opt(x: float) -> float | None:
    return None if x != x else x  # NaN is the only value not equal to itself


def _groups(a: ScoreArrays, i: int) -> tuple[tuple[ReportedGroup, ...], tuple[str, ...]]:
    u = a.units
    out: list[ReportedGroup] = []
    for g, key in enumerate(GROUPS):
        if u.alone[i, g]:
            out.append(ReportedGroup(key, GROUP_LABELS[key], int(u.counts[i, g])))
    if u.pool_count[i] > 0:
        members = tuple(GROUPS[g] for g in np.nonzero(u.pooled[i])[0])
        out.append(ReportedGroup(POOLED, GROUP_LABELS[POOLED], int(u.pool_count[i]), members))
    suppressed = tuple(GROUPS[g] for g in np.nonzero(u.suppressed[i])[0])
    return tuple(out), suppressed


def build_participant(
    a: ScoreArrays,
    i: int,
    name: str,
    comments: Sequence[Comment],
    rater_unit: Sequence[int],
    salt: str,
    question_order: dict[str, int],
) -> ParticipantScores:
    """The ParticipantScores of participant i (only visible cells, gaps where self and others)."""
    scales = a.scales
    vis = a.visible[i].tolist()
    n, mean, sd = a.n[i].tolist(), a.mean[i].tolist(), a.sd[i].tolist()
    low, high, ag = a.ci_low[i].tolist(), a.ci_high[i].tolist(), a.rwg[i].tolist()
    cells: dict[tuple[str, str, Side], Stat] = {}
    agreement: dict[tuple[str, str, Side], float | None] = {}
    for u in range(N_KEYS):
        gkey = UNIT_KEYS[u]
        for s, (dim, side) in enumerate(scales):
            if not vis[u][s]:
                continue
            k = (gkey, dim, side)
            many = n[u][s] >= 2
            cells[k] = Stat(
                mean=mean[u][s],
                n=n[u][s],
                sd=sd[u][s] if many else None,
                ci_low=low[u][s] if many else None,
                ci_high=high[u][s] if many else None,
            )
            agreement[k] = _opt(ag[u][s]) if many else None
    gaps: list[Gap] = []
    gap, g_low, g_high = a.gap[i].tolist(), a.gap_low[i].tolist(), a.gap_high[i].tolist()
    flags = a.gap_flag[i].tolist()
    for s, (dim, side) in enumerate(scales):
        if vis[SELF][s] and vis[ALL][s]:
            gaps.append(
                Gap(
                    dimension=dim,
                    side=side,
                    self_score=mean[SELF][s],
                    others_mean=mean[ALL][s],
                    gap=gap[s],
                    ci_low=_opt(g_low[s]),
                    ci_high=_opt(g_high[s]),
                    flag=FLAG_NAMES[flags[s]],
                )
            )
    li = _opt(float(a.leadership_index[i]))
    mi = _opt(float(a.management_index[i]))

    def highlights(idx: list[int]) -> tuple[Highlight, ...]:
        return tuple(Highlight(scales[s][0], scales[s][1], mean[ALL][s]) for s in idx if s >= 0)

    groups, suppressed = _groups(a, i)
    return ParticipantScores(
        participant=name,
        groups=groups,
        suppressed=suppressed,
        cells=cells,
        rwg=agreement,
        gaps=tuple(gaps),
        leadership_index=li,
        management_index=mi,
        quadrant=quadrant(li, mi),
        strengths=highlights(a.strengths[i].tolist()),
        development_areas=highlights(a.development[i].tolist()),
        comments=shown_comments(comments, rater_unit, name, salt, question_order),
    )


class ParticipantSequence(Sequence[ParticipantScores]):
    """A read-only sequence of ParticipantScores, built on first access and then kept."""

    def __init__(self, arrays: ScoreArrays, data: CampaignData, questions: Sequence[str]):
        self.arrays = arrays
        self._names = data.participants
        self._salt = data.comment_salt
        self._order = {q: k for k, q in enumerate(questions)}
        self._units: list[int] = arrays.units.unit.tolist()
        self._comments: list[list[Comment]] = [[] for _ in data.participants]
        for c in data.comments:
            self._comments[c.participant].append(c)
        self._built: list[ParticipantScores | None] = [None] * len(data.participants)

    def __len__(self) -> int:
        return len(self._built)

    def _get(self, i: int) -> ParticipantScores:
        found = self._built[i]
        if found is None:
            found = build_participant(
                self.arrays,
                i,
                self._names[i],
                self._comments[i],
                self._units,
                self._salt,
                self._order,
            )
            self._built[i] = found
        return found

    @overload
    def __getitem__(self, index: int) -> ParticipantScores: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[ParticipantScores, ...]: ...

    def __getitem__(self, index: int | slice) -> ParticipantScores | tuple[ParticipantScores, ...]:
        if isinstance(index, slice):
            return tuple(self._get(k) for k in range(*index.indices(len(self))))
        k = index + len(self) if index < 0 else index
        if not 0 <= k < len(self):
            raise IndexError(f"participant index {index} out of range ({len(self)} participants)")
        return self._get(k)

    def __iter__(self) -> Iterator[ParticipantScores]:
        # Built in chunks with the garbage collector paused (never across a yield).
        for start in range(0, len(self), ITER_CHUNK):
            with collector_paused():
                chunk = [self._get(k) for k in range(start, min(start + ITER_CHUNK, len(self)))]
            yield from chunk

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(x == y for x, y in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ParticipantSequence({len(self)} participants)"

    def participant_dicts(self) -> list[dict[str, Any]]:
        """[p.to_dict() for p in self], computed straight from the arrays (much faster).

        CampaignScores.to_dict uses this when present; a test checks both paths agree.
        """
        from bifocals.scoring.export import participant_dicts

        return participant_dicts(
            self.arrays,
            self._names,
            [
                shown_comments(c, self._units, name, self._salt, self._order)
                for c, name in zip(self._comments, self._names, strict=True)
            ],
        )
