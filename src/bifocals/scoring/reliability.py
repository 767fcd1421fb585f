"""Internal consistency of a scale: Cronbach's alpha and McDonald's omega total.

Both take a complete-case matrix (cases x items) of reverse-keyed responses. Omega comes from a
one-factor model fitted by minres (unweighted least squares on the correlation matrix), solved
by iterated principal-axis factoring, whose fixed point is the minres solution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MAX_ITER = 1000
TOL = 1e-10


def cronbach_alpha(x: FloatArray) -> float | None:
    """alpha = k / (k - 1) * (1 - sum of item variances / variance of the total score).

    Variances use ddof=1, as pingouin does. None for fewer than 2 items or 2 cases, or when the
    total score does not vary.
    """
    n, k = x.shape
    if k < 2 or n < 2:
        return None
    return alpha_from_cov(np.cov(x, rowvar=False, ddof=1))


def alpha_from_cov(cov: FloatArray) -> float | None:
    """Cronbach's alpha from an item covariance matrix (ddof=1): see cronbach_alpha."""
    k = cov.shape[0]
    if k < 2:
        return None
    total = float(cov.sum())
    if total <= 0:
        return None
    return float((k / (k - 1)) * (1.0 - float(np.trace(cov)) / total))


@dataclass(frozen=True)
class OneFactor:
    """A one-factor solution on the correlation matrix: loadings, uniquenesses, iterations."""

    loadings: FloatArray
    uniquenesses: FloatArray
    iterations: int
    converged: bool


def one_factor_minres(corr: FloatArray) -> OneFactor:
    """Fit one common factor to a correlation matrix by minres (iterated principal axes).

    Start from squared multiple correlations as communalities; repeat: put the communalities on
    the diagonal, take the first eigenpair (value e, vector v), loadings = v * sqrt(e), new
    communalities = loadings^2 (clipped to [0, 1], the Heywood bound). Stops when no
    communality moves more than 1e-10. The sign is chosen so that the loadings sum to >= 0.
    """
    k = corr.shape[0]
    try:
        smc = 1.0 - 1.0 / np.diag(np.linalg.inv(corr))
    except np.linalg.LinAlgError:
        smc = np.max(np.abs(corr - np.eye(k)), axis=1)
    h2 = np.clip(np.nan_to_num(smc, nan=0.5), 0.0, 1.0)
    loadings = np.sqrt(h2)
    converged = False
    iterations = 0
    while iterations < MAX_ITER and not converged:
        iterations += 1
        reduced = corr.copy()
        np.fill_diagonal(reduced, h2)
        vals, vecs = np.linalg.eigh(reduced)
        e = max(float(vals[-1]), 0.0)
        loadings = vecs[:, -1] * np.sqrt(e)
        new_h2 = np.clip(loadings * loadings, 0.0, 1.0)
        delta = float(np.max(np.abs(new_h2 - h2)))
        h2 = new_h2
        converged = delta < TOL
    if loadings.sum() < 0:
        loadings = -loadings
    loadings = np.clip(loadings, -1.0, 1.0)
    return OneFactor(
        loadings=loadings,
        uniquenesses=1.0 - loadings * loadings,
        iterations=iterations,
        converged=converged,
    )


def omega_from_cov(cov: FloatArray) -> float | None:
    """McDonald's omega total of the unweighted sum score, from the item covariance matrix.

    The one-factor model is fitted on the correlation matrix; loadings and uniquenesses are
    then put back on each item's own scale (times its SD), so that omega refers to the raw sum
    the scale score is built from: omega = (sum l_i s_i)^2 / ((sum l_i s_i)^2 + sum u_i s_i^2).
    None for fewer than 2 items or when an item does not vary.
    """
    k = cov.shape[0]
    if k < 2:
        return None
    sd = np.sqrt(np.diag(cov))
    if np.any(sd <= 0) or not np.all(np.isfinite(cov)):
        return None
    corr = cov / np.outer(sd, sd)
    fit = one_factor_minres(corr)
    common = float(np.sum(fit.loadings * sd)) ** 2
    unique = float(np.sum(fit.uniquenesses * sd * sd))
    if common + unique <= 0:
        return None
    return common / (common + unique)


def omega_total(x: FloatArray) -> float | None:
    """Omega total of a complete-case matrix (cases x items); None below 3 cases or 2 items."""
    n, k = x.shape
    if k < 2 or n < 3:
        return None
    return omega_from_cov(np.cov(x, rowvar=False, ddof=1))
