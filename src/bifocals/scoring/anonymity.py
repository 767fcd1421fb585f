"""Anonymity rules, applied before any statistic that may be shown is computed.

Each rater is mapped to the *unit* under which their answers may appear: self, their own group
(when it reaches its threshold), the pool of small groups, or nothing (suppressed). A second,
per-scale rule hides a unit's cell when too few of its raters answered that scale. Everything
shown (cells, ALL_OTHERS, gaps, indices, reliability, comments) is built only from raters and
cells that pass both rules. Who counts and which groups are shown is the project's one rule
(bifocals.anonymity, shared with the readiness survey); docs/scoring.md explains why each rule
exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bifocals.anonymity import count_by_key, counted, decide_groups
from bifocals.scoring.model import ALL_OTHERS, GROUPS, POOLED, Thresholds

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Unit codes: 0-4 are the collected groups in GROUPS order, then the pool and all-but-self.
SELF, MANAGER, PEER, DIRECT_REPORT, OTHER = range(5)
POOL = 5
ALL = 6
N_GROUPS = len(GROUPS)
N_UNITS = 6  # units a rater can belong to (ALL is built from them, not a rater's own unit)
N_KEYS = 7  # units plus ALL: the reported keys of a participant
UNIT_KEYS: tuple[str, ...] = (*GROUPS, POOLED, ALL_OTHERS)
SUPPRESSED = -1


@dataclass(frozen=True)
class Units:
    """Per-rater unit and per-participant group bookkeeping (shapes (R,) and (P, 5)).

    counts holds the counted raters of groups shown alone (0 elsewhere, so that not even the
    size of a suppressed group can be read from it); pool_count is the pool's size when shown.
    unit is per rater and for internal use only: adapters never output it.
    """

    unit: IntArray
    counts: IntArray
    present: BoolArray
    alone: BoolArray
    pooled: BoolArray
    pool_count: IntArray
    suppressed: BoolArray


def group_thresholds(t: Thresholds) -> IntArray:
    """Threshold per collected group in GROUPS order (self is 1)."""
    return np.array([t.for_group(g) for g in GROUPS], dtype=np.int64)


def assign_units(
    rater_participant: IntArray,
    rater_group: IntArray,
    answered: BoolArray,
    n_participants: int,
    thresholds: Thresholds,
) -> Units:
    """Decide, per participant, which groups are shown alone, pooled or suppressed.

    answered: per rater and item, whether the rater gave a rating ("not observed" is not one),
    (R, I). The counting and the group rule are bifocals.anonymity's, the same as the readiness
    survey's: a rater counts when they gave at least one rating; a non-self group is shown alone
    when its count reaches its threshold; the groups below threshold that have counted raters
    form the pool, shown when its count reaches thresholds.pooled *and* it holds raters of at
    least two groups (a pool of one group would show that group under another name). Everything
    else is suppressed; self is never pooled or suppressed.
    """
    key = rater_participant * N_GROUPS + rater_group
    size = n_participants * N_GROUPS
    shape = (n_participants, N_GROUPS)
    counts = count_by_key(key, counted(answered), size).reshape(shape)
    present = (np.bincount(key, minlength=size) > 0).reshape(shape)
    never_pooled = np.zeros(N_GROUPS, dtype=np.bool_)
    never_pooled[SELF] = True
    rule = decide_groups(
        counts, present, group_thresholds(thresholds), thresholds.pooled, never_pooled
    )

    unit_table = np.full(shape, SUPPRESSED, dtype=np.int64)
    unit_table[rule.alone] = np.nonzero(rule.alone)[1]
    unit_table[rule.pooled] = POOL
    unit = unit_table.reshape(-1)[key]
    return Units(
        unit=unit,
        counts=np.where(rule.alone, counts, 0).astype(np.int64),  # no count of a hidden group
        present=present,
        alone=rule.alone,
        pooled=rule.pooled,
        pool_count=rule.pool_count,
        suppressed=rule.suppressed,
    )


def visible_cells(
    unit_n: IntArray,
    pool_groups_at_scale: IntArray,
    thresholds: Thresholds,
) -> BoolArray:
    """Which (participant, unit, scale) cells may be shown; shape (P, 6, S).

    unit_n: raters with a score per unit cell, (P, 6, S). pool_groups_at_scale: how many
    collected groups have a scored rater in the pool cell, (P, S). A cell is shown when its n
    reaches the unit's threshold (self: 1); a pool cell also needs two groups at that scale.
    """
    thr = np.append(group_thresholds(thresholds), thresholds.pooled)
    vis = unit_n >= np.maximum(thr, 1)[None, :, None]
    vis[:, POOL, :] &= pool_groups_at_scale >= 2
    return np.asarray(vis, dtype=np.bool_)
