"""The one anonymity rule of bifocals: who counts, and which groups are shown, pooled or hidden.

Pure numpy, no I/O. The 360 (bifocals.scoring.anonymity) and the change workbench's readiness
survey (bifocals.change.readiness) both decide with these two functions, so a group is shown
under the same rule wherever its people answered. docs/scoring.md ("Anonymity: one rule") says
why the rule is what it is.

Counting: a respondent counts when they gave at least one answer that enters the numbers, i.e.
a value on the answer scale ("not observed", "Not sure", a blank and a comment do not). Groups:
a group is shown alone when its count reaches its threshold; the groups below threshold that
have counted respondents are pooled together when the pool's count reaches the pool threshold
and the pool holds at least two groups; every other group that has respondents is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def counted(answered: BoolArray) -> BoolArray:
    """Which respondents count, shape (R,), from answered, shape (R, K).

    answered[r, k] is True when respondent r gave answer k a value on the answer scale (one that
    a mean, a score or a count of the output is computed from); shape (R,) means one answer
    each. A respondent counts when any of their answers does.
    """
    a = np.asarray(answered, dtype=np.bool_)
    if a.ndim == 1:  # one answer each
        return a.copy()
    return np.asarray(a.any(axis=tuple(range(1, a.ndim))), dtype=np.bool_)


def count_by_key(key: IntArray, counts: BoolArray, n_keys: int) -> IntArray:
    """Counted respondents per key (0 .. n_keys - 1); key and counts have shape (R,)."""
    weights = np.asarray(counts, dtype=np.float64)
    total = np.bincount(np.asarray(key, dtype=np.int64), weights=weights, minlength=n_keys)
    return np.asarray(np.rint(total), dtype=np.int64)


@dataclass(frozen=True)
class GroupDecision:
    """Per owner (a 360 participant, or the one readiness survey) and group, shapes (P, G).

    counts are the counted respondents of every group (internal: callers show a count only for
    a group shown alone, and the pool's size only when it is shown). alone, pooled and
    suppressed do not overlap; a group without respondents is in none of them. pool_count is
    the shown pool's size, 0 where there is no shown pool (shape (P,)).
    """

    counts: IntArray
    alone: BoolArray
    pooled: BoolArray
    suppressed: BoolArray
    pool_count: IntArray


def decide_groups(
    counts: IntArray,
    present: BoolArray,
    thresholds: IntArray,
    pooled_threshold: int,
    never_pooled: BoolArray | None = None,
) -> GroupDecision:
    """Which groups are shown alone, pooled or suppressed.

    counts: counted respondents per (owner, group), (P, G). present: whether the group has any
    respondent at all, counted or not, (P, G). thresholds: per group, (G,); a threshold below
    1 is taken as 1 (a group with nobody counted is never shown). never_pooled, (G,): groups
    shown alone whenever present and never pooled (the 360's self).
    """
    c = np.atleast_2d(np.asarray(counts, dtype=np.int64))
    has = np.asarray(present, dtype=np.bool_).reshape(c.shape)
    thr = np.maximum(np.asarray(thresholds, dtype=np.int64), 1)
    fixed = (
        np.zeros(c.shape[1], dtype=np.bool_)
        if never_pooled is None
        else np.asarray(never_pooled, dtype=np.bool_)
    )
    alone = np.where(fixed[None, :], has, c >= thr[None, :])
    below = has & ~alone & ~fixed[None, :]
    contributing = below & (c > 0)
    pool_count = np.where(contributing, c, 0).sum(axis=1).astype(np.int64)
    pool_ok = (pool_count >= max(pooled_threshold, 1)) & (contributing.sum(axis=1) >= 2)
    pooled = contributing & pool_ok[:, None]
    return GroupDecision(
        counts=c,
        alone=np.asarray(alone, dtype=np.bool_),
        pooled=np.asarray(pooled, dtype=np.bool_),
        suppressed=np.asarray(below & ~pooled, dtype=np.bool_),
        pool_count=np.where(pool_ok, pool_count, 0).astype(np.int64),
    )
