"""Every statistic of a 360 campaign, computed in bulk with numpy (the core of score_campaign).

The pipeline: validate, reverse-key, scale score per rater (one matrix product), anonymity units,
cell statistics per (participant, unit, scale) with one bincount each, per-scale cell hiding,
ALL_OTHERS from the shown cells only, gaps, indices, highlights, reliability. The result keeps
the arrays (ScoreArrays, for cohort views); scoring.participants turns them into
ParticipantScores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bifocals.framework.model import Framework, Side
from bifocals.instruments.model import Instrument
from bifocals.scoring.anonymity import (
    ALL,
    N_GROUPS,
    N_KEYS,
    N_UNITS,
    POOL,
    SELF,
    Units,
    assign_units,
    visible_cells,
)
from bifocals.scoring.model import CampaignData, Reliability
from bifocals.scoring.reliability import alpha_from_cov, omega_from_cov
from bifocals.scoring.stats import gap_stats, grouped_stats, index_0_100, rwg, top_bottom
from bifocals.scoring.validate import Layout, check_inputs

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Alpha and omega from fewer complete cases are noise, and in a tiny campaign they would describe
# the item answers of a handful of people who can be named; below this they are None.
MIN_RELIABILITY_CASES = 10


@dataclass(frozen=True)
class ScoreArrays:
    """All shown numbers as arrays. Cells are (P, 7, S): units in anonymity.UNIT_KEYS order.

    Hidden cells hold n = 0 and NaN; `visible` says which cells exist. Gap arrays are (P, S)
    and NaN where there is no gap; indices are (P,); strengths/development (P, 3) scale
    indices padded with -1.
    """

    scales: tuple[tuple[str, Side], ...]
    scale_min: int
    scale_max: int
    units: Units
    n: IntArray
    mean: FloatArray
    sd: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    rwg: FloatArray
    visible: BoolArray
    gap: FloatArray
    gap_low: FloatArray
    gap_high: FloatArray
    gap_flag: npt.NDArray[np.int8]
    leadership_index: FloatArray
    management_index: FloatArray
    strengths: IntArray
    development: IntArray


def rater_scale_scores(
    ratings: FloatArray, layout: Layout, lo: int, hi: int
) -> tuple[FloatArray, FloatArray]:
    """Reverse-keyed ratings (value' = min + max - value) and each rater's scale scores.

    A scale score is the mean of the rater's answered items on that scale, NaN if none.
    """
    x = np.array(ratings, dtype=np.float64, copy=True)
    if layout.reverse.any():
        x[:, layout.reverse] = (lo + hi) - x[:, layout.reverse]
    valid = ~np.isnan(x)
    member = np.zeros((x.shape[1], len(layout.scales)), dtype=np.float64)
    member[np.arange(x.shape[1]), layout.item_scale] = 1.0
    counts = valid.astype(np.float64) @ member
    sums = np.where(valid, x, 0.0) @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(counts > 0, sums / np.maximum(counts, 1.0), np.nan)
    return x, scores


def _pool_groups_at_scale(
    data: CampaignData, units: Units, has_score: BoolArray, n_participants: int
) -> IntArray:
    """How many collected groups have a scored rater in each pool cell, (P, S)."""
    include = has_score & (units.unit == POOL)[:, None]
    n_scales = has_score.shape[1]
    key = data.rater_participant * N_GROUPS + data.rater_group
    flat = (key[:, None] * n_scales + np.arange(n_scales)[None, :])[include]
    cnt = np.bincount(flat, minlength=n_participants * N_GROUPS * n_scales)
    per_group = cnt.reshape(n_participants, N_GROUPS, n_scales)
    return np.asarray((per_group > 0).sum(axis=1), dtype=np.int64)


def _reliability(x: FloatArray, shown: BoolArray, layout: Layout) -> tuple[Reliability, ...]:
    """Alpha and omega per scale on complete cases of the raters whose answers are shown."""
    out: list[Reliability] = []
    for s, (dim, side) in enumerate(layout.scales):
        cols = np.nonzero(layout.item_scale == s)[0]
        block = x[:, cols][shown[:, s]]
        block = block[~np.isnan(block).any(axis=1)]
        enough = block.shape[0] >= MIN_RELIABILITY_CASES and len(cols) >= 2
        cov = np.atleast_2d(np.cov(block, rowvar=False, ddof=1)) if enough else None
        out.append(
            Reliability(
                dimension=dim,
                side=side,
                n_items=len(cols),
                n_cases=int(block.shape[0]),
                alpha=alpha_from_cov(cov) if cov is not None else None,
                omega=omega_from_cov(cov) if cov is not None else None,
            )
        )
    return tuple(out)


def compute_arrays(
    data: CampaignData, instrument: Instrument, framework: Framework
) -> tuple[ScoreArrays, tuple[Reliability, ...]]:
    """Every statistic of the campaign as arrays, anonymity applied; plus scale reliability."""
    layout = check_inputs(data, instrument, framework)
    lo, hi = instrument.scale.min, instrument.scale.max
    n_p, n_s = len(data.participants), len(layout.scales)
    rp = np.asarray(data.rater_participant, dtype=np.int64)
    x, scores = rater_scale_scores(data.ratings, layout, lo, hi)
    has_score = ~np.isnan(scores)
    units = assign_units(
        rp,
        np.asarray(data.rater_group, dtype=np.int64),
        np.asarray(~np.isnan(x), dtype=np.bool_),
        n_p,
        data.thresholds,
    )
    in_unit = units.unit >= 0
    unit_of = np.where(in_unit, units.unit, 0)
    include = has_score & in_unit[:, None]
    cell = grouped_stats(rp * N_UNITS + unit_of, scores, include, n_p * N_UNITS)
    unit_n = cell.n.reshape(n_p, N_UNITS, n_s)
    vis_units = visible_cells(
        unit_n, _pool_groups_at_scale(data, units, has_score, n_p), data.thresholds
    )
    # A rater's scale score is shown (inside an aggregate) only when their unit cell is shown.
    shown = include & vis_units[rp, unit_of]
    others = grouped_stats(rp, scores, shown & (units.unit > SELF)[:, None], n_p)

    visible = np.concatenate([vis_units, (others.n >= 1)[:, None, :]], axis=1)

    def stack(unit_part: npt.NDArray[np.generic], all_part: npt.NDArray[np.generic]) -> FloatArray:
        both = np.concatenate(
            [unit_part.reshape(n_p, N_UNITS, n_s), all_part[:, None, :]], axis=1
        ).astype(np.float64)
        return np.where(visible, both, np.nan)

    n = np.where(visible, stack(cell.n, others.n), 0).astype(np.int64)
    mean = stack(cell.mean, others.mean)
    sd = stack(cell.sd, others.sd)
    ag = rwg(sd, n, instrument.scale.points)

    others_mean = mean[:, ALL, :]
    g = gap_stats(mean[:, SELF, :], others_mean, sd[:, ALL, :], n[:, ALL, :])
    lead_cols = [k for k, (_, side) in enumerate(layout.scales) if side == "leadership"]
    man_cols = [k for k, (_, side) in enumerate(layout.scales) if side == "management"]
    top, bottom = top_bottom(others_mean)
    arrays = ScoreArrays(
        scales=layout.scales,
        scale_min=lo,
        scale_max=hi,
        units=units,
        n=n,
        mean=mean,
        sd=sd,
        ci_low=stack(cell.ci_low, others.ci_low),
        ci_high=stack(cell.ci_high, others.ci_high),
        rwg=ag,
        visible=np.asarray(visible, dtype=np.bool_),
        gap=g.gap,
        gap_low=g.ci_low,
        gap_high=g.ci_high,
        gap_flag=g.flag,
        leadership_index=index_0_100(others_mean[:, lead_cols], lo, hi),
        management_index=index_0_100(others_mean[:, man_cols], lo, hi),
        strengths=top,
        development=bottom,
    )
    return arrays, _reliability(x, shown, layout)


__all__ = ["N_KEYS", "ScoreArrays", "compute_arrays", "rater_scale_scores"]
