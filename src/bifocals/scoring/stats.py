"""Vectorized statistics over grouped data: n, mean, SD, t confidence intervals, rwg, gaps.

Everything takes and returns numpy arrays; grouping is one np.bincount over integer keys, so
the cost grows with the number of answers, never with a Python loop over raters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import stdtrit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# A gap must reach this size (in scale points) before it is flagged; the tolerance keeps a gap
# of exactly 0.5 computed as 0.49999999999 from escaping its flag.
GAP_MIN = 0.5
GAP_TOL = 1e-9
FLAG_NONE, FLAG_BLIND_SPOT, FLAG_HIDDEN_STRENGTH = 0, 1, 2


@dataclass(frozen=True)
class CellStats:
    """n, mean, SD (ddof=1) and 95% t interval per cell; NaN where not defined."""

    n: IntArray
    mean: FloatArray
    sd: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


def t975(df: npt.ArrayLike) -> FloatArray:
    """The 0.975 quantile of Student's t for each df (NaN where df < 1).

    scipy.special.stdtrit is what scipy.stats.t.ppf calls underneath; importing it alone
    keeps scipy.stats (about a second of import time) out of every command.
    """
    d = np.asarray(df, dtype=np.float64)
    out = np.full(d.shape, np.nan)
    ok = d >= 1
    if np.any(ok):
        uniq, inv = np.unique(d[ok], return_inverse=True)
        out[ok] = np.asarray(stdtrit(uniq, 0.975), dtype=np.float64)[inv]
    return out


def grouped_stats(keys: IntArray, values: FloatArray, include: BoolArray, n_keys: int) -> CellStats:
    """Statistics of values[r, s] per (keys[r], s) over the entries where include is True.

    keys: (R,) cell key per row in [0, n_keys); values, include: (R, S). Returns arrays of shape
    (n_keys, S). The SD is computed in two passes (deviations from the cell mean) for accuracy.
    """
    n_cols = values.shape[1]
    flat = (keys[:, None] * n_cols + np.arange(n_cols)[None, :])[include]
    vals = values[include]
    size = n_keys * n_cols
    n = np.bincount(flat, minlength=size)
    sums = np.bincount(flat, weights=vals, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, sums / np.maximum(n, 1), np.nan)
        dev = vals - mean[flat]
        ss = np.bincount(flat, weights=dev * dev, minlength=size)
        sd = np.where(n >= 2, np.sqrt(ss / np.maximum(n - 1, 1)), np.nan)
        half = t975(n - 1) * sd / np.sqrt(np.maximum(n, 1))
    shape = (n_keys, n_cols)
    return CellStats(
        n=n.astype(np.int64).reshape(shape),
        mean=mean.reshape(shape),
        sd=sd.reshape(shape),
        ci_low=(mean - half).reshape(shape),
        ci_high=(mean + half).reshape(shape),
    )


def rwg(sd: FloatArray, n: IntArray, points: int) -> FloatArray:
    """Within-group agreement 1 - s^2 / ((A^2 - 1) / 12), clipped to [0, 1]; NaN for n < 2."""
    expected = (points * points - 1) / 12.0
    with np.errstate(invalid="ignore"):
        r = np.clip(1.0 - (sd * sd) / expected, 0.0, 1.0)
    return np.where(n >= 2, r, np.nan)


@dataclass(frozen=True)
class GapStats:
    """Self minus others per cell with the CI from the others' spread; flag codes as above."""

    gap: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    flag: npt.NDArray[np.int8]


def gap_stats(
    self_score: FloatArray, others_mean: FloatArray, others_sd: FloatArray, others_n: IntArray
) -> GapStats:
    """Gap = self - others; CI = gap +/- t(0.975, n-1) * sd / sqrt(n) (self is one observation).

    A blind spot needs CI low > 0 and gap >= 0.5; a hidden strength CI high < 0 and gap <= -0.5.
    No CI and no flag when n < 2; NaN gap where self or others are missing.
    """
    gap = self_score - others_mean
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t975(others_n - 1) * others_sd / np.sqrt(np.maximum(others_n, 1))
    has_ci = (others_n >= 2) & ~np.isnan(gap)
    low = np.where(has_ci, gap - half, np.nan)
    high = np.where(has_ci, gap + half, np.nan)
    flag = np.zeros(gap.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        blind = has_ci & (low > 0) & (gap >= GAP_MIN - GAP_TOL)
        hidden = has_ci & (high < 0) & (gap <= -GAP_MIN + GAP_TOL)
    flag[blind] = FLAG_BLIND_SPOT
    flag[hidden] = FLAG_HIDDEN_STRENGTH
    return GapStats(gap=gap, ci_low=low, ci_high=high, flag=flag)


def index_0_100(means: FloatArray, lo: float, hi: float) -> FloatArray:
    """Mean over columns (ignoring NaN) rescaled to 0-100: 100 * (mean - min) / (max - min).

    means: (P, D) others' means per dimension of one side; NaN rows give NaN.
    """
    ok = ~np.isnan(means)
    cnt = ok.sum(axis=1)
    tot = np.where(ok, means, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
    return np.asarray(100.0 * (m - lo) / (hi - lo), dtype=np.float64)


def top_bottom(
    means: FloatArray, k: int = 3
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Column indices of the k highest and k lowest non-NaN means per row (-1 pads).

    m = min(k, visible // 2) per row so that no column is both a strength and a development
    area. Ties go to the earlier column (framework order), for both lists.
    """
    ok = ~np.isnan(means)
    m = np.minimum(k, ok.sum(axis=1) // 2)
    desc = np.argsort(np.where(ok, -means, np.inf), axis=1, kind="stable")[:, :k]
    asc = np.argsort(np.where(ok, means, np.inf), axis=1, kind="stable")[:, :k]
    width = min(k, means.shape[1])
    pos = np.arange(width)[None, :]
    keep = pos < m[:, None]
    top = np.where(keep, desc[:, :width], -1).astype(np.int64)
    bottom = np.where(keep, asc[:, :width], -1).astype(np.int64)
    return top, bottom
